"""Random JSON at every endpoint of a real Jupyter server (authentication on): never a 500, the store intact.

Bodies mix what each endpoint expects with random JSON: any depth, sizes,
numbers far beyond 64 bits and doubles, unicode with lone surrogates and NUL.
Derandomized, so that CI runs the same examples every time.
"""

from __future__ import annotations

import json
import sqlite3
import struct

import pytest
from conftest import API, property_settings, strict_json
from hypothesis import given
from hypothesis import strategies as st
from test_checkpoints_repository import NOTEBOOK, REF, checkpoint
from test_gitfs import batch_body, ref_update

FUZZ = property_settings(300)

numbers = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([2**63, -(2**63) - 1, 2**31, 1e308, 5e-324, 10**30, -1, 0]),
)
texts = st.text(max_size=30) | st.sampled_from(["", "NaN", "-Infinity", "\ud800", "\udfff x", "\x00", "../../etc"])
leaves = st.none() | st.booleans() | numbers | texts
json_values = st.recursive(
    leaves, lambda inner: st.lists(inner, max_size=5) | st.dictionaries(texts, inner, max_size=5), max_leaves=40
)
nested = st.integers(min_value=50, max_value=3000).map(lambda depth: "[" * depth + "0" + "]" * depth)

FIELDS = {
    "runs": "run_id name kind notebook_path notebook_id kernel_id kernel_name host pid tags",
    "run": "name notes tags status end_time",
    "log": "params metrics tags images data executions environment parameters_source cell_id checkpoint",
    "validations": "run_id notebook_path notebook_id checkpoint kernel_name kernel_id settings static_findings"
    " cell_count",
    "validation": "verdict duration_ms message",
    "cells": "cells",
    "oids": "oids",
}


def bodies(kind: str):
    """Objects with the endpoint's own field names holding random values, or any JSON, or deep nesting."""
    fields = FIELDS[kind].split()
    shaped = st.dictionaries(st.sampled_from(fields), json_values, max_size=len(fields))
    text = st.one_of(shaped.map(json.dumps), json_values.map(json.dumps), nested)
    return text.map(lambda body: body.replace('"__nan__"', "NaN").encode())


# A URL cannot carry a lone surrogate (the client cannot even encode it), nor a '/' inside one part.
url_parts = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30).filter(
    lambda text: "/" not in text
) | st.sampled_from([NOTEBOOK, "9" * 40, "-1", "0" * 40, "%", "..", "1e300"])
ids = st.sampled_from(["RUN", "VALIDATION"]) | st.sampled_from(["x", "9" * 40, "-1", "%2e%2e", "a" * 70])
queries = st.dictionaries(
    st.sampled_from(["limit", "offset", "status", "notebook_id", "max_points", "before", "before_commit", "download"]),
    st.sampled_from(["", "0", "-1", "1e300", "9" * 40, "nan", "2", "1000", "failed", "x"]),
    max_size=3,
)

REQUESTS = [
    ("GET", "runs", None),
    ("POST", "runs", "runs"),
    ("GET", "runs/{id}", None),
    ("PATCH", "runs/{id}", "run"),
    ("GET", "runs/{id}/metrics/{key}", None),
    ("POST", "runs/{id}/log", "log"),
    ("GET", "runs/{id}/images/{key}", None),
    ("GET", "validations", None),
    ("POST", "validations", "validations"),
    ("GET", "validations/{id}", None),
    ("PATCH", "validations/{id}", "validation"),
    ("POST", "validations/{id}/cells", "cells"),
    ("GET", "validations/{id}/junit", None),
    ("POST", "git/missing", "oids"),
    ("POST", "git/objects", "oids"),
    ("GET", "git/objects/{key}", None),
    ("GET", "git/refs/notebooks/{key}", None),
    ("GET", "git/log/{key}", None),
]


@pytest.fixture
def seeded(api, server_store, fetch):
    """A run with a metric and an image, a validation with a cell, a checkpoint: what must survive the fuzzing."""
    run_id = server_store.create_run(name="kept", notebook_id=NOTEBOOK)["id"]
    server_store.log_batch(
        run_id, {"metrics": [{"key": "loss", "values": [1.0, 0.5]}], "params": [{"key": "lr", "value": 0.1}]}
    )
    validation = server_store.create_validation(notebook_path="a.ipynb", kernel_name="k", cell_count=1)["run_id"]
    new, objects = checkpoint()
    response = fetch(API, "git", "batch", method="POST", body=batch_body(objects, ref_update(new)), raise_error=False)
    assert response.code == 200
    return {"RUN": run_id, "VALIDATION": validation, "commit": new}


def send(fetch, method, path, body=None, params=None):
    kwargs = {"method": method, "raise_error": False, "params": params}
    if body is not None:
        kwargs["body"] = body
    elif method in ("POST", "PATCH"):
        kwargs["body"] = b""
    return fetch(API, *path.split("/"), **kwargs)


def assert_no_server_error(response, method, path):
    assert response.code < 500, (method, path, response.code, response.body[:300])
    if response.headers.get("Content-Type", "").startswith("application/json") and response.body:
        strict_json(response.body)


@FUZZ
@given(data=st.data())
def test_random_requests_never_answer_500(fetch, seeded, data):
    method, template, kind = data.draw(st.sampled_from(REQUESTS))
    identifier = data.draw(ids)
    path = template.format(
        id=seeded.get(identifier, identifier),
        key=data.draw(url_parts),
    )
    body = data.draw(bodies(kind)) if kind else None
    response = send(fetch, method, path, body, data.draw(queries))
    assert_no_server_error(response, method, path)


@FUZZ
@given(header=json_values, payload=st.binary(max_size=200), announced=numbers)
def test_random_batches_never_answer_500(fetch, seeded, header, payload, announced):
    for candidate in (
        json.dumps(header).encode(),
        json.dumps({"objects": [{"oid": "a" * 40, "size": announced}], "ref": header}).encode(),
    ):
        body = struct.pack(">I", len(candidate)) + candidate + payload
        response = send(fetch, "POST", "git/batch", body)
        assert_no_server_error(response, "POST", "git/batch")


@pytest.fixture
def after_fuzzing(api, seeded, store_dir):
    """Checks, once the test has run, that the store and the repository still answer and hold what was seeded."""
    yield
    status, run = api("GET", "runs", seeded["RUN"])
    assert status == 200 and run["name"] == "kept" and run["params"]["lr"] == 0.1
    assert api("GET", "runs", seeded["RUN"], "metrics", "loss")[1]["values"][:2] == [1.0, 0.5]
    assert api("GET", "validations", seeded["VALIDATION"])[0] == 200
    assert api("GET", "git", *REF.split("/"))[1]["oid"] == seeded["commit"]
    with sqlite3.connect(store_dir / "store.sqlite") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_the_store_is_intact_after_random_requests(fetch, seeded, after_fuzzing):
    @FUZZ
    @given(data=st.data())
    def fuzz(data):
        method, template, kind = data.draw(st.sampled_from([r for r in REQUESTS if r[0] != "GET"]))
        path = template.format(id=seeded[data.draw(st.sampled_from(["RUN", "VALIDATION"]))], key="loss")
        response = send(fetch, method, path, data.draw(bodies(kind)) if kind else None)
        assert_no_server_error(response, method, path)

    fuzz()
