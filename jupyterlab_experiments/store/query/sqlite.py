"""The query grammar compiled for the SQLite store (schema: ``store/migrations.py``).

Every condition is a boolean over one row of ``runs r``: attributes read its columns; params,
metrics and tags are correlated ``EXISTS`` subqueries on their tables' primary keys (run, key),
one index probe per run; ``data``, ``env`` and ``verdict`` are scalar subqueries. Keys and values
are bound arguments, never SQL text: the only SQL text built here comes from this module's
constants and from the AST's fixed vocabulary (operators, metric summary names).

Conditions never evaluate to NULL, so ``NOT`` is the complement (see the typing rules in
``grammar.py``): a test is guarded by "the field has a value" and unknowns become false.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from typing import Any, Callable, NamedTuple, Optional, Sequence, TypeVar

from .base import QueryCompiler, Sql, group_order
from .grammar import (
    And,
    Between,
    Compare,
    Field,
    In,
    IsNull,
    Like,
    Node,
    Not,
    Or,
    Present,
    QuerySyntaxError,
    Value,
    fields_of,
    parse_filter,
    parse_identifier,
    parse_order_by,
)

T = TypeVar("T")
# The clock that resolves relative times and running runs' duration (tests set it).
clock: Callable[[], float] = time.time

_OPS = {"=": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_METRIC_COLUMNS = {"last": "last", "min": "min", "max": "max", "count": "count"}

# A param's text form: a JSON string as itself, anything else as its JSON text.
_PARAM_TEXT = "CASE WHEN substr(p.value, 1, 1) = '\"' THEN json_extract(p.value, '$') ELSE p.value END"
# A param's value for ordering and grouping: its number, else its text form; NULL when logged as None.
_PARAM_VALUE = f"CASE WHEN p.num IS NOT NULL THEN p.num WHEN p.value = 'null' THEN NULL ELSE {_PARAM_TEXT} END"
# A param's group key: its number, else its JSON text (decoded once per group, not once per run).
_PARAM_KEY = "CASE WHEN p.num IS NOT NULL THEN p.num WHEN p.value = 'null' THEN NULL ELSE p.value END"
# A tag's text read as a JSON number, else NULL (CASE, not AND: json_type fails on text that is not JSON).
_TAG_NUMBER = (
    "CASE WHEN json_valid(t.value) THEN"
    " CASE WHEN json_type(t.value) IN ('integer', 'real') THEN json_extract(t.value, '$') END END"
)
# pip's rule, without collapsing runs of separators: "Foo_Bar.baz" is "foo-bar-baz".
_PACKAGE_NAME = "lower(replace(replace(j.key, '_', '-'), '.', '-'))"
_SAFE_PACKAGE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")

_ATTRIBUTE_COLUMNS = {
    "id": "r.uuid",
    "name": "r.name",
    "notebook": "r.notebook_path",
    "kind": "r.kind",
    "status": "r.status",
    "user": "r.user",
    "started": "r.start_time",
    "ended": "r.end_time",
    "start_time": "(r.start_time * 1000)",
    "end_time": "(r.end_time * 1000)",
    "starred": "r.starred",
    "archived": "r.archived",
}
_NOT_NULL_ATTRIBUTES = frozenset(("id", "kind", "status", "started", "start_time", "starred", "archived", "duration"))
_TIME_SCALE = {"time": 1.0, "time_ms": 1000.0}


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold_ascii(text: str) -> str:
    """``text`` with ASCII letters in lower case, as SQLite's LIKE compares them (other letters as they are)."""
    return text.translate(_ASCII_LOWER)


def package_name(name: str) -> str:
    """A package name as ``env.<package>`` matches it (the SQL above does the same to stored names)."""
    return fold_ascii(name).replace("_", "-").replace(".", "-")


def glob_pattern(pattern: str) -> str:
    """A LIKE pattern (``%`` any text, ``_`` one character) as the case-sensitive GLOB pattern it means."""
    out = []
    for char in pattern:
        if char == "%":
            out.append("*")
        elif char == "_":
            out.append("?")
        elif char in "*?[":
            out.append(f"[{char}]")
        else:
            out.append(char)
    return "".join(out)


