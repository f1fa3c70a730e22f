"""The tracker in this process, writing to a real SQLite store."""

from __future__ import annotations

import base64
import json
import math
import sys
from types import SimpleNamespace

import pytest
from conftest import require, tracker_store_dir
from kernel_helpers import tiny_png, wait_for

from jupyterlab_experiments.client.data import DigestCache, describe_data
from jupyterlab_experiments.client.relay import MIME_TYPE, RelaySink, encode_batch
from jupyterlab_experiments.store import open_store


@pytest.fixture
def store_dir(tmp_path, monkeypatch):
    """The store the ``tracker`` fixture (conftest) writes to."""
    path = tracker_store_dir(tmp_path)
    monkeypatch.setenv("JUPYTERLAB_EXPERIMENTS_DIR", str(path))
    return path


@pytest.fixture
def reader(store_dir):
    """A second connection to the store, as the server would have."""
    store_dir.mkdir(parents=True, exist_ok=True)
    store = open_store(store_dir)
    yield store
    store.close()


def series(store, run_id, key):
    return store.get_metric_series(run_id, key)


def test_first_call_starts_a_script_run_in_the_resolved_store(tracker, store_dir, reader):
    assert tracker.active_run() is None
    tracker.log_metric("loss", 0.5)
    run = tracker.active_run()
    assert (run.kind, run.store_dir) == ("script", str(store_dir))
    tracker.flush()
    summary = reader.get_run(run.id)
    assert summary["status"] == "running" and summary["kind"] == "script"
    assert summary["pid"] is not None and summary["host"]


def test_nan_and_infinity_round_trip_through_the_store(tracker, reader):
    for value in (1.0, math.nan, math.inf, -math.inf, 2.0):
        tracker.log_metric("loss", value)
    tracker.flush()
    run_id = tracker.active_run().id
    values = series(reader, run_id, "loss")["values"]
    assert values[0] == 1.0 and math.isnan(values[1]) and values[2] == math.inf and values[3] == -math.inf
    summary = reader.get_run(run_id)["metrics"]["loss"]
    assert (summary["min"], summary["max"], summary["last"], summary["count"]) == (
        -math.inf,
        math.inf,
        2.0,
        5,
    )


def test_steps_default_to_one_more_than_the_previous(tracker, reader):
    tracker.log_metric("acc", 0.1)
    tracker.log_metric("acc", 0.2)
    tracker.flush()
    tracker.log_metric("acc", 0.3, step=10)
    tracker.log_metric("acc", 0.4)
    tracker.log_metrics({"acc": 0.5, "f1": 0.6}, step=20)
    tracker.flush()
    run_id = tracker.active_run().id
    assert series(reader, run_id, "acc")["steps"] == [0, 1, 10, 11, 20]
    assert series(reader, run_id, "f1")["steps"] == [20]


def test_invalid_values_raise_and_log_nothing(tracker, reader):
    with pytest.raises(TypeError, match="metric 'loss' must be a real number, got str"):
        tracker.log_metric("loss", "0.5")
    with pytest.raises(TypeError, match="metric 'b' must be a real number, got NoneType"):
        tracker.log_metrics({"a": 1.0, "b": None})
    with pytest.raises(TypeError, match="step for 'loss' must be an int, got float"):
        tracker.log_metric("loss", 1.0, step=1.5)
    with pytest.raises(TypeError, match="metric key must be a str"):
        tracker.log_metric(3, 1.0)
    with pytest.raises(TypeError, match="unexpected keyword argument 'stepp'"):
        tracker.log_metric("loss", 1.0, stepp=3)
    with pytest.raises(TypeError, match="param 'model' must be JSON-serializable"):
        tracker.log_param("model", object())
    with pytest.raises(TypeError, match="tag 'stage' value must be a str"):
        tracker.set_tag("stage", None)
    with pytest.raises(TypeError, match="image 'plot' must be a matplotlib Figure"):
        tracker.log_image("plot", [[0, 1]])
    tracker.log_metric("ok", 1.0)
    tracker.flush()
    run = reader.get_run(tracker.active_run().id)
    assert list(run["metrics"]) == ["ok"] and run["params"] == {} and run["tags"] == {}


