"""The query grammar of the experiments browser and ``search_runs``: text to an AST.

Pure: no SQL and no clock here (a relative time stays relative until a backend compiles it);
``sqlite.py`` compiles the AST for the SQLite store. A superset of MLflow's ``search_runs`` filter.

Filter::

    filter     := or
    or         := and ("OR" and)*
    and        := not ("AND" not)*
    not        := "NOT" not | "(" or ")" | predicate
    predicate  := field op value                      op: = != <> < <= > >=
                | field ["NOT"] "IN" "(" value ("," value)* ")"
                | field ["NOT"] ("LIKE" | "ILIKE") string
                | field ["NOT"] "BETWEEN" value "AND" value
                | field "IS" ["NOT"] "NULL"
                | field                                # bare: the field is set (tags.k, params.k ...) or true
    order_by   := field ["ASC" | "DESC"] ("," field ["ASC" | "DESC"])*

Keywords are case-insensitive. Values: numbers (``3``, ``-0.5``, ``1e-3``), strings in single or
double quotes (backslash escapes a character, a doubled quote is one quote), ``true``/``false``,
spans ``-7d``, ``-2h``, ``-30m``, ``-10s``, ``-1w`` (relative to now for times; ``2h`` unsigned for
``duration``) and ISO dates ``'2026-11-01'``, ``'2026-11-01T10:00'`` (local time unless the text
gives an offset or ``Z``) for times.

Fields (``Field(kind, key, summary)``):

- ``params.<k>`` (``param.``), ``metrics.<k>`` (``metric.``) with ``.last`` (default), ``.min``,
  ``.max``, ``.count``, ``tags.<k>`` (``tag.``), ``data.<path>.sha256`` (the latest input logged
  at that path), ``env.<package>`` (its version; package names match as pip's do: case, ``-``,
  ``_`` and ``.`` alike). A key with dots, spaces or other symbols is quoted with backticks or
  double quotes: ``metrics."val.acc".max``, ``params.`learning rate```. Unquoted, a metric key
  ``a.b`` is the key ``a.b``; only a last part ``last|min|max|count`` is a summary.
- attributes: ``id name notebook kind status user started ended duration starred archived verdict``,
  also after ``attributes.``; MLflow's names ``run_id``, ``run_name``, ``user_id``,
  ``notebook_path``, and ``tags."mlflow.runName"``/``tags."mlflow.user"`` read the same columns.
  ``started``/``ended`` are seconds since the epoch, as the store keeps them; MLflow's
  ``start_time``, ``end_time`` and ``created`` are milliseconds, as in MLflow, so MLflow filters
  keep their meaning. ``duration`` is (end, or now while running) - start, in seconds.

Typing (numbers compare as numbers, strings as strings):

- a param compared with a number compares its numeric value: a param logged as a string never
  matches a numeric comparison (``params.lr > 0.01`` skips ``"0.1"``); compared with a string it
  compares the param's text form (a string as itself, anything else as its JSON text), so
  ``params.lr = '0.01'`` matches a param logged as 0.01, as in MLflow where params are strings;
  ``true``/``false`` match booleans; a param logged as None counts as not set.
- a metric compares numbers only; a NaN value counts as not set.
- a tag is text; compared with a number, a tag whose text is a JSON number compares as that number.
- ``env.*``, ``data.*``, ``id``, ``name``, ``notebook``, ``user`` are text; ``kind``, ``status``,
  ``verdict`` text from a fixed list (``status`` accepts MLflow's upper-case values, ``KILLED``
  being ``interrupted``); times and ``duration`` numbers; ``starred``/``archived`` booleans.
- a comparison holds only for runs where the field has a value; ``!=``, ``NOT IN``, ``NOT LIKE``
  and ``NOT BETWEEN`` hold where it has a value and the positive form does not; ``IS NULL`` holds
  where it has none. ``NOT p`` is every run where ``p`` does not hold (no unknowns: a run without
  ``lr`` satisfies ``NOT params.lr > 0.01``).
- ``LIKE`` is case-sensitive and ``ILIKE`` ignores ASCII case; ``%`` is any text, ``_`` one character.

Errors are ``QuerySyntaxError`` (a ``ValueError``) with the 0-based character ``position``,
what was ``found`` and what was ``expected``.
"""

