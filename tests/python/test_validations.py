"""Validations under {base_url}experiments/api/validations, through a real (in-process) Jupyter server."""

from __future__ import annotations

import dataclasses
import json
import re
import socket
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import API

from jupyterlab_experiments.server import handlers
from jupyterlab_experiments.server.extension import orphan_sweep, run_liveness
from jupyterlab_experiments.store import open_store

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK_ID = "3f2c1a9e-8d4b-4f6a-9c1e-2b7d5e8f0a13"
CHECKPOINT = "0123456789abcdef0123456789abcdef01234567"
SETTINGS = {"stopOnError": False, "cellTimeoutMs": 60000, "budgetMs": 600000, "lateOutputMs": 500}
FINDING = {"cellIndex": 2, "cellId": "c3", "kind": "undefined-name", "message": "x is used before it is defined"}
TRACEBACK = ["\x1b[0;31mZeroDivisionError\x1b[0m  Traceback (most recent call last)", "\x1b[0;32m----> 1\x1b[0m 1/0"]
DIFFERENCE = {
    "index": 0,
    "savedIndex": 0,
    "freshIndex": 0,
    "mime": "text/plain",
    "kind": "changed",
    "saved": "42",
    "fresh": "43",
}


def new_validation(**overrides) -> dict:
    body = {
        "notebook_path": "work/analysis.ipynb",
        "notebook_id": NOTEBOOK_ID,
        "checkpoint": CHECKPOINT,
        "kernel_name": "python3",
        "kernel_id": None,
        "settings": SETTINGS,
        "static_findings": [FINDING],
        "cell_count": 4,
    }
    return {**body, **overrides}


def cell(index: int, code_index: int, status: str, **fields) -> dict:
    return {
        "index": index,
        "code_index": code_index,
        "cell_id": f"c{index}",
        "source_head": f"step_{index}()",
        "status": status,
        "duration_ms": 10.0 * (index + 1),
        "previous_duration_ms": None,
        "execution_count": code_index + 1,
        "error": None,
        "reason": "",
        "rules": [],
        "role": None,
        "cause_index": None,
        "differences": [],
        "outputs": [],
        "saved_outputs": [],
        **fields,
    }


FAILED = cell(
    3,
    2,
    "failed",
    error={"ename": "ZeroDivisionError", "evalue": "division by zero", "traceback": TRACEBACK},
    reason="raised ZeroDivisionError",
    role="root-cause",
    outputs=[{"output_type": "error", "ename": "ZeroDivisionError", "evalue": "division by zero", "traceback": []}],
)
CHANGED = cell(
    1,
    1,
    "output-changed",
    reason="text/plain differs",
    rules=["ansi", "floats"],
    differences=[DIFFERENCE],
    outputs=[{"output_type": "execute_result", "data": {"text/plain": "43"}, "metadata": {}, "execution_count": 2}],
    saved_outputs=[
        {"output_type": "execute_result", "data": {"text/plain": "42"}, "metadata": {}, "execution_count": 2}
    ],
)


@pytest.fixture
def create(api):
    def call(**overrides) -> str:
        status, reply = api("POST", "validations", body=new_validation(**overrides))
        assert status == 201, reply
        return reply["run_id"]

    return call


@pytest.fixture
def validation(create):
    return create(run_id="v-1")


def interface_fields(name: str) -> set:
    """The field names of a TypeScript interface exported by a module of src/ (wherever it lives)."""
    pattern = re.compile(r"export interface " + name + r" \{(.*?)\n\}", re.S)
    for path in sorted((REPO / "src").rglob("*.ts")):
        found = pattern.search(path.read_text())
        if found is not None:
            return set(re.findall(r"^  (\w+)\??:", found.group(1), re.M))
    raise AssertionError(f"no module of src/ exports interface {name}")


# -- the life of a validation ----------------------------------------------------------


