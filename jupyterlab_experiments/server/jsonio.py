"""JSON for the REST API, where NaN and +/-Infinity travel as strings, and the binary
frame of metric series.

``JSON.parse`` in the browser rejects Python's bare ``NaN``/``Infinity`` tokens,
so responses spell non-finite floats "NaN", "Infinity" and "-Infinity"; requests
may use either spelling wherever a number is expected.
"""

from __future__ import annotations

import json
import math
import re
import sys
from array import array
from typing import Any, Sequence

NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}

# A JSON string (skipped whole, escapes included) or a bare non-finite token outside one.
_STRING_OR_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|(-?Infinity|NaN)')
# The columns of each series in a series frame, in order.
SERIES_COLUMNS = ("steps", "values", "timestamps")


def dumps(value: Any) -> str:
    """``value`` as JSON text with non-finite floats spelled as strings."""
    text = json.dumps(value, separators=(",", ":"))
    # The C encoder writes bare NaN/Infinity tokens. Without either word anywhere
    # (the usual case) the fast text is right; otherwise the tokens outside strings
    # are quoted by one scan of the text, which, unlike a walk of the value,
    # needs no recursion however deep the value nests.
    if "NaN" not in text and "Infinity" not in text:
        return text
    return _STRING_OR_TOKEN.sub(_quote_token, text)


def _quote_token(match: re.Match) -> str:
    token = match.group(1)
    return match.group(0) if token is None else f'"{token}"'


def series_frame(series: Sequence[dict]) -> bytes:
    """Metric series (``Store.get_metric_series_many``'s dicts, columns as lists or numpy
    arrays) as one binary body: a 4-byte big-endian length, a JSON header of that many bytes
    ``{"series": [{"run_id", "key", "count", "points"}, ...]}`` padded with spaces so that what
    follows starts at a multiple of 8 bytes, then for each series in header order its
    ``points`` steps, values and timestamps as little-endian float64. A compare view's 600,000
    numbers are a copy of memory instead of a third of a second of number formatting (and more
    of parsing in the browser), and NaN and the infinities are themselves."""
    header = {
        "series": [
            {"run_id": one["run_id"], "key": one["key"], "count": one["count"], "points": len(one["values"])}
            for one in series
        ]
    }
    text = dumps(header).encode()
    text += b" " * (-(4 + len(text)) % 8)
    parts = [len(text).to_bytes(4, "big"), text]
    for one in series:
        parts += (_float64_le(one[column]) for column in SERIES_COLUMNS)
    return b"".join(parts)


def _float64_le(column: Any) -> bytes:
    if hasattr(column, "astype"):  # a numpy array
        return column.astype("<f8").tobytes()
    numbers = array("d", column)
    if sys.byteorder == "big":
        numbers.byteswap()
    return numbers.tobytes()