from __future__ import annotations

import datetime as _datetime
import math
import re
from dataclasses import dataclass, field
from typing import Iterable, Optional, Union

# What one filter may hold; beyond, a query would cost the database more than it is worth (and the
# SQL would meet SQLite's expression depth and bound-variable limits).
MAX_FILTER_CHARS = 10_000
MAX_DEPTH = 32
MAX_PREDICATES = 100
MAX_LIST_VALUES = 400
MAX_ORDER_KEYS = 16

KEYED_KINDS = ("params", "metrics", "tags", "data", "env")
METRIC_SUMMARIES = ("last", "min", "max", "count")
RUN_STATUSES = ("running", "finished", "failed", "interrupted")
RUN_KINDS = ("notebook", "script", "validation")
VERDICTS = ("passed", "output-changed", "failed", "timed-out", "cancelled", "error")

# Attribute name -> its type: text, enum, time (s), time_ms, duration, bool.
ATTRIBUTES = {
    "id": "text",
    "name": "text",
    "notebook": "text",
    "kind": "enum",
    "status": "enum",
    "user": "text",
    "started": "time",
    "ended": "time",
    "duration": "duration",
    "starred": "bool",
    "archived": "bool",
    "verdict": "enum",
    "start_time": "time_ms",
    "end_time": "time_ms",
}
ATTRIBUTE_ALIASES = {
    "run_id": "id",
    "run_name": "name",
    "user_id": "user",
    "notebook_path": "notebook",
    "created": "start_time",
}
ENUMS = {"kind": RUN_KINDS, "status": RUN_STATUSES, "verdict": VERDICTS}
# MLflow's run statuses that name one of ours.
MLFLOW_STATUSES = {"killed": "interrupted"}
# MLflow's reserved tags that are run attributes here.
MLFLOW_TAGS = {"mlflow.runName": "name", "mlflow.user": "user"}
_PREFIXES = {
    "params": "params",
    "param": "params",
    "metrics": "metrics",
    "metric": "metrics",
    "tags": "tags",
    "tag": "tags",
    "data": "data",
    "env": "env",
    "attributes": "attributes",
    "attribute": "attributes",
}
_ATTRIBUTE_LIST = ", ".join(ATTRIBUTES)
_FIELD_HELP = f"params.<key>, metrics.<key>, tags.<key>, data.<path>.sha256, env.<package> or {_ATTRIBUTE_LIST}"
SPAN_SECONDS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
KEYWORDS = frozenset(
    ("and", "or", "not", "in", "is", "null", "like", "ilike", "between", "true", "false", "asc", "desc")
)


class QuerySyntaxError(ValueError):
    """A filter or order_by that cannot be read: where, what was found, what was expected."""

    def __init__(self, position: int, found: str, expected: str, reason: Optional[str] = None):
        self.position = position
        self.found = found
        self.expected = expected
        # Which of a request's texts it is in (filter, order_by, group_by, columns, key), when known.
        self.argument: Optional[str] = None
        shown = repr(found) if found else "the end"
        detail = f"{reason}: " if reason else ""
        super().__init__(f"at {position}: {detail}expected {expected}, found {shown}")


# -- the AST -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """What a condition reads: ``kind`` one of KEYED_KINDS or ``attributes``; ``summary`` for metrics."""

    kind: str
    key: str
    summary: Optional[str] = None

    @property
    def type(self) -> str:
        """params, metrics, tags, text (data, env) or the attribute's type."""
        if self.kind in ("data", "env"):
            return "text"
        if self.kind == "attributes":
            return ATTRIBUTES[self.key]
        return self.kind


@dataclass(frozen=True)
class Value:
    """A literal. ``kind``: number (int/float), string, bool, span (signed seconds, relative to now
    for times) or time (seconds since the epoch, from an ISO date)."""

    kind: str
    value: Union[int, float, str, bool]
    text: str = field(default="", compare=False)
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Compare:
    field: Field
    op: str  # = != < <= > >=
    value: Value


