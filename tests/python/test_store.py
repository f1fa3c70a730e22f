"""The SQLite store: typed params, compact series, summaries, migrations, concurrency."""

from __future__ import annotations

import math
import os
import random
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from array import array
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jupyterlab_experiments.store import ENV_VAR, RunConflict, RunNotFound, SqliteStore, open_store, resolve_store_dir
from jupyterlab_experiments.store import sqlite as sqlite_module
from jupyterlab_experiments.store.migrations import MIGRATIONS, StoreTooNew, migrate, schema_version
from jupyterlab_experiments.store.series import decode_chunk, downsample, downsample_chunks, encode_chunk, merge_summary

NAN, INF = float("nan"), float("inf")
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def store(tmp_path):
    store = open_store(tmp_path / "store")
    yield store
    store.close()


@pytest.fixture
def run_id(store):
    return store.create_run(name="r", kind="script")["id"]


def same(a, b):
    """Equality that treats NaN as equal to NaN."""
    return len(a) == len(b) and all(x == y or (x != x and y != y) for x, y in zip(a, b))


def store_bytes(store_dir: Path) -> int:
    """Size of the store file once the WAL is folded back into it."""
    conn = sqlite3.connect(store_dir / "store.sqlite")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return (store_dir / "store.sqlite").stat().st_size


# -- location ---------------------------------------------------------------


def test_store_dir_env_var_wins_then_configured_then_root(tmp_path, monkeypatch):
    root = tmp_path / "root"
    assert resolve_store_dir(root) == (root / ".experiments").resolve()
    assert resolve_store_dir(root, configured="runs") == (root / "runs").resolve()
    assert resolve_store_dir(root, configured=str(tmp_path / "abs")) == (tmp_path / "abs").resolve()
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "from-env"))
    assert resolve_store_dir(root, configured="runs") == (tmp_path / "from-env").resolve()


def test_script_store_dir_is_the_nearest_experiments_folder(tmp_path, monkeypatch):
    project = tmp_path / "project"
    (project / ".experiments").mkdir(parents=True)
    (project / "src" / "deep").mkdir(parents=True)
    monkeypatch.chdir(project / "src" / "deep")
    assert resolve_store_dir() == (project / ".experiments").resolve()
    monkeypatch.chdir(tmp_path)
    assert resolve_store_dir() == (tmp_path / ".experiments").resolve()


def test_open_store_creates_the_folder(tmp_path):
    store = open_store(tmp_path / "a" / "b")
    try:
        assert (tmp_path / "a" / "b" / "store.sqlite").exists()
        assert isinstance(store, SqliteStore)
        assert store._conn().execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        store.close()


# -- runs -------------------------------------------------------------------


def test_create_run_returns_a_running_summary(store):
    run = store.create_run(
        name="n",
        kind="notebook",
        notebook_path="a.ipynb",
        notebook_id="nb",
        kernel_id="k",
        kernel_name="python3",
        user="ada",
        pid=42,
        tags={"team": "x", "bare": None},
    )
    assert len(run["id"]) == 32 and int(run["id"], 16) >= 0
    assert run["status"] == "running" and run["end_time"] is None
    assert (run["name"], run["user"], run["pid"], run["kernel_id"]) == ("n", "ada", 42, "k")
    assert run["tags"] == {"team": "x", "bare": ""}
    assert run["params"] == {} and run["metrics"] == {} and run["notes"] == ""
    with pytest.raises(ValueError, match="kind"):
        store.create_run(kind="cron")
    with pytest.raises(ValueError, match="already exists with kind"):
        store.create_run(run_id=run["id"], kind="script")


def test_creating_a_run_twice_completes_it(store):
    """The kernel may create the run before the frontend's request arrives."""
    first = store.create_run(run_id="r1", notebook_id="nb", pid=7)
    again = store.create_run(run_id="r1", kernel_id="k1", kernel_name="python3", notebook_id="other", user="ann")
    assert again["id"] == "r1"
    assert (again["kernel_id"], again["kernel_name"], again["user"]) == ("k1", "python3", "ann")
    assert again["notebook_id"] == "nb" and again["pid"] == 7  # what was set stays
    assert again["start_time"] == first["start_time"]
    assert store.list_runs()[1] == 1


