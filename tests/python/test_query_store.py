"""The query grammar through the SQLite store: the same runs as the reference evaluator, in the
same order; grouping, keys and values; random text never gets past the parser's errors; keys and
values never become SQL text; MLflow's documented filters select what MLflow would."""

from __future__ import annotations

import contextlib
import datetime
import math
import sqlite3
import tempfile
import time

import pytest
from conftest import property_settings
from hypothesis import given
from hypothesis import strategies as st
from query_reference import evaluate, order, views

from jupyterlab_experiments.store import open_store
from jupyterlab_experiments.store.query import QuerySyntaxError, parse_filter, parse_identifier, parse_order_by
from jupyterlab_experiments.store.query import sqlite as query_sqlite
from jupyterlab_experiments.store.query.base import group_order
from jupyterlab_experiments.store.query.grammar import Field, fields_of

NOW = float(int(time.time()))
DAY = 86400.0

# -- random stores ---------------------------------------------------------------------------------

PARAM_VALUES = [0.1, 0.01, 1, 3, -2, 2.5, 1e20, 10**30, "0.01", "0.1", "adam", "ADAM", "", "true", True, False, None]
PARAM_VALUES += [[1, 2], "ünï"]
TAG_VALUES = ["", "prod", "Prod", "dev", "10", "2.5", "-3", "1e3", " 7", "abc", "a_b%", "[1]"]
METRIC_VALUES = [0.1, 0.5, 0.9, 0.95, -1.0, 2.5, 10.0, math.nan, math.inf]
PACKAGES = {"numpy": ["1.26.0", "2.0"], "PyYAML": ["6.0"], "scikit_learn": ["1.5", "1.26.0"], "zope.interface": ["6"]}


@st.composite
def run_specs(draw):
    status = draw(st.sampled_from(["running", "finished", "failed", "interrupted"]))
    start = NOW - draw(st.sampled_from([0.0, 3600.0, DAY, 3 * DAY, 10 * DAY]))
    packages = draw(
        st.none() | st.dictionaries(st.sampled_from(sorted(PACKAGES)), st.sampled_from(["1.26.0", "2.0", "6.0", "1.5"]))
    )
    return {
        "run": {
            "name": draw(st.sampled_from([None, "alpha", "Alpha", "beta", "gamma run", "ünï", "a_b%x"])),
            "kind": draw(st.sampled_from(["notebook", "script"])),
            "status": status,
            "notebook_path": draw(st.sampled_from([None, "a.ipynb", "dir/b.ipynb"])),
            "user": draw(st.sampled_from([None, "ann", "Bob"])),
            "start_time": start,
            "end_time": None if status == "running" else start + draw(st.sampled_from([0.0, 30.0, 7200.0, 2e5])),
            "tags": draw(
                st.dictionaries(st.sampled_from(["stage", "epochs", "note"]), st.sampled_from(TAG_VALUES), min_size=1)
            ),
            "batch": {
                "params": [
                    {"key": key, "value": value}
                    for key, value in draw(
                        st.dictionaries(
                            st.sampled_from(["lr", "model", "flag", "n", "odd key", "none"]),
                            st.sampled_from(PARAM_VALUES),
                            min_size=1,
                        )
                    ).items()
                ],
                "metrics": [
                    {"key": key, "values": values}
                    for key, values in draw(
                        st.dictionaries(
                            st.sampled_from(["acc", "loss"]),
                            st.lists(st.sampled_from(METRIC_VALUES), min_size=1, max_size=3),
                        )
                    ).items()
                ],
                "data": [
                    {"path": path, "sha256": sha256, "size": 1, "file_count": 1}
                    for path, sha256 in draw(
                        st.lists(st.tuples(st.sampled_from(["d/train.csv", "x"]), st.sampled_from(["ab", "cd", None])))
                    )
                ],
                **({"environment": {"packages": packages}} if packages is not None else {}),
            },
        },
        "starred": draw(st.booleans()),
        "archived": draw(st.integers(0, 3)) == 0,
        "deleted": draw(st.integers(0, 5)) == 0,
    }


stores = st.tuples(
    st.lists(run_specs(), min_size=4, max_size=10),
    st.sampled_from([None, "passed", "failed", "output-changed"]),
)


@contextlib.contextmanager
def built(specs, verdict=None):
    """A store of these runs; yields it and the reference's run dicts, in the order written."""
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(folder)
        try:
            ids = store.import_runs([spec["run"] for spec in specs])
            for run_id, spec in zip(ids, specs):
                if spec["starred"] or spec["archived"]:
                    store.update_run(run_id, starred=spec["starred"], archived=spec["archived"])
                if spec["deleted"]:
                    store.delete_run(run_id)
            if verdict is not None:
                validation = store.create_validation(notebook_path="dir/b.ipynb", kernel_name="python3")
                store.finish_validation(validation["run_id"], verdict)
                ids.append(validation["run_id"])
            yield store, [reference_run(store, run_id) for run_id in ids]
        finally:
            store.close()


