"""Bad input must not break the server: numbers out of range, deep nesting, planted symlinks, unbounded work.

Each case answers 4xx naming what is wrong (never 500), and leaves the store readable.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import socket
import sqlite3

import pytest
from conftest import png_bytes
from test_checkpoints_repository import NOTEBOOK, REF, checkpoint, files_under
from test_gitfs import batch_body, body_of, ref_update

from jupyterlab_experiments.server import base, gitfs, handlers, validation, work
from jupyterlab_experiments.store import open_store

GIT = "experiments/api/git"


def nested(depth: int, leaf=0) -> object:
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


def nested_text(depth: int) -> bytes:
    return b"[" * depth + b"0" + b"]" * depth


# -- numbers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, field",
    [
        ({"metrics": [{"key": "m", "values": [10**400]}]}, "metrics[0].values[0]"),
        ({"metrics": [{"key": "m", "value": 1, "timestamp": 1e300}]}, "metrics[0].timestamp"),
        ({"metrics": [{"key": "m", "values": [1], "timestamps": [-1e300]}]}, "metrics[0].timestamps[0]"),
        ({"executions": [{"cell_id": "c", "started": 10**400}]}, "executions[0].started"),
        ({"executions": [{"cell_id": "c", "duration": 1e300}]}, "executions[0].duration"),
        ({"executions": [{"cell_id": "c", "execution_count": 10**30}]}, "executions[0].execution_count"),
        ({"images": [{"key": "i", "png_base64": "", "step": 10**30}]}, "images[0]"),
        ({"data": [{"path": "d", "size": -1}]}, "data[0].size"),
        ({"data": [{"path": "d", "file_count": 10**30}]}, "data[0].file_count"),
        ({"params": {"p": 10**400}}, "params.p.value"),
        ({"params": {"p": [1, {"q": -(10**20)}]}}, "params.p.value"),
    ],
)
def test_numbers_beyond_what_the_store_holds_are_a_400_naming_the_field(api, run, body, field):
    status, error = api("POST", "runs", run["id"], "log", raw_body=json.dumps(body).encode())
    assert status == 400, error
    assert error["message"].startswith(field), error["message"]
    assert api("GET", "runs", run["id"])[0] == 200


@pytest.mark.parametrize(
    "path, body, field",
    [
        (("runs",), {"pid": 2**62}, "pid"),
        (("runs",), {"pid": 0}, "pid"),
        (("runs",), {"pid": 10**400}, "pid"),
        (("runs", "RUN"), {"status": "failed", "end_time": 10**400}, "end_time"),
        (("runs", "RUN"), {"status": "failed", "end_time": 1e300}, "end_time"),
        (("validations",), {"notebook_path": "a.ipynb", "kernel_name": "k", "cell_count": 10**400}, "cell_count"),
        (("validations", "VALIDATION"), {"verdict": "passed", "duration_ms": 1e300}, "duration_ms"),
        (("validations", "VALIDATION", "cells"), {"cells": [{"index": 10**30, "code_index": 0}]}, "cells[0].index"),
    ],
)
def test_numbers_out_of_range_in_any_body_are_a_400(api, run, path, body, field):
    status, created = api("POST", "validations", body={"notebook_path": "a.ipynb", "kernel_name": "k", "cell_count": 1})
    path = tuple({"RUN": run["id"], "VALIDATION": created["run_id"]}.get(part, part) for part in path)
    method = "PATCH" if path[-1] in (run["id"], created["run_id"]) else "POST"
    status, error = api(method, *path, raw_body=json.dumps(body).encode())
    assert status == 400, error
    assert error["message"].startswith(field), error["message"]


@pytest.mark.parametrize(
    "path, params, field",
    [
        (("runs", "RUN", "images", "9" * 30), None, "image_id"),
        (("runs", "RUN", "images", "-1"), None, "image_id"),
        (("runs", "RUN", "metrics", "m"), {"max_points": 10**30}, "max_points"),
        (("runs",), {"offset": 10**30}, "offset"),
        (("git", "log", NOTEBOOK), {"before": "1e300"}, "before"),
        (("git", "log", NOTEBOOK), {"limit": 10**30}, "limit"),
    ],
)
def test_numbers_out_of_range_in_a_url_are_a_400(api, run, path, params, field):
    path = tuple(run["id"] if part == "RUN" else part for part in path)
    status, error = api("GET", *path, params=params)
    assert status == 400, error
    assert error["message"].startswith(field), error["message"]


@pytest.fixture
def store_with_a_bad_pid(store_dir):
    """A store written before pids were checked: a script run of this host whose pid no process can have."""
    store = open_store(store_dir)
    bad = store.create_run(kind="script", pid=os.getpid())["id"]
    orphan = store.create_run(kind="notebook", kernel_id="kernel-of-an-old-server")["id"]
    store.close()
    with sqlite3.connect(store_dir / "store.sqlite") as conn:
        conn.execute("UPDATE runs SET pid = ?, host = ? WHERE uuid = ?", (2**62, socket.gethostname(), bad))
    return {"bad pid": bad, "orphan": orphan}


def test_a_stored_pid_no_process_can_have_neither_stops_the_sweep_nor_the_extension(store_with_a_bad_pid, api):
    assert api("GET", "info")[0] == 200  # the extension loaded
    statuses = {name: api("GET", "runs", run_id)[1]["status"] for name, run_id in store_with_a_bad_pid.items()}
    assert statuses == {"bad pid": "interrupted", "orphan": "interrupted"}


def test_the_store_refuses_a_pid_no_process_can_have(tmp_path):
    store = open_store(tmp_path / "store")
    with pytest.raises(ValueError, match="pid"):
        store.create_run(kind="script", pid=2**62)
    store.close()


# -- nesting --------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [101, 5_000, 200_000])
@pytest.mark.parametrize(
    "method, path",
    [
        ("POST", ("runs", "RUN", "log")),
        ("POST", ("runs",)),
        ("PATCH", ("runs", "RUN")),
        ("POST", ("validations",)),
        ("POST", ("git", "missing")),
    ],
)
def test_a_deeply_nested_body_is_a_400(api, run, method, path, depth):
    path = tuple(run["id"] if part == "RUN" else part for part in path)
    status, error = api(method, *path, raw_body=b'{"tags": ' + nested_text(depth) + b"}")
    assert status == 400, error
    assert "nested deeper than 100" in error["message"]


def test_a_deep_value_next_to_a_nan_is_refused_and_every_read_still_works(api, run):
    deep = json.dumps({"findings": nested(900), "x": 1}).replace("1}", "NaN}")
    raw = b'{"notebook_path": "a.ipynb", "kernel_name": "k", "cell_count": 1, "settings": ' + deep.encode() + b"}"
    status, error = api("POST", "validations", raw_body=raw)
    assert status == 400, error
    assert api("GET", "validations")[0] == 200
    status, _ = api("POST", "runs", run["id"], "log", raw_body=b'{"environment": ' + deep.encode() + b"}")
    assert status == 400
    assert api("GET", "runs", run["id"])[0] == 200


def test_values_stored_before_the_depth_limit_stay_readable(api, run, server_store, store_dir):
    """Written straight into the file (as an older version could): reads answer, with the value's place empty."""
    validation = server_store.create_validation(notebook_path="a.ipynb", kernel_name="k")["run_id"]
    deep = "[" * 3000 + "NaN" + "]" * 3000
    with sqlite3.connect(store_dir / "store.sqlite") as conn:
        conn.execute("UPDATE validations SET settings = ?", ('{"a": ' + deep + ', "b": NaN}',))
        conn.execute("INSERT INTO environments (run, value) SELECT id, ? FROM runs WHERE uuid = ?", (deep, run["id"]))
    assert api("GET", "validations", validation)[0] == 200
    assert api("GET", "validations", validation, "junit")[0] == 200
    assert api("GET", "validations")[0] == 200
    assert api("GET", "runs", run["id"])[0] == 200


