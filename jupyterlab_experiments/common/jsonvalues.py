"""Values as JSON types: conversion of logged params and the check for numbers JSON cannot spell."""

from __future__ import annotations

import math
import numbers
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
