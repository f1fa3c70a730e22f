"""The query grammar's parser: every construct to its AST, and errors that say where."""

from __future__ import annotations

import datetime

import pytest

from jupyterlab_experiments.store.query import QuerySyntaxError, parse_filter, parse_identifier, parse_order_by
from jupyterlab_experiments.store.query.grammar import (
    MAX_DEPTH,
    MAX_FILTER_CHARS,
    MAX_LIST_VALUES,
    MAX_PREDICATES,
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
    fields_of,
    split_identifiers,
)

LR = Field("params", "lr")
ACC = Field("metrics", "acc", "last")


def number(value):
    return Value("number", value)


def string(value):
    return Value("string", value)


@pytest.mark.parametrize(
    "text, field",
    [
        ("params.lr", LR),
        ("param.lr", LR),
        ("PARAMS.lr", LR),
        ("params.`learning rate`", Field("params", "learning rate")),
        ('params."model-type"', Field("params", "model-type")),
        ("params.a.b", Field("params", "a.b")),
        ("params.train/lr", Field("params", "train/lr")),
        ("params.学习率", Field("params", "学习率")),
        ("metrics.acc", ACC),
        ("metric.acc", ACC),
        ("metrics.acc.max", Field("metrics", "acc", "max")),
        ("metrics.acc.MIN", Field("metrics", "acc", "min")),
        ("metrics.acc.count", Field("metrics", "acc", "count")),
        ("metrics.acc.last", ACC),
        ("metrics.val.acc", Field("metrics", "val.acc", "last")),
        ('metrics."val.max"', Field("metrics", "val.max", "last")),
        ('metrics."val.acc".max', Field("metrics", "val.acc", "max")),
        ("metrics.max", Field("metrics", "max", "last")),
        ('metrics."2019-04-02 error rate"', Field("metrics", "2019-04-02 error rate", "last")),
        ("metrics.train/loss.min", Field("metrics", "train/loss", "min")),
        ("tags.stage", Field("tags", "stage")),
        ("tag.stage", Field("tags", "stage")),
        ("tags.``", None),
        ("data.train.csv.sha256", Field("data", "train.csv")),
        ('data."data/train.csv".sha256', Field("data", "data/train.csv")),
        ("data.d/x.sha256", Field("data", "d/x")),
        ("env.numpy", Field("env", "numpy")),
        ("env.scikit-learn", Field("env", "scikit-learn")),
        ("env.zope.interface", Field("env", "zope.interface")),
        ("id", Field("attributes", "id")),
        ("run_id", Field("attributes", "id")),
        ("attributes.run_id", Field("attributes", "id")),
        ("name", Field("attributes", "name")),
        ("run_name", Field("attributes", "name")),
        ("attributes.`Run Name`", Field("attributes", "name")),
        ("notebook", Field("attributes", "notebook")),
        ("notebook_path", Field("attributes", "notebook")),
        ("kind", Field("attributes", "kind")),
        ("Status", Field("attributes", "status")),
        ("attributes.status", Field("attributes", "status")),
        ("attribute.status", Field("attributes", "status")),
        ("user", Field("attributes", "user")),
        ("user_id", Field("attributes", "user")),
        ("started", Field("attributes", "started")),
        ("ended", Field("attributes", "ended")),
        ("start_time", Field("attributes", "start_time")),
        ("attributes.created", Field("attributes", "start_time")),
        ("attributes.Created", Field("attributes", "start_time")),
        ("end_time", Field("attributes", "end_time")),
        ("duration", Field("attributes", "duration")),
        ("starred", Field("attributes", "starred")),
        ("archived", Field("attributes", "archived")),
        ("verdict", Field("attributes", "verdict")),
        ('tags."mlflow.runName"', Field("attributes", "name")),
        ("tags.mlflow.runName", Field("attributes", "name")),
        ("tags.`mlflow.user`", Field("attributes", "user")),
    ],
)
def test_identifiers(text, field):
    if field is None:
        with pytest.raises(QuerySyntaxError, match="expected a key after tags."):
            parse_identifier(text)
    else:
        assert parse_identifier(text) == field