@dataclass(frozen=True)
class In:
    field: Field
    values: tuple
    negated: bool = False


@dataclass(frozen=True)
class Like:
    field: Field
    pattern: str
    insensitive: bool = False
    negated: bool = False


@dataclass(frozen=True)
class Between:
    field: Field
    low: Value
    high: Value
    negated: bool = False


@dataclass(frozen=True)
class IsNull:
    field: Field
    negated: bool = False


@dataclass(frozen=True)
class Present:
    """A bare field: it is set (a bare boolean attribute: it is true)."""

    field: Field


@dataclass(frozen=True)
class Not:
    operand: "Node"


@dataclass(frozen=True)
class And:
    operands: tuple


@dataclass(frozen=True)
class Or:
    operands: tuple


@dataclass(frozen=True)
class OrderKey:
    field: Field
    descending: bool = False


Node = Union[Compare, In, Like, Between, IsNull, Present, Not, And, Or]
PREDICATES = (Compare, In, Like, Between, IsNull, Present)


def fields_of(node: Optional[Node]) -> list[Field]:
    """Every field a filter reads, in order."""
    if node is None:
        return []
    if isinstance(node, (And, Or)):
        return [found for operand in node.operands for found in fields_of(operand)]
    if isinstance(node, Not):
        return fields_of(node.operand)
    return [node.field]


# -- tokens --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # ident, keyword, number, span, string, op, punct, end
    text: str  # the source text
    position: int
    value: object = None  # ident: tuple of (part, quoted); keyword: lower-case; number/span/string: value


_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
_SPAN = re.compile(r"([-+]?)(\d+(?:\.\d+)?)([smhdw])(?![\w.])")
_WORD_START = re.compile(r"[^\W\d]")
_WORD_PART = re.compile(r"[\w\-/:]+")
_OPS = ("!=", "<>", "<=", ">=", "=", "<", ">")


def _tokenize(text: str) -> list[_Token]:
    if len(text) > MAX_FILTER_CHARS:
        raise QuerySyntaxError(
            MAX_FILTER_CHARS, text[MAX_FILTER_CHARS : MAX_FILTER_CHARS + 20], f"at most {MAX_FILTER_CHARS} characters"
        )
    tokens = []
    position = 0
    while True:
        space = _SPACE.match(text, position)
        if space:
            position = space.end()
        if position >= len(text):
            tokens.append(_Token("end", "", position))
            return tokens
        char = text[position]
        if char in "'\"":
            value, end = _quoted(text, position)
            tokens.append(_Token("string", text[position:end], position, value))
        elif char in "(),":
            tokens.append(_Token("punct", char, position))
            end = position + 1
        elif char in "!<>=":
            op = next((op for op in _OPS if text.startswith(op, position)), None)
            if op is None:
                raise QuerySyntaxError(position, text[position : position + 2], "an operator (= != < <= > >=)")
            tokens.append(_Token("op", op, position))
            end = position + len(op)
        elif char.isdigit() or (char in "-+." and _NUMBER.match(text, position)):
            tokens.append(_number(text, position))
            end = position + len(tokens[-1].text)
        elif _WORD_START.match(char) or char == "`":
            tokens.append(_identifier(text, position))
            end = position + len(tokens[-1].text)
        else:
            raise QuerySyntaxError(position, char, "a field, a value, an operator or a parenthesis")
        position = end


def _quoted(text: str, start: int) -> tuple[str, int]:
    """The content of the quoted text opening at ``start`` and the position after it.

    A backslash escapes the next character; a doubled quote is one quote."""
    quote = text[start]
    out = []
    position = start + 1
    while position < len(text):
        char = text[position]
        if char == "\\" and quote != "`" and position + 1 < len(text):
            out.append(text[position + 1])
            position += 2
        elif char == quote:
            if text.startswith(quote, position + 1):
                out.append(quote)
                position += 2
            else:
                return "".join(out), position + 1
        else:
            out.append(char)
            position += 1
    raise QuerySyntaxError(start, text[start : start + 20], f"a closing {quote}", "unterminated quote")


