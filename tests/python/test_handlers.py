"""The REST API under {base_url}experiments/api/, through a real (in-process) Jupyter server."""

from __future__ import annotations

import base64
import dataclasses
import json
import math
import os
import subprocess
import sys
import warnings

import pytest
from conftest import API, strict_json

from jupyterlab_experiments.server.base import SERVER_TIME_HEADER
from jupyterlab_experiments.server.extension import orphan_sweep, run_liveness
from jupyterlab_experiments.server.routes import url_handlers
from jupyterlab_experiments.store import ENV_VAR, open_store


def test_info_names_the_configured_store(api, store_dir):
    status, info = api("GET", "info")
    assert status == 200
    assert info["store_dir"] == str(store_dir.resolve())
    assert isinstance(info["version"], str)
    assert (store_dir / "store.sqlite").exists()


def test_kernels_of_the_server_inherit_the_store_location(jp_serverapp, store_dir):
    assert os.environ[ENV_VAR] == str(store_dir.resolve())


def test_create_run_records_the_authenticated_user(api, jp_serverapp, monkeypatch):
    token_user = jp_serverapp.identity_provider.get_user

    async def ada(handler):  # the token's user, renamed
        return dataclasses.replace(await token_user(handler), username="ada")

    monkeypatch.setattr(jp_serverapp.identity_provider, "get_user", ada)
    status, run = api(
        "POST",
        "runs",
        body={"name": "baseline", "kind": "notebook", "kernel_name": "python3", "tags": {"a": "1", "bare": None}},
    )
    assert status == 201
    assert run["user"] == "ada"
    assert run["name"] == "baseline"
    assert run["status"] == "running"
    assert run["tags"] == {"a": "1", "bare": ""}
    assert run["kernel_name"] == "python3"


def test_create_run_with_an_empty_body_uses_defaults(api):
    status, run = api("POST", "runs")
    assert status == 201
    assert run["kind"] == "notebook"
    assert len(run["id"]) == 32


def test_list_runs_pages_filters_and_counts(api):
    ids = []
    for i in range(5):
        _, created = api("POST", "runs", body={"name": f"r{i}", "notebook_id": "nb-a" if i % 2 else "nb-b"})
        ids.append(created["id"])
    api("PATCH", "runs", ids[0], body={"status": "failed"})

    status, page = api("GET", "runs", params={"limit": 2, "offset": 1})
    assert status == 200
    assert page["total"] == 5
    assert [r["id"] for r in page["runs"]] == [ids[3], ids[2]]  # newest first

    _, by_notebook = api("GET", "runs", params={"notebook_id": "nb-a"})
    assert {r["id"] for r in by_notebook["runs"]} == {ids[1], ids[3]}
    assert by_notebook["total"] == 2

    _, failed = api("GET", "runs", params={"status": "failed"})
    assert [r["id"] for r in failed["runs"]] == [ids[0]]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"limit": "ten"}, "limit: expected an integer, got 'ten'"),
        ({"limit": 0}, "limit: expected 1 to 1000, got 0"),
        ({"limit": 1001}, "limit: expected 1 to 1000, got 1001"),
        ({"offset": -1}, "offset: expected 0 to"),
        ({"status": "sleeping"}, "status: expected one of running, finished, failed, interrupted"),
    ],
)
def test_list_runs_rejects_bad_query_arguments(api, params, message):
    status, error = api("GET", "runs", params=params)
    assert status == 400
    assert error["message"].startswith(message)


def test_get_run_returns_the_full_run(api, run):
    status, full = api("GET", "runs", run["id"])
    assert status == 200
    for field in ("param_cells", "images", "data", "environment", "executions", "params", "metrics", "tags"):
        assert field in full
    assert full["notebook_path"] == "a.ipynb"


def test_patch_edits_and_ends_a_run(api, run):
    status, summary = api(
        "PATCH",
        "runs",
        run["id"],
        body={"name": "renamed", "notes": "lr too high", "tags": {"set": {"best": "", "stage": "2"}, "remove": []}},
    )
    assert status == 200
    assert (summary["name"], summary["notes"], summary["tags"]) == (
        "renamed",
        "lr too high",
        {"best": "", "stage": "2"},
    )

    status, summary = api("PATCH", "runs", run["id"], body={"tags": {"remove": ["stage"]}, "status": "finished"})
    assert status == 200
    assert summary["tags"] == {"best": ""}
    assert summary["status"] == "finished"
    assert summary["end_time"] >= summary["start_time"]


