"""The query grammar of runs (filters and order keys), its AST and the compilers to SQL.

``grammar`` parses (pure, no SQL); ``base`` is what a backend's compiler implements; ``sqlite``
compiles for the SQLite store. Standard library only, like the rest of ``store/``.
"""

from __future__ import annotations

from .grammar import (
    Field,
    Node,
    OrderKey,
    QuerySyntaxError,
    parse_filter,
    parse_identifier,
    parse_order_by,
    split_identifiers,
)

__all__ = [
    "Field",
    "Node",
    "OrderKey",
    "QuerySyntaxError",
    "parse_filter",
    "parse_identifier",
    "parse_order_by",
    "split_identifiers",
]