def test_a_validation_is_created_filled_in_finished_and_reported(api, validation):
    before = time.time()
    # The frontend sends each cell as it progresses, out of notebook order too.
    assert api("POST", "validations", validation, "cells", body={"cells": [cell(0, 0, "running")]}) == (
        200,
        {"recorded": 1},
    )
    assert api("POST", "validations", validation, "cells", body={"cells": [FAILED, cell(0, 0, "passed")]})[1] == {
        "recorded": 2
    }
    assert (
        api("POST", "validations", validation, "cells", body={"cells": [CHANGED, cell(5, 3, "not-reached")]})[0] == 200
    )

    status, ended = api(
        "PATCH", "validations", validation, body={"verdict": "failed", "duration_ms": 1234.5, "message": None}
    )
    assert status == 200
    assert (ended["verdict"], ended["status"], ended["failedAt"]) == ("failed", "failed", 3)

    status, report = api("GET", "validations", validation)
    assert status == 200
    assert set(report) >= interface_fields("IValidationReport")
    assert {key: report[key] for key in ("runId", "notebookPath", "notebookId", "checkpoint", "kernelName")} == {
        "runId": "v-1",
        "notebookPath": "work/analysis.ipynb",
        "notebookId": NOTEBOOK_ID,
        "checkpoint": CHECKPOINT,
        "kernelName": "python3",
    }
    assert (report["verdict"], report["status"], report["durationMs"], report["message"]) == (
        "failed",
        "failed",
        1234.5,
        None,
    )
    assert report["settings"] == SETTINGS
    assert report["staticFindings"] == [FINDING]
    assert report["startedAt"] <= report["finishedAt"] <= (time.time() + 1) * 1000
    assert report["finishedAt"] >= before * 1000 - 1000

    cells = report["cells"]
    assert [c["index"] for c in cells] == [0, 1, 3, 5]
    assert all(set(c) == interface_fields("IValidationCell") for c in cells)
    first, changed, failed, unreached = cells
    assert first["status"] == "passed"  # the later send replaced "running"
    assert first["durationMs"] == 10.0 and first["executionCount"] == 1 and first["previousDurationMs"] is None
    assert failed["error"] == {"ename": "ZeroDivisionError", "evalue": "division by zero", "traceback": TRACEBACK}
    assert (failed["role"], failed["reason"], failed["outputs"]) == ("root-cause", FAILED["reason"], FAILED["outputs"])
    assert (changed["rules"], changed["differences"]) == (["ansi", "floats"], [DIFFERENCE])
    assert (changed["savedOutputs"], changed["outputs"]) == (CHANGED["saved_outputs"], CHANGED["outputs"])
    assert (unreached["status"], unreached["error"], unreached["codeIndex"]) == ("not-reached", None, 3)


def test_a_validation_is_a_run_like_any_other(api, create, jp_serverapp, monkeypatch):
    token_user = jp_serverapp.identity_provider.get_user

    async def ada(handler):  # the token's user, renamed
        return dataclasses.replace(await token_user(handler), username="ada")

    monkeypatch.setattr(jp_serverapp.identity_provider, "get_user", ada)
    run_id = create(kernel_id="k-1")
    assert re.fullmatch("[0-9a-f]{32}", run_id)  # drawn by the server

    status, run = api("GET", "runs", run_id)
    assert status == 200
    assert {key: run[key] for key in ("kind", "name", "status", "notebook_path", "notebook_id")} == {
        "kind": "validation",
        "name": "validate analysis.ipynb",
        "status": "running",
        "notebook_path": "work/analysis.ipynb",
        "notebook_id": NOTEBOOK_ID,
    }
    assert (run["kernel_id"], run["kernel_name"], run["end_time"]) == ("k-1", "python3", None)
    assert run["user"] == "ada"
    assert abs(run["start_time"] - time.time()) < 60

    _, listed = api("GET", "runs", params={"notebook_id": NOTEBOOK_ID})
    assert [(r["id"], r["kind"]) for r in listed["runs"]] == [(run_id, "validation")]
    api("PATCH", "validations", run_id, body={"verdict": "passed", "duration_ms": 5})
    _, finished = api("GET", "runs", run_id)
    assert finished["status"] == "finished" and finished["end_time"] >= finished["start_time"]