def test_params_keep_their_types_and_tags_are_text(tracker, reader):
    tracker.log_params(
        {
            "lr": 0.1,
            "num_leaves": 31,
            "objective": "binary",
            "layers": (64, 32),
            "early": None,
        }
    )
    tracker.log_param("lr", 0.05)
    tracker.set_tags("baseline", "v2")
    tracker.set_tags({"stage": "prod", "epochs": 3})
    tracker.set_tag("owner")
    tracker.flush()
    run = reader.get_run(tracker.active_run().id)
    assert run["params"] == {
        "lr": 0.05,
        "num_leaves": 31,
        "objective": "binary",
        "layers": [64, 32],
        "early": None,
    }
    assert run["tags"] == {
        "baseline": "",
        "v2": "",
        "stage": "prod",
        "epochs": "3",
        "owner": "",
    }


def test_everything_logged_during_a_cell_carries_its_id(tracker, reader):
    tracker._pre_run_cell(SimpleNamespace(cell_id="cell-1"))
    tracker.log_param("lr", 0.1)
    tracker.log_metric("loss", 1.0)
    tracker.log_image("plot", tiny_png())
    tracker._post_run_cell(SimpleNamespace())
    tracker._pre_run_cell(SimpleNamespace(cell_id="cell-2"))
    tracker.log_metric("loss", 0.5)
    tracker._post_run_cell(SimpleNamespace())
    tracker.log_metric("loss", 0.25)  # from a thread after the cells: no cell
    tracker.flush()
    run = reader.get_run(tracker.active_run().id)
    assert run["param_cells"]["lr"]["cell_id"] == "cell-1"
    assert run["images"][0]["cell_id"] == "cell-1"
    assert run["metrics"]["loss"]["cell_id"] is None
    assert series(reader, tracker.active_run().id, "loss")["values"] == [1.0, 0.5, 0.25]


def test_images_from_bytes_files_and_objects_are_stored_as_png(tracker, reader, tmp_path):
    png = tiny_png(3, 2)
    (tmp_path / "plot.png").write_bytes(png)

    class Figure:  # what log_image needs of a matplotlib Figure
        def savefig(self, file, format):
            assert format == "png"
            file.write(png)

    tracker.log_image("bytes", png, step=1)
    tracker.log_image("path", tmp_path / "plot.png")
    tracker.log_image("figure", Figure())
    tracker.flush()
    run_id = tracker.active_run().id
    images = reader.get_run(run_id)["images"]
    assert [(image["key"], image["step"], image["width"], image["height"]) for image in images] == [
        ("bytes", 1, 3, 2),
        ("path", None, 3, 2),
        ("figure", None, 3, 2),
    ]
    assert reader.get_image(run_id, images[0]["id"]) == png


def test_jpeg_and_pil_images_are_converted_with_pillow(tracker, reader, tmp_path):
    image_module = require("PIL.Image")
    picture = image_module.new("RGB", (4, 3), "red")
    picture.save(tmp_path / "photo.jpg", format="JPEG")
    tracker.log_image("photo", str(tmp_path / "photo.jpg"))
    tracker.log_image("pil", picture)
    tracker.flush()
    images = reader.get_run(tracker.active_run().id)["images"]
    assert [(image["width"], image["height"]) for image in images] == [(4, 3), (4, 3)]


def test_a_jpeg_without_pillow_is_refused_clearly(tracker, monkeypatch):
    # None in sys.modules makes `from PIL import Image` raise ImportError.
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ValueError, match="'photo' .*not a PNG.*needs Pillow"):
        tracker.log_image("photo", b"\xff\xd8\xff\xe0 a jpeg")