@pytest.mark.parametrize(
    "text, position, expected",
    [
        ("color", 0, "unknown field"),
        ("params", 0, "unknown field"),
        ("params.", 7, "a key after '.'"),
        ("foo.bar", 0, "unknown field"),
        ("status.x", 0, "nothing after the attribute 'status'"),
        ("attributes.artifact_uri", 0, "attributes.<name>|unknown field"),
        ("data.train.csv", 0, "data.<path>.sha256"),
        ("data.sha256", 0, "data.<path>.sha256"),
        ("params.lr extra", 10, "the end of the field name"),
        ("params.`unterminated", 7, "a closing `"),
        ("params. lr", 7, "a key after '.'"),
        ("", 0, "params.<key>"),
    ],
)
def test_identifier_errors_say_where(text, position, expected):
    with pytest.raises(QuerySyntaxError, match=expected) as caught:
        parse_identifier(text)
    assert caught.value.position == position


def test_comparisons_and_their_values():
    assert parse_filter("params.lr > 0.01") == Compare(LR, ">", number(0.01))
    assert parse_filter("params.lr>=1e-3") == Compare(LR, ">=", number(0.001))
    assert parse_filter("params.n = -2") == Compare(Field("params", "n"), "=", number(-2))
    assert parse_filter("params.n = +.5") == Compare(Field("params", "n"), "=", number(0.5))
    assert parse_filter("params.n <> 3") == Compare(Field("params", "n"), "!=", number(3))
    assert parse_filter("params.n != 3") == Compare(Field("params", "n"), "!=", number(3))
    for op in ("=", "!=", "<", "<=", ">", ">="):
        assert parse_filter(f"metrics.acc {op} 1").op == op
    value = parse_filter("params.n = 3").value
    assert (type(value.value), value.text, value.position) == (int, "3", 11)
    assert type(parse_filter("params.n = 3.0").value.value) is float


def test_strings_quote_and_escape():
    assert parse_filter("params.model = 'tree'").value == string("tree")
    assert parse_filter('params.model = "tree"').value == string("tree")
    assert parse_filter(r"tags.note = 'it\'s'").value == string("it's")
    assert parse_filter("tags.note = 'it''s'").value == string("it's")
    assert parse_filter(r'tags.note = "a \"b\" \\ c"').value == string('a "b" \\ c')
    assert parse_filter("tags.note = ''").value == string("")
    assert parse_filter("tags.note = 'a AND b OR (c)'").value == string("a AND b OR (c)")


def test_booleans_spans_and_dates():
    assert parse_filter("params.flag = TRUE").value == Value("bool", True)
    assert parse_filter("params.flag != false").value == Value("bool", False)
    assert parse_filter("starred = true") == Compare(Field("attributes", "starred"), "=", Value("bool", True))
    assert parse_filter("archived = 0").value == Value("bool", False)
    for text, seconds in (("-7d", 7 * 86400), ("-2h", 7200), ("-30m", 1800), ("-10s", 10), ("-1w", 604800)):
        assert parse_filter(f"started > {text}").value == Value("span", -seconds)
    assert parse_filter("started > -1.5h").value == Value("span", -5400.0)
    assert parse_filter("duration > 2h").value == number(7200.0)
    assert parse_filter("duration < 90").value == number(90)
    local = datetime.datetime(2026, 11, 1).timestamp()
    assert parse_filter("started > '2026-11-01'").value == Value("time", local)
    assert parse_filter("ended <= '2026-11-01T10:00'").value == Value("time", local + 36000)
    assert parse_filter("ended <= '2026-11-01 10:00:30'").value == Value("time", local + 36030)
    utc = datetime.datetime(2026, 11, 1, 10, tzinfo=datetime.timezone.utc).timestamp()
    assert parse_filter("started > '2026-11-01T10:00Z'").value == Value("time", utc)
    assert parse_filter("started > '2026-11-01T12:00+02:00'").value == Value("time", utc)
    assert parse_filter("start_time > 1670628787527").value == number(1670628787527)