class _Source(NamedTuple):
    """Where a field's value is read. ``table``: a child table and the clause linking it to the run
    (None for a value of the run row); ``present``: the field has a value; the views: its number,
    text and raw JSON (None when it has no such view); ``nullable_number``: the number view may be
    NULL while the field has a value (a param logged as a string, a tag that is no number)."""

    table: Optional[Sql]
    present: Sql
    number: Optional[Sql]
    text: Optional[Sql]
    raw: Optional[Sql] = None
    nullable_number: bool = False


def _join(separator: str, parts: Sequence[Sql]) -> Sql:
    return Sql(separator.join(part.text for part in parts), tuple(arg for part in parts for arg in part.args))


def _format(template: str, *parts: Sql) -> Sql:
    """``template`` with each ``{}`` replaced by a part, arguments in order."""
    return Sql(template.format(*(part.text for part in parts)), tuple(arg for part in parts for arg in part.args))


def _bind(sql: Sql, *args: Any) -> Sql:
    """``sql`` with arguments for the placeholders written after its parts."""
    return Sql(sql.text, (*sql.args, *args))


class SqliteCompiler(QueryCompiler):
    def condition(self, node: Node, now: float) -> Sql:
        if isinstance(node, And):
            return _format("({})", _join(" AND ", [self.condition(item, now) for item in node.operands]))
        if isinstance(node, Or):
            return _format("({})", _join(" OR ", [self.condition(item, now) for item in node.operands]))
        if isinstance(node, Not):
            return _format("(NOT {})", self.condition(node.operand, now))
        source = self._source(node.field, now)
        if isinstance(node, IsNull):
            exists = self._holds(source, Sql("1"))
            return exists if node.negated else _format("(NOT {})", exists)
        if isinstance(node, Present):
            if node.field.type == "bool":
                return _format("({} = 1)", source.number)  # type: ignore[arg-type]
            return self._holds(source, Sql("1"))
        negated = getattr(node, "negated", False)
        if isinstance(node, Compare):
            test = self._compare(source, node.field, "=" if node.op == "!=" else node.op, node.value, now)
            negated = node.op == "!="
        elif isinstance(node, In):
            test = self._in(source, node.field, node.values, now)
        elif isinstance(node, Like):
            operator = "LIKE" if node.insensitive else "GLOB"
            pattern = node.pattern if node.insensitive else glob_pattern(node.pattern)
            test = _bind(_format(f"{{}} {operator} ?", source.text), pattern)  # type: ignore[arg-type]
        elif isinstance(node, Between):
            low = self._operand(source, node.field, node.low, now)
            high = self._operand(source, node.field, node.high, now)
            view, _ = low
            test = _bind(_format("{} BETWEEN ? AND ?", view), low[1], high[1])
            if view is source.number and source.nullable_number:
                test = _format("IFNULL({}, 0)", test)
        else:
            raise TypeError(f"not a filter node: {node!r}")
        return self._holds(source, _format("(NOT {})", test) if negated else test)

    def value(self, field: Field, now: float) -> Sql:
        if field.kind == "params":
            return _format(f"(SELECT {_PARAM_VALUE} FROM {{}})", _child(field))
        if field.kind == "metrics":
            return _format(f"(SELECT m.{_METRIC_COLUMNS[field.summary or 'last']} FROM {{}})", _child(field))
        if field.kind == "tags":
            return _format(f"(SELECT COALESCE({_TAG_NUMBER}, t.value) FROM {{}})", _child(field))
        source = self._source(field, now)
        view = source.number if source.number is not None else source.text
        assert view is not None
        return view

    def number(self, field: Field, now: float) -> Optional[Sql]:
        if field.kind == "params":
            return _format("(SELECT p.num FROM {})", _child(field))
        if field.kind == "metrics":
            return self.value(field, now)
        if field.kind == "tags":
            return _format(f"(SELECT {_TAG_NUMBER} FROM {{}})", _child(field))
        return self._source(field, now).number

    # -- pieces ------------------------------------------------------------------------------

    def _source(self, field: Field, now: float) -> _Source:
        if field.kind == "params":
            return _Source(
                _child(field),
                Sql("p.value != 'null'"),
                Sql("p.num"),
                Sql(_PARAM_TEXT),
                raw=Sql("p.value"),
                nullable_number=True,
            )
        if field.kind == "metrics":
            column = Sql(f"m.{_METRIC_COLUMNS[field.summary or 'last']}")
            return _Source(_child(field), _format("{} IS NOT NULL", column), column, None)
        if field.kind == "tags":
            return _Source(_child(field), Sql("1"), Sql(f"({_TAG_NUMBER})"), Sql("t.value"), nullable_number=True)
        if field.kind == "data":
            scalar = Sql(
                "(SELECT d.sha256 FROM data_inputs d WHERE d.run = r.id AND d.path = ? ORDER BY d.id DESC LIMIT 1)",
                (field.key,),
            )
            return _scalar(scalar, text=True)
        if field.kind == "env":
            return _scalar(_package_version(field.key), text=True)
        key = field.key
        if key == "verdict":
            return _scalar(Sql("(SELECT v.verdict FROM validations v WHERE v.run = r.id)"), text=True)
        if key == "duration":
            column = Sql("(COALESCE(r.end_time, ?) - r.start_time)", (now,))
        else:
            column = Sql(_ATTRIBUTE_COLUMNS[key])
        present = Sql("1") if key in _NOT_NULL_ATTRIBUTES else _format("{} IS NOT NULL", column)
        if field.type in ("text", "enum"):
            return _Source(None, present, None, column)
        return _Source(None, present, column, None)

    def _holds(self, source: _Source, test: Sql) -> Sql:
        """``test`` holds for a value of the field (the run has one)."""
        if source.table is None:
            if source.present.text == "1":
                return _format("({})", test)
            return _format("({} AND {})", source.present, test)
        return _format("EXISTS (SELECT 1 FROM {} AND {} AND {})", source.table, source.present, test)

    def _operand(self, source: _Source, field: Field, value: Value, now: float) -> tuple[Sql, Any]:
        """The view of the field that compares with ``value``, and ``value`` as its bound argument."""
        if value.kind == "string":
            assert source.text is not None
            return source.text, value.value
        if value.kind == "bool":
            if source.raw is not None:  # a param: its JSON text
                return source.raw, "true" if value.value else "false"
            assert source.number is not None
            return source.number, 1 if value.value else 0
        assert source.number is not None
        if value.kind == "span":
            return source.number, (now + float(value.value)) * _TIME_SCALE[field.type]
        if value.kind == "time":
            return source.number, float(value.value) * _TIME_SCALE[field.type]
        return source.number, float(value.value)

    def _compare(self, source: _Source, field: Field, op: str, value: Value, now: float) -> Sql:
        view, arg = self._operand(source, field, value, now)
        test = _bind(_format(f"{{}} {_OPS[op]} ?", view), arg)
        if view is source.number and source.nullable_number:
            return _format("IFNULL({}, 0)", test)
        return test

    def _in(self, source: _Source, field: Field, values: Sequence[Value], now: float) -> Sql:
        groups: dict[int, tuple[Sql, list]] = {}
        for value in values:
            view, arg = self._operand(source, field, value, now)
            groups.setdefault(id(view), (view, []))[1].append(arg)
        tests = []
        for view, args in groups.values():
            marks = ", ".join("?" * len(args))
            test = _bind(_format(f"{{}} IN ({marks})", view), *args)
            if view is source.number and source.nullable_number:
                test = _format("IFNULL({}, 0)", test)
            tests.append(test)
        return _format("({})", _join(" OR ", tests))