@pytest.mark.parametrize(
    "verdict, status",
    [
        ("passed", "finished"),
        ("output-changed", "finished"),
        ("failed", "failed"),
        ("timed-out", "failed"),
        ("error", "failed"),
        ("cancelled", "interrupted"),
    ],
)
def test_the_verdict_decides_how_the_run_ends(api, validation, verdict, status):
    reply = api("PATCH", "validations", validation, body={"verdict": verdict, "duration_ms": 7, "message": "why"})
    assert reply[0] == 200
    _, run = api("GET", "runs", validation)
    assert (run["status"], run["end_time"] is not None) == (status, True)
    _, report = api("GET", "validations", validation)
    assert (report["verdict"], report["message"], report["durationMs"]) == (verdict, "why", 7)


# -- conflicts and unknown runs ---------------------------------------------------------


def test_an_ended_validation_takes_no_more_writes(api, validation):
    api("PATCH", "validations", validation, body={"verdict": "cancelled", "duration_ms": 1})
    status, error = api("POST", "validations", validation, "cells", body={"cells": [cell(0, 0, "passed")]})
    assert (status, error["message"]) == (409, "validation 'v-1' has ended (interrupted)")
    status, error = api("PATCH", "validations", validation, body={"verdict": "passed", "duration_ms": 1})
    assert (status, error["message"]) == (409, "validation 'v-1' has ended (interrupted)")
    assert api("GET", "validations", validation)[1]["cells"] == []


def test_a_run_of_another_kind_is_no_validation(api, run):
    status, error = api("POST", "validations", run["id"], "cells", body={"cells": [cell(0, 0, "passed")]})
    assert (status, error["message"]) == (409, f"run {run['id']!r} is not a validation")
    status, error = api("PATCH", "validations", run["id"], body={"verdict": "passed", "duration_ms": 1})
    assert (status, error["message"]) == (409, f"run {run['id']!r} is not a validation")
    for path in ((run["id"],), (run["id"], "junit")):
        status, error = api("GET", "validations", *path)
        assert (status, error["message"]) == (404, f"run {run['id']!r} is not a validation")
    assert api("GET", "runs", run["id"])[1]["status"] == "running"


def test_a_run_id_is_taken_once(api, create, run):
    create(run_id="taken")
    for run_id in ("taken", run["id"]):
        status, error = api("POST", "validations", body=new_validation(run_id=run_id))
        assert (status, error["message"]) == (409, f"a run with id {run_id!r} already exists")
    assert api("GET", "runs", run["id"])[1]["kind"] == "notebook"


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("GET", ("nope",), None),
        ("GET", ("nope", "junit"), None),
        ("PATCH", ("nope",), {"verdict": "passed", "duration_ms": 1}),
        ("POST", ("nope", "cells"), {"cells": []}),
    ],
)
def test_an_unknown_validation_is_a_404(api, method, path, body):
    status, error = api(method, "validations", *path, body=body)
    assert (status, error["message"]) == (404, "run 'nope' not found")


