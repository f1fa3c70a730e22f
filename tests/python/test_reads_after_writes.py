"""Property: whatever a write accepts, every read of it succeeds (and its reply is JSON a browser parses).

Bodies are generated as the REST API receives them, parsed by the handlers' own
functions (``parse_json_body`` and ``validation``) and written to a real store;
a body refused with ``BadRequest`` (400) or a ``ValueError`` of the store (400)
is fine. Whatever is accepted must then read back through every reader: the
run, the runs list, each metric series, the validation, its report, its JUnit
XML and the validations list, each encoded by the reply encoder.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from conftest import property_settings, strict_json
from hypothesis import given
from hypothesis import strategies as st

from jupyterlab_experiments.common.parameters import parse_parameters
from jupyterlab_experiments.server.jsonio import dumps
from jupyterlab_experiments.server.reports import junit_xml, validation_report, validation_summary
from jupyterlab_experiments.server.validation import (
    BadRequest,
    parse_json_body,
    parse_log_body,
    parse_new_validation,
    parse_validation_cells,
)
from jupyterlab_experiments.store import open_store

SETTINGS = property_settings(60)

numbers = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["NaN", "Infinity", "-Infinity", 1e308, -1e308, 5e-324, 2**63, -(2**63) - 1]),
)
texts = st.text(max_size=20) | st.sampled_from(["", "NaN", "Infinity", '"\\', "\x00", "\ud800", "é\u2028"])
leaves = st.none() | st.booleans() | numbers | texts
json_values = st.recursive(
    leaves, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4)
)


def deep(depth: int, leaf=float("nan")):
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


deep_values = st.builds(deep, st.integers(min_value=90, max_value=110), leaves)
anything = json_values | deep_values
keys = st.text(min_size=1, max_size=12) | st.sampled_from(["loss", "a/b", "%s", "\ud800"])
maybe = st.none() | numbers | texts


def metric_points():
    return st.fixed_dictionaries(
        {"key": keys, "value": numbers | st.sampled_from(["NaN", "Infinity"])},
        optional={"step": maybe, "timestamp": maybe, "cell_id": maybe},
    )


def metric_columns():
    return st.integers(min_value=0, max_value=5).flatmap(
        lambda n: st.fixed_dictionaries(
            {"key": keys, "values": st.lists(numbers, min_size=n, max_size=n)},
            optional={
                "steps": st.lists(maybe, min_size=n, max_size=n),
                "timestamps": st.lists(maybe, min_size=n, max_size=n),
            },
        )
    )


log_bodies = st.fixed_dictionaries(
    {},
    optional={
        "params": st.dictionaries(keys, anything, max_size=3),
        "metrics": st.lists(metric_points() | metric_columns(), max_size=4),
        "tags": st.dictionaries(keys, st.none() | texts, max_size=3),
        "environment": st.dictionaries(texts, anything, max_size=3),
        "executions": st.lists(
            st.fixed_dictionaries(
                {},
                optional={"cell_id": maybe, "execution_count": maybe, "started": maybe, "duration": maybe},
            ),
            max_size=2,
        ),
        "data": st.lists(
            st.fixed_dictionaries({"path": keys}, optional={"size": maybe, "file_count": maybe, "manifest": anything}),
            max_size=2,
        ),
        "parameters_source": st.sampled_from(
            ["lr = 0.1", "x = " + "[" * 200 + "]" * 200, "n = 10**400", "s = '\\ud800'"]
        ),
        "cell_id": maybe,
    },
)

cells = st.fixed_dictionaries(
    {
        "index": st.integers(min_value=0, max_value=5) | maybe,
        "code_index": st.integers(min_value=0, max_value=5),
        "status": st.sampled_from(["passed", "failed", "output-changed", "skipped", "timed-out", "running"]),
    },
    optional={
        "duration_ms": maybe,
        "execution_count": maybe,
        "error": st.fixed_dictionaries({"ename": texts, "evalue": texts}, optional={"traceback": st.lists(texts)}),
        "reason": texts,
        "rules": st.lists(keys, max_size=2),
        "role": st.sampled_from(["root-cause", "consequence", None]),
        "cause_index": maybe,
        "differences": st.lists(anything, max_size=2),
        "outputs": st.lists(anything, max_size=2),
        "saved_outputs": st.lists(anything, max_size=2),
        "source_head": texts,
    },
)


def encode(body) -> bytes:
    """As a client would send it: bare NaN/Infinity tokens and lone surrogates written as escapes."""
    return json.dumps(body).encode()


def accepted(parse, body: bytes, *args):
    try:
        return parse_json_body(body, None, parse, *args)
    except BadRequest:
        return None


def reply_parses(value) -> None:
    strict_json(dumps(value))


@pytest.fixture
def store(tmp_path):
    store = open_store(tmp_path / "store")
    yield store
    store.close()


@SETTINGS
@given(body=log_bodies)
def test_whatever_a_log_write_accepts_reads_back(store, body):
    batch = accepted(parse_log_body, encode(body), parse_parameters)
    run_id = store.create_run(kind="script")["id"]
    if batch is not None:
        try:
            store.log_batch(run_id, batch)
        except ValueError:
            pass
    run = store.get_run(run_id)
    reply_parses(run)
    reply_parses(store.list_runs(limit=5))
    for key in run["metrics"]:
        reply_parses(store.get_metric_series(run_id, key, 10))


@SETTINGS
@given(
    settings_value=st.dictionaries(texts, anything, max_size=3),
    findings=st.lists(anything, max_size=2),
    cell_list=st.lists(cells, max_size=3),
)
def test_whatever_a_validation_write_accepts_reads_back(store, settings_value, findings, cell_list):
    new = {"notebook_path": "a.ipynb", "kernel_name": "k", "cell_count": 3, "settings": settings_value}
    fields = accepted(parse_new_validation, encode({**new, "static_findings": findings}))
    if fields is None:
        fields = parse_json_body(encode(new | {"settings": {}}), None, parse_new_validation)
    try:
        run_id = store.create_validation(**fields)["run_id"]
    except ValueError:
        run_id = store.create_validation(**{**fields, "settings": {}, "static_findings": []})["run_id"]
    parsed = accepted(parse_validation_cells, encode({"cells": cell_list}))
    if parsed is not None:
        try:
            store.record_validation_cells(run_id, parsed)
        except ValueError:
            pass
    validation = store.get_validation(run_id)
    reply_parses(validation_report(validation))
    ET.fromstring(junit_xml(validation))
    reply_parses([validation_summary(item) for item in store.list_validations(limit=5)])