def test_log_data_records_the_digest_and_caches_it_in_the_store_folder(tracker, reader, store_dir, tmp_path):
    data_file = tmp_path / "train.csv"
    data_file.write_text("x,y\n1,2\n")
    described = tracker.log_data(data_file)
    tracker.flush()
    (stored,) = reader.get_run(tracker.active_run().id)["data"]
    assert (stored["path"], stored["sha256"], stored["size"], stored["file_count"]) == (
        str(data_file),
        described["sha256"],
        8,
        1,
    )
    assert str(data_file) in (store_dir / "data-cache.json").read_text()


def test_start_run_ends_the_active_run_and_end_run_closes_it(tracker, reader):
    first = tracker.start_run(name="first", tags={"grid": "a"})
    tracker.log_metric("loss", 1.0)
    second = tracker.start_run("second")
    tracker.log_metric("loss", 2.0)
    tracker.end_run("failed")
    assert tracker.active_run() is None
    tracker.log_metric("loss", 3.0)  # starts a third run
    third = tracker.active_run()
    tracker.flush()
    runs = {run_id: reader.get_run(run_id) for run_id in (first.id, second.id, third.id)}
    assert [runs[r.id]["status"] for r in (first, second, third)] == [
        "finished",
        "failed",
        "running",
    ]
    assert runs[first.id]["name"] == "first" and runs[first.id]["tags"] == {"grid": "a"}
    assert [runs[r.id]["metrics"]["loss"]["last"] for r in (first, second, third)] == [
        1.0,
        2.0,
        3.0,
    ]
    with pytest.raises(ValueError, match="status must be"):
        tracker.end_run("done")


def test_the_background_flusher_writes_without_an_explicit_flush(tracker, reader):
    tracker.log_metric("loss", 0.5)
    run_id = tracker.active_run().id
    assert wait_for(lambda: reader.get_run(run_id)["metrics"].get("loss"), timeout=2)["last"] == 0.5
    environment = wait_for(lambda: reader.get_run(run_id)["environment"], timeout=5)
    assert environment["language"] == "python" and environment["packages"]


def test_a_failed_write_is_kept_and_retried_in_order(tracker, reader):
    tracker.flush_interval = 3600  # only explicit flushes in this test
    tracker.log_metric("loss", 1.0)
    tracker.flush()
    run_id = tracker.active_run().id
    store = tracker._sink
    real_log_batch = store.log_batch
    calls = []

    def failing_once(run, batch):
        calls.append(batch)
        if len(calls) == 1:
            raise OSError("disk full")
        real_log_batch(run, batch)

    store.log_batch = failing_once
    tracker.log_metric("loss", 2.0)
    with pytest.raises(OSError, match="disk full"):
        tracker.flush()
    tracker.log_metric("loss", 3.0)
    tracker.flush()
    assert series(reader, run_id, "loss")["values"] == [1.0, 2.0, 3.0]


def test_search_runs_filters_and_orders(tracker):
    for lr, loss in ((0.1, 0.5), (0.01, 0.2), (0.001, 0.9)):
        tracker.start_run(f"lr={lr}")
        tracker.log_param("lr", lr)
        tracker.log_metric("loss", loss)
    found = tracker.search_runs("params.lr < 0.05", order_by=["metrics.loss ASC"])
    rows = found.to_dict("records") if hasattr(found, "to_dict") else found
    assert [(row["name"], row["params.lr"], row["metrics.loss"]) for row in rows] == [
        ("lr=0.01", 0.01, 0.2),
        ("lr=0.001", 0.001, 0.9),
    ]
    newest = tracker.search_runs(max_results=1)
    rows = newest.to_dict("records") if hasattr(newest, "to_dict") else newest
    assert [row["name"] for row in rows] == ["lr=0.001"]