# -- bad bodies -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"run_id": "a/b"}, "run_id: expected 1 to 64 letters, digits, '-' or '_', got 'a/b'"),
        ({"run_id": "x" * 65}, "run_id: expected 1 to 64 letters"),
        ({"notebook_path": ""}, "notebook_path: expected a non-empty string, got ''"),
        ({"notebook_path": None}, "notebook_path: expected a non-empty string, got null"),
        ({"notebook_id": 3}, "notebook_id: expected a string or null, got 3"),
        ({"checkpoint": "ABC"}, "checkpoint: expected 40 lowercase hex digits, got 'ABC'"),
        ({"checkpoint": CHECKPOINT.upper()}, "checkpoint: expected 40 lowercase hex digits"),
        ({"kernel_name": 1}, "kernel_name: expected a non-empty string, got 1"),
        ({"kernel_id": []}, "kernel_id: expected a string or null, got []"),
        ({"settings": []}, "settings: expected an object, got []"),
        ({"static_findings": {}}, "static_findings: expected a list, got {}"),
        ({"cell_count": -1}, "cell_count: expected an integer >= 0, got -1"),
        ({"cell_count": "3"}, "cell_count: expected an integer >= 0, got '3'"),
        ({"cell_count": True}, "cell_count: expected an integer >= 0, got True"),
        ({"cells": []}, "body: unknown field 'cells'"),
    ],
)
def test_create_rejects_bad_bodies_saying_what_is_wrong(api, overrides, message):
    status, error = api("POST", "validations", body=new_validation(**overrides))
    assert status == 400
    assert error["message"].startswith(message), error["message"]
    assert api("GET", "runs")[1]["total"] == 0


@pytest.mark.parametrize(
    "body, message",
    [
        ([], "body: expected an object, got []"),
        ({}, "cells: expected a list, got null"),
        ({"cells": [cell(0, 0, "passed")], "verdict": "passed"}, "body: unknown field 'verdict'"),
        ({"cells": [{**cell(0, 0, "passed"), "colour": "red"}]}, "cells[0]: unknown field 'colour'"),
        ({"cells": [cell(0, 0, "passed"), cell(-1, 0, "passed")]}, "cells[1].index: expected an integer >= 0, got -1"),
        ({"cells": [cell(0, 1.5, "passed")]}, "cells[0].code_index: expected an integer >= 0, got 1.5"),
        ({"cells": [cell(0, 0, "ok")]}, "cells[0].status: expected one of pending, running, passed, output-changed,"),
        ({"cells": [cell(0, 0, "passed", duration_ms=-1)]}, "cells[0].duration_ms: expected a duration >= 0"),
        ({"cells": [cell(0, 0, "passed", duration_ms="NaN")]}, "cells[0].duration_ms: expected a finite number"),
        ({"cells": [cell(0, 0, "passed", execution_count="1")]}, "cells[0].execution_count: expected an integer"),
        ({"cells": [cell(0, 0, "failed", error={"ename": "E"})]}, "cells[0].error.evalue: expected a string, got null"),
        ({"cells": [cell(0, 0, "failed", error="E")]}, "cells[0].error: expected an object, got 'E'"),
        (
            {"cells": [cell(0, 0, "failed", error={"ename": "E", "evalue": "", "traceback": ["a", 1]})]},
            "cells[0].error.traceback[1]: expected a string, got 1",
        ),
        ({"cells": [cell(0, 0, "passed", rules=["ansi", ""])]}, "cells[0].rules[1]: expected a non-empty string"),
        ({"cells": [cell(0, 0, "failed", role="culprit")]}, "cells[0].role: expected one of root-cause, consequence,"),
        ({"cells": [cell(0, 0, "failed", cause_index=-2)]}, "cells[0].cause_index: expected an integer >= 0"),
        ({"cells": [cell(0, 0, "passed", outputs={})]}, "cells[0].outputs: expected a list, got {}"),
        ({"cells": [cell(0, 0, "passed", source_head=None, reason=3)]}, "cells[0].reason: expected a string or null"),
    ],
)
def test_cells_reject_bad_bodies_and_record_nothing(api, validation, body, message):
    status, error = api("POST", "validations", validation, "cells", raw_body=json.dumps(body).encode())
    assert status == 400
    assert error["message"].startswith(message), error["message"]
    assert api("GET", "validations", validation)[1]["cells"] == []


