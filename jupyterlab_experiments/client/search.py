"""``search_runs``: filter, order and tabulate run summaries, in Python.

Pure functions over the summaries ``Store.list_runs`` returns. The filter
understands clauses ``<field> <op> <value>`` joined by AND, where field is
``params.X``, ``metrics.X`` (the last value), ``tags.X`` or a run attribute
(``status``, ``name``, ``kind``, ``run_id``, ``notebook_path``, ``start_time``,
``end_time``), op one of ``= != < <= > >=``, and value a number or a quoted string.
Keys with spaces or symbols are quoted with backticks: ``params.`learning rate```.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable
from typing import Any, NamedTuple

ATTRIBUTES = (
    "run_id",
    "name",
    "status",
    "kind",
    "notebook_path",
    "start_time",
    "end_time",
)
ROW_ATTRIBUTES = ("run_id", "name", "status", "start_time", "end_time")

_FIELD = r"""(?:(?P<kind>params?|metrics?|tags?)\.(?P<key>`[^`]+`|"[^"]+"|[\w.\-/:]+)|(?P<attribute>[A-Za-z_]\w*))"""
_CLAUSE = re.compile(
    rf"""\s*{_FIELD}
    \s*(?P<op>!=|<=|>=|=|<|>)
    \s*(?P<value>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
    \s*(?:(?P<conjunction>AND)\b|$)""",
    re.VERBOSE | re.IGNORECASE,
)
_ORDER = re.compile(rf"""\s*{_FIELD}\s*(?P<direction>ASC|DESC)?\s*$""", re.VERBOSE | re.IGNORECASE)


class Field(NamedTuple):
    kind: str  # "params", "metrics", "tags" or "attribute"
    key: str


class Clause(NamedTuple):
    field: Field
    op: str
    value: str | float | int


def parse_filter(filter_string: str | None) -> list[Clause]:
    """The clauses of ``filter_string`` (all must hold); ValueError pointing at what is not understood."""
    clauses: list[Clause] = []
    text = (filter_string or "").strip()
    position = 0
    while position < len(text):
        match = _CLAUSE.match(text, position)
        if match is None:
            raise ValueError(
                f"cannot read the filter at character {position}: {text[position : position + 30]!r} "
                "(expected e.g. params.lr > 0.01 AND tags.stage = 'prod')"
            )
        clauses.append(Clause(_field(match), match.group("op"), _value(match.group("value"))))
        position = match.end()
        if match.group("conjunction") and position >= len(text):
            raise ValueError("the filter ends with AND")
    return clauses


def filter_runs(runs: Iterable[dict], filter_string: str | None) -> list[dict]:
    """The runs matching ``filter_string``: the one place the filter is evaluated."""
    clauses = parse_filter(filter_string)
    return [run for run in runs if all(_holds(run, clause) for clause in clauses)]


def order_runs(runs: list[dict], order_by: str | Iterable[str] | None) -> list[dict]:
    """Runs sorted by e.g. ``["metrics.loss ASC", "start_time DESC"]``; missing values go last."""
    if order_by is None:
        return list(runs)
    terms = [order_by] if isinstance(order_by, str) else list(order_by)
    ordered = list(runs)
    for term in reversed(terms):  # stable sorts, least significant first
        match = _ORDER.match(term)
        if match is None:
            raise ValueError(f"cannot read order_by term {term!r} (expected e.g. 'metrics.loss DESC')")
        field = _field(match)
        descending = (match.group("direction") or "ASC").upper() == "DESC"
        present = [run for run in ordered if _sort_key(_lookup(run, field)) is not None]
        missing = [run for run in ordered if _sort_key(_lookup(run, field)) is None]
        present.sort(key=lambda run: _sort_key(_lookup(run, field)), reverse=descending)
        ordered = present + missing
    return ordered


def run_rows(runs: Iterable[dict]) -> list[dict]:
    """One flat dict per run: run_id, name, status, start_time, end_time, params.*, metrics.*, tags.*."""
    rows = []
    for run in runs:
        row = {
            "run_id": run.get("id"),
            **{name: run.get(name) for name in ROW_ATTRIBUTES[1:]},
        }
        row.update({f"params.{key}": value for key, value in run.get("params", {}).items()})
        row.update({f"metrics.{key}": summary.get("last") for key, summary in run.get("metrics", {}).items()})
        row.update({f"tags.{key}": value for key, value in run.get("tags", {}).items()})
        rows.append(row)
    return rows


def to_frame(rows: list[dict]):
    """A pandas DataFrame of ``rows`` with times as UTC datetimes; the rows themselves without pandas."""
    try:
        import pandas
    except ImportError:
        return rows
    keys = {key for row in rows for key in row if key not in ROW_ATTRIBUTES}
    ordered = sorted(keys, key=lambda key: (_PREFIX_ORDER[key.split(".", 1)[0]], key))
    frame = pandas.DataFrame(rows, columns=[*ROW_ATTRIBUTES, *ordered])
    for column in ("start_time", "end_time"):
        frame[column] = pandas.to_datetime(frame[column], unit="s", utc=True)
    return frame


_PREFIX_ORDER = {"params": 0, "metrics": 1, "tags": 2}


def _field(match: re.Match) -> Field:
    if match.group("attribute"):
        name = match.group("attribute").lower()
        if name == "id":
            name = "run_id"
        if name not in ATTRIBUTES:
            raise ValueError(
                f"unknown run attribute {name!r}; use one of {', '.join(ATTRIBUTES)} or params./metrics./tags."
            )
        return Field("attribute", name)
    kind = match.group("kind").lower().rstrip("s") + "s"
    key = match.group("key")
    if key[0] in '`"':
        key = key[1:-1]
    return Field(kind, key)


def _value(token: str) -> str | float | int:
    if token[0] in "'\"":
        return re.sub(r"\\(.)", r"\1", token[1:-1])
    number = float(token)
    return int(number) if number.is_integer() and not re.search(r"[.eE]", token) else number


_MISSING = object()


def _lookup(run: dict, field: Field) -> Any:
    if field.kind == "attribute":
        return run.get("id" if field.key == "run_id" else field.key, _MISSING)
    if field.kind == "metrics":
        summary = run.get("metrics", {}).get(field.key)
        return _MISSING if summary is None else summary.get("last")
    return run.get(field.kind, {}).get(field.key, _MISSING)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _holds(run: dict, clause: Clause) -> bool:
    actual = _lookup(run, clause.field)
    expected = clause.value
    if actual is _MISSING or actual is None:
        return False
    # A quoted number compares as a number with a numeric param, and a numeric tag with a number.
    if _is_number(actual) and isinstance(expected, str):
        expected = _as_number(expected)
    elif isinstance(actual, str) and _is_number(expected):
        actual = _as_number(actual)
    comparable = (_is_number(actual) and _is_number(expected)) or (
        isinstance(actual, str) and isinstance(expected, str)
    )
    if not comparable:
        return clause.op == "!="
    op = clause.op
    if op == "=":
        return actual == expected
    if op == "!=":
        return actual != expected
    if op == "<":
        return actual < expected
    if op == "<=":
        return actual <= expected
    if op == ">":
        return actual > expected
    return actual >= expected


def _as_number(text: str) -> Any:
    try:
        return float(text)
    except ValueError:
        return text


def _sort_key(value: Any) -> Any:
    """Numbers before strings; None for what cannot be ordered (missing, None, NaN, containers)."""
    if value is _MISSING or value is None:
        return None
    if _is_number(value):
        return None if isinstance(value, float) and math.isnan(value) else (0, value, "")
    if isinstance(value, str):
        return (1, 0, value)
    return None