@pytest.mark.parametrize(
    "body, message",
    [
        ({"status": "running"}, "status: expected one of finished, failed, interrupted, got 'running'"),
        ({"name": 3}, "name: expected a string or null, got 3"),
        ({"tags": {"set": {"a": 1}}}, "tags.set.a: expected a string"),
        ({"tags": {"remove": "a"}}, "tags.remove: expected a list, got 'a'"),
        ({"colour": "red"}, "body: unknown field 'colour'"),
        ([1, 2], "body: expected an object, got [1, 2]"),
    ],
)
def test_patch_rejects_bad_bodies(api, run, body, message):
    status, error = api("PATCH", "runs", run["id"], body=body)
    assert status == 400
    assert error["message"].startswith(message)


def test_invalid_json_is_a_400(api, run):
    status, error = api("POST", "runs", run["id"], "log", raw_body=b"{not json")
    assert status == 400
    assert error["message"].startswith("body is not valid JSON")


def test_log_columns_and_points_then_read_the_series(api, run):
    body = {
        "cell_id": "cell-top",
        "params": [{"key": "lr", "value": 0.01}, {"key": "layers", "value": 3, "cell_id": "cell-p"}],
        "metrics": [
            {"key": "train/loss.v2", "values": [3.0, 2.0, 1.0], "steps": [0, 1, 2]},
            {"key": "acc", "value": 0.5, "step": 10},
            {"key": "acc", "value": 0.7},
            {"key": "acc", "value": 0.6, "cell_id": "cell-b"},
        ],
        "tags": {"phase": "train"},
        "environment": {"python": "3.11"},
        "executions": [{"cell_id": "cell-top", "execution_count": 1, "duration": 0.5, "status": "ok"}],
        "data": [{"path": "data/train.csv", "sha256": "ab" * 32, "size": 10, "file_count": 1}],
    }
    status, _ = api("POST", "runs", run["id"], "log", body=body)
    assert status == 204

    _, full = api("GET", "runs", run["id"])
    assert full["params"] == {"layers": 3, "lr": 0.01}
    assert full["param_cells"]["lr"]["cell_id"] == "cell-top"
    assert full["param_cells"]["layers"]["cell_id"] == "cell-p"
    assert full["metrics"]["acc"]["count"] == 3
    assert full["metrics"]["acc"]["last_step"] == 12  # 10, then two automatic steps
    assert full["metrics"]["acc"]["cell_id"] == "cell-b"
    assert full["metrics"]["acc"]["max"] == 0.7
    assert full["tags"] == {"phase": "train"}
    assert full["environment"] == {"python": "3.11"}
    assert full["executions"][0]["cell_id"] == "cell-top"
    assert full["data"][0]["path"] == "data/train.csv"

    status, series = api("GET", "runs", run["id"], "metrics", "train/loss.v2")
    assert status == 200
    assert (series["key"], series["steps"], series["values"], series["count"]) == (
        "train/loss.v2",
        [0, 1, 2],
        [3.0, 2.0, 1.0],
        3,
    )
    status, series = api("GET", "runs", run["id"], "metrics", "acc")
    assert series["steps"] == [10, 11, 12]
    assert series["values"] == [0.5, 0.7, 0.6]


def test_metric_keys_are_url_decoded(api, run):
    api("POST", "runs", run["id"], "log", body={"metrics": [{"key": "val loss/%", "values": [1.0]}]})
    # jp_fetch keeps '/' and quotes the rest: this sends val%20loss/%25
    status, series = api("GET", "runs", run["id"], "metrics", "val loss/%")
    assert status == 200
    assert series["key"] == "val loss/%"
    status, error = api("GET", "runs", run["id"], "metrics", "100%s/%d")
    assert status == 404
    assert error["message"] == f"run {run['id']!r} has no metric '100%s/%d'"