def reference_run(store, run_id):
    run = store.get_run(run_id)
    assert run["verdict"] == (store.get_validation(run_id)["verdict"] if run["kind"] == "validation" else None)
    return run


def visible(runs, node, trash=False):
    archived_named = Field("attributes", "archived") in fields_of(node)
    return [
        run
        for run in runs
        if (run["deleted"] is not None) == trash and (trash or archived_named or not run["archived"])
    ]


def ids(runs):
    return [run["id"] for run in runs]


@pytest.fixture
def fixed_clock(monkeypatch):
    monkeypatch.setattr(query_sqlite, "clock", lambda: NOW)
    return NOW


# -- random filters --------------------------------------------------------------------------------

NUMBERS = ["0", "1", "3", "-2", "0.01", "0.1", "0.5", "0.9", "2.5", "10", "1e20", "100", "1e3"]
STRINGS = ["'0.01'", "'0.1'", "'adam'", "'ADAM'", "'prod'", "'Prod'", "'10'", "''", "'[1, 2]'", "'true'", '"dev"']
STRINGS += ["'alpha'", "'gamma run'", "'a_b%'", "'1.26.0'", "'6.0'", "'ab'", "'ünï'", "' 7'", "'[1]'"]
PATTERNS = ["'%a%'", "'a_%'", "'%'", "'_'", "'AD%'", "'%run'", "'%_b%'", "'P%'", "'1.%'", "'%0'", "'ü%'", "'%.IPYNB'"]
TIMES = ["-1d", "-12h", "-3d", "-1w", "-90m", f"{NOW - 2 * DAY:.0f}", f"{NOW:.0f}"]
TIMES += [f"'{datetime.datetime.fromtimestamp(NOW - 2 * DAY, datetime.timezone.utc):%Y-%m-%dT%H:%M}Z'"]
MS_TIMES = [f"{(NOW - 2 * DAY) * 1000:.0f}", "-2d", f"{NOW * 1000:.0f}"]
DURATIONS = ["0", "30", "3600", "1e5", "1h", "30m", "2d"]
ORDERING = ["=", "!=", "<>", "<", "<=", ">", ">="]
FIELDS = {
    "params": ["params.lr", "param.model", "params.flag", "params.n", 'params."odd key"', "params.none", "params.gone"],
    "metrics": ["metrics.acc", "metrics.acc.max", "metric.loss.min", "metrics.loss.count", "metrics.acc.LAST"],
    "tags": ["tags.stage", "tag.epochs", "tags.`note`"],
    "text": ["data.d/train.csv.sha256", 'data."x".sha256', "env.numpy", "env.pyyaml", "env.scikit-learn"],
    "attributes": ["env.SciKit_Learn", "env.zope-interface", "id", "name", "run_name", "notebook", "user"],
}
ENUMS = {
    "status": ["'finished'", "'FAILED'", "'killed'", "'running'", "'Interrupted'"],
    "kind": ["'notebook'", "'script'", "'validation'"],
    "verdict": ["'passed'", "'failed'", "'output-changed'", "'error'"],
}


def word(text):
    """A keyword in any case."""
    return st.sampled_from([text.upper(), text.lower(), text.capitalize()])


def compare(fields, ops, values):
    return st.builds(lambda f, o, v: f"{f} {o} {v}", st.sampled_from(fields), st.sampled_from(ops), values)


def in_list(fields, values):
    return st.builds(
        lambda f, n, vs: f"{f} {n}IN ({', '.join(vs)})",
        st.sampled_from(fields),
        st.sampled_from(["", "NOT ", "not "]),
        st.lists(values, min_size=1, max_size=4),
    )


def like(fields):
    return st.builds(
        lambda f, n, w, p: f"{f} {n}{w} {p}",
        st.sampled_from(fields),
        st.sampled_from(["", "NOT "]),
        word("like") | word("ilike"),
        st.sampled_from(PATTERNS),
    )


def between(fields, values):
    return st.builds(
        lambda f, n, a, b: f"{f} {n}BETWEEN {a} AND {b}",
        st.sampled_from(fields),
        st.sampled_from(["", "NOT "]),
        values,
        values,
    )


def null(fields):
    return st.builds(lambda f, n: f"{f} IS {n}NULL", st.sampled_from(fields), st.sampled_from(["", "NOT "]))


def bare(fields):
    return st.sampled_from(fields)