def test_list_runs_newest_first_with_filters_and_total(store):
    ids = [store.create_run(notebook_id="a" if i % 2 else "b")["id"] for i in range(7)]
    store.end_run(ids[2], "failed")
    runs, total = store.list_runs(limit=3, offset=2)
    assert total == 7
    assert [r["id"] for r in runs] == [ids[4], ids[3], ids[2]]
    runs, total = store.list_runs(notebook_id="a")
    assert total == 3 and [r["id"] for r in runs] == [ids[5], ids[3], ids[1]]
    runs, total = store.list_runs(status="failed")
    assert (total, [r["id"] for r in runs]) == (1, [ids[2]])


def test_list_runs_never_reads_metric_series(store, run_id):
    store.log_batch(run_id, {"metrics": [{"key": "loss", "values": [1.0, 0.5]}], "params": [{"key": "lr", "value": 1}]})
    statements = []
    conn = store._conn()
    conn.set_trace_callback(statements.append)
    try:
        runs, _ = store.list_runs()
    finally:
        conn.set_trace_callback(None)
    assert runs[0]["metrics"]["loss"]["last"] == 0.5
    assert runs[0]["params"] == {"lr": 1}
    assert statements and not [s for s in statements if "metric_chunks" in s]


def test_update_and_end_run(store, run_id):
    summary = store.update_run(run_id, name="renamed", notes="why", set_tags={"a": "1", "b": "2"}, pid=7)
    assert (summary["name"], summary["notes"], summary["pid"], summary["tags"]) == (
        "renamed",
        "why",
        7,
        {"a": "1", "b": "2"},
    )
    summary = store.update_run(run_id, remove_tags=["a"])
    assert summary["tags"] == {"b": "2"} and summary["name"] == "renamed"

    store.end_run(run_id, "failed", end_time=123.0)
    store.end_run(run_id, "failed", end_time=999.0)  # same status again: a no-op
    run = store.get_run(run_id)
    assert (run["status"], run["end_time"]) == ("failed", 123.0)
    with pytest.raises(ValueError, match="status"):
        store.end_run(run_id, "running")


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.get_run("missing"),
        lambda s: s.end_run("missing"),
        lambda s: s.update_run("missing", name="x"),
        lambda s: s.log_batch("missing", {"tags": {"a": "b"}}),
        lambda s: s.get_metric_series("missing", "loss"),
        lambda s: s.get_image("missing", "1"),
    ],
)
def test_unknown_run_raises_run_not_found(store, call):
    with pytest.raises(RunNotFound):
        call(store)


def test_interrupt_orphans_marks_only_dead_running_runs(store):
    alive = store.create_run(kernel_id="alive")["id"]
    dead = store.create_run(kernel_id="dead")["id"]
    finished = store.create_run(kernel_id="dead")["id"]
    store.end_run(finished)
    seen = []

    def is_alive(run):
        seen.append(run["id"])
        return run["kernel_id"] == "alive"

    assert store.interrupt_orphans(is_alive) == [dead]
    assert sorted(seen) == sorted([alive, dead])  # ended runs are not even asked about
    statuses = {r["id"]: r["status"] for r in store.list_runs()[0]}
    assert statuses == {alive: "running", dead: "interrupted", finished: "finished"}
    assert store.get_run(dead)["end_time"] is not None
    assert store.interrupt_orphans(is_alive) == []


# -- params -----------------------------------------------------------------


def test_params_keep_their_types_and_last_write_wins(store, run_id):
    values = {
        "lr": 0.001,
        "epochs": 10,
        "big": 10**30,
        "huge": 10**400,
        "flag": True,
        "off": False,
        "none": None,
        "name": "resnet",
        "layers": [64, 128],
        "opt": {"beta": [0.9, 0.99]},
        "numeric_text": "3",
    }
    store.log_batch(run_id, {"params": [{"key": k, "value": v, "cell_id": "c1"} for k, v in values.items()]})
    store.log_batch(run_id, {"params": [{"key": "lr", "value": 0.01, "cell_id": "c2", "checkpoint": "abc"}]})
    run = store.get_run(run_id)
    assert run["params"] == {**values, "lr": 0.01}
    assert type(run["params"]["epochs"]) is int and type(run["params"]["flag"]) is bool
    assert run["param_cells"]["lr"] == {"cell_id": "c2", "checkpoint": "abc"}
    assert run["param_cells"]["epochs"] == {"cell_id": "c1", "checkpoint": None}

    # Numbers also get a REAL column so queries compare them as numbers; bools and text do not.
    numbers = dict(store._conn().execute("SELECT key, num FROM params"))
    assert numbers["lr"] == 0.01 and numbers["epochs"] == 10.0 and numbers["big"] == 1e30
    assert numbers["flag"] is None and numbers["numeric_text"] is None and numbers["huge"] is None