def test_non_finite_values_round_trip_as_strings(api, run):
    raw = b'{"metrics": [{"key": "m", "values": ["NaN", "Infinity", "-Infinity", 1.5, NaN, -Infinity]}]}'
    status, _ = api("POST", "runs", run["id"], "log", raw_body=raw)
    assert status == 204
    status, series = api("GET", "runs", run["id"], "metrics", "m")  # parsed strictly, like JSON.parse
    assert series["values"] == ["NaN", "Infinity", "-Infinity", 1.5, "NaN", "-Infinity"]
    _, runs = api("GET", "runs")
    summary = runs["runs"][0]["metrics"]["m"]
    assert (summary["last"], summary["min"], summary["max"]) == ("-Infinity", "-Infinity", "Infinity")


def test_downsampled_series_keeps_at_most_max_points(api, run):
    values = [0.0] * 1000
    values[617] = 99.0
    api("POST", "runs", run["id"], "log", body={"metrics": [{"key": "m", "values": values}]})
    status, series = api("GET", "runs", run["id"], "metrics", "m", params={"max_points": 50})
    assert status == 200
    assert len(series["values"]) <= 50
    assert 99.0 in series["values"] and 617 in series["steps"]
    assert series["count"] == 1000
    status, error = api("GET", "runs", run["id"], "metrics", "m", params={"max_points": 1})
    assert status == 400
    assert error["message"] == "max_points: expected 2 to 100000, got 1"


def test_parameters_cell_source_is_logged_as_params(api, run):
    source = "lr = 0.1\nepochs: int = 20\nname = 'resnet'\nmodel = build()\n"
    status, _ = api("POST", "runs", run["id"], "log", body={"parameters_source": source, "cell_id": "params-cell"})
    assert status == 204
    _, full = api("GET", "runs", run["id"])
    assert full["params"] == {"epochs": 20, "lr": 0.1, "name": "resnet"}
    assert {cell["cell_id"] for cell in full["param_cells"].values()} == {"params-cell"}


def test_images_are_stored_and_served(api, run, make_png, store_dir):
    png = make_png(5, 4)
    body = {"images": [{"key": "confusion", "png_base64": base64.b64encode(png).decode(), "step": 3, "cell_id": "c"}]}
    status, _ = api("POST", "runs", run["id"], "log", body=body)
    assert status == 204
    _, full = api("GET", "runs", run["id"])
    (image,) = full["images"]
    assert (image["key"], image["step"], image["width"], image["height"], image["cell_id"]) == (
        "confusion",
        3,
        5,
        4,
        "c",
    )

    status, served = api("GET", "runs", run["id"], "images", image["id"])
    assert status == 200
    assert served == png
    assert (store_dir / "images" / image["sha256"][:2] / f"{image['sha256']}.png").read_bytes() == png

    status, error = api("GET", "runs", run["id"], "images", "999")
    assert status == 404
    assert "999" in error["message"]


@pytest.mark.parametrize(
    "body, message",
    [
        (
            {"metrics": [{"key": "m", "values": [1, "one"]}]},
            'metrics[0].values[1]: expected a number or "NaN", "Infinity", "-Infinity", got \'one\'',
        ),
        ({"metrics": [{"key": "m", "values": [True]}]}, "metrics[0].values[0]: expected a number"),
        ({"metrics": [{"key": "m", "values": [1, 2], "steps": [0]}]}, "metrics[0].steps: 1 items for 2 values"),
        (
            {"metrics": [{"key": "m", "values": [1], "steps": [0.5]}]},
            "metrics[0].steps[0]: expected an integer or null",
        ),
        ({"metrics": [{"key": "m", "value": 1, "step": 2**62 + 1}]}, "metrics[0].step: a step must lie within"),
        ({"metrics": [{"key": "", "value": 1}]}, "metrics[0].key: expected a non-empty string, got ''"),
        ({"metrics": [{"key": "m"}]}, "metrics[0]: expected 'value' (one point) or 'values' (a series)"),
        ({"metrics": [{"key": "m", "value": 1, "timestamp": "now"}]}, "metrics[0].timestamp: expected a finite number"),
        ({"metrics": {"m": 1}}, "metrics: expected a list"),
        ({"params": [{"key": "p"}]}, "params[0]: missing 'value'"),
        ({"params": {"p": float("nan")}}, "params.p.value: a param cannot hold NaN or Infinity"),
        ({"tags": {"t": 5}}, "tags.t: expected a string (or null for a bare tag), got 5"),
        ({"images": [{"key": "i", "png_base64": "!!"}]}, "images[0].png_base64: not valid base64"),
        (
            {"images": [{"key": "i", "png_base64": base64.b64encode(b"GIF89a").decode()}]},
            "images[0].png_base64: image is not a PNG",
        ),
        ({"data": [{"sha256": "x"}]}, "data[0].path: expected a non-empty string, got null"),
        ({"executions": [{"execution_count": "1"}]}, "executions[0].execution_count: expected an integer or null"),
        ({"environment": []}, "environment: expected an object, got []"),
        ({"parameters_source": 1}, "parameters_source: expected the cell's source as a string"),
        ({"metric": []}, "body: unknown field 'metric'"),
    ],
)
def test_log_rejects_bad_batches_saying_what_is_wrong(api, run, body, message):
    status, error = api("POST", "runs", run["id"], "log", raw_body=json.dumps(body).encode())
    assert status == 400
    assert error["message"].startswith(message), error["message"]