@pytest.mark.parametrize(
    "body, message",
    [
        ({"duration_ms": 1}, "verdict: expected one of passed, output-changed, failed, timed-out, error, cancelled"),
        ({"verdict": "running", "duration_ms": 1}, "verdict: expected one of passed,"),
        ({"verdict": ["passed"], "duration_ms": 1}, "verdict: expected one of passed,"),
        ({"verdict": "passed", "duration_ms": -5}, "duration_ms: expected a duration >= 0 or null, got -5"),
        ({"verdict": "passed", "duration_ms": "Infinity"}, "duration_ms: expected a finite number or null"),
        ({"verdict": "passed", "message": 1}, "message: expected a string or null, got 1"),
        ({"verdict": "passed", "status": "finished"}, "body: unknown field 'status'"),
    ],
)
def test_finish_rejects_bad_bodies(api, validation, body, message):
    status, error = api("PATCH", "validations", validation, body=body)
    assert status == 400
    assert error["message"].startswith(message), error["message"]
    assert api("GET", "runs", validation)[1]["status"] == "running"


def test_a_body_beyond_the_limit_is_a_413(api, validation, monkeypatch):
    monkeypatch.setattr(handlers.ValidationCellsHandler, "max_body_bytes", 1000)
    big = cell(0, 0, "passed", outputs=[{"output_type": "stream", "name": "stdout", "text": "x" * 2000}])
    body = json.dumps({"cells": [big]}).encode()
    status, error = api("POST", "validations", validation, "cells", raw_body=body)
    assert (status, error["message"]) == (413, f"body: {len(body)} bytes, more than the limit of 1000")
    assert api("GET", "validations", validation)[1]["cells"] == []
    assert api("POST", "validations", validation, "cells", body={"cells": [cell(0, 0, "passed")]})[0] == 200


def test_invalid_json_is_a_400(api, validation):
    status, error = api("POST", "validations", validation, "cells", raw_body=b"{cells: [")
    assert status == 400 and error["message"].startswith("body is not valid JSON")


# -- listing ---------------------------------------------------------------------------------


def test_validations_of_a_notebook_newest_first_with_where_they_failed(api, create):
    first = create(run_id="first")
    api("POST", "validations", first, "cells", body={"cells": [cell(0, 0, "passed"), cell(2, 1, "timed-out")]})
    api("PATCH", "validations", first, body={"verdict": "timed-out", "duration_ms": 900})
    second = create(run_id="second")
    api("POST", "validations", second, "cells", body={"cells": [cell(4, 2, "failed"), cell(1, 0, "failed")]})
    third = create(run_id="third")  # still running
    create(run_id="other", notebook_id="other-notebook", notebook_path="other.ipynb")
    create(run_id="no-id", notebook_id=None)

    status, reply = api("GET", "validations", params={"notebook_id": NOTEBOOK_ID})
    assert status == 200
    summaries = reply["validations"]
    assert [s["runId"] for s in summaries] == [third, second, first]
    assert [s["failedAt"] for s in summaries] == [None, 1, 2]
    assert [s["verdict"] for s in summaries] == [None, None, "timed-out"]
    assert summaries[2]["durationMs"] == 900
    assert all("cells" not in s and s["cellCount"] == 4 for s in summaries)

    _, by_path = api("GET", "validations", params={"notebook_path": "work/analysis.ipynb", "limit": 2})
    assert [s["runId"] for s in by_path["validations"]] == ["no-id", third]
    _, both = api("GET", "validations", params={"notebook_path": "work/analysis.ipynb", "notebook_id": NOTEBOOK_ID})
    assert [s["runId"] for s in both["validations"]] == [third, second, first]
    _, other = api("GET", "validations", params={"notebook_id": "other-notebook"})
    assert [s["runId"] for s in other["validations"]] == ["other"]
    _, none = api("GET", "validations", params={"notebook_id": "never-validated"})
    assert none == {"validations": []}


def test_plain_runs_are_not_listed_as_validations(api, run):
    assert api("GET", "validations", params={"notebook_id": run["notebook_id"]}) == (200, {"validations": []})