# -- metrics ----------------------------------------------------------------


def test_summary_keeps_nan_and_inf_and_min_max_ignore_nan(store, run_id):
    store.log_batch(
        run_id,
        {
            "metrics": [
                {"key": "m", "values": [1.0, NAN, INF, -INF, 0.5, NAN], "steps": [0, 1, 2, 3, 4, 5], "cell_id": "c"}
            ]
        },
    )
    summary = store.list_runs()[0][0]["metrics"]["m"]
    assert math.isnan(summary["last"]) and summary["last_step"] == 5
    assert (summary["min"], summary["min_step"], summary["max"], summary["max_step"]) == (-INF, 3, INF, 2)
    assert (summary["count"], summary["cell_id"]) == (6, "c")

    store.log_batch(run_id, {"metrics": [{"key": "only_nan", "values": [NAN, NAN]}]})
    summary = store.get_run(run_id)["metrics"]["only_nan"]
    assert (summary["min"], summary["max"], summary["count"]) == (None, None, 2)
    assert math.isnan(summary["last"])

    series = store.get_metric_series(run_id, "m")
    assert same(series["values"], [1.0, NAN, INF, -INF, 0.5, NAN])


def test_summaries_built_incrementally_match_one_batch(store, run_id):
    rng = random.Random(3)
    values = [rng.choice([NAN, rng.uniform(-5, 5)]) for _ in range(500)]
    steps = list(range(500))
    for start in range(0, 500, 37):
        store.log_batch(
            run_id,
            {
                "metrics": [
                    {
                        "key": "m",
                        "values": values[start : start + 37],
                        "steps": steps[start : start + 37],
                        "cell_id": f"c{start}",
                    }
                ]
            },
        )
    expected = merge_summary(None, steps, values, "c481")
    actual = store.get_run(run_id)["metrics"]["m"]
    assert {k: v for k, v in actual.items() if k != "last"} == {k: v for k, v in expected.items() if k != "last"}
    assert same([actual["last"]], [expected["last"]])


def test_missing_steps_continue_from_the_last_step_of_the_key(store, run_id):
    store.log_batch(run_id, {"metrics": [{"key": "a", "values": [1.0, 2.0]}]})
    store.log_batch(run_id, {"metrics": [{"key": "a", "values": [3.0, 4.0, 5.0], "steps": [10, None, None]}]})
    store.log_batch(run_id, {"metrics": [{"key": "a", "values": [6.0], "steps": None}, {"key": "b", "values": [7.0]}]})
    assert store.get_metric_series(run_id, "a")["steps"] == [0, 1, 10, 11, 12, 13]
    assert store.get_metric_series(run_id, "b")["steps"] == [0]


def test_series_round_trip_in_logging_order_with_timestamps(store, run_id):
    rng = random.Random(1)
    now = time.time()
    expected_values, expected_steps, expected_times = [], [], []
    for flush in range(30):
        cell = f"cell-{flush // 10}"
        values = [rng.gauss(0, 1) for _ in range(rng.randint(1, 50))]
        steps = [len(expected_steps) + i for i in range(len(values))]
        times = [now + len(expected_times) + i + 0.123456 for i in range(len(values))]
        store.log_batch(
            run_id,
            {"metrics": [{"key": "loss", "values": values, "steps": steps, "timestamps": times, "cell_id": cell}]},
        )
        expected_values += values
        expected_steps += steps
        expected_times += times
    series = store.get_metric_series(run_id, "loss")
    assert series["values"] == expected_values
    assert series["steps"] == expected_steps
    assert max(abs(a - b) for a, b in zip(series["timestamps"], expected_times)) < 2e-6
    assert series["count"] == len(expected_values)
    # Small flushes of one cell share a chunk; a new cell starts a new one.
    chunks = store._conn().execute("SELECT cell_id, count FROM metric_chunks ORDER BY id").fetchall()
    assert [cell for cell, _ in chunks] == ["cell-0", "cell-1", "cell-2"]
    assert sum(count for _, count in chunks) == len(expected_values)


