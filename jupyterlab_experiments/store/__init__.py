"""Where runs are kept: the ``Store`` interface, its SQLite backend and the store location.

Standard library only: the logging client imports this in every kernel and script.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional, Union

from .base import RunConflict, RunNotFound, Store
from .sqlite import SqliteStore

__all__ = ["ENV_VAR", "RunConflict", "RunNotFound", "SqliteStore", "Store", "open_store", "resolve_store_dir"]

ENV_VAR = "JUPYTERLAB_EXPERIMENTS_DIR"
STORE_DIR_NAME = ".experiments"

PathLike = Union[str, "os.PathLike[str]"]


def open_store(store_dir: PathLike) -> Store:
    """Open (creating or migrating as needed) the store kept in ``store_dir``."""
    return SqliteStore(store_dir)


def resolve_store_dir(root_dir: Optional[PathLike] = None, configured: Optional[PathLike] = None) -> Path:
    """The store folder, as an absolute path.

    ``$JUPYTERLAB_EXPERIMENTS_DIR`` wins (relative to the current directory), then ``configured`` (the server's
    ``Experiments.store_dir``; relative to ``root_dir``), then
    ``<root_dir>/.experiments``. Without a root dir (a plain script), the nearest
    ``.experiments`` folder in the current directory or its parents, so a script
    run from a project's subfolder logs next to its notebooks; else
    ``./.experiments``.
    """
    from_env = os.environ.get(ENV_VAR)
    if from_env:
        return Path(from_env).expanduser().resolve()
    base = Path(root_dir).expanduser() if root_dir else Path.cwd()
    if configured:
        return (base / Path(configured).expanduser()).resolve()
    if root_dir:
        return (base / STORE_DIR_NAME).resolve()
    for folder in (base, *base.parents):
        if (folder / STORE_DIR_NAME).is_dir():
            return (folder / STORE_DIR_NAME).resolve()
    return (base / STORE_DIR_NAME).resolve()