def test_the_list_is_20_long_unless_asked(api, server_store):
    for i in range(25):
        server_store.create_validation(notebook_path="n.ipynb", kernel_name="python3", run_id=f"v{i:02}")
    assert len(api("GET", "validations", params={"notebook_path": "n.ipynb"})[1]["validations"]) == 20
    assert len(api("GET", "validations", params={"notebook_path": "n.ipynb", "limit": 200})[1]["validations"]) == 25


@pytest.mark.parametrize(
    "limit, message",
    [("0", "limit: expected 1 to 200, got 0"), ("201", "limit: expected 1 to 200, got 201"), ("x", "limit: expected")],
)
def test_the_list_rejects_a_bad_limit(api, limit, message):
    status, error = api("GET", "validations", params={"limit": limit})
    assert status == 400 and error["message"].startswith(message)


# -- exports ------------------------------------------------------------------------------------


def test_the_report_downloads_as_a_json_file(fetch, validation):
    response = fetch(API, "validations", validation, params={"download": "1"})
    assert response.headers["Content-Disposition"] == 'attachment; filename="analysis-validation.json"'
    assert json.loads(response.body)["runId"] == validation
    assert "Content-Disposition" not in fetch(API, "validations", validation).headers


def test_a_file_name_outside_ascii_is_spelled_twice(fetch, create):
    run_id = create(notebook_path='dir/Résumé "final".ipynb')
    response = fetch(API, "validations", run_id, params={"download": "1"})
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="R_sum_ _final_-validation.json"; '
        "filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22-validation.json"
    )


