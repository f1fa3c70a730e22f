"""Turning what users call an image into PNG bytes.

Conversion happens when ``log_image`` is called, not at flush time: a matplotlib
figure is usually redrawn or closed right after it is logged.
"""

from __future__ import annotations

import io
import os
from typing import Any

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def to_png(key: str, image: Any) -> bytes:
    """PNG bytes of a matplotlib Figure, a PIL Image, PNG bytes, or the path of an image file."""
    if isinstance(image, (bytes, bytearray, memoryview)):
        return _encoded_to_png(key, bytes(image), "bytes")
    if isinstance(image, (str, os.PathLike)):
        with open(image, "rb") as file:
            return _encoded_to_png(key, file.read(), os.fspath(image))
    # Figures and images are recognised by their methods: importing matplotlib or
    # Pillow here would cost every user who has neither.
    if callable(getattr(image, "savefig", None)):  # a matplotlib Figure
        buffer = io.BytesIO()
        image.savefig(buffer, format="png")
        return buffer.getvalue()
    if callable(getattr(image, "save", None)) and hasattr(image, "mode"):  # a PIL Image
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return buffer.getvalue()
    raise TypeError(
        f"image {key!r} must be a matplotlib Figure, a PIL Image, PNG bytes or a file path, got {type(image).__name__}"
    )


def _encoded_to_png(key: str, encoded: bytes, origin: str) -> bytes:
    if encoded.startswith(PNG_SIGNATURE):
        return encoded
    try:
        from PIL import Image
    except ImportError:
        raise ValueError(
            f"image {key!r} ({origin}) is not a PNG; converting JPEG and other formats needs Pillow "
            "(pip install pillow)"
        ) from None
    try:
        with Image.open(io.BytesIO(encoded)) as opened:
            buffer = io.BytesIO()
            opened.save(buffer, format="PNG")
    except OSError as error:
        raise ValueError(f"image {key!r} ({origin}) is not an image Pillow can read: {error}") from None
    return buffer.getvalue()