def test_lone_surrogates_are_a_400_not_a_failed_write(api, run):
    status, error = api("POST", "runs", run["id"], "log", raw_body=b'{"tags": {"t": "\\ud800"}}')
    assert status == 400, error
    assert "surrogate" in error["message"]
    assert api("GET", "runs", run["id"])[0] == 200


# -- symlinks -------------------------------------------------------------------------


@pytest.fixture
def outside(tmp_path):
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret").write_text("0123456789abcdef0123456789abcdef01234567 do not serve")
    return folder


def test_a_ref_file_linked_outside_is_refused_without_showing_its_content(api, store_dir, outside):
    api("GET", "git", "log", NOTEBOOK)  # creates nothing; the repository appears on first write
    refs = store_dir / "checkpoints.git" / "refs" / "notebooks"
    refs.mkdir(parents=True)
    (refs / NOTEBOOK).symlink_to(outside / "secret")
    status, error = api("GET", "git", *REF.split("/"))
    assert status == 403, error
    assert "do not serve" not in json.dumps(error) and "0123456789abcdef" not in json.dumps(error)


def test_a_ref_file_holding_garbage_is_not_echoed(api, store_dir):
    refs = store_dir / "checkpoints.git" / "refs" / "notebooks"
    refs.mkdir(parents=True)
    (refs / NOTEBOOK).write_text("password=hunter2\n")
    status, error = api("GET", "git", *REF.split("/"))
    assert status == 400, error
    assert "hunter2" not in json.dumps(error)


