"""The git-fs API under {base_url}experiments/api/git/, through a real (in-process) Jupyter server."""

from __future__ import annotations

import json
import os
import re
import struct

import pytest
from test_checkpoints_repository import (
    NOTEBOOK,
    REF,
    checkpoint,
    files_under,
    fsck_problems,
    git,
    loose_object,
)

from jupyterlab_experiments.server import gitfs

API = "experiments/api"
GIT = "experiments/api/git"


@pytest.fixture
def fetch(fetch_answer):
    """Errors are returned, not raised: these tests check the statuses."""
    return fetch_answer


@pytest.fixture
def raw_get(http_server_client, jp_asyncio_loop, jp_auth_header, jp_base_url):
    """GET a path sent exactly as written (jp_fetch would escape its '%')."""

    def call(path, headers=None):
        request = http_server_client.fetch(
            jp_base_url + GIT + "/" + path, headers={**jp_auth_header, **(headers or {})}, raise_error=False
        )
        return jp_asyncio_loop.run_until_complete(request)

    return call


@pytest.fixture
def repo_path(store_dir):
    return store_dir / "checkpoints.git"


def snapshot(root) -> dict:
    """Every file below ``root`` with its bytes; SQLite's own files by name only (reads touch them)."""
    return {path: None if "store.sqlite" in path else data for path, data in files_under(root).items()}


def body_of(response):
    if response.headers.get("Content-Type", "").startswith("application/json"):
        return json.loads(response.body)
    return response.body


def batch_body(objects, ref=None, extra=None) -> bytes:
    header = {"objects": [{"oid": oid, "size": len(data)} for oid, data in objects], **(extra or {})}
    if ref is not None:
        header["ref"] = ref
    encoded = json.dumps(header).encode()
    return struct.pack(">I", len(encoded)) + encoded + b"".join(data for _, data in objects)


@pytest.fixture
def post_batch(fetch):
    def call(body: bytes, **kwargs):
        response = fetch(
            GIT, "batch", method="POST", body=body, headers={"Content-Type": "application/octet-stream"}, **kwargs
        )
        return response.code, body_of(response)

    return call


def ref_update(new, old=None, name=REF) -> dict:
    return {"name": name, "old": old, "new": new}


def test_a_checkpoint_lands_is_indexed_and_links_its_execution(post_batch, fetch, server_store, repo_path):
    run_id = server_store.create_run(notebook_id=NOTEBOOK)["id"]
    server_store.log_batch(
        run_id,
        {
            "executions": [{"cell_id": "cell-a", "execution_count": 4, "duration": 0.3, "status": "ok"}],
            "params": [{"key": "lr", "value": 0.01, "cell_id": "cell-a"}],
            "metrics": [{"key": "loss", "values": [0.9, 0.4], "cell_id": "cell-a"}],
        },
    )
    new, objects = checkpoint(cell="cell-a", count=4, run=run_id, duration="0.3")

    status, reply = post_batch(batch_body(objects, ref_update(new)))

    assert (status, reply) == (200, {"ref": REF, "oid": new})
    assert git(repo_path, "log", "--format=%H", REF).stdout.split() == [new]
    assert fsck_problems(repo_path) == []
    log = body_of(fetch(GIT, "log", NOTEBOOK))
    assert log["total"] == 1
    assert log["checkpoints"][0] == {
        "notebook_id": NOTEBOOK,
        "commit": new,
        "parent": None,
        "time": 1_700_000_000,
        "cell_id": "cell-a",
        "run_id": run_id,
        "execution_count": 4,
        "status": "ok",
        "duration": 0.3,
        "message": "Run cell cell-a",
        "notebook_path": "work/a b.ipynb",
    }
    run = server_store.get_run(run_id)
    assert run["executions"][0]["checkpoint"] == new
    assert run["param_cells"]["lr"]["checkpoint"] == new


