"""Validation of what users log: keys, metric values, steps, params and tags.

Pure functions. Each raises ``TypeError`` or ``ValueError`` naming the key, so a
mistake shows up at the line that made it instead of as a missing point later.
"""

from __future__ import annotations

import numbers
from typing import Any

from ..common.jsonvalues import has_non_finite, json_value


def check_key(kind: str, key: Any) -> str:
    """A key is a non-empty string; ``kind`` ("metric", "param", ...) names it in errors."""
    if not isinstance(key, str):
        raise TypeError(f"{kind} key must be a str, got {type(key).__name__}: {key!r}")
    if not key:
        raise ValueError(f"{kind} key must not be empty")
    return key


def metric_value(key: str, value: Any) -> float:
    """The float for a metric value: any real number, numpy scalars and 0-d arrays included.

    ``bool`` is refused: a flag logged as a metric is almost always a mistake and
    ``float(flag)`` says so explicitly. NaN and +/-Inf are kept.
    """
    if type(value) is int:
        return float(value)
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        raise TypeError(
            f"metric {key!r} must be a real number, got bool; log flags with set_tag or log_param, or pass float(value)"
        )
    if isinstance(value, numbers.Real):
        return float(value)
    # Single-element tensors and numpy 0-d arrays are not numbers.Real but convert exactly.
    if hasattr(value, "__float__") and not isinstance(value, (str, bytes, complex)):
        try:
            return float(value)
        except (TypeError, ValueError) as error:
            raise TypeError(
                f"metric {key!r} must be a real number, got {type(value).__name__} "
                f"that does not convert to one ({error})"
            ) from None
    raise TypeError(f"metric {key!r} must be a real number, got {type(value).__name__}: {_short(value)}")


def step_value(key: str, step: Any) -> int:
    """The int for a metric or image step (numpy integers accepted, bools and floats not)."""
    if isinstance(step, numbers.Integral) and not isinstance(step, bool):
        return int(step)
    raise TypeError(f"step for {key!r} must be an int, got {type(step).__name__}: {_short(step)}")


def param_value(key: str, value: Any) -> Any:
    """A param value as JSON types; NaN and Inf are refused because JSON has no spelling for them."""
    converted = json_value(key, value)
    if has_non_finite(converted):
        raise ValueError(f"param {key!r} contains NaN or Infinity, which JSON cannot hold; log it as a metric")
    return converted


def tag_value(key: str, value: Any) -> str:
    """Tags are strings; numbers and bools are accepted and written as text."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, numbers.Real)):
        return str(value)
    raise TypeError(f"tag {key!r} value must be a str, got {type(value).__name__}: {_short(value)}")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
