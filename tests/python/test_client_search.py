"""search_runs' filter, ordering and table, evaluated over run summaries in Python."""

from __future__ import annotations

import math

import pytest
from conftest import require

from jupyterlab_experiments.client.search import (
    filter_runs,
    order_runs,
    parse_filter,
    run_rows,
    to_frame,
)


def summary(
    run_id,
    status="finished",
    params=None,
    metrics=None,
    tags=None,
    start_time=0.0,
    name=None,
):
    return {
        "id": run_id,
        "name": name,
        "kind": "script",
        "status": status,
        "notebook_path": None,
        "start_time": start_time,
        "end_time": None,
        "tags": tags or {},
        "params": params or {},
        "metrics": {key: {"last": value} for key, value in (metrics or {}).items()},
    }


RUNS = [
    summary(
        "a",
        params={"lr": 0.1, "objective": "binary"},
        metrics={"loss": 0.5},
        tags={"stage": "prod"},
        start_time=3,
    ),
    summary(
        "b",
        params={"lr": 0.01, "objective": "regression"},
        metrics={"loss": 0.2},
        tags={"epochs": "10"},
        start_time=2,
    ),
    summary(
        "c",
        status="failed",
        params={"lr": "0.1"},
        metrics={"loss": math.nan},
        start_time=1,
    ),
    summary("d", status="running", start_time=4, name="baseline"),
]


def ids(runs):
    return [run["id"] for run in runs]


@pytest.mark.parametrize(
    ("filter_string", "expected"),
    [
        (None, ["a", "b", "c", "d"]),
        ("", ["a", "b", "c", "d"]),
        (
            "params.lr > 0.05",
            ["a", "c"],
        ),  # a string param that reads as a number compares as one
        ("params.lr = 0.01", ["b"]),
        ("params.lr <= '0.01'", ["b"]),  # a quoted number against a numeric param
        ("params.objective = 'binary'", ["a"]),
        (
            "params.objective != 'binary'",
            ["b"],
        ),  # a run without the param does not match
        ("metrics.loss < 0.3", ["b"]),  # NaN compares false
        ("metrics.loss >= 0.2 and params.lr > 0.05", ["a"]),
        ("tags.stage = 'prod'", ["a"]),
        ("tags.epochs > 5", ["b"]),
        ('status = "failed"', ["c"]),
        ("status != 'failed' AND metrics.loss > 0", ["a", "b"]),
        ("name = 'baseline'", ["d"]),
        ("run_id = 'b'", ["b"]),
        ("params.`lr` > 0.05 AND params.\"objective\" = 'binary'", ["a"]),
        ("metric.loss > 0.4", ["a"]),  # singular prefixes are accepted, as MLflow does
        ("params.lr>0.05", ["a", "c"]),
    ],
)
def test_filter(filter_string, expected):
    assert ids(filter_runs(RUNS, filter_string)) == expected


@pytest.mark.parametrize(
    ("filter_string", "message"),
    [
        ("params.lr >", "cannot read the filter at character 0"),
        ("params.lr > 0.1 AND", "ends with AND"),
        (
            "params.lr > 0.1 OR params.lr < 0.01",
            "cannot read the filter at character 0",
        ),
        ("color = 'red'", "unknown run attribute 'color'"),
        ("params.lr ~ 1", "cannot read"),
    ],
)
def test_filter_errors_say_what_is_wrong(filter_string, message):
    with pytest.raises(ValueError, match=message):
        parse_filter(filter_string)


def test_string_values_unescape_quotes():
    (clause,) = parse_filter(r"tags.note = 'it\'s'")
    assert clause.value == "it's"


def test_numbers_keep_int_or_float():
    values = [clause.value for clause in parse_filter("params.a = 3 AND params.b = 3.0 AND params.c = -1e-3")]
    assert values == [3, 3.0, -0.001]
    assert [type(value) for value in values] == [int, float, float]


def test_order_by_metric_puts_missing_and_nan_last():
    assert ids(order_runs(RUNS, "metrics.loss ASC")) == ["b", "a", "c", "d"]
    assert ids(order_runs(RUNS, ["metrics.loss DESC"])) == ["a", "b", "c", "d"]


def test_order_by_several_terms_and_attributes():
    assert ids(order_runs(RUNS, ["status", "start_time DESC"])) == ["c", "a", "b", "d"]
    assert ids(order_runs(RUNS, None)) == ["a", "b", "c", "d"]
    with pytest.raises(ValueError, match="order_by term"):
        order_runs(RUNS, "metrics.loss sideways")


def test_rows_flatten_params_metrics_and_tags():
    (row,) = run_rows([RUNS[0]])
    assert row == {
        "run_id": "a",
        "name": None,
        "status": "finished",
        "start_time": 3,
        "end_time": None,
        "params.lr": 0.1,
        "params.objective": "binary",
        "metrics.loss": 0.5,
        "tags.stage": "prod",
    }


def test_frame_has_the_documented_columns():
    pandas = require("pandas")
    frame = to_frame(run_rows(RUNS))
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.columns[:5]) == [
        "run_id",
        "name",
        "status",
        "start_time",
        "end_time",
    ]
    assert "params.lr" in frame.columns and "metrics.loss" in frame.columns and "tags.stage" in frame.columns
    assert str(frame["start_time"].dt.tz) == "UTC"