def test_objects_and_refs_are_served(post_batch, fetch):
    assert body_of(fetch(GIT, "refs", "notebooks", NOTEBOOK)) == {"ref": REF, "oid": None}
    new, objects = checkpoint()
    assert post_batch(batch_body(objects, ref_update(new)))[0] == 200
    assert body_of(fetch(GIT, "refs", "notebooks", NOTEBOOK)) == {"ref": REF, "oid": new}

    for oid, deflated in objects:
        response = fetch(GIT, "objects", oid)
        assert response.code == 200
        assert response.body == deflated
        assert response.headers["Content-Type"] == "application/octet-stream"
        assert "immutable" in response.headers["Cache-Control"]
    absent = fetch(GIT, "objects", "f" * 40)
    assert absent.code == 404
    assert body_of(absent)["message"] == f"object {'f' * 40} not found"


def test_many_objects_come_back_in_one_framed_reply(post_batch, fetch):
    new, objects = checkpoint()
    post_batch(batch_body(objects, ref_update(new)))
    asked = [objects[1][0], "f" * 40, objects[0][0]]
    response = fetch(GIT, "objects", method="POST", body=json.dumps({"oids": asked}))
    assert response.code == 200 and response.headers["Content-Type"] == "application/octet-stream"
    (length,) = struct.unpack(">I", response.body[:4])
    header = json.loads(response.body[4 : 4 + length])
    assert header == {
        "objects": [
            {"oid": objects[1][0], "size": len(objects[1][1])},
            {"oid": objects[0][0], "size": len(objects[0][1])},
        ],
        "missing": ["f" * 40],
        "omitted": [],
    }
    assert response.body[4 + length :] == objects[1][1] + objects[0][1]
    bad = fetch(GIT, "objects", method="POST", body=json.dumps({"oids": ["../store.sqlite"]}))
    assert bad.code == 400


def test_a_batch_of_objects_alone_moves_no_ref(post_batch, fetch):
    blob = loose_object("blob", b"just a blob")
    assert post_batch(batch_body([blob])) == (200, {"ref": None, "oid": None})
    assert fetch(GIT, "objects", blob[0]).body == blob[1]


def test_missing_lists_the_objects_the_server_lacks(post_batch, fetch):
    new, objects = checkpoint()
    post_batch(batch_body(objects[:2]))
    asked = [objects[2][0], objects[0][0], "f" * 40, objects[2][0], objects[1][0]]
    response = fetch(GIT, "missing", method="POST", body=json.dumps({"oids": asked}))
    assert body_of(response) == {"missing": [objects[2][0], "f" * 40]}


@pytest.mark.parametrize(
    "body, message",
    [
        ({"oids": ["a" * 40, "A" * 40]}, "oids[1]: expected 40 lowercase hex digits, got 'AAAA"),
        ({"oids": ["../../store.sqlite"]}, "oids[0]: expected 40 lowercase hex digits"),
        ({"oids": "a" * 40}, 'body: expected {"oids": [<40 hex>, ...]}'),
        ({"ids": []}, 'body: expected {"oids": [<40 hex>, ...]}'),
        ({"oids": ["a" * 40] * 100_001}, "oids: 100001 ids, more than the limit of 100000"),
    ],
)
def test_missing_rejects_bad_bodies(fetch, body, message):
    response = fetch(GIT, "missing", method="POST", body=json.dumps(body))
    assert response.code == 400
    assert body_of(response)["message"].startswith(message)


def test_a_stale_old_value_is_a_409_naming_the_current_commit(post_batch, fetch):
    first, objects_1 = checkpoint(source=b"1")
    assert post_batch(batch_body(objects_1, ref_update(first)))[0] == 200
    second, objects_2 = checkpoint(parent=first, source=b"2")

    status, reply = post_batch(batch_body(objects_2, ref_update(second)))

    assert status == 409
    assert reply["current"] == first
    assert REF in reply["message"]
    missing = fetch(GIT, "missing", method="POST", body=json.dumps({"oids": [oid for oid, _ in objects_2]}))
    assert body_of(missing) == {"missing": []}  # the objects stayed: a retry sends only the ref
    assert post_batch(batch_body([], ref_update(second, old=first))) == (200, {"ref": REF, "oid": second})
    log = body_of(fetch(GIT, "log", NOTEBOOK))
    assert [row["commit"] for row in log["checkpoints"]] == [second, first]