def _child(field: Field) -> Sql:
    """The child table of a keyed field and the clause that picks the run's row of that key."""
    alias = {"params": "params p", "metrics": "metrics m", "tags": "tags t"}[field.kind]
    letter = alias[-1]
    return Sql(f"{alias} WHERE {letter}.run = r.id AND {letter}.key = ?", (field.key,))


def _scalar(value: Sql, text: bool) -> _Source:
    present = _format("{} IS NOT NULL", value)
    return _Source(None, present, None if text else value, value if text else None)


def package_spellings(name: str) -> list[str]:
    """The spellings of a package name looked up directly, in order: as written, in lower case, and
    pip's normalized name with ``-``, ``_`` or ``.`` (only names of the characters package names have:
    each becomes a JSON path)."""
    canonical = package_name(name)
    spellings: list[str] = []
    for spelling in (name, fold_ascii(name), canonical, canonical.replace("-", "_"), canonical.replace("-", ".")):
        if spelling and set(spelling) <= _SAFE_PACKAGE and spelling not in spellings:
            spellings.append(spelling)
    return spellings


def _package_version(name: str) -> Sql:
    """The version of package ``name`` in the run's environment: one parse of the environment looks
    up every spelling of ``package_spellings``; only when none is there, and the text holds a key
    that may match, are the packages walked for one whose normalized name matches."""
    walk = f"(SELECT j.value FROM json_each(e.value, '$.packages') j WHERE {_PACKAGE_NAME} = ?)"
    args: tuple = (package_name(name),)
    spellings = package_spellings(name)
    if spellings:
        # Walking 300 packages of every run would take seconds: the text is searched for a key
        # spelled alike (case and separators aside: the same length), which is then looked up.
        canonical = package_name(name)
        at = "instr(replace(replace(lower(e.value), '_', '-'), '.', '-'), ?)"
        spelled = "json_extract(e.value, '$.packages.\"' || substr(e.value, found.at + 1, ?) || '\"')"
        walk = f"(SELECT CASE WHEN found.at > 0 THEN COALESCE({spelled}, {walk}) END FROM (SELECT {at} AS at) AS found)"
        args = (len(canonical), *args, json.dumps(canonical) + ":")
        paths = [f'$.packages."{spelling}"' for spelling in spellings]
        paths += paths[:1] * (2 - len(paths))  # two paths or more: json_extract answers an array
        marks = ", ".join("?" * len(paths))
        direct = f"(SELECT d.value FROM json_each(json_extract(e.value, {marks})) d WHERE d.value IS NOT NULL LIMIT 1)"
        walk = f"COALESCE({direct}, {walk})"
        args = (*paths, *args)
    return Sql(
        f"(SELECT CASE WHEN json_valid(e.value) THEN {walk} END FROM environments e WHERE e.run = r.id)",
        args,
    )


