"""Files the store and the git API open stay inside their folder, symlinks included."""

from __future__ import annotations

import os


class OutsideRoot(ValueError):
    """A path inside a confined folder resolves (through a symlink) to a place outside it."""


class Confined:
    """A folder whose files are opened only through :meth:`path`, which refuses what leads outside it.

    The folder's own location is resolved once, from its parent: a symlink planted
    at the folder's name (``images`` linked elsewhere) leads outside too.
    """

    def __init__(self, folder: str | os.PathLike[str], label: str, error: type[OutsideRoot] = OutsideRoot):
        self.folder = os.fspath(folder)
        self.label = label
        self.error = error
        self.root = os.path.join(
            os.path.realpath(os.path.dirname(os.path.abspath(self.folder))), os.path.basename(self.folder)
        )

    def path(self, *parts: str) -> str:
        """``folder/parts...`` if its real path (every symlink resolved, the last component's too) lies
        inside the folder; else ``error`` naming the path relative to the folder, nothing of where it leads."""
        path = os.path.join(self.folder, *parts)
        real = os.path.realpath(path)
        if real != self.root and os.path.commonpath([real, self.root]) != self.root:
            raise self.error(f"{os.path.relpath(path, self.folder)} leads outside {self.label}")
        return path