def _bad_batches():
    new, objects = checkpoint()
    body = batch_body(objects, ref_update(new))
    header_size = struct.unpack(">I", body[:4])[0]
    blob, root, top = objects
    wrong_hash = (blob[0], loose_object("blob", b"something else")[1])
    return [
        ("empty body", b"", "body: expected a 4-byte big-endian header length first, got 0 bytes"),
        ("length cut", body[:3], "body: expected a 4-byte big-endian header length first, got 3 bytes"),
        ("header cut", body[: 4 + header_size - 1], f"header: {header_size} bytes announced"),
        ("not JSON", struct.pack(">I", 3) + b"{x}", "header: not UTF-8 JSON"),
        ("not UTF-8", struct.pack(">I", 2) + b"\xff\xfe", "header: not UTF-8 JSON"),
        ("header a list", _with_header(b"", []), 'header: expected {"objects": [...], "ref"?: {...}}'),
        ("unknown field", batch_body(objects, ref_update(new), {"checkpoints": []}), 'header: expected {"objects"'),
        ("payload cut", body[:-10], "objects[2]: "),
        ("bytes after", body + b"\0", "body: 1 bytes after the last object"),
        ("no size", _with_header(body, {"objects": [{"oid": blob[0]}]}), "objects[0]: expected {oid, size}"),
        ("negative size", _with_header(b"", {"objects": [{"oid": blob[0], "size": -1}]}), "objects[0].size"),
        ("bad oid", batch_body([("../" * 13 + "a", blob[1])]), "objects[0].oid: expected 40 lowercase hex"),
        ("hash mismatch", batch_body([wrong_hash, root, top], ref_update(new)), "its content hashes to"),
        ("broken zlib", batch_body([(blob[0], blob[1][:-4] + b"abcd"), root, top]), f"object {blob[0]}: "),
        ("dangling tree", batch_body([root, top], ref_update(new)), f"refers to blob {blob[0]}, which is neither"),
        ("new not a commit", batch_body(objects, ref_update(blob[0])), "is a blob, not a commit"),
        ("new absent", batch_body(objects, ref_update("e" * 40)), "is neither in the batch nor in the repository"),
        ("old malformed", batch_body(objects, ref_update(new, old="HEAD")), "ref.old: expected 40 lowercase hex"),
        ("ref traversal", batch_body(objects, ref_update(new, name="refs/notebooks/../../config")), "ref.name"),
        ("ref absolute", batch_body(objects, ref_update(new, name="/tmp/x")), "ref.name: expected refs/notebooks/"),
        ("ref of a branch", batch_body(objects, ref_update(new, name="refs/heads/main")), "ref.name"),
        ("ref backslash", batch_body(objects, ref_update(new, name=f"refs\\notebooks\\{NOTEBOOK}")), "ref.name"),
        ("ref NUL", batch_body(objects, ref_update(new, name=REF + "\0")), "ref.name: expected refs/notebooks/"),
        ("ref fields", batch_body(objects, {"name": REF, "new": new}), 'ref: expected {"name", "old", "new"}'),
    ]


def _with_header(payload: bytes, header) -> bytes:
    encoded = json.dumps(header).encode()
    return struct.pack(">I", len(encoded)) + encoded + payload


BAD_BATCHES = _bad_batches()