def test_in_like_between_null_and_bare_fields():
    assert parse_filter("params.x IN ('a', 'b')") == In(Field("params", "x"), (string("a"), string("b")))
    assert parse_filter("params.x not in (1)") == In(Field("params", "x"), (number(1),), negated=True)
    assert parse_filter("params.x IN (1, 'a', true)").values == (number(1), string("a"), Value("bool", True))
    assert parse_filter("name LIKE 'a%'") == Like(Field("attributes", "name"), "a%")
    assert parse_filter("name ILIKE '%A_'") == Like(Field("attributes", "name"), "%A_", insensitive=True)
    assert parse_filter("name NOT LIKE 'a%'") == Like(Field("attributes", "name"), "a%", negated=True)
    assert parse_filter("name not ilike 'a%'") == Like(Field("attributes", "name"), "a%", True, True)
    assert parse_filter("metrics.acc BETWEEN 0.1 AND 0.5") == Between(ACC, number(0.1), number(0.5))
    assert parse_filter("metrics.acc NOT BETWEEN 0 AND 1") == Between(ACC, number(0), number(1), negated=True)
    assert parse_filter("started BETWEEN -7d AND -1d").high == Value("span", -86400.0)
    assert parse_filter("tags.x IS NULL") == IsNull(Field("tags", "x"))
    assert parse_filter("tags.x is not null") == IsNull(Field("tags", "x"), negated=True)
    assert parse_filter("tags.x") == Present(Field("tags", "x"))
    assert parse_filter("params.x") == Present(Field("params", "x"))
    assert parse_filter("starred") == Present(Field("attributes", "starred"))


def test_precedence_not_over_and_over_or():
    a = Compare(LR, ">", number(1))
    b = Present(Field("tags", "b"))
    c = Present(Field("tags", "c"))
    assert parse_filter("params.lr > 1 OR tags.b AND tags.c") == Or((a, And((b, c))))
    assert parse_filter("(params.lr > 1 OR tags.b) AND tags.c") == And((Or((a, b)), c))
    assert parse_filter("NOT params.lr > 1 AND tags.b") == And((Not(a), b))
    assert parse_filter("NOT (params.lr > 1 AND tags.b)") == Not(And((a, b)))
    assert parse_filter("not not tags.b") == Not(Not(b))
    assert parse_filter("tags.b and tags.c AND tags.b") == And((b, c, b))
    assert parse_filter("tags.b or tags.c Or tags.b") == Or((b, c, b))
    assert parse_filter("((tags.b))") == b
    assert parse_filter("metrics.acc BETWEEN 1 AND 2 AND tags.b") == And((Between(ACC, number(1), number(2)), b))


def test_enums_are_normalized_and_checked():
    assert parse_filter("status = 'FINISHED'").value == string("finished")
    assert parse_filter("attributes.status = 'KILLED'").value == string("interrupted")
    assert parse_filter("status IN ('Running', 'failed')").values == (string("running"), string("failed"))
    assert parse_filter("kind = 'Notebook'").value == string("notebook")
    assert parse_filter("verdict = 'output-changed'").value == string("output-changed")
    assert parse_filter("status LIKE 'FIN%'").pattern == "FIN%"  # a pattern is left as written


def test_empty_and_blank_filters_are_none():
    assert parse_filter(None) is None
    assert parse_filter("") is None
    assert parse_filter("  \n\t ") is None


def test_fields_of_walks_the_tree():
    node = parse_filter("NOT (archived OR tags.a) AND params.b IN (1)")
    assert fields_of(node) == [Field("attributes", "archived"), Field("tags", "a"), Field("params", "b")]
    assert fields_of(None) == []