numbers = st.sampled_from(NUMBERS)
strings = st.sampled_from(STRINGS)
booleans = st.sampled_from(["true", "false", "TRUE"])
texts = FIELDS["text"] + FIELDS["attributes"]
predicates = st.one_of(
    compare(FIELDS["params"], ORDERING, numbers | strings),
    compare(FIELDS["params"], ["=", "!="], booleans),
    in_list(FIELDS["params"], numbers | strings | booleans),
    like(FIELDS["params"]),
    between(FIELDS["params"], numbers),
    between(FIELDS["params"], strings),
    null(FIELDS["params"]),
    bare(FIELDS["params"]),
    compare(FIELDS["metrics"], ORDERING, numbers),
    in_list(FIELDS["metrics"], numbers),
    between(FIELDS["metrics"], numbers),
    null(FIELDS["metrics"]) | bare(FIELDS["metrics"]),
    compare(FIELDS["tags"], ORDERING, numbers | strings),
    in_list(FIELDS["tags"], numbers | strings),
    like(FIELDS["tags"]),
    between(FIELDS["tags"], strings),
    null(FIELDS["tags"]) | bare(FIELDS["tags"]),
    compare(texts, ORDERING, strings),
    in_list(texts, strings),
    like(texts),
    null(texts),
    *[compare([name], ["=", "!="], st.sampled_from(values)) for name, values in ENUMS.items()],
    *[in_list([name], st.sampled_from(values)) for name, values in ENUMS.items()],
    like(list(ENUMS)),
    null(["verdict"]),
    compare(["started", "ended"], ORDERING, st.sampled_from(TIMES)),
    between(["started", "ended"], st.sampled_from(TIMES)),
    compare(["start_time", "end_time", "attributes.created"], ORDERING, st.sampled_from(MS_TIMES)),
    null(["ended", "end_time"]),
    compare(["duration"], ORDERING, st.sampled_from(DURATIONS)),
    between(["duration"], st.sampled_from(DURATIONS)),
    compare(["starred", "archived"], ["=", "!="], st.sampled_from(["true", "false", "1", "0"])),
    bare(["starred", "archived"]),
)
filters = st.recursive(
    predicates,
    lambda inner: st.one_of(
        st.builds(lambda a, w, b: f"{a} {w} {b}", inner, word("and") | word("or"), inner),
        st.builds(lambda w, a: f"{w} {a}", word("not"), inner),
        st.builds(lambda a: f"({a})", inner),
    ),
    max_leaves=6,
)
SORTABLE = FIELDS["params"] + FIELDS["metrics"] + FIELDS["tags"] + texts
SORTABLE += ["status", "kind", "verdict", "started", "ended", "end_time", "duration", "starred"]
order_keys = st.lists(
    st.builds(lambda f, d: f"{f}{d}", st.sampled_from(SORTABLE), st.sampled_from(["", " ASC", " DESC", " desc"])),
    min_size=1,
    max_size=3,
)


# -- the same runs as the reference ----------------------------------------------------------------


@property_settings(150)
@given(store=stores, texts=st.lists(filters, min_size=3, max_size=10))
def test_filters_select_the_runs_the_reference_selects_newest_first(fixed_clock, store, texts):
    specs, verdict = store
    with built(specs, verdict) as (store, runs):
        for text in texts:
            node = parse_filter(text)
            expected = [run for run in order(visible(runs, node), [], NOW) if evaluate(node, run, NOW)]
            found, total = store.list_runs(filter=text, limit=1000)
            assert ids(found) == ids(expected), text
            assert total == len(expected)


@property_settings(100)
@given(store=stores, text=st.none() | filters, keys=order_keys, page=st.tuples(st.integers(1, 4), st.integers(0, 5)))
def test_order_keys_order_runs_as_the_reference_does(fixed_clock, store, text, keys, page):
    specs, verdict = store
    limit, offset = page
    with built(specs, verdict) as (store, runs):
        node = parse_filter(text)
        selected = [run for run in visible(runs, node) if evaluate(node, run, NOW)]
        expected = order(selected, parse_order_by(keys), NOW)
        found, total = store.list_runs(filter=text, order_by=keys, limit=1000)
        assert ids(found) == ids(expected), (text, keys)
        paged, paged_total = store.list_runs(filter=text, order_by=", ".join(keys), limit=limit, offset=offset)
        assert ids(paged) == ids(expected[offset : offset + limit])
        assert total == paged_total == len(expected)


