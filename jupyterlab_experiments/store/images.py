"""Logged images: PNG header parsing and the content-addressed file layout."""

from __future__ import annotations

import hashlib
import os
import struct
import tempfile
from pathlib import Path

from ..common.paths import Confined, OutsideRoot

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


class OutsideStore(OutsideRoot):
    """A file of the store resolves (through a symlink) to a place outside it."""


def images_folder(store_dir: Path) -> Confined:
    return Confined(store_dir / "images", "the store's images folder", OutsideStore)


def image_path(images: Confined, sha256: str) -> str:
    """The file of the image with this hash, checked to resolve inside the images folder."""
    return images.path(sha256[:2], f"{sha256}.png")


def read_png(images: Confined, sha256: str) -> bytes:
    with open(image_path(images, sha256), "rb") as file:
        return file.read()


def save_png(images: Confined, png: bytes) -> str:
    """Store ``png`` under its sha256 (once) and return the hash.

    Written to a temporary file and renamed, so a reader never sees half an
    image and two writers of the same image both succeed.
    """
    sha256 = hashlib.sha256(png).hexdigest()
    folder = images.path(sha256[:2])
    path = image_path(images, sha256)
    if os.path.exists(path):
        return sha256
    os.makedirs(folder, exist_ok=True)
    images.path(sha256[:2])  # again: a link may have been planted meanwhile
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(png)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return sha256
