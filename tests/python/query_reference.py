"""A reference evaluator of the query grammar, in plain Python over run dicts.

A run dict is what ``Store.get_run`` returns plus ``"verdict"`` (the validation's, or None).
It states the grammar's semantics (``store/query/grammar.py``) a second way, without SQL, so
that property tests can compare the two on random filters and random stores.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Optional

from jupyterlab_experiments.store.query.grammar import (
    And,
    Between,
    Compare,
    Field,
    In,
    IsNull,
    Like,
    Not,
    Or,
    OrderKey,
    Present,
    Value,
)

_TIME_SCALE = {"time": 1.0, "time_ms": 1000.0}
_SAFE_PACKAGE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class _Views:
    """A field's value for one run: whether it has one, and how it reads as a number, as text and
    (params) as JSON."""

    def __init__(self, present: bool, number: Any = None, text: Optional[str] = None, raw: Optional[str] = None):
        self.present = present
        self.number = number
        self.text = text
        self.raw = raw


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _param_number(value: Any) -> Optional[float]:
    if not _is_number(value):
        return None
    try:
        return float(value)
    except OverflowError:
        return None


def _tag_number(text: str) -> Optional[float]:
    """The tag's text as a JSON number (strict JSON: no NaN, no Infinity)."""

    def refuse(token: str) -> None:
        raise ValueError(token)

    try:
        value = json.loads(text, parse_constant=refuse)
    except ValueError:
        return None
    return value if _is_number(value) else None


def _package(environment: Any, name: str) -> Optional[str]:
    packages = environment.get("packages") if isinstance(environment, dict) else None
    if not isinstance(packages, dict):
        return None
    for spelling in _spellings(name):
        if packages.get(spelling) is not None:
            return packages[spelling]
    wanted = _canonical(name)
    for key, version in packages.items():
        if _canonical(key) == wanted:
            return version
    return None


def _spellings(name: str) -> list:
    """As written, in lower case, pip's normalized name with -, _ or . (names of package characters only)."""
    canonical = _canonical(name)
    spellings = [
        name,
        name.translate(_ASCII_LOWER),
        canonical,
        canonical.replace("-", "_"),
        canonical.replace("-", "."),
    ]
    return [spelling for spelling in spellings if spelling and set(spelling) <= _SAFE_PACKAGE]


def _canonical(name: str) -> str:
    return name.translate(_ASCII_LOWER).replace("_", "-").replace(".", "-")


def views(field: Field, run: dict, now: float) -> _Views:
    if field.kind == "params":
        if run["params"].get(field.key) is None:
            return _Views(False)
        value = run["params"][field.key]
        raw = json.dumps(value)
        return _Views(True, _param_number(value), value if isinstance(value, str) else raw, raw)
    if field.kind == "metrics":
        summary = run["metrics"].get(field.key)
        value = None if summary is None else summary[field.summary or "last"]
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return _Views(False)
        return _Views(True, value)
    if field.kind == "tags":
        if field.key not in run["tags"]:
            return _Views(False)
        text = run["tags"][field.key]
        return _Views(True, _tag_number(text), text)
    if field.kind == "data":
        latest = [item for item in run["data"] if item["path"] == field.key]
        sha256 = latest[-1]["sha256"] if latest else None
        return _Views(sha256 is not None, text=sha256)
    if field.kind == "env":
        version = _package(run["environment"], field.key)
        return _Views(version is not None, text=version)
    key = field.key
    if key in ("id", "name", "kind", "status", "user", "notebook", "verdict"):
        text = run[{"notebook": "notebook_path"}.get(key, key)]
        return _Views(text is not None, text=text)
    if key in ("starred", "archived"):
        return _Views(True, 1 if run[key] else 0)
    if key == "duration":
        end = run["end_time"] if run["end_time"] is not None else now
        return _Views(True, end - run["start_time"])
    column = run["start_time"] if key in ("started", "start_time") else run["end_time"]
    if column is None:
        return _Views(False)
    return _Views(True, column * _TIME_SCALE[field.type])


def _operand(field: Field, view: _Views, value: Value, now: float) -> tuple[Any, Any]:
    """The view ``value`` compares with, and ``value`` in its terms."""
    if value.kind == "string":
        return view.text, value.value
    if value.kind == "bool":
        if field.kind == "params":
            return view.raw, "true" if value.value else "false"
        return view.number, 1 if value.value else 0
    if value.kind == "span":
        return view.number, (now + float(value.value)) * _TIME_SCALE[field.type]
    if value.kind == "time":
        return view.number, float(value.value) * _TIME_SCALE[field.type]
    return view.number, float(value.value)


def _compare(actual: Any, expected: Any, op: str) -> bool:
    if actual is None:
        return False
    return {
        "=": actual == expected,
        "<": actual < expected,
        "<=": actual <= expected,
        ">": actual > expected,
        ">=": actual >= expected,
    }[op]


def like(text: str, pattern: str, insensitive: bool) -> bool:
    """SQL LIKE: ``%`` any text, ``_`` one character; ILIKE folds ASCII letters only, as SQLite does."""
    if insensitive:
        text, pattern = text.translate(_ASCII_LOWER), pattern.translate(_ASCII_LOWER)
    regex = "".join(".*" if char == "%" else "." if char == "_" else re.escape(char) for char in pattern)
    return re.fullmatch(regex, text, re.DOTALL) is not None


def evaluate(node: Any, run: dict, now: float) -> bool:
    if node is None:
        return True
    if isinstance(node, And):
        return all(evaluate(item, run, now) for item in node.operands)
    if isinstance(node, Or):
        return any(evaluate(item, run, now) for item in node.operands)
    if isinstance(node, Not):
        return not evaluate(node.operand, run, now)
    field = node.field
    view = views(field, run, now)
    if isinstance(node, IsNull):
        return view.present if node.negated else not view.present
    if isinstance(node, Present):
        return view.present and (field.type != "bool" or view.number == 1)
    if not view.present:
        return False
    if isinstance(node, Compare):
        if node.op == "!=":
            return not _compare(*_operand(field, view, node.value, now), "=")
        return _compare(*_operand(field, view, node.value, now), node.op)
    if isinstance(node, In):
        found = any(_compare(*_operand(field, view, value, now), "=") for value in node.values)
        return found != node.negated
    if isinstance(node, Like):
        return like(view.text, node.pattern, node.insensitive) != node.negated
    if isinstance(node, Between):
        actual, low = _operand(field, view, node.low, now)
        _, high = _operand(field, view, node.high, now)
        inside = actual is not None and low <= actual <= high
        return inside != node.negated
    raise TypeError(node)


def sort_value(field: Field, run: dict, now: float) -> Any:
    """The value ``order_by`` sorts a run by (its number, else its text); None when it has none."""
    view = views(field, run, now)
    if not view.present:
        return None
    return view.number if view.number is not None else view.text


def order(runs: list[dict], keys: list[OrderKey], now: float) -> list[dict]:
    """Runs in ``keys`` order (numbers before text, missing values last), then newest first;
    ``runs`` in the order they were written (ties of start time: the later written first)."""
    ordered = list(reversed(runs))
    ordered.sort(key=lambda run: -run["start_time"])  # stable: the later written first among ties
    for key in reversed(keys):
        present = [run for run in ordered if sort_value(key.field, run, now) is not None]
        missing = [run for run in ordered if sort_value(key.field, run, now) is None]
        present.sort(key=lambda run: _sort_key(sort_value(key.field, run, now)), reverse=key.descending)
        ordered = present + missing
    return ordered


def _sort_key(value: Any) -> tuple:
    return (0, value, "") if _is_number(value) else (1, 0, value)