@property_settings(60)
@given(store=stores, text=st.none() | filters, group_by=st.sampled_from(SORTABLE[:-1]))
def test_groups_count_and_aggregate_what_the_reference_selects(fixed_clock, store, text, group_by):
    specs, verdict = store
    columns = ["metrics.acc.max", "params.lr", "duration", "name", "tags.epochs"]
    with built(specs, verdict) as (store, runs):
        node = parse_filter(text)
        selected = [run for run in visible(runs, node) if evaluate(node, run, NOW)]
        groups = store.group_runs(group_by=group_by, filter=text, columns=columns)
        assert sum(group["count"] for group in groups) == len(selected)
        field = parse_identifier(group_by)
        for group in groups:
            if group["value"] is None:
                members = [run for run in selected if not views(field, run, NOW).present]
            elif isinstance(group["value"], float) and not math.isfinite(group["value"]):
                # An infinite metric has its group, but no literal of the grammar names it.
                members = [run for run in selected if views(field, run, NOW).number == group["value"]]
            else:
                # What the browser does to expand a group: the same filter and <group_by> = <value>.
                literal = group_value_literal(group["value"])
                expand = f"({text}) AND {group_by} = {literal}" if text else f"{group_by} = {literal}"
                members = [run for run in selected if evaluate(parse_filter(expand), run, NOW)]
                assert ids(store.list_runs(filter=expand, limit=1000)[0]) == ids(order(members, [], NOW))
            assert group["count"] == len(members), group
            assert "name" not in group["aggregates"]
            for column in ("metrics.acc.max", "params.lr", "duration", "tags.epochs"):
                numbers = [views(parse_identifier(column), run, NOW).number for run in members]
                numbers = [number for number in numbers if number is not None]
                aggregate = group["aggregates"][column]
                assert aggregate["count"] == len(numbers)
                if numbers:
                    assert aggregate["min"] == min(numbers) and aggregate["max"] == max(numbers)
                    assert aggregate["mean"] == pytest.approx(math.fsum(numbers) / len(numbers), nan_ok=True)
        values = [group["value"] for group in groups]
        assert values == sorted(values, key=group_order)