COMPILER = SqliteCompiler()


# -- statements of the store ---------------------------------------------------------------------


class RunsQuery(NamedTuple):
    """``page``'s rows are ``columns`` then the total; a row whose columns are all NULL stands for
    an empty page (an offset beyond the end)."""

    page: Sql


def _parsed(argument: str, parse: Callable[[Any], T], text: Any) -> T:
    """``parse(text)``; a QuerySyntaxError says it is in ``argument``."""
    try:
        return parse(text)
    except QuerySyntaxError as exception:
        exception.argument = argument
        raise


def _visible(node: Optional[Node], trash: bool) -> list[Sql]:
    """Trashed runs only in the trash; archived ones only when the filter names ``archived``."""
    parts = [Sql("r.deleted IS NOT NULL" if trash else "r.deleted IS NULL")]
    if not trash and not any(field == Field("attributes", "archived") for field in fields_of(node)):
        parts.append(Sql("r.archived = 0"))
    return parts


def _where(node: Optional[Node], now: float, trash: bool = False, extra: Sequence[Sql] = ()) -> Sql:
    parts = [*_visible(node, trash), *extra]
    if node is not None:
        parts.append(COMPILER.condition(node, now))
    return _join(" AND ", parts)


def runs_query(
    columns: str,
    *,
    filter: Optional[str],
    order_by: Any,
    trash: bool,
    notebook_id: Optional[str],
    status: Optional[str],
    limit: int,
    offset: int,
) -> RunsQuery:
    """The page of the runs a filter selects, in order, and their total; ``columns`` of ``runs``
    (unqualified names)."""
    now = clock()
    node = _parsed("filter", parse_filter, filter)
    keys = _parsed("order_by", parse_order_by, order_by)
    extra = []
    if notebook_id is not None:
        extra.append(Sql("r.notebook_id = ?", (notebook_id,)))
    if status is not None:
        extra.append(Sql("r.status = ?", (status,)))
    where = _where(node, now, trash, extra)
    qualified = ", ".join(f"r.{column.strip()}" for column in columns.split(","))
    # One row of the total, joined to the page's runs: an offset beyond the end still counts.
    tail = (
        f" SELECT {qualified}, c.total FROM (SELECT count(*) AS total FROM {{}}) AS c"
        " LEFT JOIN (SELECT * FROM {} ORDER BY {} LIMIT ? OFFSET ?) AS page ON 1"
        " LEFT JOIN runs r ON r.id = page.id ORDER BY {}"
    )
    if not keys:
        # Newest first along the start-time index, the filter tested run by run until the page is
        # full; the count tests every run once more, which costs less than sorting what it selects.
        selected = _format("(SELECT r.id AS id, r.start_time AS started FROM runs r WHERE {})", where)
        sql = _format(
            tail.format("{}", "{}", "started DESC, id DESC", "page.started DESC, page.id DESC"),
            _format("runs r WHERE {}", where),
            selected,
        )
        return RunsQuery(_bind(sql, limit, offset))
    # The filter and the order keys are evaluated once per run, into f; the total counts f, the
    # page is sorted from f's narrow rows and only then joined to its runs' columns.
    selected_columns = [Sql("r.id AS id"), Sql("r.start_time AS started")]
    order = []
    for index, key in enumerate(keys):
        selected_columns.append(_format(f"{{}} AS k{index}", COMPILER.value(key.field, now)))
        direction = "DESC" if key.descending else "ASC"
        order.append(f"{{0}}k{index} IS NULL, {{0}}k{index} {direction}")  # missing values last
    order += ["{0}started DESC", "{0}id DESC"]
    sql = _format(
        "WITH f AS (SELECT {} FROM runs r WHERE {})"
        + tail.format("f", "f", ", ".join(order).format(""), ", ".join(order).format("page.")),
        _join(", ", selected_columns),
        where,
    )
    return RunsQuery(_bind(sql, limit, offset))


