"""Runs side by side from Python: ``jx.get_metrics`` (long-form series, batched in the store)
and ``jx.compare_runs`` (rows of params, metrics, tags and packages, a column per run)."""

from __future__ import annotations

import math
import sys

import pandas
import pytest

import jupyterlab_experiments as jx
from jupyterlab_experiments.client.compare import compare_rows, metric_rows
from jupyterlab_experiments.store import RunNotFound, open_store


@pytest.fixture
def three(tracker):
    """Three runs: two metrics each (one with NaN), params that differ in one key, tags."""
    ids = []
    for lr, stage in ((0.1, "prod"), (0.01, "dev"), (0.1, "prod")):
        run = tracker.start_run(f"lr={lr}", tags={"stage": stage})
        tracker.log_params({"lr": lr, "model": "tree"})
        for step in range(5):
            tracker.log_metrics({"loss": 1.0 / (step + 1) + lr, "acc": step / 10}, step=step * 2)
        ids.append(run.id)
    tracker.log_metric("diverged", math.nan)
    tracker.end_run()
    # Each run's environment is captured on a thread of its own (listing installed packages
    # takes a while): wait for all three and write them, or a run read before its environment
    # landed would differ from the others in every package.
    for thread in tracker._environment_threads:
        thread.join()
    tracker.flush()
    return ids


def test_get_metrics_is_long_form_with_every_point(tracker, three):
    frame = tracker.get_metrics(three)
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.columns) == ["run_id", "key", "step", "timestamp", "value"]
    assert len(frame) == 3 * 2 * 5 + 1
    assert str(frame["timestamp"].dtype).startswith("datetime64") and str(frame["timestamp"].dt.tz) == "UTC"
    loss = frame[(frame.run_id == three[1]) & (frame.key == "loss")]
    assert loss.step.tolist() == [0, 2, 4, 6, 8]
    assert loss.value.tolist() == pytest.approx([1.0 / (s + 1) + 0.01 for s in range(5)])
    # In the order of the ids given, then by key.
    assert list(dict.fromkeys(zip(frame.run_id, frame.key))) == [
        (three[0], "acc"),
        (three[0], "loss"),
        (three[1], "acc"),
        (three[1], "loss"),
        (three[2], "acc"),
        (three[2], "diverged"),
        (three[2], "loss"),
    ]
    assert math.isnan(frame[frame.key == "diverged"].value.iloc[0])


def test_get_metrics_picks_keys_downsamples_and_refuses_unknown_runs(tracker, three):
    only = tracker.get_metrics(three[0], keys="loss")
    assert set(only.key) == {"loss"} and set(only.run_id) == {three[0]}
    # A key a run lacks is left out, not an error.
    some = tracker.get_metrics(three, keys=["diverged", "nope"])
    assert some.run_id.tolist() == [three[2]]
    small = tracker.get_metrics(three[0], keys=["loss"], max_points=2)
    assert small.value.tolist() == pytest.approx([1.1, 0.3])  # the bucket's max and min
    assert tracker.get_metrics([]).empty
    with pytest.raises(KeyError):
        tracker.get_metrics([three[0], "no-such-run"])
    with pytest.raises(TypeError):
        tracker.get_metrics([three[0], 3])


def test_compare_runs_lines_the_runs_up_and_says_what_differs(tracker, three):
    frame = tracker.compare_runs(three)
    assert list(frame.columns) == [*three, "differs"]
    assert frame.index.tolist()[:2] == ["params.lr", "params.model"]
    assert frame.loc["params.lr"].tolist() == [0.1, 0.01, 0.1, True]
    assert frame.loc["params.model", "differs"] == False  # noqa: E712 (numpy bool)
    assert frame.loc["tags.stage"].tolist() == ["prod", "dev", "prod", True]
    assert frame.loc["metrics.loss", three[0]] == pytest.approx(0.2 + 0.1)
    assert frame.loc["metrics.diverged", three[0]] is None
    assert math.isnan(frame.loc["metrics.diverged", three[2]])
    assert bool(frame.loc["metrics.diverged", "differs"])
    # What tells runs 0 and 2 apart: nothing but the metric only one of them logged.
    pair = tracker.compare_runs([three[0], three[2]])
    assert pair[pair.differs].index.tolist() == ["metrics.diverged"]
    with pytest.raises(KeyError):
        tracker.compare_runs(["no-such-run"])