def test_unknown_metric_key_raises_key_error(store, run_id):
    with pytest.raises(KeyError, match="no metric 'nope'"):
        store.get_metric_series(run_id, "nope")


def test_downsampling_keeps_spikes_and_dips(store, run_id):
    n = 100_000
    rng = random.Random(7)
    values = [rng.uniform(-1, 1) for _ in range(n)]
    values[54_321], values[12_345], values[99_998] = 1e6, -1e6, NAN
    store.log_batch(run_id, {"metrics": [{"key": "m", "values": values}]})
    series = store.get_metric_series(run_id, "m", max_points=200)
    assert len(series["values"]) <= 200 and series["count"] == n
    assert 1e6 in series["values"] and series["steps"][series["values"].index(1e6)] == 54_321
    assert -1e6 in series["values"] and series["steps"][series["values"].index(-1e6)] == 12_345
    assert series["steps"] == sorted(series["steps"])
    assert not any(v != v for v in series["values"])  # a NaN never beats a number in its bucket


def test_downsample_is_exact_when_it_fits_and_keeps_all_nan_buckets():
    steps, values, times = [0, 1, 2, 3, 4, 5], [NAN, NAN, NAN, 1.0, 3.0, 2.0], [0.0] * 6
    assert downsample(steps, values, times, 6) == (steps, values, times)
    kept_steps, kept_values, _ = downsample(steps, values, times, 4)  # buckets [0, 3) and [3, 6)
    assert kept_steps == [0, 3, 4] and math.isnan(kept_values[0]) and kept_values[1:] == [1.0, 3.0]
    kept_steps, kept_values, _ = downsample(list(range(10)), [5, 1, 9, 3, 3, 0, 8, 2, 2, 7], [0.0] * 10, 4)
    assert (kept_steps, kept_values) == ([1, 2, 5, 6], [1, 9, 0, 8])


def test_chunk_codec_round_trips_exotic_values():
    values = [0.0, -0.0, NAN, INF, -INF, 5e-324, 1.7976931348623157e308, -1.5]
    steps = [5, 3, -2, 2**62, -(2**62), 0, 7, 7]
    times = [1.5e9 + i * 1e-6 for i in range(len(values))]
    decoded_steps, decoded_values, decoded_times = decode_chunk(encode_chunk(steps, values, times))
    assert decoded_steps == steps
    assert [repr(v) for v in decoded_values] == [repr(v) for v in values]
    assert max(abs(a - b) for a, b in zip(decoded_times, times)) < 1e-6


@pytest.mark.parametrize("flushes", [1, 200])
def test_series_costs_at_most_24_bytes_per_point(tmp_path, flushes):
    n = 100_000
    store_dir = tmp_path / "compact"
    store = open_store(store_dir)
    run_id = store.create_run()["id"]
    before = store_bytes(store_dir)
    rng = random.Random(0)
    per_flush = n // flushes
    for f in range(flushes):
        store.log_batch(
            run_id,
            {
                "metrics": [
                    {
                        "key": "loss",
                        "steps": list(range(f * per_flush, (f + 1) * per_flush)),
                        "values": [rng.random() for _ in range(per_flush)],
                        "timestamps": [time.time() for _ in range(per_flush)],
                    }
                ]
            },
        )
    store.close()
    per_point = (store_bytes(store_dir) - before) / n
    assert per_point <= 24, f"{per_point:.1f} bytes per point"


# -- images, data, environment, executions ----------------------------------------


def test_images_are_content_addressed_with_their_size(store, run_id, make_png):
    png = make_png(7, 5)
    store.log_batch(
        run_id,
        {
            "images": [
                {"key": "fig", "png": png, "step": 1, "cell_id": "c", "checkpoint": "k"},
                {"key": "fig", "png": png, "step": 2},
            ]
        },
    )
    images = store.get_run(run_id)["images"]
    assert [(i["key"], i["step"], i["width"], i["height"]) for i in images] == [("fig", 1, 7, 5), ("fig", 2, 7, 5)]
    assert (images[0]["cell_id"], images[0]["checkpoint"]) == ("c", "k")
    assert images[0]["sha256"] == images[1]["sha256"] and images[0]["id"] != images[1]["id"]
    files = list((store.store_dir / "images").rglob("*.png"))
    assert files == [store.store_dir / "images" / images[0]["sha256"][:2] / f"{images[0]['sha256']}.png"]
    assert store.get_image(run_id, images[1]["id"]) == png
    with pytest.raises(KeyError):
        store.get_image(run_id, "12345")
    other = store.create_run()["id"]
    with pytest.raises(KeyError):
        store.get_image(other, images[0]["id"])  # an image id belongs to its run
    with pytest.raises(ValueError, match="not a PNG"):
        store.log_batch(run_id, {"images": [{"key": "fig", "png": b"GIF89a" + bytes(30)}]})


