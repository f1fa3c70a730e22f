"""What a store backend implements to run the query grammar: a compiler from the AST to its SQL.

The grammar (``grammar.py``) knows no database; each backend compiles its AST to its own SQL
dialect and schema (``sqlite.py`` for the SQLite store; a PostgreSQL store would add its own).
Every value and every key is a bound argument: user text never becomes SQL text.
"""

from __future__ import annotations

import abc
import math
from typing import Any, Callable, Iterable, NamedTuple, Optional, Sequence

from .grammar import Field, Node


class Sql(NamedTuple):
    """A piece of SQL and its bound arguments, in the order of its placeholders."""

    text: str
    args: tuple = ()


class QueryCompiler(abc.ABC):
    """Compiles filters and fields to SQL over one row of the runs table."""

    @abc.abstractmethod
    def condition(self, node: Node, now: float) -> Sql:
        """A boolean expression (never NULL) true for the runs ``node`` selects.

        ``now`` (seconds since the epoch) resolves relative times and running runs' duration."""

    @abc.abstractmethod
    def value(self, field: Field, now: float) -> Sql:
        """The field's value for one run (NULL when it has none), as ordering and grouping use it."""

    @abc.abstractmethod
    def number(self, field: Field, now: float) -> Optional[Sql]:
        """The field's numeric value (NULL when not a number), for aggregates; None for a text field."""


def group_order(value: Any) -> tuple:
    """Groups in order of their value: numbers, then text, then anything else; no value last."""
    if value is None:
        return (3, 0, "")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, value, "")
    if isinstance(value, str):
        return (1, 0, value)
    return (2, 0, repr(value))


def aggregate_groups(rows: Iterable[Sequence], columns: Sequence[str], group_value: Callable[[Any], Any]) -> list[dict]:
    """Groups of rows ``(group key, column values...)``: each ``{"value", "count", "aggregates":
    {column: {"mean", "std", "min", "max", "count"}}}`` over the column's numeric values
    (``std`` is the sample standard deviation, None below two values), in ``group_order``."""
    by_key: dict[Any, list[Sequence]] = {}
    for row in rows:
        by_key.setdefault(row[0], []).append(row)
    # Read back once per distinct key, not once per run (a param's key is JSON text).
    members: dict[Any, list[Sequence]] = {}
    for key, rows_of_key in by_key.items():
        members.setdefault(group_value(key), []).extend(rows_of_key)
    groups = []
    for value in sorted(members, key=group_order):
        rows_of_group = members[value]
        columns_of_group = list(zip(*rows_of_group))[1:] if columns else []
        aggregates = {
            # A numeric column holds numbers or NULL (a text field has no numeric column).
            name: _aggregate([number for number in values if number is not None])
            for name, values in zip(columns, columns_of_group)
        }
        groups.append({"value": value, "count": len(rows_of_group), "aggregates": aggregates})
    return groups


def _aggregate(numbers: list) -> dict:
    count = len(numbers)
    if not count:
        return {"mean": None, "std": None, "min": None, "max": None, "count": 0}
    mean = math.fsum(numbers) / count
    std = None
    if count > 1:
        # Two passes (deviations from the mean): sums of squares of timestamps would cancel out.
        std = math.sqrt(math.fsum([(number - mean) * (number - mean) for number in numbers]) / (count - 1))
    return {"mean": mean, "std": std, "min": min(numbers), "max": max(numbers), "count": count}