class GroupsQuery(NamedTuple):
    sql: Sql
    columns: list  # the column names that have a numeric value, in the order of the SELECT
    group_value: Callable[[Any], Any]  # a group key read back as the group's value


def _param_key_value(stored: Any) -> Any:
    """A param's group key (its number, else its JSON text) as the value ``= <value>`` selects:
    its number, else its text form."""
    if isinstance(stored, str) and stored.startswith('"'):
        return json.loads(stored)
    return plain_value(stored)


def _group_key(field: Field, now: float) -> tuple[Sql, Callable[[Any], Any]]:
    """What runs are grouped by, cheaper than ``value`` (no JSON decoded per run), and its reader."""
    if field.kind == "params":
        return _format(f"(SELECT {_PARAM_KEY} FROM {{}})", _child(field)), _param_key_value
    if field.kind == "tags":
        return _format("(SELECT t.value FROM {})", _child(field)), plain_value
    return COMPILER.value(field, now), bool if field.type == "bool" else plain_value


_KEYED = ("params", "metrics", "tags")
# A keyed field's expression over its child row, by kind: the group key, and a numeric column.
_JOINED_KEY = {"params": _PARAM_KEY, "tags": "t.value"}
_JOINED_NUMBER = {"params": "p.num", "tags": _TAG_NUMBER}


def _joined(field: Field, index: int, group_key: bool) -> tuple[Sql, str]:
    """A keyed field as a LEFT JOIN of its child row (the (run, key) primary key makes it one row
    at most, as the scalar subquery of ``COMPILER`` is) and its expression over the join's alias.
    A join is one lookup per run where a subquery in the select list costs a third more."""
    letter = field.kind[0]
    alias = f"{letter}{index}"
    if field.kind == "metrics":
        expression = f"m.{_METRIC_COLUMNS[field.summary or 'last']}"
    else:
        expression = (_JOINED_KEY if group_key else _JOINED_NUMBER)[field.kind]
    # The expressions are this module's own text: only the child's letter before a dot is renamed.
    expression = re.sub(rf"\b{letter}\.", f"{alias}.", expression)
    join = Sql(f"LEFT JOIN {field.kind} {alias} ON {alias}.run = r.id AND {alias}.key = ?", (field.key,))
    return join, expression


