"""A stored validation as the REST API shows it: the report JSON and JUnit XML.

Pure functions of ``Store.get_validation``'s value. The JSON is camelCase, the
shape of ``IValidationReport`` in ``src/validation/types.ts``; the JUnit XML has
one test case per code cell, so CI servers and test dashboards can show a
notebook's validation like a test suite.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import PurePosixPath
from typing import Any, Optional

# Terminal escapes in tracebacks: CSI sequences (colours), OSC sequences (titles, links), two-byte escapes.
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
# Characters XML 1.0 forbids even as character references (NUL, most C0 controls, lone surrogates, U+FFFE/F).
_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_MAX_DIFFERENCES = 10
_MAX_VALUE_CHARS = 200


def validation_summary(validation: dict) -> dict:
    """A validation without its cells, with the index of its first failed or timed-out cell."""
    return {**_report_fields(validation), "failedAt": validation["failed_at"]}


def validation_report(validation: dict) -> dict:
    """``IValidationReport``: the validation and its cells, by index."""
    return {**_report_fields(validation), "cells": [_cell(cell) for cell in validation["cells"]]}


def export_filename(validation: dict, extension: str) -> str:
    return f"{PurePosixPath(validation['notebook_path']).stem}-validation.{extension}"


def junit_xml(validation: dict) -> bytes:
    """One ``<testsuite>`` named after the notebook, one ``<testcase>`` per code cell."""
    path = _xml_text(validation["notebook_path"])
    cells = validation["cells"]
    statuses = [cell["status"] for cell in cells]
    duration_ms = validation["duration_ms"]
    if duration_ms is None:
        duration_ms = sum(cell["duration_ms"] or 0 for cell in cells)
    suites = ET.Element("testsuites")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=path,
        tests=str(len(cells)),
        failures=str(statuses.count("output-changed")),
        errors=str(statuses.count("failed") + statuses.count("timed-out")),
        skipped=str(sum(status in ("skipped", "not-reached", "pending", "running") for status in statuses)),
        time=_seconds(duration_ms),
        timestamp=datetime.fromtimestamp(validation["start_time"], timezone.utc).strftime("%Y-%m-%dT%H:%M:%S"),
    )
    for cell in cells:
        name = f"cell {cell['index'] + 1}"
        if cell["cell_id"]:
            name += f" [{cell['cell_id']}]"
        if cell["source_head"]:
            name += f": {cell['source_head']}"
        case = ET.SubElement(
            suite, "testcase", classname=path, name=_xml_text(name), time=_seconds(cell["duration_ms"])
        )
        _outcome(case, cell)
    ET.indent(suites)
    return ET.tostring(suites, encoding="utf-8", xml_declaration=True)


def _report_fields(validation: dict) -> dict:
    return {
        "runId": validation["run_id"],
        "notebookPath": validation["notebook_path"],
        "notebookId": validation["notebook_id"],
        "checkpoint": validation["checkpoint"],
        "kernelName": validation["kernel_name"],
        "startedAt": _milliseconds(validation["start_time"]),
        "finishedAt": _milliseconds(validation["end_time"]),
        "durationMs": validation["duration_ms"],
        "verdict": validation["verdict"],
        "message": validation["message"],
        "status": validation["status"],
        "settings": validation["settings"],
        "staticFindings": validation["static_findings"],
        "cellCount": validation["cell_count"],
    }


def _cell(cell: dict) -> dict:
    return {
        "index": cell["index"],
        "codeIndex": cell["code_index"],
        "cellId": cell["cell_id"],
        "sourceHead": cell["source_head"],
        "status": cell["status"],
        "durationMs": cell["duration_ms"],
        # Filled in by the browser, which compares with the notebook's previous validation.
        "previousDurationMs": None,
        "executionCount": cell["execution_count"],
        "error": cell["error"],
        "reason": cell["reason"],
        "rules": cell["rules"],
        "role": cell["role"],
        "causeIndex": cell["cause_index"],
        "savedOutputs": cell["saved_outputs"],
        "outputs": cell["outputs"],
        "differences": cell["differences"],
    }


def _outcome(case: ET.Element, cell: dict) -> None:
    status = cell["status"]
    if status == "failed":
        error = cell["error"] or {}
        element = ET.SubElement(
            case,
            "error",
            type=_xml_text(error.get("ename") or "Error"),
            message=_xml_text(error.get("evalue") or cell["reason"]),
        )
        element.text = _xml_text("\n".join(map(str, error.get("traceback") or ())) or cell["reason"])
    elif status == "timed-out":
        ET.SubElement(case, "error", type="Timeout", message=_xml_text(cell["reason"]))
    elif status == "output-changed":
        element = ET.SubElement(case, "failure", type="OutputChanged", message=_xml_text(cell["reason"]))
        element.text = _xml_text(_differences_text(cell["differences"]))
    elif status == "skipped":
        ET.SubElement(case, "skipped", message=_xml_text(cell["reason"]))
    elif status in ("not-reached", "pending", "running"):
        ET.SubElement(case, "skipped", message="not reached")


def _differences_text(differences: list) -> str:
    """A few lines per difference (``IOutputDifference`` from the browser; read defensively)."""
    lines = []
    for difference in differences[:_MAX_DIFFERENCES]:
        if not isinstance(difference, dict):
            lines.append(_clip(difference))
            continue
        where = " ".join(str(part) for part in (difference.get("mime"), difference.get("kind")) if part)
        lines.append(f"output {difference.get('index')}: {where}")
        lines += [f"  {side}: {_clip(difference.get(side))}" for side in ("saved", "fresh")]
    if len(differences) > _MAX_DIFFERENCES:
        lines.append(f"... and {len(differences) - _MAX_DIFFERENCES} more")
    return "\n".join(lines)


def _clip(value: Any) -> str:
    text = value if isinstance(value, str) else "(none)" if value is None else repr(value)
    return text if len(text) <= _MAX_VALUE_CHARS else text[: _MAX_VALUE_CHARS - 3] + "..."


def _xml_text(value: Any) -> str:
    """Text ElementTree can write as well-formed XML: escapes stripped, forbidden characters dropped."""
    return _NOT_XML.sub("", _ANSI.sub("", str(value)))


def _seconds(milliseconds: Optional[float]) -> str:
    return f"{(milliseconds or 0) / 1000:.3f}"


def _milliseconds(seconds: Optional[float]) -> Optional[int]:
    return None if seconds is None else round(seconds * 1000)