@pytest.mark.parametrize(
    "text, position, found, expected",
    [
        ("params.lr > )", 12, ")", "a value"),
        ("params.lr >", 11, "", "a value"),
        ("params.lr", None, None, None),  # bare: the param is set
        ("params.lr 3", 10, "3", "AND, OR or the end"),
        ("params.lr > 1 AND", 17, "", "a field"),
        ("params.lr > 1 OR OR tags.a", 17, "OR", "a field"),
        ("(params.lr > 1", 14, "", "')', AND or OR"),
        ("params.lr > 1)", 13, ")", "AND, OR or the end"),
        ("params.lr > 'abc", 12, "'abc", "a closing '"),
        ('tags.x = "abc', 9, '"abc', 'a closing "'),
        ("params.lr ~ 1", 10, "~", "a field, a value, an operator"),
        ("params.lr ! 1", 10, "! ", "an operator"),
        ("params.lr IN ()", 14, ")", "a value"),
        ("params.lr IN (1, )", 17, ")", "a value"),
        ("params.lr IN (1 2)", 16, "2", "',' or ')'"),
        ("params.lr IN 1", 13, "1", "'(' opening the list"),
        ("params.lr NOT 1", 14, "1", "IN, LIKE, ILIKE or BETWEEN after NOT"),
        ("params.lr IS 1", 13, "1", "NULL"),
        ("params.lr IS NOT", 16, "", "NULL"),
        ("params.lr BETWEEN 1 2", 20, "2", "AND"),
        ("params.lr BETWEEN 1 AND 'a'", 24, "'a'", "a bound of the same type as 1"),
        ("params.lr LIKE 3", 15, "3", "a quoted pattern"),
        ("params.flag > true", 14, "true", "true/false compare with = and != only"),
        ("status > 3", 9, "3", "status is text"),
        ("status = 'done'", 9, "'done'", "one of running, finished, failed, interrupted"),
        ("kind = 'job'", 7, "'job'", "no such kind"),
        ("metrics.x LIKE 'a'", 15, "'a'", "metrics are numbers"),
        ("metrics.x = 'a'", 12, "'a'", "metrics are numbers"),
        ("metrics.x = true", 12, "true", "metrics are numbers"),
        ("tags.x = true", 9, "true", "tags are text"),
        ("name = 3", 7, "3", "name is text"),
        ("name", 4, "", "an operator"),
        ("id > -7d", 5, "-7d", "compares with times and duration"),
        ("params.lr > -7d", 12, "-7d", "compares with times and duration"),
        ("started > 7d", 10, "7d", "a time relative to now is in the past"),
        ("started > 'yesterday'", 10, "'yesterday'", "an ISO date"),
        ("started > '2026-13-45'", 10, "'2026-13-45'", "no such date"),
        ("started LIKE '2026%'", 13, "'2026%'", "started is a time"),
        ("duration > 'long'", 11, "'long'", "duration is a number of seconds"),
        ("starred = 'yes'", 10, "'yes'", "starred is true or false"),
        ("starred > 0", 10, "0", "starred is true or false"),
        ("starred = 2", 10, "2", "true or false"),
        ("params.lr > 1e999", 12, "1e999", "a number within the range of a double"),
        ("params.lr > 10abc", 12, "10abc", "a number, or a span"),
        ("params.lr > 5min", 12, "5min", "a number, or a span"),
        ("color = 'red'", 0, "color", "unknown field"),
        ("AND params.lr > 1", 0, "AND", "a field"),
        ("params.lr > 1 params.x > 2", 14, "params.x", "AND, OR or the end"),
        ("params.lr = 'a' = 'b'", 16, "=", "AND, OR or the end"),
    ],
)
def test_errors_say_where_what_was_found_and_what_was_expected(text, position, found, expected):
    if position is None:
        parse_filter(text)
        return
    with pytest.raises(QuerySyntaxError) as caught:
        parse_filter(text)
    error = caught.value
    assert (error.position, error.found) == (position, found), str(error)
    assert expected in str(error)
    assert str(error).startswith(f"at {position}: ")
    assert isinstance(error, ValueError)


