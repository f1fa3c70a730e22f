"""JSON for the REST API, where NaN and +/-Infinity travel as strings.

``JSON.parse`` in the browser rejects Python's bare ``NaN``/``Infinity`` tokens,
so responses spell non-finite floats "NaN", "Infinity" and "-Infinity"; requests
may use either spelling wherever a number is expected.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}

# A JSON string (skipped whole, escapes included) or a bare non-finite token outside one.
_STRING_OR_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|(-?Infinity|NaN)')


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