def test_search_runs_speaks_the_query_grammar_and_mlflows(tracker):
    for lr, loss, stage in ((0.1, 0.5, "prod"), (0.01, 0.2, "dev"), (0.001, 0.9, "prod")):
        tracker.start_run(f"lr={lr}", tags={"stage": stage})
        tracker.log_param("lr", lr)
        tracker.log_metrics({"loss": loss})
        tracker.log_metrics({"loss": loss / 2})
    tracker.end_run()

    def names(found):
        return [row["name"] for row in (found.to_dict("records") if hasattr(found, "to_dict") else found)]

    assert names(tracker.search_runs("tags.stage = 'prod' OR metrics.loss.min < 0.2", "metrics.loss DESC")) == [
        "lr=0.001",
        "lr=0.1",
        "lr=0.01",
    ]
    assert names(tracker.search_runs("params.lr = '0.01'")) == ["lr=0.01"]  # MLflow's params are strings
    assert names(tracker.search_runs("attributes.run_name ILIKE 'LR=0.1%'", max_results=5)) == ["lr=0.1"]
    assert names(tracker.search_runs("NOT params.lr > 0.005", order_by=["params.lr ASC"])) == ["lr=0.001"]
    with pytest.raises(ValueError, match=r"at 12: expected a value.*found '\)'"):
        tracker.search_runs("params.lr > )")
    with pytest.raises(ValueError, match="max_results"):
        tracker.search_runs(max_results=-1)


def test_search_runs_table_has_the_documented_columns(tracker, monkeypatch):
    tracker.start_run("one", tags={"stage": "prod"})
    tracker.log_params({"lr": 0.1, "objective": "binary"})
    tracker.log_metric("loss", 0.5)
    tracker.end_run()
    monkeypatch.setitem(sys.modules, "pandas", None)  # the table without pandas: a list of dicts
    (row,) = tracker.search_runs()
    assert row == {
        "run_id": row["run_id"],
        "name": "one",
        "status": "finished",
        "start_time": row["start_time"],
        "end_time": row["end_time"],
        "params.lr": 0.1,
        "params.objective": "binary",
        "metrics.loss": 0.5,
        "tags.stage": "prod",
    }
    assert isinstance(row["start_time"], float) and row["end_time"] >= row["start_time"]
    monkeypatch.undo()
    pandas = require("pandas")
    frame = tracker.search_runs()
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.columns) == [
        "run_id",
        "name",
        "status",
        "start_time",
        "end_time",
        "params.lr",
        "params.objective",
        "metrics.loss",
        "tags.stage",
    ]
    assert str(frame["start_time"].dt.tz) == "UTC"


def test_get_run_sees_what_was_just_logged(tracker):
    tracker.log_metric("loss", 0.5)
    assert tracker.get_run(tracker.active_run().id)["metrics"]["loss"]["last"] == 0.5


def test_a_long_loop_reaches_the_store_whole_through_the_background_flusher(tracker, reader):
    # Speed is measured by bench/bench_logging.py; this checks that a loop spanning
    # many flushes loses, duplicates and reorders nothing.
    tracker.flush_interval = 0.05
    n = 200_000
    for i in range(n):
        tracker.log_metric("loss", i * 0.5, step=i)
    run_id = tracker.active_run().id
    assert wait_for(lambda: reader.get_run(run_id)["metrics"].get("loss", {}).get("count") == n, timeout=20)
    summary = reader.get_run(run_id)["metrics"]["loss"]
    assert (summary["last"], summary["last_step"]) == ((n - 1) * 0.5, n - 1)
    assert (summary["min"], summary["min_step"], summary["max_step"]) == (0.0, 0, n - 1)
    series = reader.get_metric_series(run_id, "loss")
    assert series["steps"] == list(range(n))