def _number(text: str, position: int) -> _Token:
    span = _SPAN.match(text, position)
    if span:
        seconds = float(span.group(2)) * SPAN_SECONDS[span.group(3)]
        if not math.isfinite(seconds):
            raise QuerySyntaxError(position, span.group(0), "a finite time span")
        return _Token("span", span.group(0), position, (span.group(1) or "", seconds))
    match = _NUMBER.match(text, position)
    if match is None:
        raise QuerySyntaxError(position, text[position : position + 10], "a number")
    end = match.end()
    if end < len(text) and (text[end].isalnum() or text[end] in "_."):
        tail = re.match(r"[\w.]+", text[end:])
        found = text[position : end + (tail.end() if tail else 1)]
        raise QuerySyntaxError(position, found, "a number, or a span such as -7d, -2h, -30m, -10s")
    source = match.group(0)
    try:
        value: Union[int, float]
        if re.fullmatch(r"[-+]?\d+", source):
            value = int(source)
            float(value)  # an integer beyond a double's range is no comparable number
        else:
            value = float(source)
    except OverflowError:
        value = math.inf
    if isinstance(value, float) and not math.isfinite(value):
        raise QuerySyntaxError(position, source, "a number within the range of a double")
    return _Token("number", source, position, value)


def _identifier(text: str, start: int) -> _Token:
    """A bare word or a dotted path whose parts may be quoted: ``metrics."val.acc".max``."""
    parts: list[tuple[str, bool]] = []
    position = start
    while True:
        if position < len(text) and text[position] in '`"' and (parts or text[position] == "`"):
            value, position = _quoted(text, position)
            parts.append((value, True))
        else:
            word = _WORD_PART.match(text, position)
            if word is None:
                found = text[position : position + 1]
                raise QuerySyntaxError(position, found, "a key after '.' (quote one with symbols: `a b`)")
            parts.append((word.group(0), False))
            position = word.end()
        if position < len(text) and text[position] == "." and position + 1 < len(text):
            position += 1
            continue
        if position < len(text) and text[position] == ".":
            raise QuerySyntaxError(position + 1, "", "a key after '.'")
        break
    source = text[start:position]
    if len(parts) == 1 and not parts[0][1] and parts[0][0].lower() in KEYWORDS:
        return _Token("keyword", source, start, parts[0][0].lower())
    return _Token("ident", source, start, tuple(parts))


def _show(token: _Token) -> str:
    return token.text


# -- fields --------------------------------------------------------------------------------------


def parse_identifier(text: str) -> Field:
    """The field named by ``text`` (``params.lr``, ``metrics.acc.max``, ``status`` ...)."""
    tokens = _tokenize(text)
    token = tokens[0]
    if token.kind != "ident":
        raise QuerySyntaxError(token.position, _show(token), _FIELD_HELP)
    if tokens[1].kind != "end":
        raise QuerySyntaxError(tokens[1].position, _show(tokens[1]), "the end of the field name")
    return _field(token)


def _field(token: _Token) -> Field:
    parts = list(token.value)  # type: ignore[arg-type]
    head, head_quoted = parts[0]
    rest = parts[1:]
    if len(parts) == 1 and not head_quoted:
        return _attribute(head, token)
    prefix = None if head_quoted else _PREFIXES.get(head.lower())
    if prefix is None:
        if not head_quoted and _attribute_name(head) is not None:
            raise QuerySyntaxError(token.position, token.text, f"nothing after the attribute {head!r}")
        raise QuerySyntaxError(token.position, token.text, _FIELD_HELP, "unknown field")
    if prefix == "attributes":
        if len(rest) != 1:
            raise QuerySyntaxError(token.position, token.text, f"attributes.<name>, one of {_ATTRIBUTE_LIST}")
        return _attribute(rest[0][0], token)
    summary = None
    if prefix == "metrics" and len(rest) > 1 and not rest[-1][1] and rest[-1][0].lower() in METRIC_SUMMARIES:
        summary = rest.pop()[0].lower()
    elif prefix == "metrics":
        summary = "last"
    if prefix == "data":
        if len(rest) < 2 or rest[-1][1] or rest[-1][0].lower() != "sha256":
            raise QuerySyntaxError(token.position, token.text, "data.<path>.sha256")
        rest.pop()
    key = ".".join(part for part, _ in rest)
    if not key:
        raise QuerySyntaxError(token.position, token.text, f"a key after {head}.")
    if prefix == "tags" and key in MLFLOW_TAGS:
        return Field("attributes", MLFLOW_TAGS[key])
    return Field(prefix, key, summary)