def test_the_message_reads_at_position_expected_found():
    with pytest.raises(QuerySyntaxError) as caught:
        parse_filter("params.lr > 0.1 AND )")
    assert caught.value.expected.startswith("a field")
    assert str(caught.value).endswith(", found ')'")
    with pytest.raises(QuerySyntaxError, match="found the end$"):
        parse_filter("params.lr >")


def test_limits_keep_queries_bounded():
    with pytest.raises(QuerySyntaxError, match="too deep") as caught:
        parse_filter("(" * (MAX_DEPTH + 1) + "tags.a" + ")" * (MAX_DEPTH + 1))
    assert caught.value.position == MAX_DEPTH
    parse_filter("(" * MAX_DEPTH + "tags.a" + ")" * MAX_DEPTH)
    with pytest.raises(QuerySyntaxError, match="too deep"):
        parse_filter("NOT " * 1000 + "tags.a")
    with pytest.raises(QuerySyntaxError, match="too many conditions"):
        parse_filter(" OR ".join(["tags.a"] * (MAX_PREDICATES + 1)))
    parse_filter(" OR ".join(["tags.a"] * MAX_PREDICATES))
    with pytest.raises(QuerySyntaxError, match="too many values"):
        parse_filter("params.x IN (" + ", ".join(["1"] * (MAX_LIST_VALUES + 1)) + ")")
    with pytest.raises(QuerySyntaxError, match="at most 10000 characters") as caught:
        parse_filter("tags.a = '" + "x" * MAX_FILTER_CHARS + "'")
    assert caught.value.position == MAX_FILTER_CHARS


def test_order_by_keys():
    assert parse_order_by(None) == []
    assert parse_order_by("") == []
    assert parse_order_by("metrics.acc DESC") == [OrderKey(ACC, True)]
    assert parse_order_by("metrics.acc desc, params.lr") == [OrderKey(ACC, True), OrderKey(LR, False)]
    assert parse_order_by(["metrics.acc DESC", "params.lr ASC, start_time"]) == [
        OrderKey(ACC, True),
        OrderKey(LR, False),
        OrderKey(Field("attributes", "start_time"), False),
    ]
    assert parse_order_by(['params."a, b" DESC']) == [OrderKey(Field("params", "a, b"), True)]
    assert parse_order_by("attributes.start_time DESC") == [OrderKey(Field("attributes", "start_time"), True)]


@pytest.mark.parametrize(
    "order_by, position, expected",
    [
        ("metrics.acc sideways", 12, "ASC, DESC, ',' or the end"),
        ("metrics.acc DESC,", 17, "a field to order by"),
        (", metrics.acc", 0, "a field to order by"),
        ("metrics.acc DESC DESC", 17, "ASC, DESC, ',' or the end"),
        ("colour", 0, "unknown field"),
        (["metrics.acc", "params."], 7, "a key after '.'"),
    ],
)
def test_order_by_errors(order_by, position, expected):
    with pytest.raises(QuerySyntaxError, match=expected) as caught:
        parse_order_by(order_by)
    assert caught.value.position == position


def test_order_by_refuses_what_is_not_text_and_too_many_keys():
    with pytest.raises(ValueError, match="expected strings"):
        parse_order_by([3])
    with pytest.raises(ValueError, match="at most 16 keys"):
        parse_order_by(", ".join(["params.a"] * 17))


def test_split_identifiers():
    assert split_identifiers("") == []
    assert split_identifiers("metrics.acc.max, params.lr,duration") == ["metrics.acc.max", "params.lr", "duration"]
    assert split_identifiers('params."a, b", tags.x') == ['params."a, b"', "tags.x"]
    with pytest.raises(QuerySyntaxError, match="expected ',' or the end") as caught:
        split_identifiers("params.a params.b")
    assert caught.value.position == 9
    with pytest.raises(QuerySyntaxError, match="unknown field") as caught:
        split_identifiers("params.a, colour")
    assert caught.value.position == 10
    with pytest.raises(QuerySyntaxError):
        split_identifiers("params.a,")
