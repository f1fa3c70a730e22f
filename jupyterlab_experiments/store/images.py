"""Logged images: PNG header parsing and the content-addressed file layout."""

from __future__ import annotations

import hashlib
import os
import struct
import tempfile
from pathlib import Path

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) from the IHDR chunk; ValueError if ``png`` is not a PNG."""
    if not isinstance(png, (bytes, bytearray, memoryview)):
        raise TypeError(f"image must be PNG bytes, got {type(png).__name__}")
    header = bytes(png[:24])
    if len(header) < 24 or header[:8] != _PNG_SIGNATURE or header[12:16] != b"IHDR":
        raise ValueError("image is not a PNG (bad signature or missing IHDR header)")
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def image_path(images_dir: Path, sha256: str) -> Path:
    return images_dir / sha256[:2] / f"{sha256}.png"


def save_png(images_dir: Path, png: bytes) -> str:
    """Store ``png`` under its sha256 (once) and return the hash.

    Written to a temporary file and renamed, so a reader never sees half an
    image and two writers of the same image both succeed.
    """
    sha256 = hashlib.sha256(png).hexdigest()
    path = image_path(images_dir, sha256)
    if path.exists():
        return sha256
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(png)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return sha256