def _attribute_name(name: str) -> Optional[str]:
    lowered = name.lower().replace(" ", "_")  # MLflow accepts attributes.`Run Name`
    lowered = ATTRIBUTE_ALIASES.get(lowered, lowered)
    return lowered if lowered in ATTRIBUTES else None


def _attribute(name: str, token: _Token) -> Field:
    canonical = _attribute_name(name)
    if canonical is None:
        raise QuerySyntaxError(token.position, token.text, _FIELD_HELP, "unknown field")
    return Field("attributes", canonical)


# -- the parser ----------------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokenize(text)
        self.index = 0
        self.depth = 0
        self.predicates = 0
        self.list_values = 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        if token.kind != "end":
            self.index += 1
        return token

    def at_keyword(self, *words: str) -> bool:
        return self.token.kind == "keyword" and self.token.value in words

    def at_punct(self, char: str) -> bool:
        return self.token.kind == "punct" and self.token.text == char

    def fail(self, expected: str, token: Optional[_Token] = None, reason: Optional[str] = None) -> QuerySyntaxError:
        token = token or self.token
        return QuerySyntaxError(token.position, _show(token), expected, reason)

    def expect_keyword(self, word: str) -> _Token:
        if not self.at_keyword(word):
            raise self.fail(word.upper())
        return self.advance()

    def expect_punct(self, char: str, expected: Optional[str] = None) -> _Token:
        if not self.at_punct(char):
            raise self.fail(expected or repr(char))
        return self.advance()

    # filter := or
    def parse_filter(self) -> Optional[Node]:
        if self.token.kind == "end":
            return None
        node = self.parse_or()
        if self.token.kind != "end":
            raise self.fail("AND, OR or the end of the filter")
        return node

    def parse_or(self) -> Node:
        operands = [self.parse_and()]
        while self.at_keyword("or"):
            self.advance()
            operands.append(self.parse_and())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def parse_and(self) -> Node:
        operands = [self.parse_not()]
        while self.at_keyword("and"):
            self.advance()
            operands.append(self.parse_not())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def parse_not(self) -> Node:
        token = self.token
        if self.at_keyword("not") or self.at_punct("("):
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise self.fail(f"at most {MAX_DEPTH} nested NOTs and parentheses", reason="too deep")
            self.advance()
            if token.kind == "keyword":
                node: Node = Not(self.parse_not())
            else:
                node = self.parse_or()
                self.expect_punct(")", "')', AND or OR")
            self.depth -= 1
            return node
        return self.parse_predicate()

    def parse_predicate(self) -> Node:
        token = self.token
        if token.kind != "ident":
            raise self.fail(f"a field ({_FIELD_HELP}), NOT or '('")
        self.predicates += 1
        if self.predicates > MAX_PREDICATES:
            raise self.fail(f"at most {MAX_PREDICATES} conditions", reason="too many conditions")
        self.advance()
        subject = _field(token)
        if self.token.kind == "op":
            op_token = self.advance()
            op = "!=" if op_token.text == "<>" else op_token.text
            value = self.parse_value()
            return Compare(subject, op, _check(subject, op, value))
        negated = False
        if self.at_keyword("not"):
            self.advance()
            negated = True
            if not self.at_keyword("in", "like", "ilike", "between"):
                raise self.fail("IN, LIKE, ILIKE or BETWEEN after NOT")
        if self.at_keyword("in"):
            self.advance()
            return In(subject, self.parse_list(subject), negated)
        if self.at_keyword("like", "ilike"):
            word = self.advance().value
            pattern = self.parse_value()
            if pattern.kind != "string":
                raise QuerySyntaxError(pattern.position, pattern.text, "a quoted pattern such as 'abc%'")
            _check(subject, "like", pattern)
            return Like(subject, str(pattern.value), word == "ilike", negated)
        if self.at_keyword("between"):
            self.advance()
            low = _check(subject, "between", self.parse_value())
            self.expect_keyword("and")
            high = _check(subject, "between", self.parse_value())
            if _comparable_kind(low) != _comparable_kind(high):
                raise QuerySyntaxError(high.position, high.text, f"a bound of the same type as {low.text}")
            return Between(subject, low, high, negated)
        if self.at_keyword("is"):
            self.advance()
            is_not = False
            if self.at_keyword("not"):
                self.advance()
                is_not = True
            self.expect_keyword("null")
            return IsNull(subject, is_not)
        if subject.kind == "attributes" and subject.type != "bool":
            raise self.fail("an operator (= != < <= > >= IN LIKE ILIKE BETWEEN IS)")
        return Present(subject)

    def parse_list(self, subject: Field) -> tuple:
        self.expect_punct("(", "'(' opening the list of values")
        if self.at_punct(")"):
            raise self.fail("a value", reason="empty IN list")
        values = []
        while True:
            self.list_values += 1
            if self.list_values > MAX_LIST_VALUES:
                raise self.fail(f"at most {MAX_LIST_VALUES} values in IN lists", reason="too many values")
            values.append(_check(subject, "in", self.parse_value()))
            if self.at_punct(","):
                self.advance()
                continue
            self.expect_punct(")", "',' or ')'")
            return tuple(values)

    def parse_value(self) -> Value:
        token = self.token
        if token.kind == "number":
            self.advance()
            return Value("number", token.value, token.text, token.position)  # type: ignore[arg-type]
        if token.kind == "string":
            self.advance()
            return Value("string", token.value, token.text, token.position)  # type: ignore[arg-type]
        if token.kind == "span":
            self.advance()
            sign, seconds = token.value  # type: ignore[misc]
            return Value("span", -seconds if sign == "-" else seconds, token.text, token.position)
        if token.kind == "keyword" and token.value in ("true", "false"):
            self.advance()
            return Value("bool", token.value == "true", token.text, token.position)
        raise self.fail("a value (a number, a quoted string, true, false or a span such as -7d)")

    # order_by := key ("," key)*
    def parse_order_by(self) -> list[OrderKey]:
        keys = []
        if self.token.kind == "end":
            return keys
        while True:
            token = self.token
            if token.kind != "ident":
                raise self.fail(f"a field to order by ({_FIELD_HELP})")
            self.advance()
            descending = False
            if self.at_keyword("asc", "desc"):
                descending = self.advance().value == "desc"
            keys.append(OrderKey(_field(token), descending))
            if self.at_punct(","):
                self.advance()
                continue
            if self.token.kind != "end":
                raise self.fail("ASC, DESC, ',' or the end")
            return keys