def test_data_environment_and_executions(store, run_id):
    store.log_batch(
        run_id,
        {
            "data": [
                {"path": "train.csv", "sha256": "ab" * 32, "size": 10, "file_count": 1, "cell_id": "c1"},
                {"path": "images/", "sha256": "cd" * 32, "size": 99, "file_count": 3, "manifest": {"a.png": "x"}},
            ],
            "environment": {"python": "3.11", "packages": {"numpy": "2.0"}},
            "executions": [
                {"cell_id": "c1", "execution_count": 1, "started": 1.0, "duration": 0.5, "status": "ok"},
                {"cell_id": "c2", "execution_count": 2, "status": "error", "error_name": "ValueError"},
            ],
        },
    )
    store.log_batch(
        run_id,
        {"environment": {"python": "3.12"}, "executions": [{"cell_id": "c1", "execution_count": 3, "status": "ok"}]},
    )
    run = store.get_run(run_id)
    assert run["environment"] == {"python": "3.12"}
    assert [(e["cell_id"], e["execution_count"]) for e in run["executions"]] == [("c1", 1), ("c2", 2), ("c1", 3)]
    assert run["executions"][1]["error_name"] == "ValueError"
    assert [d["path"] for d in run["data"]] == ["train.csv", "images/"]
    assert run["data"][1]["manifest"] == {"a.png": "x"} and run["data"][0]["cell_id"] == "c1"


def test_a_failing_batch_writes_nothing(store, run_id):
    with pytest.raises(ValueError):
        store.log_batch(
            run_id,
            {"params": [{"key": "p", "value": 1}], "metrics": [{"key": "m", "values": [1.0, 2.0], "steps": [1]}]},
        )
    run = store.get_run(run_id)
    assert run["params"] == {} and run["metrics"] == {}


# -- validations ------------------------------------------------------------------

_CELLS = [
    {
        "index": 2,
        "code_index": 1,
        "cell_id": "b",
        "source_head": "d['x']",
        "status": "failed",
        "duration_ms": 4.5,
        "execution_count": 2,
        "error": {"ename": "KeyError", "evalue": "'x'", "traceback": ["\x1b[31mKeyError\x1b[0m"]},
        "reason": "raised KeyError",
        "rules": [],
        "role": "root-cause",
        "cause_index": None,
        "differences": [],
        "outputs": [{"output_type": "error", "ename": "KeyError"}],
        "saved_outputs": [],
    },
    {
        "index": 0,
        "code_index": 0,
        "cell_id": "a",
        "source_head": "import os",
        "status": "output-changed",
        "duration_ms": 1.0,
        "execution_count": 1,
        "error": None,
        "reason": "text differs",
        "rules": ["ansi"],
        "role": None,
        "cause_index": None,
        "differences": [{"kind": "changed", "saved": NAN}],
        "outputs": [{"output_type": "stream", "text": "b"}],
        "saved_outputs": [{"output_type": "stream", "text": "a"}],
    },
]


