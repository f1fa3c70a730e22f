"""Values as JSON types: conversion of logged params and the check for numbers JSON cannot spell."""

from __future__ import annotations

import math
import numbers
import re
from typing import Any


def json_value(key: str, value: Any) -> Any:
    """``value`` as plain JSON types (tuples and sets become lists, numpy scalars numbers).

    Params keep their type (numbers stay numbers) so runs can be compared and
    filtered numerically; anything JSON cannot hold is refused, naming the key.
    """
    if value is None or isinstance(value, (str, bool)):
        return value
    if type(value).__name__ == "bool_":
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [json_value(f"{key}[{i}]", item) for i, item in enumerate(value)]
    if isinstance(value, (set, frozenset)):
        items = [json_value(f"{key}{{}}", item) for item in value]
        # A set has no order; sorting makes the same set log the same value every time.
        return sorted(items, key=lambda item: (type(item).__name__, repr(item)))
    if isinstance(value, dict):
        converted = {}
        for k, item in value.items():
            if isinstance(k, bool) or not isinstance(k, (str, int, float)):
                raise TypeError(f"param {key!r} has a dict key of type {type(k).__name__}, which JSON cannot hold")
            converted[str(k)] = json_value(f"{key}[{k!r}]", item)
        return converted
    raise TypeError(
        f"param {key!r} must be JSON-serializable (number, str, bool, None, list, dict), "
        f"got {type(value).__name__}: {_short(value)}"
    )


def has_non_finite(value: Any) -> bool:
    """Whether a JSON-like value holds NaN or an infinity (params must not: JSON has no such numbers)."""
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, list):
        return any(has_non_finite(item) for item in value)
    if isinstance(value, dict):
        return any(has_non_finite(item) for item in value.values())
    return False


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# How deep a JSON value may nest, in a request body or in anything stored: deep enough for any
# notebook output, shallow enough that every reader (json, the report, the browser) walks it safely.
MAX_JSON_DEPTH = 100
# 64-bit signed integers: what SQLite holds as a number.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# UTF-8 cannot encode a lone surrogate ("\ud800" in JSON), so neither SQLite nor a reply could hold one.
_SURROGATE = re.compile("[\ud800-\udfff]")


def check_json(value: Any, where: str = "value", max_depth: int = MAX_JSON_DEPTH) -> None:
    """Raise ``ValueError`` naming ``where`` if ``value`` nests deeper than ``max_depth`` or holds a string
    (or key) with a lone surrogate. Iterative: any depth is walked without recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                raise ValueError(f"{where}: a string holds a lone surrogate, which UTF-8 cannot encode")
        elif isinstance(item, (list, tuple)):
            if depth > max_depth:
                raise ValueError(f"{where}: nested deeper than {max_depth} levels")
            stack.extend((element, depth + 1) for element in item)
        elif isinstance(item, dict):
            if depth > max_depth:
                raise ValueError(f"{where}: nested deeper than {max_depth} levels")
            for key, element in item.items():
                if isinstance(key, str) and _SURROGATE.search(key):
                    raise ValueError(f"{where}: a key holds a lone surrogate, which UTF-8 cannot encode")
                stack.append((element, depth + 1))


def has_big_int(value: Any) -> bool:
    """Whether a JSON-like value holds an integer beyond 64 bits (no number column can hold it)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, int) and not isinstance(item, bool):
            if not INT64_MIN <= item <= INT64_MAX:
                return True
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
    return False