@pytest.mark.parametrize("name, body, message", BAD_BATCHES, ids=[case[0] for case in BAD_BATCHES])
def test_bad_batches_are_refused_and_write_nothing(post_batch, fetch, tmp_path, name, body, message):
    fetch(GIT, "refs", "notebooks", NOTEBOOK)  # the repository exists before, so "nothing written" is meaningful
    before = snapshot(tmp_path)

    status, reply = post_batch(body)

    assert status == 400, reply
    assert message in reply["message"]
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    "limit, value, message",
    [
        ("MAX_BATCH_BYTES", 100, r"body: \d+ bytes, more than the limit of 100"),
        ("MAX_HEADER_BYTES", 10, r"header: \d+ bytes, more than the limit of 10"),
        ("MAX_OBJECTS", 2, r"objects: 3 objects, more than the limit of 2"),
        ("MAX_OBJECT_BYTES", 20, r"objects\[\d\]\.size: \d+ bytes, more than the limit of 20"),
    ],
)
def test_a_batch_beyond_a_limit_is_a_413(post_batch, tmp_path, monkeypatch, limit, value, message):
    monkeypatch.setattr(gitfs, limit, value)
    new, objects = checkpoint(source=b"a cell source of more than twenty bytes")
    before = snapshot(tmp_path)
    status, reply = post_batch(batch_body(objects, ref_update(new)))
    assert status == 413
    assert re.fullmatch(message, reply["message"])
    assert snapshot(tmp_path) == before


def test_an_object_that_inflates_beyond_the_limit_is_a_413(post_batch, monkeypatch):
    monkeypatch.setattr("jupyterlab_experiments.checkpoints.repository.MAX_OBJECT_BYTES", 1000)
    blob = loose_object("blob", bytes(5000))  # 30 bytes on the wire
    status, reply = post_batch(batch_body([blob]))
    assert status == 413
    assert reply["message"] == f"object {blob[0]}: 5000 bytes, more than the limit of 1000"


def test_a_body_beyond_the_limit_without_a_length_is_refused(fetch, monkeypatch, repo_path):
    """Chunked: no Content-Length to check up front; tornado stops reading at the limit."""
    monkeypatch.setattr(gitfs, "MAX_BATCH_BYTES", 1000)
    new, objects = checkpoint(source=os.urandom(3000))  # incompressible
    body = batch_body(objects, ref_update(new))
    assert len(body) > 1000

    async def chunks(write):
        for start in range(0, len(body), 512):
            await write(body[start : start + 512])

    response = fetch(GIT, "batch", method="POST", body_producer=chunks)
    assert 400 <= response.code < 500 or response.code == 599  # tornado may just drop the connection
    assert not (repo_path / REF).exists()


@pytest.mark.parametrize(
    "path",
    [
        "objects/..%2F..%2Fstore.sqlite",
        "objects/%2e%2e%2f%2e%2e%2fstore.sqlite",
        "objects/" + "A" * 40,
        "objects/" + "a" * 39,
        "objects/" + "a" * 40 + "%00",
        "objects/%2Fetc%2Fpasswd",
        "refs/notebooks/..%2F..%2Fconfig",
        "refs/notebooks/%2e%2e/%2e%2e/config",
        "refs/notebooks/../../config",
        f"refs/notebooks/{NOTEBOOK}%2F..%2F..%2F..%2Fstore.sqlite",
        f"refs/notebooks/{NOTEBOOK}%00",
        f"refs/notebooks/{NOTEBOOK}%5C..%5Cconfig",
        "refs/%2Fetc%2Fpasswd",
        "refs/heads/main",
        "log/..%2F..%2Fstore.sqlite",
        f"log/{NOTEBOOK}%2F..",
    ],
)
def test_traversal_attempts_in_urls_are_refused(raw_get, tmp_path, path):
    assert raw_get(f"refs/notebooks/{NOTEBOOK}").code == 200  # the repository exists: its files are the baseline
    before = snapshot(tmp_path)
    response = raw_get(path)
    assert response.code == 400
    assert b"SQLite format" not in response.body and b"[core]" not in response.body
    assert snapshot(tmp_path) == before