@pytest.mark.parametrize(
    "body, message",
    [
        ({"kind": "job"}, "kind: expected one of notebook, script, validation, got 'job'"),
        ({"run_id": "a/b"}, "run_id: expected 1 to 64 letters"),
        ({"tags": ["a"]}, "tags: expected an object"),
        ({"pid": "12"}, "pid: expected an integer or null"),
    ],
)
def test_create_run_rejects_bad_bodies(api, body, message):
    status, error = api("POST", "runs", body=body)
    assert status == 400
    assert error["message"].startswith(message)


def test_posting_a_known_run_id_completes_the_run_unless_the_kind_differs(api):
    assert (api("POST", "runs", body={"run_id": "fixed-id"}))[0] == 201
    status, run = api("POST", "runs", body={"run_id": "fixed-id", "kernel_id": "k1"})
    assert status == 201 and run["id"] == "fixed-id" and run["kernel_id"] == "k1"
    status, error = api("POST", "runs", body={"run_id": "fixed-id", "kind": "script"})
    assert status == 400
    assert error["message"] == "a run with id 'fixed-id' already exists with kind 'notebook'"


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("GET", ("runs", "nope"), None),
        ("PATCH", ("runs", "nope"), {"name": "x"}),
        ("PATCH", ("runs", "nope"), {"status": "finished"}),
        ("GET", ("runs", "nope", "metrics", "loss"), None),
        ("POST", ("runs", "nope", "log"), {"tags": {"a": "b"}}),
        ("GET", ("runs", "nope", "images", "1"), None),
    ],
)
def test_unknown_run_is_a_404(api, method, path, body):
    status, error = api(method, *path, body=body)
    assert status == 404
    assert error["message"] == "run 'nope' not found"


def test_unknown_metric_is_a_404(api, run):
    status, error = api("GET", "runs", run["id"], "metrics", "missing")
    assert status == 404
    assert error["message"] == f"run {run['id']!r} has no metric 'missing'"


def test_responses_carry_the_server_time(fetch):
    response = fetch(API, "runs")
    assert float(response.headers[SERVER_TIME_HEADER]) >= 0


ENDPOINTS = [
    ("GET", "info", None),
    ("GET", "runs", None),
    ("POST", "runs", {}),
    ("GET", "runs/some-run", None),
    ("PATCH", "runs/some-run", {"name": "x"}),
    ("GET", "runs/some-run/metrics/loss", None),
    ("POST", "runs/some-run/log", {"tags": {"a": "b"}}),
    ("GET", "runs/some-run/images/1", None),
    ("GET", "validations", None),
    ("POST", "validations", {"notebook_path": "a.ipynb", "kernel_name": "python3", "cell_count": 1}),
    ("GET", "validations/some-validation", None),
    ("PATCH", "validations/some-validation", {"verdict": "passed", "duration_ms": 1}),
    ("POST", "validations/some-validation/cells", {"cells": [{"index": 0, "code_index": 0, "status": "passed"}]}),
    ("GET", "validations/some-validation/junit", None),
]