def test_junit_has_a_case_per_cell_and_counts_them(fetch, api, validation):
    cells = [
        cell(0, 0, "passed"),
        CHANGED,
        FAILED,
        cell(4, 3, "timed-out", reason="no reply within 60 s"),
        cell(6, 4, "skipped", reason="tagged skip-execution", cell_id=None),
        cell(7, 5, "not-reached", source_head=""),
    ]
    api("POST", "validations", validation, "cells", body={"cells": cells})
    api("PATCH", "validations", validation, body={"verdict": "failed", "duration_ms": 2500})

    response = fetch(API, "validations", validation, "junit")
    assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="analysis-validation.xml"'
    suite = ET.fromstring(response.body).find("testsuite")
    assert {key: suite.get(key) for key in ("name", "tests", "failures", "errors", "skipped", "time")} == {
        "name": "work/analysis.ipynb",
        "tests": "6",
        "failures": "1",
        "errors": "2",
        "skipped": "2",
        "time": "2.500",
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", suite.get("timestamp"))
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [
        "cell 1 [c0]: step_0()",
        "cell 2 [c1]: step_1()",
        "cell 4 [c3]: step_3()",
        "cell 5 [c4]: step_4()",
        "cell 7: step_6()",
        "cell 8 [c7]",
    ]
    assert {c.get("classname") for c in cases} == {"work/analysis.ipynb"}
    assert [c.get("time") for c in cases] == ["0.010", "0.020", "0.040", "0.050", "0.070", "0.080"]
    passed, changed, failed, timed_out, skipped, unreached = cases
    assert list(passed) == []
    failure = changed.find("failure")
    assert (failure.get("type"), failure.get("message")) == ("OutputChanged", "text/plain differs")
    assert "text/plain changed" in failure.text and "saved: 42" in failure.text and "fresh: 43" in failure.text
    error = failed.find("error")
    assert (error.get("type"), error.get("message")) == ("ZeroDivisionError", "division by zero")
    assert error.text == "ZeroDivisionError  Traceback (most recent call last)\n----> 1 1/0"  # no ANSI codes
    timeout = timed_out.find("error")
    assert (timeout.get("type"), timeout.get("message")) == ("Timeout", "no reply within 60 s")
    assert skipped.find("skipped").get("message") == "tagged skip-execution"
    assert unreached.find("skipped").get("message") == "not reached"


HOSTILE = "a < b && c > d ]]> \"q\" 's' \x1b[31mred\x1b[0m \x00nul \x07bell \x0bvt \ufffe end"
HOSTILE_CLEAN = "a < b && c > d ]]> \"q\" 's' red nul bell vt  end"


def test_junit_survives_hostile_text(fetch, api, validation):
    hostile = cell(
        0,
        0,
        "failed",
        cell_id="<id>",
        source_head=HOSTILE,
        error={"ename": HOSTILE, "evalue": HOSTILE, "traceback": [HOSTILE, "]]>]]>"]},
        reason=HOSTILE,
    )
    changed = cell(1, 1, "output-changed", reason=HOSTILE, differences=[{**DIFFERENCE, "fresh": HOSTILE}, "odd"])
    skipped = cell(2, 2, "skipped", reason=HOSTILE)
    assert api("POST", "validations", validation, "cells", body={"cells": [hostile, changed, skipped]})[0] == 200

    body = fetch(API, "validations", validation, "junit").body
    assert b"\x00" not in body and b"\x1b" not in body and b"\x07" not in body and b"]]>" not in body
    cases = ET.fromstring(body).find("testsuite").findall("testcase")
    error = cases[0].find("error")
    assert cases[0].get("name") == "cell 1 [<id>]: " + HOSTILE_CLEAN
    assert error.get("type") == error.get("message") == HOSTILE_CLEAN
    assert error.text == HOSTILE_CLEAN + "\n]]>]]>"
    failure = cases[1].find("failure")
    assert failure.get("message") == HOSTILE_CLEAN
    assert "fresh: " + HOSTILE_CLEAN in failure.text and "odd" in failure.text
    assert cases[2].find("skipped").get("message") == HOSTILE_CLEAN
    # The JSON report keeps the text exactly as it was sent.
    assert api("GET", "validations", validation)[1]["cells"][0]["sourceHead"] == HOSTILE


# -- runs whose kernel is gone ----------------------------------------------------------------


def test_the_sweep_interrupts_a_validation_whose_kernel_vanished(
    api, create, server_store, jp_serverapp, jp_asyncio_loop
):
    kernel_manager = jp_serverapp.kernel_manager
    kernel_id = jp_asyncio_loop.run_until_complete(kernel_manager.start_kernel())
    try:
        alive = create(run_id="alive", kernel_id=kernel_id)
        vanished = create(run_id="vanished", kernel_id="kernel-that-died")
        api("POST", "validations", vanished, "cells", body={"cells": [cell(0, 0, "passed"), cell(1, 1, "running")]})
        sweep = orphan_sweep(server_store, run_liveness(kernel_manager, socket.gethostname()), jp_serverapp.log)
        jp_asyncio_loop.run_until_complete(sweep())
    finally:
        jp_asyncio_loop.run_until_complete(kernel_manager.shutdown_kernel(kernel_id, now=True))

    assert api("GET", "runs", alive)[1]["status"] == "running"
    _, report = api("GET", "validations", vanished)
    assert (report["status"], report["verdict"], report["finishedAt"] is not None) == ("interrupted", None, True)
    assert [c["status"] for c in report["cells"]] == ["passed", "running"]
    status, error = api("POST", "validations", vanished, "cells", body={"cells": [cell(1, 1, "passed")]})
    assert (status, error["message"]) == (409, "validation 'vanished' has ended (interrupted)")


@pytest.fixture
def validation_of_a_previous_server(store_dir):
    """A validation left running when its server stopped; created before the test server starts."""
    store = open_store(store_dir)
    store.create_validation(
        run_id="left-running", notebook_path="a.ipynb", kernel_name="python3", kernel_id="kernel-of-old-server"
    )
    store.record_validation_cells("left-running", [cell(0, 0, "passed")])
    store.close()
    return "left-running"


def test_server_start_interrupts_a_validation_left_running(validation_of_a_previous_server, api):
    _, report = api("GET", "validations", validation_of_a_previous_server)
    assert report["status"] == "interrupted"
    assert [c["status"] for c in report["cells"]] == ["passed"]