def _comparable_kind(value: Value) -> str:
    return "number" if value.kind in ("number", "span", "time") else value.kind


def _is_int(value: Value) -> bool:
    return value.kind == "number" and value.value in (0, 1)


def _check(subject: Field, op: str, value: Value) -> Value:
    """``value`` as ``subject`` compares it (an ISO date becomes a time, a status is normalized);
    QuerySyntaxError at the value when the two cannot be compared."""
    kind = subject.type
    ordering = op in ("<", "<=", ">", ">=", "between")

    def refuse(expected: str, reason: Optional[str] = None) -> QuerySyntaxError:
        return QuerySyntaxError(value.position, value.text, expected, reason)

    if value.kind == "span" and kind not in ("time", "time_ms", "duration"):
        raise refuse("a number or a quoted string", f"a span such as {value.text} compares with times and duration")
    if kind == "params":
        if value.kind == "bool" and ordering:
            raise refuse("a number or a string", "true/false compare with = and != only")
        return value
    if kind == "metrics":
        if op == "like" or value.kind != "number":
            raise refuse("a number", "metrics are numbers")
        return value
    if kind == "tags":
        if value.kind == "bool" or (op == "like" and value.kind != "string"):
            raise refuse("a quoted string or a number", "tags are text")
        return value
    if kind == "text":
        if value.kind == "number" and subject.kind in ("env", "data"):
            return Value("string", value.text, value.text, value.position)  # a version such as 2.1
        if value.kind != "string":
            raise refuse("a quoted string", f"{_name(subject)} is text")
        return value
    if kind == "enum":
        if value.kind != "string":
            raise refuse("a quoted string", f"{subject.key} is text")
        if op in ("like", "<", "<=", ">", ">=", "between"):
            return value
        allowed = ENUMS[subject.key]
        lowered = str(value.value).lower()
        if subject.key == "status":
            lowered = MLFLOW_STATUSES.get(lowered, lowered)
        if lowered not in allowed:
            raise refuse("one of " + ", ".join(allowed), f"no such {subject.key}")
        return Value("string", lowered, value.text, value.position)
    if kind == "bool":
        if op not in ("=", "!=", "in") or not (value.kind == "bool" or _is_int(value)):
            raise refuse("true or false", f"{subject.key} is true or false")
        return Value("bool", bool(value.value), value.text, value.position)
    if kind == "duration":
        if op == "like" or value.kind not in ("number", "span"):
            raise refuse("a number of seconds or a span such as 2h", "duration is a number of seconds")
        if value.kind == "span":
            return Value("number", abs(float(value.value)), value.text, value.position)
        return value
    # time, time_ms
    if op == "like" or value.kind == "bool":
        raise refuse("a number, a span such as -7d or an ISO date such as '2026-11-01'", f"{subject.key} is a time")
    if value.kind == "span" and value.text[:1] != "-":
        raise refuse(f"-{value.text.lstrip('+')}", "a time relative to now is in the past")
    if value.kind == "string":
        return Value("time", _iso_time(value), value.text, value.position)
    return value