def test_a_validation_survives_closing_and_reopening_the_store(tmp_path):
    store = open_store(tmp_path / "store")
    created = store.create_validation(
        run_id="v",
        notebook_path="sub/nb.ipynb",
        notebook_id="nb",
        checkpoint="a" * 40,
        kernel_name="python3",
        kernel_id="k",
        user="ada",
        settings={"stopOnError": True},
        static_findings=[{"kind": "x"}],
        cell_count=2,
    )
    assert created["status"] == "running" and created["verdict"] is None and "cells" not in created
    assert store.record_validation_cells("v", _CELLS) == 2
    ended = store.finish_validation("v", "failed", 12.0, "stopped at cell 3")
    store.close()

    reopened = open_store(tmp_path / "store")
    try:
        validation = reopened.get_validation("v")
        run = reopened.get_run("v")
    finally:
        reopened.close()
    cells = validation.pop("cells")
    assert validation == ended
    assert {key: validation[key] for key in ("notebook_path", "checkpoint", "kernel_id", "settings", "failed_at")} == {
        "notebook_path": "sub/nb.ipynb",
        "checkpoint": "a" * 40,
        "kernel_id": "k",
        "settings": {"stopOnError": True},
        "failed_at": 2,
    }
    assert (validation["verdict"], validation["duration_ms"], validation["message"]) == (
        "failed",
        12.0,
        "stopped at cell 3",
    )
    assert [c["index"] for c in cells] == [0, 2]
    assert cells[1] == _CELLS[0]
    (difference,) = cells[0].pop("differences")  # NaN is not equal to itself
    assert same(list(difference.values()), ["changed", NAN])
    assert cells[0] == {key: value for key, value in _CELLS[1].items() if key != "differences"}
    assert (run["kind"], run["name"], run["user"], run["status"]) == (
        "validation",
        "validate nb.ipynb",
        "ada",
        "failed",
    )


def test_a_cell_sent_again_replaces_what_was_recorded(store):
    store.create_validation(run_id="v", notebook_path="nb.ipynb")
    store.record_validation_cells("v", [{**_CELLS[0], "status": "running", "error": None}])
    store.record_validation_cells("v", [{"index": 2, "code_index": 1, "status": "passed"}])
    (cell,) = store.get_validation("v")["cells"]
    assert (cell["status"], cell["error"], cell["outputs"], cell["cell_id"], cell["source_head"]) == (
        "passed",
        None,
        [],
        None,
        "",
    )


def test_only_a_running_validation_takes_writes(store, run_id):
    store.create_validation(run_id="v", notebook_path="nb.ipynb")
    with pytest.raises(RunConflict, match="already exists"):
        store.create_validation(run_id="v", notebook_path="other.ipynb")
    with pytest.raises(RunConflict, match="is not a validation"):
        store.record_validation_cells(run_id, _CELLS)
    with pytest.raises(KeyError, match="is not a validation"):
        store.get_validation(run_id)
    with pytest.raises(ValueError, match="verdict must be one of"):
        store.finish_validation("v", "finished")
    store.finish_validation("v", "cancelled")
    assert store.get_run("v")["status"] == "interrupted"
    with pytest.raises(RunConflict, match="has ended"):
        store.finish_validation("v", "passed")
    with pytest.raises(RunNotFound):
        store.record_validation_cells("nope", [])


def test_validations_list_newest_first_by_notebook(store, run_id):
    for i, (notebook_id, path) in enumerate([("n1", "a.ipynb"), ("n1", "b.ipynb"), ("n2", "a.ipynb")]):
        store.create_validation(run_id=f"v{i}", notebook_id=notebook_id, notebook_path=path)
    assert [v["run_id"] for v in store.list_validations(notebook_id="n1")] == ["v1", "v0"]
    assert [v["run_id"] for v in store.list_validations(notebook_path="a.ipynb")] == ["v2", "v0"]
    assert [v["run_id"] for v in store.list_validations(notebook_id="n1", notebook_path="a.ipynb")] == ["v0"]
    assert [v["run_id"] for v in store.list_validations(limit=2)] == ["v2", "v1"]  # never the plain run


# -- migrations -------------------------------------------------------------------


def test_an_empty_file_is_migrated_from_version_0(tmp_path):
    store_dir = tmp_path / "old"
    store_dir.mkdir()
    sqlite3.connect(store_dir / "store.sqlite").close()
    store = open_store(store_dir)
    try:
        assert schema_version(store._conn()) == len(MIGRATIONS)
        assert store.create_run()["status"] == "running"
    finally:
        store.close()