def test_the_log_pages_by_time_and_by_cursor(post_batch, fetch):
    parent = None
    commits = []
    for i in range(5):
        new, objects = checkpoint(parent=parent, source=b"%d" % i, when=1_700_000_000 + i // 2, count=i)
        assert post_batch(batch_body(objects, ref_update(new, old=parent)))[0] == 200
        commits.append(new)
        parent = new
    newest_first = commits[::-1]

    first = body_of(fetch(GIT, "log", NOTEBOOK, params={"limit": 2}))
    assert [row["commit"] for row in first["checkpoints"]] == newest_first[:2]
    assert first["total"] == 5
    rest = body_of(fetch(GIT, "log", NOTEBOOK, params={"before_commit": newest_first[1]}))
    assert [row["commit"] for row in rest["checkpoints"]] == newest_first[2:]
    older = body_of(fetch(GIT, "log", NOTEBOOK, params={"before": 1_700_000_001.5}))
    assert [row["commit"] for row in older["checkpoints"]] == newest_first[1:]
    assert [row["execution_count"] for row in older["checkpoints"]] == [3, 2, 1, 0]


@pytest.mark.parametrize(
    "path, params, status, message",
    [
        ("not-a-uuid", {}, 400, "notebook_id: expected a UUID, got 'not-a-uuid'"),
        (NOTEBOOK, {"limit": 0}, 400, "limit: expected 1 to 1000, got 0"),
        (NOTEBOOK, {"before": "yesterday"}, 400, "before: expected a unix time in seconds, got 'yesterday'"),
        (NOTEBOOK, {"before": "nan"}, 400, "before: expected a unix time in seconds, got 'nan'"),
        (NOTEBOOK, {"before_commit": "HEAD"}, 400, "before_commit: expected 40 lowercase hex digits"),
        (NOTEBOOK, {"before_commit": "a" * 40}, 404, f"has no checkpoint '{'a' * 40}'"),
    ],
)
def test_the_log_rejects_bad_arguments(fetch, path, params, status, message):
    response = fetch(GIT, "log", path, params=params)
    assert response.code == status
    assert message in body_of(response)["message"]


def test_refs_reject_names_other_than_notebook_refs(fetch):
    response = fetch(GIT, "refs", "heads", "main")
    assert response.code == 400
    assert body_of(response)["message"] == "ref: expected refs/notebooks/<notebook id, a UUID>, got 'refs/heads/main'"
    response = fetch(GIT, "refs", "notebooks", "x" + NOTEBOOK)
    assert response.code == 400


def _valid_batch() -> bytes:
    new, objects = checkpoint()
    return batch_body(objects, ref_update(new))


ENDPOINTS = [
    ("GET", f"objects/{'a' * 40}", None),
    ("GET", f"refs/notebooks/{NOTEBOOK}", None),
    ("POST", "missing", json.dumps({"oids": ["a" * 40]}).encode()),
    ("POST", "objects", json.dumps({"oids": ["a" * 40]}).encode()),
    ("POST", "batch", _valid_batch()),
    ("GET", f"log/{NOTEBOOK}", None),
]


@pytest.mark.parametrize("allow_unauthenticated", [False, True])
@pytest.mark.parametrize("method, path, body", ENDPOINTS, ids=[e[1].split("/")[0] for e in ENDPOINTS])
def test_every_git_endpoint_refuses_unauthenticated_requests(fetch, store_dir, method, path, body):
    """Refused even with ServerApp.allow_unauthenticated_access: the handlers' own checks decide."""
    response = fetch(GIT, path, method=method, body=body, headers={"Authorization": ""})
    assert response.code in (401, 403)
    assert not (store_dir / "checkpoints.git" / "refs" / "notebooks").exists()
    assert not [p for p in files_under(store_dir) if "/objects/" in p]


@pytest.mark.parametrize("allow_unauthenticated", [True])
def test_an_anonymous_batch_is_refused_before_its_size_is_considered(fetch, monkeypatch):
    monkeypatch.setattr(gitfs, "MAX_BATCH_BYTES", 10)
    response = fetch(GIT, "batch", method="POST", body=_valid_batch(), headers={"Authorization": ""})
    assert response.code == 403


def test_git_routes_are_registered_with_the_others():
    from jupyterlab_experiments.server.routes import url_handlers

    routes = [pattern for pattern, _ in url_handlers("/base/")]
    assert "/base/experiments/api/git/batch" in routes
    assert "/base/experiments/api/git/missing" in routes