@pytest.mark.parametrize("allow_unauthenticated", [False, True])
@pytest.mark.parametrize("method, path, body", ENDPOINTS)
def test_every_endpoint_refuses_unauthenticated_requests(fetch, server_store, method, path, body):
    """Refused even with ServerApp.allow_unauthenticated_access: the handlers' own decorators decide."""
    run_id = server_store.create_run(run_id="some-run")["id"]
    server_store.create_validation(run_id="some-validation", notebook_path="a.ipynb", kernel_name="python3")
    kwargs = {"method": method, "raise_error": False, "headers": {"Authorization": ""}}
    if body is not None:
        kwargs["body"] = json.dumps(body)
    response = fetch(API, path, **kwargs)
    assert response.code in (401, 403)
    assert response.body.count(b"validate") == 0  # nothing of the stored runs in the reply
    untouched = server_store.get_run(run_id)
    assert (untouched["name"], untouched["tags"], untouched["status"]) == (None, {}, "running")
    validation = server_store.get_validation("some-validation")
    assert (validation["status"], validation["verdict"], validation["cells"]) == ("running", None, [])
    assert server_store.list_runs()[1] == 2


@pytest.fixture
def seeded_store(store_dir):
    """Runs left "running" by a previous server; created before the test server starts."""
    store = open_store(store_dir)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    ids = {
        "notebook": store.create_run(kind="notebook", kernel_id="kernel-of-old-server")["id"],
        "dead script": store.create_run(kind="script", pid=int(dead.stdout))["id"],
        "live script": store.create_run(kind="script", pid=os.getpid())["id"],
        "other host": store.create_run(kind="script", pid=int(dead.stdout), host="elsewhere")["id"],
        "finished": store.create_run(kind="notebook", kernel_id="k2")["id"],
    }
    store.end_run(ids["finished"])
    store.close()
    return ids


def test_server_start_interrupts_runs_it_cannot_own(seeded_store, api):
    statuses = {}
    for name, run_id in seeded_store.items():
        statuses[name] = (api("GET", "runs", run_id))[1]["status"]
    assert statuses == {
        "notebook": "interrupted",
        "dead script": "interrupted",
        "live script": "running",
        "other host": "running",
        "finished": "finished",
    }


def test_periodic_sweep_interrupts_runs_whose_kernel_vanished(server_store, jp_serverapp, jp_asyncio_loop):
    kernels = {"k-alive"}
    is_alive = run_liveness(kernels, "this-host")
    alive = server_store.create_run(kernel_id="k-alive", host="this-host")["id"]
    vanished = server_store.create_run(kernel_id="k-gone", host="this-host")["id"]
    # A kernel that attached without a kernel id is judged by its process.
    attached = server_store.create_run(host="this-host", pid=os.getpid())["id"]

    jp_asyncio_loop.run_until_complete(orphan_sweep(server_store, is_alive, jp_serverapp.log)())

    statuses = {run_id: server_store.get_run(run_id)["status"] for run_id in (alive, vanished, attached)}
    assert statuses == {alive: "running", vanished: "interrupted", attached: "running"}


def test_kernel_of_this_server_keeps_its_run_alive(jp_serverapp, jp_asyncio_loop):
    kernel_manager = jp_serverapp.kernel_manager
    kernel_id = jp_asyncio_loop.run_until_complete(kernel_manager.start_kernel())
    try:
        is_alive = run_liveness(kernel_manager, "h")
        assert is_alive({"kind": "notebook", "kernel_id": kernel_id, "pid": None, "host": "h"})
        assert not is_alive({"kind": "notebook", "kernel_id": "other", "pid": None, "host": "h"})
    finally:
        jp_asyncio_loop.run_until_complete(kernel_manager.shutdown_kernel(kernel_id, now=True))


def test_strict_json_refuses_bare_nan():
    with pytest.raises(ValueError):
        strict_json("[NaN]")
    assert math.isnan(float(strict_json('["NaN"]')[0]))


def test_every_handler_verb_is_decorated_with_authenticated(jp_serverapp):
    """jupyter_server warns about extension verbs that lack @web.authenticated; ours never do."""
    from jupyter_server.utils import JupyterServerAuthWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        jp_serverapp.web_app.add_handlers(".*$", url_handlers("/elsewhere/"))
    assert [w for w in caught if issubclass(w.category, JupyterServerAuthWarning)] == []