def test_a_store_of_the_previous_version_gains_validations_and_keeps_its_runs(tmp_path):
    store_dir = tmp_path / "v2"
    store_dir.mkdir()
    conn = sqlite3.connect(store_dir / "store.sqlite", isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    assert migrate(conn, MIGRATIONS[:2]) == 2
    conn.execute(
        "INSERT INTO runs (uuid, kind, status, start_time, updated) VALUES ('old', 'notebook', 'finished', 1, 1)"
    )
    conn.execute("COMMIT")
    conn.close()
    store = open_store(store_dir)
    try:
        assert schema_version(store._conn()) == len(MIGRATIONS)
        old = store.get_run("old")
        assert (old["status"], old["starred"], old["archived"], old["deleted"]) == ("finished", False, False, None)
        store.create_validation(run_id="v", notebook_path="nb.ipynb")
        assert store.record_validation_cells("v", _CELLS) == 2
    finally:
        store.close()


def test_migrations_apply_only_the_missing_steps_in_order(tmp_path):
    conn = sqlite3.connect(tmp_path / "s.sqlite", isolation_level=None)
    applied = []
    steps = (
        "CREATE TABLE a (x INTEGER);",
        lambda c: applied.append(2) or c.execute("INSERT INTO a VALUES (2)"),
        "ALTER TABLE a ADD COLUMN y TEXT DEFAULT 'three';\nCREATE INDEX a_x ON a (x);",
    )
    conn.execute("BEGIN IMMEDIATE")
    assert migrate(conn, steps[:2]) == 2
    conn.execute("COMMIT")
    conn.execute("INSERT INTO a (x) VALUES (1)")
    conn.execute("BEGIN IMMEDIATE")
    assert migrate(conn, steps) == 3
    conn.execute("COMMIT")
    assert applied == [2]
    assert conn.execute("SELECT x, y FROM a ORDER BY x").fetchall() == [(1, "three"), (2, "three")]
    assert schema_version(conn) == 3
    with pytest.raises(StoreTooNew):
        migrate(conn, steps[:1])


def test_a_store_from_a_newer_release_is_refused(tmp_path):
    store_dir = tmp_path / "newer"
    store_dir.mkdir()
    conn = sqlite3.connect(store_dir / "store.sqlite")
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(StoreTooNew):
        open_store(store_dir)


# -- concurrency ------------------------------------------------------------------

_WRITER = textwrap.dedent(
    """
    import sys
    import time
    from jupyterlab_experiments.store import open_store, sqlite

    # A busy timeout this short makes the store's own retry loop do the waiting.
    sqlite.BUSY_TIMEOUT_S = 0.001
    store_dir, run_id, name, batches, points, start = sys.argv[1:7]
    store = open_store(store_dir)
    time.sleep(max(0.0, float(start) - time.time()))
    for b in range(int(batches)):
        store.log_batch(run_id, {
            "metrics": [{"key": name, "values": [float(b)] * int(points)},
                        {"key": "shared", "values": [1.0] * int(points)}],
            "params": [{"key": name, "value": b}],
            "tags": {name: str(b)},
        })
    store.close()
    """
)


def test_concurrent_writers_lose_nothing(tmp_path, monkeypatch):
    """Two processes and two threads append to one run at once; every point arrives."""
    monkeypatch.setattr(sqlite_module, "BUSY_TIMEOUT_S", 0.001)
    store_dir = tmp_path / "shared"
    store = open_store(store_dir)
    run_id = store.create_run()["id"]
    batches, points = 150, 20
    start = time.time() + 1.5  # every writer starts at once, once the processes have imported
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(store_dir), run_id, name, str(batches), str(points), str(start)],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("proc0", "proc1")
    ]
    errors = []

    def write(name):
        time.sleep(max(0.0, start - time.time()))
        try:
            for b in range(batches):
                store.log_batch(
                    run_id,
                    {
                        "metrics": [
                            {"key": name, "values": [float(b)] * points},
                            {"key": "shared", "values": [1.0] * points},
                        ],
                        "params": [{"key": name, "value": b}],
                        "tags": {name: str(b)},
                    },
                )
        except Exception as error:  # surfaced below: a thread's exception would vanish
            errors.append(error)

    threads = [threading.Thread(target=write, args=(name,)) for name in ("thread0", "thread1")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for process in processes:
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
    assert errors == []

    run = store.get_run(run_id)
    writers = ("proc0", "proc1", "thread0", "thread1")
    assert run["metrics"]["shared"]["count"] == 4 * batches * points
    shared = store.get_metric_series(run_id, "shared")
    assert shared["steps"] == list(range(4 * batches * points))  # automatic steps never collide
    for name in writers:
        assert run["metrics"][name]["count"] == batches * points
        assert run["params"][name] == batches - 1 and run["tags"][name] == str(batches - 1)
    store.close()


def test_a_forked_child_uses_its_own_connection(store, run_id):
    if not hasattr(os, "fork"):
        pytest.skip("no fork on this platform")
    store.log_batch(run_id, {"tags": {"parent": "1"}})
    pid = os.fork()
    if pid == 0:  # the child: exit without running pytest's teardown
        try:
            store.log_batch(run_id, {"tags": {"child": "1"}})
            os._exit(0)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    store.log_batch(run_id, {"tags": {"after": "1"}})
    assert store.get_run(run_id)["tags"] == {"parent": "1", "child": "1", "after": "1"}


# -- bulk import --------------------------------------------------------------


def test_import_runs_writes_complete_runs_read_like_logged_ones(store):
    def runs():
        for i in range(3):
            yield {
                "id": f"imported-{i}",
                "name": f"run {i}",
                "status": "failed" if i == 1 else "finished",
                "notebook_id": "nb",
                "start_time": 1000.0 + i,
                "end_time": 1010.0 + i,
                "tags": {"team": "vision"},
                "batch": {
                    "params": [{"key": "lr", "value": 0.1 * (i + 1)}, {"key": "opt", "value": "adam"}],
                    "metrics": [
                        {"key": "loss", "values": [3.0, 2.0, float(i)], "timestamps": [1001.0, 1002.0, 1003.0]}
                    ],
                },
            }

    assert store.import_runs(runs()) == ["imported-0", "imported-1", "imported-2"]
    listed, total = store.list_runs(notebook_id="nb")
    assert total == 3
    assert [run["id"] for run in listed] == ["imported-2", "imported-1", "imported-0"]  # by start time
    newest = listed[0]
    assert (newest["status"], newest["start_time"], newest["end_time"], newest["updated"]) == (
        "finished",
        1002.0,
        1012.0,
        1012.0,
    )
    assert newest["params"] == {"lr": pytest.approx(0.3), "opt": "adam"}
    assert newest["tags"] == {"team": "vision"}
    assert newest["metrics"]["loss"]["count"] == 3 and newest["metrics"]["loss"]["min"] == 2.0
    series = store.get_metric_series("imported-1", "loss")
    assert (series["steps"], series["values"], series["timestamps"]) == (
        [0, 1, 2],
        [3.0, 2.0, 1.0],
        [1001.0, 1002.0, 1003.0],
    )


def test_import_runs_writes_nothing_when_an_id_is_taken(store, run_id):
    with pytest.raises(ValueError, match="already exists"):
        store.import_runs([{"id": "fresh", "start_time": 1.0}, {"id": run_id, "start_time": 2.0}])
    assert store.list_runs()[1] == 1


# -- downsampling one chunk at a time -------------------------------------------


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(
    values=st.lists(st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([0.0, 1.0, -1.0]), max_size=60),
    cuts=st.lists(st.integers(min_value=0, max_value=60), max_size=6),
    max_points=st.integers(min_value=2, max_value=70),
)
def test_downsampling_chunk_by_chunk_keeps_what_downsampling_the_whole_series_keeps(values, cuts, max_points):
    steps = list(range(10, 10 + len(values)))
    stamps = [1000.0 + i for i in range(len(values))]
    bounds = sorted({0, len(values), *(cut for cut in cuts if cut <= len(values))})
    chunks = [(steps[a:b], array("d", values[a:b]), stamps[a:b]) for a, b in zip(bounds, bounds[1:])]
    whole = downsample(steps, array("d", values), stamps, max_points)
    assert same_points(downsample_chunks(iter(chunks), len(values), max_points), whole)


def same_points(a, b) -> bool:
    return a[0] == b[0] and same(a[1], b[1]) and a[2] == b[2]


def test_a_long_series_is_read_one_chunk_at_a_time(store, run_id, monkeypatch):
    monkeypatch.setattr(sqlite_module, "MAX_CHUNK_POINTS", 100)
    values = [float((i * 7919) % 1000) for i in range(1050)]
    values[333] = NAN
    store.log_batch(run_id, {"metrics": [{"key": "m", "values": values}]})
    series = store.get_metric_series(run_id, "m", 40)
    expected = downsample(list(range(1050)), array("d", values), series_timestamps(store, run_id), 40)
    assert series["count"] == 1050
    assert same_points((series["steps"], series["values"], series["timestamps"]), expected)


def series_timestamps(store, run_id) -> list:
    return store.get_metric_series(run_id, "m")["timestamps"]