def _name(subject: Field) -> str:
    return subject.key if subject.kind == "attributes" else f"{subject.kind}.*"


_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{3}(?:\d{3})?)?)?)?(?:Z|[+-]\d{2}:\d{2})?")


def _iso_time(value: Value) -> float:
    """Seconds since the epoch of an ISO date or date-time; local time without an offset."""
    text = str(value.value).strip()
    expected = "an ISO date such as '2026-11-01' or '2026-11-01T10:00'"
    if not _ISO.fullmatch(text):
        raise QuerySyntaxError(value.position, value.text, expected)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = _datetime.datetime.fromisoformat(text)
        return moment.timestamp()
    except (ValueError, OverflowError, OSError):
        raise QuerySyntaxError(value.position, value.text, expected, "no such date") from None


# -- entry points --------------------------------------------------------------------------------


def parse_filter(text: Optional[str]) -> Optional[Node]:
    """The AST of a filter; None for an empty or blank one."""
    if text is None:
        return None
    return _Parser(text).parse_filter()


def parse_order_by(order_by: Union[None, str, Iterable[str]]) -> list[OrderKey]:
    """Order keys from ``"metrics.acc DESC, params.lr"`` or a list of such strings."""
    if order_by is None:
        return []
    items = [order_by] if isinstance(order_by, str) else list(order_by)
    keys: list[OrderKey] = []
    for item in items:
        if not isinstance(item, str):
            raise ValueError(f"order_by: expected strings such as 'metrics.acc DESC', got {item!r}")
        keys += _Parser(item).parse_order_by()
    if len(keys) > MAX_ORDER_KEYS:
        raise ValueError(f"order_by: at most {MAX_ORDER_KEYS} keys, got {len(keys)}")
    return keys


def split_identifiers(text: str) -> list[str]:
    """The comma-separated field names of ``text`` (a comma inside a quoted key stays), each checked."""
    parser = _Parser(text)
    names = []
    while parser.token.kind != "end":
        token = parser.token
        if token.kind != "ident":
            raise parser.fail(_FIELD_HELP)
        _field(token)
        names.append(token.text)
        parser.advance()
        if parser.token.kind != "end":
            parser.expect_punct(",", "',' or the end")
            if parser.token.kind == "end":
                raise parser.fail(_FIELD_HELP)
    return names