def test_without_pandas_both_are_lists_of_dicts(tracker, three, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    rows = tracker.get_metrics(three[1], keys="acc")
    assert rows[0] == {"run_id": three[1], "key": "acc", "step": 0, "timestamp": rows[0]["timestamp"], "value": 0.0}
    assert len(rows) == 5
    table = tracker.compare_runs(three[:2])
    assert table[0] == {"field": "params.lr", three[0]: 0.1, three[1]: 0.01, "differs": True}


def test_compare_rows_orders_kinds_and_treats_nan_as_equal():
    runs = [
        {"id": "a", "params": {"x": 1, "b": True}, "metrics": {"m": {"last": math.nan}}, "tags": {},
         "environment": {"packages": {"numpy": "2.0"}}},
        {"id": "b", "params": {"x": 1.0, "b": 1}, "metrics": {"m": {"last": math.nan}}, "tags": {"t": ""},
         "environment": None},
    ]  # fmt: skip
    rows = {row["field"]: row for row in compare_rows(runs)}
    assert list(rows) == ["params.b", "params.x", "metrics.m", "tags.t", "env.numpy"]
    assert rows["params.x"]["differs"] is False  # 1 and 1.0: the same setting
    assert rows["params.b"]["differs"] is True  # True is not 1
    assert rows["metrics.m"]["differs"] is False  # both diverged
    assert rows["env.numpy"] == {"field": "env.numpy", "a": "2.0", "b": None, "differs": True}
    series = [{"run_id": "a", "key": "k", "steps": [0, 1], "timestamps": [1.0, 2.0], "values": [0.5, math.inf]}]
    assert metric_rows(series)[1] == {"run_id": "a", "key": "k", "step": 1, "timestamp": 2.0, "value": math.inf}


def test_the_store_reads_many_series_in_one_call(tmp_path):
    store = open_store(tmp_path / "s")
    batch = {"metrics": [{"key": "loss", "values": list(range(100))}, {"key": "acc", "values": [0.5]}]}
    ids = store.import_runs([{"name": f"r{i}", "start_time": float(i), "batch": batch} for i in range(3)])
    many = store.get_metric_series_many(ids[::-1], ["loss"], max_points=10)
    assert [(one["run_id"], one["key"], one["count"], len(one["steps"])) for one in many] == [
        (run_id, "loss", 100, 10) for run_id in ids[::-1]
    ]
    assert many[0]["values"] == store.get_metric_series(ids[2], "loss", 10)["values"]
    # Keys bound, not spliced into SQL; a run given twice is read once.
    assert store.get_metric_series_many([ids[0], ids[0]], ["x'); DROP TABLE runs; --"]) == []
    assert [one["key"] for one in store.get_metric_series_many([ids[0], ids[0]])] == ["acc", "loss"]
    # As numpy arrays, for a DataFrame: the same points.
    (arrays,) = store.get_metric_series_many(ids[:1], ["loss"], arrays=True)
    assert arrays["values"].dtype == "float64" and arrays["steps"].dtype == "int64"
    plain = store.get_metric_series_many(ids[:1], ["loss"])[0]
    assert [arrays[c].tolist() for c in ("steps", "values", "timestamps")] == [
        plain[c] for c in ("steps", "values", "timestamps")
    ]
    with pytest.raises(RunNotFound):
        store.get_metric_series_many([ids[0], "nope"])
    with pytest.raises(ValueError, match="max_points"):
        store.get_metric_series_many(ids, max_points=1)
    store.close()


def test_jx_exports_both():
    assert jx.get_metrics.__name__ == "get_metrics" and jx.compare_runs.__name__ == "compare_runs"
    assert {"get_metrics", "compare_runs"} <= set(jx.__all__)
