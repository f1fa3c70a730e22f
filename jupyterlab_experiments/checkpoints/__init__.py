"""Checkpoints: every cell execution committed to ``<store_dir>/checkpoints.git`` (real git format).

``repository`` is the one module that knows the repository on disk (``packs``
reads its pack files for it); ``commits`` reads a checkpoint commit (tree,
parents, time, message trailers); ``packing`` is the server's background
packer, which runs ``git repack``. Standard library only, like the store.
"""

from __future__ import annotations

from .commits import Commit, checkpoint_row, parse_commit, parse_trailers
from .repository import (
    MAX_BATCH_TREE_BYTES,
    MAX_OBJECT_BYTES,
    BadObject,
    CheckpointRepository,
    ObjectTooLarge,
    OutsideRepository,
    RefConflict,
    RefLocked,
    RefUpdate,
    check_notebook_id,
    check_oid,
    check_ref,
    inspect_object,
    notebook_ref,
)

REPOSITORY_NAME = "checkpoints.git"

__all__ = [
    "MAX_BATCH_TREE_BYTES",
    "MAX_OBJECT_BYTES",
    "REPOSITORY_NAME",
    "BadObject",
    "CheckpointRepository",
    "Commit",
    "ObjectTooLarge",
    "OutsideRepository",
    "RefConflict",
    "RefLocked",
    "RefUpdate",
    "check_notebook_id",
    "check_oid",
    "check_ref",
    "checkpoint_row",
    "inspect_object",
    "notebook_ref",
    "parse_commit",
    "parse_trailers",
]