def test_relay_batches_are_json_with_base64_images_and_string_non_finite_numbers():
    png = tiny_png()
    batch = {
        "metrics": [
            {
                "key": "loss",
                "cell_id": "c",
                "steps": [0, 1, 2, 3],
                "values": [1.0, math.nan, math.inf, -math.inf],
                "timestamps": [1.0] * 4,
            }
        ],
        "images": [{"key": "plot", "png": png, "step": None, "cell_id": "c", "timestamp": 1.0}],
        "params": [{"key": "lr", "value": 0.1, "cell_id": "c"}],
    }
    encoded = encode_batch(batch)
    assert encoded["metrics"][0]["values"] == [1.0, "NaN", "Infinity", "-Infinity"]
    assert "png" not in encoded["images"][0]
    assert base64.b64decode(encoded["images"][0]["png_base64"]) == png
    assert encoded["params"] == batch["params"]
    json.dumps(encoded, allow_nan=False)  # raises if anything non-finite is left
    assert math.isnan(batch["metrics"][0]["values"][1])  # the batch itself is untouched


def test_relayed_batches_are_what_the_servers_log_endpoint_accepts(tmp_path):
    validation = require("jupyterlab_experiments.server.validation")
    png = tiny_png()
    data_file = tmp_path / "d.csv"
    data_file.write_text("a\n")
    batch = {
        "params": [{"key": "lr", "value": 0.1, "cell_id": "c"}],
        "metrics": [
            {
                "key": "loss",
                "cell_id": "c",
                "steps": [0, None],
                "values": [math.nan, 0.5],
                "timestamps": [1.0, 2.0],
            }
        ],
        "tags": {"a": ""},
        "images": [{"key": "plot", "png": png, "step": None, "cell_id": "c", "timestamp": 1.0}],
        "data": [{**describe_data(str(data_file), DigestCache()), "cell_id": "c"}],
        "environment": {"language": "python"},
    }
    wire = json.loads(json.dumps(encode_batch(batch), allow_nan=False))
    parsed = validation.parse_log_body(wire, lambda source: {})
    assert parsed["images"][0]["png"] == png
    assert math.isnan(parsed["metrics"][0]["values"][0]) and parsed["metrics"][0]["steps"] == [0, None]
    assert parsed["params"] == [{"key": "lr", "value": 0.1, "cell_id": "c", "checkpoint": None}]
    assert parsed["tags"] == batch["tags"] and parsed["data"][0]["sha256"] == batch["data"][0]["sha256"]


def test_relay_sink_publishes_create_batch_and_end_messages():
    published = []
    sink = RelaySink(publish=published.append)
    run = sink.create_run(name="n", kind="notebook", notebook_id="nb", tags=None, user="me")
    sink.log_batch(run["id"], {"tags": {"a": ""}})
    sink.end_run(run["id"], "finished")
    assert published[0] == {
        "run_id": run["id"],
        "create": {"name": "n", "kind": "notebook", "notebook_id": "nb"},
    }
    assert published[1] == {"run_id": run["id"], "batch": {"tags": {"a": ""}}}
    assert published[2]["end"]["status"] == "finished" and published[2]["end"]["end_time"] > 0
    assert MIME_TYPE == "application/vnd.jupyterlab-experiments.log+json"


class OldKernel:
    """An ipykernel before 6.2: get_parent() takes no channel."""

    def __init__(self, cell_id):
        self.parent = {"metadata": {"cellId": cell_id}}

    def get_parent(self):
        return self.parent


class NewKernel(OldKernel):
    def get_parent(self, channel=None):
        assert channel == "shell"
        return self.parent


@pytest.mark.parametrize("kernel_class", [OldKernel, NewKernel])
def test_cell_id_falls_back_to_the_execute_request_metadata(tracker, reader, monkeypatch, kernel_class):
    tracker.start_run()
    shell = SimpleNamespace(kernel=kernel_class("from-request"))
    monkeypatch.setattr("jupyterlab_experiments.client.tracking._ipython_shell", lambda: shell)
    # An IPython whose ExecutionInfo has no cell_id.
    tracker._pre_run_cell(SimpleNamespace())
    tracker.log_metric("loss", 1.0)
    tracker.flush()
    assert reader.get_run(tracker.active_run().id)["metrics"]["loss"]["cell_id"] == "from-request"