def group_value_literal(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(float(value)) if isinstance(value, float) else str(value)
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def test_group_aggregates_are_mean_sample_std_min_max_count(tmp_path):
    store = open_store(tmp_path)
    store.import_runs(
        {"start_time": NOW - i, "end_time": NOW, "batch": {"params": [{"key": "opt", "value": opt}], "metrics": m}}
        for i, (opt, m) in enumerate(
            [
                ("adam", [{"key": "acc", "values": [0.2, 0.9]}]),
                ("adam", [{"key": "acc", "values": [0.7]}]),
                ("adam", [{"key": "acc", "values": [math.nan]}]),
                ("sgd", [{"key": "acc", "values": [0.5]}]),
                (3, []),
            ]
        )
    )
    groups = store.group_runs(group_by="params.opt", columns=["metrics.acc.max", "metrics.acc", "metrics.acc"])
    assert [(group["value"], group["count"]) for group in groups] == [(3, 1), ("adam", 3), ("sgd", 1)]
    adam = groups[1]["aggregates"]
    assert adam["metrics.acc.max"] == {
        "mean": 0.8,
        "std": pytest.approx(0.1414213562),
        "min": 0.7,
        "max": 0.9,
        "count": 2,
    }
    assert adam["metrics.acc"]["count"] == 2  # the NaN last value is no number
    assert groups[2]["aggregates"]["metrics.acc.max"] == {"mean": 0.5, "std": None, "min": 0.5, "max": 0.5, "count": 1}
    assert groups[0]["aggregates"]["metrics.acc.max"]["count"] == 0
    starred = store.group_runs(group_by="starred", filter="params.opt = 'adam'", columns=["duration"])
    assert starred == [{"value": False, "count": 3, "aggregates": {"duration": starred[0]["aggregates"]["duration"]}}]
    assert starred[0]["aggregates"]["duration"]["mean"] == pytest.approx(1.0)
    store.close()


# -- visibility, paging, bad arguments -------------------------------------------------------------


def test_trash_and_archive(tmp_path):
    store = open_store(tmp_path)
    kept, archived, trashed, both = store.import_runs({"start_time": NOW - i, "name": str(i)} for i in range(4))
    store.update_run(archived, archived=True)
    store.delete_run(trashed)
    store.update_run(both, archived=True)
    store.delete_run(both)
    assert ids(store.list_runs()[0]) == [kept]
    assert ids(store.list_runs(filter="name != 'x'")[0]) == [kept]
    assert ids(store.list_runs(filter="archived")[0]) == [archived]
    assert ids(store.list_runs(filter="archived = false OR archived")[0]) == [kept, archived]
    assert ids(store.list_runs(filter="NOT archived")[0]) == [kept]
    assert ids(store.list_runs(trash=True)[0]) == [trashed, both]
    assert ids(store.list_runs(trash=True, filter="archived")[0]) == [both]
    assert store.list_runs(trash=True, order_by="name DESC") == store.list_runs(trash=True, order_by="name DESC")
    assert store.list_keys() == {"params": [], "metrics": [], "tags": [], "env": []}
    assert store.list_values("name") == ["0", "1"]
    assert store.group_runs(group_by="name") == [{"value": "0", "count": 1, "aggregates": {}}]
    store.close()


def test_summaries_carry_a_validations_verdict(tmp_path):
    store = open_store(tmp_path)
    (plain,) = store.import_runs([{"start_time": NOW, "name": "plain"}])
    validation = store.create_validation(notebook_path="a.ipynb", kernel_name="python3")["run_id"]
    assert {run["id"]: run["verdict"] for run in store.list_runs()[0]} == {plain: None, validation: None}
    store.finish_validation(validation, "output-changed")
    assert {run["id"]: run["verdict"] for run in store.list_runs()[0]} == {plain: None, validation: "output-changed"}
    assert store.get_run(validation)["verdict"] == "output-changed"
    assert ids(store.list_runs(filter="verdict = 'output-changed'")[0]) == [validation]
    store.close()


def test_paging_counts_past_the_end_and_refuses_bad_bounds(tmp_path):
    store = open_store(tmp_path)
    store.import_runs({"start_time": NOW - i, "batch": {"params": [{"key": "i", "value": i}]}} for i in range(5))
    for kwargs in ({}, {"filter": "params.i >= 1"}, {"order_by": "params.i"}):
        runs, total = store.list_runs(offset=10, **kwargs)
        assert runs == [] and total == (4 if kwargs.get("filter") else 5)
    assert [run["params"]["i"] for run in store.list_runs(order_by="params.i DESC", limit=2, offset=1)[0]] == [3, 2]
    assert store.list_runs(limit=0)[1] == 5
    for limit, offset in ((-1, 0), (0, -1), (2**63, 0), (0, 2**64)):
        with pytest.raises(ValueError, match="limit and offset"):
            store.list_runs(limit=limit, offset=offset)
    with pytest.raises(ValueError, match="limit"):
        store.list_values("params.i", limit=-1)
    store.close()


def test_errors_name_the_argument_they_are_in(tmp_path):
    store = open_store(tmp_path)
    for call, argument, position in (
        (lambda: store.list_runs(filter="params.x >"), "filter", 10),
        (lambda: store.list_runs(order_by="params.x UP"), "order_by", 9),
        (lambda: store.group_runs(group_by="colour"), "group_by", 0),
        (lambda: store.group_runs(group_by="status", filter="(tags.a"), "filter", 7),
        (lambda: store.group_runs(group_by="status", columns=["params."]), "columns", 7),
        (lambda: store.list_values("colour"), "key", 0),
    ):
        with pytest.raises(QuerySyntaxError) as caught:
            call()
        assert (caught.value.argument, caught.value.position) == (argument, position)
    store.close()


def test_relative_times_and_durations_use_the_clock(tmp_path, fixed_clock):
    store = open_store(tmp_path)
    old, recent, running = store.import_runs(
        [
            {"start_time": NOW - 10 * DAY, "end_time": NOW - 10 * DAY + 60},
            {"start_time": NOW - 3600, "end_time": NOW - 1800},
            {"start_time": NOW - 7200, "status": "running"},
        ]
    )
    assert ids(store.list_runs(filter="started > -1d")[0]) == [recent, running]
    assert ids(store.list_runs(filter="started < -7d")[0]) == [old]
    assert ids(store.list_runs(filter="duration >= 2h")[0]) == [running]
    assert ids(store.list_runs(filter="duration < 2m")[0]) == [old]
    assert ids(store.list_runs(filter="ended IS NULL")[0]) == [running]
    ms = int((NOW - 5 * DAY) * 1000)
    assert ids(store.list_runs(filter=f"attributes.start_time > {ms}")[0]) == [recent, running]
    assert ids(store.list_runs(filter=f"attributes.created < {ms}")[0]) == [old]
    day = datetime.datetime.fromtimestamp(NOW - 5 * DAY).strftime("%Y-%m-%d")
    assert ids(store.list_runs(filter=f"started > '{day}'")[0]) == [recent, running]
    assert ids(store.list_runs(order_by="duration DESC")[0]) == [running, recent, old]
    store.close()


def test_env_data_and_verdict(tmp_path):
    store = open_store(tmp_path)
    first, second = store.import_runs(
        [
            {
                "start_time": NOW - 2,
                "batch": {
                    "environment": {"packages": {"PyYAML": "6.0", "scikit_learn": "1.5", "zope.interface": "6"}},
                    "data": [
                        {"path": "d/train.csv", "sha256": "aa", "size": 1, "file_count": 1},
                        {"path": "d/train.csv", "sha256": "bb", "size": 1, "file_count": 1},
                    ],
                },
            },
            {"start_time": NOW - 1, "batch": {"environment": {"packages": {"numpy": "2.0"}, "os": "Linux"}}},
        ]
    )
    validation = store.create_validation(notebook_path="a.ipynb")["run_id"]
    store.finish_validation(validation, "output-changed")
    for text, expected in (
        ("env.pyyaml = '6.0'", [first]),
        ("env.PyYAML = '6.0'", [first]),
        ("env.scikit-learn LIKE '1.%'", [first]),
        ("env.Scikit.Learn = 1.5", [first]),  # a version written as a number is its text
        ("env.zope-interface = '6'", [first]),
        ("env.numpy IS NOT NULL", [second]),
        ("env.numpy IS NULL", [validation, first]),
        ("env.os IS NOT NULL", []),  # a package, not any key of the environment
        ("data.d/train.csv.sha256 = 'bb'", [first]),  # the latest input at that path
        ("data.d/train.csv.sha256 = 'aa'", []),
        ('data."d/train.csv".sha256 IS NULL', [validation, second]),
        ("verdict = 'output-changed'", [validation]),
        ("verdict IS NULL", [second, first]),
        ("kind = 'validation'", [validation]),
    ):
        assert ids(store.list_runs(filter=text)[0]) == expected, text
    assert store.list_keys()["env"] == ["PyYAML", "numpy", "scikit_learn", "zope.interface"]
    assert store.list_values("env.scikit-learn") == ["1.5"]
    assert store.list_values("verdict") == ["output-changed"]
    store.close()


def test_keys_and_values_for_completion(tmp_path):
    store = open_store(tmp_path)
    a, b, c = store.import_runs(
        [
            {
                "start_time": 1,
                "tags": {"stage": "prod"},
                "batch": {
                    "params": [{"key": "lr", "value": 0.1}, {"key": "opt", "value": "Adam"}],
                    "metrics": [{"key": "acc", "values": [0.5]}],
                },
            },
            {
                "start_time": 2,
                "tags": {"stage": "dev"},
                "batch": {
                    "params": [
                        {"key": "lr", "value": 3},
                        {"key": "opt", "value": "adagrad"},
                        {"key": "b", "value": True},
                    ]
                },
            },
            {"start_time": 3, "tags": {"gone": ""}, "batch": {"params": [{"key": "gone", "value": 1}]}},
        ]
    )
    store.delete_run(c)
    assert store.list_keys() == {"params": ["b", "lr", "opt"], "metrics": ["acc"], "tags": ["stage"], "env": []}
    assert store.list_values("params.lr") == [0.1, 3]
    assert store.list_values("params.opt") == ["Adam", "adagrad"]
    assert store.list_values("params.opt", prefix="ad") == ["Adam", "adagrad"]  # ASCII case ignored
    assert store.list_values("params.opt", prefix="ada", limit=1) == ["Adam"]
    assert store.list_values("params.b") == ["true"]  # its text form, which = 'true' selects
    assert store.list_values("params.gone") == []
    assert store.list_values("tags.stage", prefix="P") == ["prod"]
    assert store.list_values("metrics.acc") == [0.5]
    assert store.list_values("status") == ["finished"]
    assert store.list_values("id", prefix=a[:6]) == [a]
    assert store.list_values("starred") == [False]
    assert b in ids(store.list_runs(filter="params.b = 'true'")[0])
    store.close()


# -- bad input -------------------------------------------------------------------------------------

TOKENS = st.sampled_from(
    list("abcdefgpmrstx.`\"'()=!<>,%_-+ 0123456789\\\n\té😀\x00")
    + ["params.", "metrics.", "tags.", "data.", "env.", "attributes.", " AND ", " OR ", "NOT ", " IN ", " IS ", "NULL"]
    + [" LIKE ", " ILIKE ", " BETWEEN ", "true", "-7d", "1e999", ".max", ".sha256", "status", "started", "archived"]
)


@pytest.fixture(scope="module")
def fuzz_store():
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(folder)
        store.import_runs([{"start_time": 1, "tags": {"a": "1"}, "batch": {"params": [{"key": "p", "value": 1}]}}])
        yield store
        store.close()


@property_settings(500)
@given(text=st.lists(TOKENS, max_size=20).map("".join) | st.text(max_size=40))
def test_random_text_is_a_query_or_a_syntax_error_never_anything_else(fuzz_store, text):
    for call in (
        lambda: fuzz_store.list_runs(filter=text),
        lambda: fuzz_store.list_runs(order_by=text),
        lambda: fuzz_store.group_runs(group_by=text, columns=[text]),
        lambda: fuzz_store.list_values(text, prefix=text),
    ):
        try:
            call()
        except QuerySyntaxError as error:
            assert 0 <= error.position <= len(text)
        except ValueError:
            pass


@property_settings(200)
@given(text=filters)
def test_every_generated_filter_compiles_for_every_entry_point(fuzz_store, text):
    fuzz_store.list_runs(filter=text, order_by="metrics.acc DESC, params.lr")
    fuzz_store.group_runs(group_by="params.p", filter=text, columns=["duration", "metrics.x.max"])


INJECTIONS = ["a'; DROP TABLE runs; --", 'a"); DELETE FROM params; --', "x` OR 1=1 --", "k\\'; --", "k?ey"]


@pytest.mark.parametrize("key", INJECTIONS)
def test_keys_and_values_never_become_sql(tmp_path, key):
    store = open_store(tmp_path)
    hit, miss = store.import_runs(
        [
            {
                "start_time": 2,
                "tags": {key: key},
                "batch": {
                    "params": [{"key": key, "value": key}],
                    "metrics": [{"key": key, "values": [1.0]}],
                    "data": [{"path": key, "sha256": key, "size": 1, "file_count": 1}],
                    "environment": {"packages": {key: key}},
                },
            },
            {"start_time": 1, "tags": {"other": "x"}},
        ]
    )
    quoted = "`" + key.replace("`", "``") + "`"
    literal = "'" + key.replace("\\", "\\\\").replace("'", "''") + "'"
    for text in (
        f"params.{quoted} = {literal}",
        f"tags.{quoted} = {literal}",
        f"metrics.{quoted} = 1",
        f"data.{quoted}.sha256 = {literal}",
        f"env.{quoted} = {literal}",
        f"tags.{quoted} IN ({literal}, {literal}) AND params.{quoted} LIKE {literal}",
        f"name IS NULL AND tags.other != {literal}",
    ):
        expected = [miss] if "other" in text else [hit]
        assert ids(store.list_runs(filter=text)[0]) == expected, text
        query = query_sqlite.runs_query(
            "id",
            filter=text,
            order_by=f"params.{quoted}",
            trash=False,
            notebook_id=None,
            status=None,
            limit=1,
            offset=0,
        )
        assert key not in query.page.text
    assert ids(store.list_runs(order_by=f"tags.{quoted} DESC")[0]) == [hit, miss]
    assert store.list_values(f"params.{quoted}") == [key]
    assert store.group_runs(group_by=f"tags.{quoted}")[0]["value"] == key
    with sqlite3.connect(tmp_path / "store.sqlite") as conn:
        assert conn.execute("SELECT count(*) FROM runs").fetchone()[0] == 2
        assert conn.execute("SELECT count(*) FROM params").fetchone()[0] == 1
    store.close()


# -- MLflow's documented filters ---------------------------------------------------------------------


@pytest.fixture
def mlflow_runs(tmp_path):
    """The runs of MLflow's search guide (accuracy 0 to 0.9, loss 1 to 0.1, batch sizes, learning rates,
    GPT models on the first four), plus a few with the attributes its other examples name."""
    store = open_store(tmp_path)
    models = ["GPT-2", "GPT-3", "GPT-3.5", "GPT-4"] + [None] * 6
    tasks = ["classification", "regression", "causal lm"] + [None] * 7
    runs = []
    for i in range(10):
        params = [
            {"key": "batch_size", "value": [2] * 5 + [4] * 5},
            {"key": "learning_rate", "value": [0.001, 0.01][i % 2]},
        ]
        params[0]["value"] = params[0]["value"][i]
        if models[i] is not None:
            params.append({"key": "model", "value": models[i]})
        runs.append(
            {
                "name": ["alpha", "beta", "gamma"][i] if i < 3 else f"run-{i}",
                "start_time": 1_670_628_787.0 + i * 100,
                "end_time": 1_670_628_787.0 + i * 100 + 50,
                "status": "failed" if i == 9 else "finished",
                "user": "john@mlflow.com" if i < 3 else None,
                "tags": {"task": tasks[i]} if tasks[i] else {},
                "batch": {
                    "params": params,
                    "metrics": [
                        {"key": "accuracy", "values": [i / 10]},
                        {"key": "loss", "values": [1 - i / 10]},
                        {"key": "f1 score", "values": [i / 10]},
                    ],
                },
            }
        )
    runs.append(
        {
            "name": "tree",
            "start_time": 1_670_628_000.0,
            "status": "finished",
            "end_time": 1_670_628_100.0,
            "tags": {"model": "sklearn.tree", "type": "LogisticRegression"},
            "batch": {
                "params": [
                    {"key": "model", "value": "tree"},
                    {"key": "alpha", "value": 0.3},
                    {"key": "lambda", "value": "0.001"},
                ],
                "metrics": [{"key": "rmse", "values": [0.5]}, {"key": "error", "values": [0.01]}],
            },
        }
    )
    names = {}
    for run_id, run in zip(store.import_runs(runs), runs):
        names[run_id] = run["name"]
    yield store, names
    store.close()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("metrics.accuracy > 0.72", ["run-9", "run-8"]),
        ("metrics.accuracy > 0.72 AND metrics.loss <= 0.15", ["run-9"]),
        ("metrics.accuracy > 0.92", []),
        ("metrics.`f1 score` > 0.5", ["run-9", "run-8", "run-7", "run-6"]),
        ('params.batch_size = "2"', ["run-4", "run-3", "gamma", "beta", "alpha"]),
        ('params.model LIKE "GPT%"', ["run-3", "gamma", "beta", "alpha"]),
        ('params.model ILIKE "gPt-3%"', ["gamma", "beta"]),
        ('params.model = "GPT-3.5" and params.learning_rate = "0.001"', ["gamma"]),
        ("tags.task ILIKE 'classif%'", ["alpha"]),
        ("tags.`model` LIKE 'sklearn%'", ["tree"]),
        ("tags.`type` ILIKE '%Logistic%'", ["tree"]),
        ("tags.`mlflow.user` = 'john@mlflow.com'", ["gamma", "beta", "alpha"]),
        ("attributes.status = 'FINISHED' and metrics.loss < 0.3", ["run-8"]),
        ('attributes.status = "FAILED"', ["run-9"]),
        (
            "attributes.created > 1670628787527",
            ["run-9", "run-8", "run-7", "run-6", "run-5", "run-4", "run-3", "gamma", "beta"],
        ),
        ("attributes.Created > 1670629487000", ["run-9", "run-8"]),
        ("attributes.start_time > 1670629487000", ["run-9", "run-8"]),
        ("attributes.end_time < 1670628900000", ["alpha", "tree"]),
        ('attributes.`run_name` ILIKE "%alpha%"', ["alpha"]),
        ('attributes.`Run Name` ILIKE "%ALPHA%"', ["alpha"]),
        ("attributes.run_name ILIKE '%a%'", ["gamma", "beta", "alpha"]),
        ("attributes.`run name` IN ('alpha', 'beta', 'gamma')", ["gamma", "beta", "alpha"]),
        ("tags.\"mlflow.runName\" = 'tree'", ["tree"]),
        ("attributes.run_name = 'beta'", ["beta"]),
        ('params.alpha = "0.3" and params.lambda = "0.001" and metrics.error <= 0.05', ["tree"]),
        ('metrics.rmse < 1 and params.model = "tree"', ["tree"]),
        ("params.model IN ('GPT-4', 'tree')", ["run-3", "tree"]),
        ('params."batch_size" != "4" AND metrics.accuracy >= 0.3', ["run-4", "run-3"]),
    ],
)
def test_mlflows_documented_filters_select_what_mlflow_would(mlflow_runs, text, expected):
    store, names = mlflow_runs
    assert [names[run_id] for run_id in ids(store.list_runs(filter=text)[0])] == expected