def groups_query(group_by: str, filter: Optional[str], columns: Sequence[str]) -> GroupsQuery:
    """One row per selected run: its group key, then each numeric column's value."""
    now = clock()
    node = _parsed("filter", parse_filter, filter)
    joins: list[Sql] = []

    def select(field: Field, group_key: bool) -> Optional[Sql]:
        if field.kind in _KEYED:
            join, expression = _joined(field, len(joins), group_key)
            joins.append(join)
            return Sql(expression)
        if group_key:
            return _group_key(field, now)[0]
        return COMPILER.number(field, now)

    group_field = _parsed("group_by", parse_identifier, group_by)
    selected = [select(group_field, True)]
    group_value = _group_key(group_field, now)[1]
    numeric: list[str] = []
    for name in columns:
        field = _parsed("columns", parse_identifier, name)
        if name in numeric or (field.kind not in _KEYED and COMPILER.number(field, now) is None):
            continue
        selected.append(select(field, False))
        numeric.append(name)
    where = _where(node, now)
    sql = _format("SELECT {} FROM runs r {} WHERE {}", _join(", ", selected), _join(" ", joins), where)
    return GroupsQuery(sql, numeric, group_value)


_KEY_TABLES = {"params": "params", "metrics": "metrics", "tags": "tags"}


def keys_queries() -> dict[str, Sql]:
    """The distinct keys of params, metrics and tags of runs not in the trash, and env's packages."""
    queries = {}
    for kind, table in _KEY_TABLES.items():
        # Distinct keys by hopping along the (key, ...) index: one probe per key, not one row per run.
        queries[kind] = Sql(
            f"WITH RECURSIVE k(key) AS (SELECT (SELECT min(key) FROM {table})"
            f" UNION ALL SELECT (SELECT min(key) FROM {table} WHERE key > k.key) FROM k WHERE k.key IS NOT NULL)"
            f" SELECT key FROM k WHERE key IS NOT NULL AND EXISTS (SELECT 1 FROM {table} c JOIN runs r ON r.id = c.run"
            " WHERE c.key = k.key AND r.deleted IS NULL)"
        )
    # Runs share their package sets: each distinct one is walked once.
    queries["env"] = Sql(
        "SELECT DISTINCT j.key FROM (SELECT DISTINCT CASE WHEN json_type(e.value, '$.packages') = 'object'"
        " THEN json_extract(e.value, '$.packages') END AS packages FROM runs r JOIN environments e ON e.run = r.id"
        " WHERE r.deleted IS NULL AND json_valid(e.value)) AS d, json_each(d.packages) j ORDER BY j.key"
    )
    return queries


def values_query(key: str) -> list[tuple[Sql, Callable[[Any], Any]]]:
    """Statements of the distinct values of a field among runs not in the trash (as group keys),
    each with the reader of its values. A param's numbers and texts are read apart: its numbers
    come from the (key, num) index alone."""
    field = _parsed("key", parse_identifier, key)
    if field.kind == "params":
        select = "FROM params p JOIN runs r ON r.id = p.run WHERE p.key = ? AND r.deleted IS NULL AND p.num IS"
        return [
            (Sql(f"SELECT DISTINCT p.num {select} NOT NULL", (field.key,)), plain_value),
            (Sql(f"SELECT DISTINCT p.value {select} NULL AND p.value != 'null'", (field.key,)), _param_key_value),
        ]
    if field.kind in ("metrics", "tags"):
        letter = field.kind[0]
        column = f"m.{_METRIC_COLUMNS[field.summary or 'last']}" if field.kind == "metrics" else "t.value"
        sql = Sql(
            f"SELECT DISTINCT {column} FROM {field.kind} {letter} JOIN runs r ON r.id = {letter}.run"
            f" WHERE {letter}.key = ? AND r.deleted IS NULL",
            (field.key,),
        )
        return [(sql, plain_value)]
    value, read = _group_key(field, clock())
    return [(_format("SELECT DISTINCT {} FROM runs r WHERE r.deleted IS NULL", value), read)]


def pick_values(parts: Sequence[tuple[list, Callable[[Any], Any]]], prefix: str, limit: int) -> list:
    """The first ``limit`` values (in ``group_order``) of the rows of ``values_query``'s statements
    whose text starts with ``prefix``, ASCII case ignored as the filter's ILIKE does."""
    values = {read(row[0]) for rows, read in parts for row in rows if row[0] is not None}
    folded = fold_ascii(prefix)
    matching = (value for value in sorted(values, key=group_order) if fold_ascii(text_form(value)).startswith(folded))
    return list(itertools.islice(matching, limit))


def text_form(value: Any) -> str:
    """How a value reads as text, for matching a prefix."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else repr(value)


def plain_value(value: Any) -> Any:
    """A value read back: a whole REAL as an int (a param logged as 3 was stored as 3.0)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value