def test_an_images_folder_linked_outside_is_neither_written_nor_served(api, run, store_dir, outside):
    png = png_bytes(4, 4)
    images = store_dir / "images"
    images.mkdir(parents=True, exist_ok=True)
    sha = hashlib.sha256(png).hexdigest()
    (images / sha[:2]).symlink_to(outside, target_is_directory=True)
    body = {"images": [{"key": "i", "png_base64": base64.b64encode(png).decode()}]}
    status, error = api("POST", "runs", run["id"], "log", body=body)
    assert status == 403, error
    assert sorted(files_under(outside)) == ["secret"]


def test_an_image_file_linked_outside_is_not_served(api, run, server_store, store_dir, outside):
    png = png_bytes(4, 4)
    server_store.log_batch(run["id"], {"images": [{"key": "i", "png": png}]})
    image = server_store.get_run(run["id"])["images"][0]
    path = store_dir / "images" / image["sha256"][:2] / f"{image['sha256']}.png"
    path.unlink()
    path.symlink_to(outside / "secret")
    status, error = api("GET", "runs", run["id"], "images", image["id"])
    assert status == 403, error
    assert b"do not serve" not in json.dumps(error).encode()


def test_the_whole_images_folder_linked_outside_is_refused(api, run, store_dir, outside):
    (store_dir / "images").symlink_to(outside, target_is_directory=True)
    body = {"images": [{"key": "i", "png_base64": base64.b64encode(png_bytes()).decode()}]}
    assert api("POST", "runs", run["id"], "log", body=body)[0] == 403
    assert sorted(files_under(outside)) == ["secret"]


# -- unbounded work -------------------------------------------------------------------