def test_mlflows_run_id_and_order_by(mlflow_runs):
    store, names = mlflow_runs
    by_name = {name: run_id for run_id, name in names.items()}
    chosen = f"attributes.run_id IN ('{by_name['alpha']}', '{by_name['tree']}')"
    assert [names[run_id] for run_id in ids(store.list_runs(filter=chosen)[0])] == ["alpha", "tree"]
    runs = store.list_runs(order_by=["metrics.accuracy DESC"], limit=3)[0]
    assert [names[run["id"]] for run in runs] == ["run-9", "run-8", "run-7"]
    runs = store.list_runs(order_by=["params.learning_rate ASC", "metrics.loss DESC"], limit=4)[0]
    assert [names[run["id"]] for run in runs] == ["alpha", "gamma", "run-4", "run-6"]
    runs = store.list_runs(order_by="attributes.start_time DESC", limit=2)[0]
    assert [names[run["id"]] for run in runs] == ["run-9", "run-8"]
    # The tree run has no accuracy: missing values go last in either direction.
    assert names[store.list_runs(order_by="metrics.accuracy ASC", limit=20)[0][-1]["id"]] == "tree"
    assert names[store.list_runs(order_by="metrics.accuracy DESC", limit=20)[0][-1]["id"]] == "tree"


def test_what_mlflow_has_and_we_do_not_is_a_clear_error(mlflow_runs):
    store, _ = mlflow_runs
    for text, found in (
        ("datasets.name LIKE 'custom'", "datasets.name"),
        ("attributes.artifact_uri = 'x'", "attributes.artifact_uri"),
    ):
        with pytest.raises(QuerySyntaxError, match="unknown field|attributes.<name>") as caught:
            store.list_runs(filter=text)
        assert (caught.value.position, caught.value.found) == (0, found)
