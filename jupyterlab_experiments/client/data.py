"""Data versions: sha256 and size of a file or a folder, hashed once per content change.

A file's digest is cached under (absolute path, size, mtime_ns), so logging the
same 10 GB file in every run costs one ``stat``. The cache is a JSON file in the
store folder shared by every process using that store; it is only an accelerator,
so a lost update between two processes merely means hashing a file again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading

CHUNK_SIZE = 1 << 20
CACHE_FILE_NAME = "data-cache.json"


class DigestCache:
    """Digests by (absolute path, size, mtime_ns), kept in memory and optionally in a JSON file."""

    def __init__(self, path: str | None = None):
        self._path = path
        self._entries: dict[str, dict] = {}
        self._loaded = path is None
        self._dirty = False
        self._lock = threading.Lock()

    def get(self, path: str, stat: os.stat_result) -> str | None:
        with self._lock:
            self._load()
            entry = self._entries.get(path)
        if entry and entry.get("size") == stat.st_size and entry.get("mtime_ns") == stat.st_mtime_ns:
            return entry.get("sha256")
        return None

    def put(self, path: str, stat: os.stat_result, sha256: str) -> None:
        with self._lock:
            self._entries[path] = {
                "size": stat.st_size,
                "mtime_ns": stat.st_mtime_ns,
                "sha256": sha256,
            }
            self._dirty = True

    def save(self) -> None:
        """Merge this process's new digests into the file, atomically replacing it."""
        with self._lock:
            if self._path is None or not self._dirty:
                return
            merged = _read_json(self._path)
            merged.update(self._entries)
            folder = os.path.dirname(self._path)
            fd, temporary = tempfile.mkstemp(prefix=".data-cache-", dir=folder)
            try:
                with os.fdopen(fd, "w") as file:
                    json.dump(merged, file)
                os.replace(temporary, self._path)
            except BaseException:
                os.unlink(temporary)
                raise
            self._entries = merged
            self._dirty = False

    def _load(self) -> None:
        if not self._loaded:
            self._entries = {**_read_json(self._path), **self._entries}
            self._loaded = True


def _read_json(path: str) -> dict:
    try:
        with open(path) as file:
            entries = json.load(file)
    except (OSError, ValueError):  # missing, or cut short by a crash: start afresh
        return {}
    return entries if isinstance(entries, dict) else {}


def describe_data(path: str, cache: DigestCache) -> dict:
    """``{"path", "sha256", "size", "file_count", "manifest"?}`` for a file or a folder.

    A folder's manifest lists ``{"path", "size", "sha256"}`` per file (paths relative,
    with "/", sorted); its digest is the sha256 of the lines ``"<sha256>  <path>\\n"``,
    the format of ``sha256sum``, so it can be recomputed with ordinary tools.
    """
    absolute = os.path.abspath(os.fspath(path))
    if os.path.isdir(absolute):
        manifest = [
            {
                "path": relative,
                "size": stat.st_size,
                "sha256": file_digest(full, stat, cache),
            }
            for relative, full, stat in _walk(absolute)
        ]
        folder_digest = hashlib.sha256(
            "".join(f"{entry['sha256']}  {entry['path']}\n" for entry in manifest).encode()
        ).hexdigest()
        return {
            "path": absolute,
            "sha256": folder_digest,
            "size": sum(entry["size"] for entry in manifest),
            "file_count": len(manifest),
            "manifest": manifest,
        }
    if not os.path.exists(absolute):
        raise FileNotFoundError(f"log_data: no file or folder at {absolute!r}")
    stat = os.stat(absolute)
    return {
        "path": absolute,
        "sha256": file_digest(absolute, stat, cache),
        "size": stat.st_size,
        "file_count": 1,
    }


def file_digest(path: str, stat: os.stat_result, cache: DigestCache) -> str:
    cached = cache.get(path, stat)
    if cached is not None:
        return cached
    digest = hashlib.sha256()
    chunk = bytearray(CHUNK_SIZE)
    view = memoryview(chunk)
    with open(path, "rb") as file:
        while True:
            read = file.readinto(chunk)
            if not read:
                break
            digest.update(view[:read])
    sha256 = digest.hexdigest()
    cache.put(path, stat, sha256)
    return sha256


def _walk(folder: str):
    """(relative path, absolute path, stat) of every file under ``folder``, sorted by relative path."""
    found = []
    for root, _directories, files in os.walk(folder):
        for name in files:
            full = os.path.join(root, name)
            stat = os.stat(full)
            relative = os.path.relpath(full, folder).replace(os.sep, "/")
            found.append((relative, full, stat))
    found.sort(key=lambda item: item[0])
    return found