def test_a_parameters_cell_beyond_the_limit_is_a_413(api, run):
    source = "x = 1\n" * (validation.MAX_PARAMETERS_SOURCE_CHARS // 6 + 1)
    status, error = api("POST", "runs", run["id"], "log", body={"parameters_source": source})
    assert status == 413, error
    assert error["message"].startswith("parameters_source")


def test_a_series_read_is_bounded_by_default(api, run, server_store):
    count = handlers.DEFAULT_SERIES_POINTS * 3
    server_store.log_batch(run["id"], {"metrics": [{"key": "m", "values": [float(i % 7) for i in range(count)]}]})
    status, series = api("GET", "runs", run["id"], "metrics", "m")
    assert status == 200
    assert len(series["values"]) <= handlers.DEFAULT_SERIES_POINTS
    assert series["count"] == count


def test_the_same_object_asked_for_many_times_is_sent_once(fetch, post_batch_json):
    new, objects = checkpoint()
    assert post_batch_json(batch_body(objects, ref_update(new)))[0] == 200
    oid = objects[0][0]
    response = fetch(GIT, "objects", method="POST", body=json.dumps({"oids": [oid] * 10_000}))
    assert response.code == 200
    header, payloads = frames(response.body)
    assert header["objects"] == [{"oid": oid, "size": len(objects[0][1])}]
    assert payloads == objects[0][1]


def test_a_reply_of_many_objects_stops_at_its_byte_limit_and_names_the_rest(fetch, post_batch_json, monkeypatch):
    new, objects = checkpoint()
    assert post_batch_json(batch_body(objects, ref_update(new)))[0] == 200
    sizes = [len(data) for _, data in objects]
    monkeypatch.setattr(gitfs, "MAX_OBJECTS_REPLY_BYTES", sizes[0] + 1)
    oids = [oid for oid, _ in objects]
    response = fetch(GIT, "objects", method="POST", body=json.dumps({"oids": oids}))
    header, payloads = frames(response.body)
    assert [item["oid"] for item in header["objects"]] == oids[:1]
    assert header["omitted"] == oids[1:]
    assert header["missing"] == []


def test_a_batch_whose_trees_and_commits_inflate_beyond_the_limit_is_a_413(post_batch_json, monkeypatch):
    new, objects = checkpoint()
    monkeypatch.setattr(gitfs, "MAX_BATCH_TREE_BYTES", 100)
    status, error = post_batch_json(batch_body(objects, ref_update(new)))
    assert status == 413, error
    assert "inflate" in error["message"]


@pytest.fixture
def post_batch_json(fetch):
    def call(body: bytes):
        response = fetch(GIT, "batch", method="POST", body=body, headers={"Content-Type": "application/octet-stream"})
        return response.code, body_of(response)

    return call


@pytest.fixture
def fetch(fetch_answer):
    """Errors are returned, not raised: these tests check the statuses."""
    return fetch_answer


def frames(body: bytes) -> tuple[dict, bytes]:
    size = int.from_bytes(body[:4], "big")
    return json.loads(body[4 : 4 + size]), body[4 + size :]


def test_a_body_beyond_a_mebibyte_is_parsed_by_the_worker_process_with_the_same_answers(api, run):
    filler = "x" * (work.IN_PROCESS_BODY_BYTES + 10)
    status, _ = api("POST", "runs", run["id"], "log", body={"tags": {"big": filler}})
    assert status == 204
    assert api("GET", "runs", run["id"])[1]["tags"]["big"] == filler
    status, error = api("POST", "runs", run["id"], "log", body={"tags": {"big": filler}, "metrics": [{"key": ""}]})
    assert status == 400 and error["message"].startswith("metrics[0]")
    status, error = api("POST", "runs", "no-such-run", "log", body={"tags": {"big": filler}})
    assert status == 404
    deep = b'{"tags": ' + nested_text(5000) + b', "x": "' + filler.encode() + b'"}'
    status, error = api("POST", "runs", run["id"], "log", raw_body=deep)
    assert status == 400 and "nested deeper" in error["message"]


@pytest.mark.parametrize(
    "method, path, limit",
    [
        ("POST", ("runs",), base.MAX_BODY_BYTES),
        ("PATCH", ("runs", "RUN"), base.MAX_BODY_BYTES),
        ("POST", ("git", "missing"), gitfs.MAX_IDS_BODY_BYTES),
        ("POST", ("runs", "RUN", "log"), handlers.MAX_LOG_BODY_BYTES),
    ],
)
def test_a_body_beyond_its_endpoints_limit_is_a_413(api, run, method, path, limit):
    path = tuple(run["id"] if part == "RUN" else part for part in path)
    status, error = api(method, *path, raw_body=b" " * (limit + 1))
    assert status == 413, error
    assert error["message"] == f"body: {limit + 1} bytes, more than the limit of {limit}"
