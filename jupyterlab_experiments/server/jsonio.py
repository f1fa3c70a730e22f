"""JSON for the REST API, where NaN and +/-Infinity travel as strings.

``JSON.parse`` in the browser rejects Python's bare ``NaN``/``Infinity`` tokens,
so responses spell non-finite floats "NaN", "Infinity" and "-Infinity"; requests
may use either spelling wherever a number is expected.
"""

from __future__ import annotations

import json
import math
from typing import Any

NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def dumps(value: Any) -> str:
    """``value`` as JSON text with non-finite floats spelled as strings."""
    text = json.dumps(value, separators=(",", ":"))
    # The C encoder writes bare NaN/Infinity tokens. Without either word anywhere
    # (the usual case) the fast text is right; otherwise walk the value to spell
    # the non-finite floats, leaving strings that merely contain the words alone.
    if "NaN" not in text and "Infinity" not in text:
        return text
    return json.dumps(_encode(value), allow_nan=False, separators=(",", ":"))


def _encode(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else _spell(value)
    if isinstance(value, dict):
        return {key: _encode(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        if all(type(item) is float and math.isfinite(item) for item in value):
            return value  # the common case, a column of plain numbers
        return [_encode(item) for item in value]
    return value


def _spell(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"
