"""Request bodies of the REST API checked and turned into store calls' arguments.

Pure functions: each raises ``BadRequest`` whose message names the offending
field by its JSON path (``metrics[2].values[7]: ...``), which the handler returns
as a 400 so a relay in any language learns exactly what to fix.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from typing import Any, Callable, Optional

from ..checkpoints import check_oid
from ..common.jsonvalues import INT64_MAX, MAX_JSON_DEPTH, check_json, has_big_int, has_non_finite
from ..store.base import (
    END_STATUSES,
    FAILURE_ROLES,
    MAX_PID,
    RUN_KINDS,
    VALIDATION_CELL_STATUSES,
    VALIDATION_VERDICTS,
)
from ..store.images import png_size
from .jsonio import NON_FINITE

_INT64 = 2**63
_MAX_STEP = 2**62
# Unix times in seconds up to the year 5138 (a time in milliseconds, ~1.7e12, is refused as a mistake);
# durations (seconds or milliseconds) up to as many.
MAX_TIME = 1e11
# A parameters cell is a few assignments; its source is parsed with ``ast``, whose cost grows with it.
MAX_PARAMETERS_SOURCE_CHARS = 256 * 1024
_RUN_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")
# Runs one bulk edit may name.
MAX_BULK_RUNS = 10_000
# A saved view is a filter, a sort, columns and a selection: small and shallow.
MAX_VIEW_NAME_CHARS = 200
MAX_VIEW_STATE_BYTES = 256 * 1024
MAX_VIEW_DEPTH = 32

_NEW_RUN_FIELDS = set("run_id name kind notebook_path notebook_id kernel_id kernel_name host pid tags".split())
_EXECUTION_FIELDS = set("cell_id execution_count started duration status error_name checkpoint source_head".split())
_LOG_FIELDS = set("params metrics tags images data executions environment parameters_source cell_id checkpoint".split())
_NEW_VALIDATION_FIELDS = set(
    "run_id notebook_path notebook_id checkpoint kernel_name kernel_id settings static_findings cell_count".split()
)
_VALIDATION_CELL_FIELDS = set(
    "index code_index cell_id source_head status duration_ms previous_duration_ms execution_count error reason rules"
    " role cause_index differences outputs saved_outputs".split()
)


class BadRequest(ValueError):
    """The request body is not what the endpoint accepts; the message says why (400)."""


class TooLarge(BadRequest):
    """Within the body's grammar, but beyond a limit (413)."""


def parse_json_body(body: bytes, empty: Any, parse: Callable, *args: Any) -> Any:
    """``parse(value, *args)`` for the JSON ``body`` (``empty`` when there is none); ``BadRequest`` says what is wrong.

    Nothing nested deeper than ``MAX_JSON_DEPTH`` gets past: every reader of what
    is stored (the reports, the JSON encoder, the browser) can walk it.
    """
    if not body:
        return parse(empty, *args)
    try:
        value = json.loads(body)
    except RecursionError:
        raise BadRequest(f"body: nested deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError as exception:
        raise BadRequest(f"body is not valid JSON: {exception}") from None
    try:
        check_json(value, "body")
    except ValueError as exception:
        raise BadRequest(str(exception)) from None
    return parse(value, *args)


# -- runs ---------------------------------------------------------------------


def parse_new_run(body: Any) -> dict:
    """Keyword arguments of ``Store.create_run`` from a POST runs body (``user`` is the server's to set)."""
    fields = _object(body, "body", _NEW_RUN_FIELDS)
    run = {
        key: _optional_str(fields.get(key), key)
        for key in ("name", "notebook_path", "notebook_id", "kernel_id", "kernel_name", "host")
    }
    if fields.get("run_id") is not None:
        run["run_id"] = _run_id(fields["run_id"])
    run["kind"] = _choice(fields.get("kind", "notebook"), "kind", RUN_KINDS)
    run["pid"] = _optional_int(fields.get("pid"), "pid", 1, MAX_PID)
    run["tags"] = _tags(fields.get("tags") or {}, "tags")
    return run


def parse_run_patch(body: Any) -> tuple[dict, Optional[dict]]:
    """(``update_run`` keyword arguments, ``end_run`` keyword arguments or None) from a PATCH body."""
    fields = _object(body, "body", {"name", "notes", "tags", "status", "end_time", "starred", "archived"})
    update: dict = {
        "name": _optional_str(fields.get("name"), "name"),
        "notes": _optional_str(fields.get("notes"), "notes"),
        **_run_edit(fields),
    }
    end = None
    if fields.get("status") is not None:
        end = {
            "status": _choice(fields["status"], "status", END_STATUSES),
            "end_time": _optional_time(fields.get("end_time"), "end_time"),
        }
    elif fields.get("end_time") is not None:
        raise BadRequest("end_time: only meaningful together with status")
    return update, end


def parse_runs_bulk(body: Any) -> tuple[list[str], dict]:
    """(run ids, ``bulk_update_runs`` keyword arguments) from a POST runs/bulk body."""
    fields = _object(body, "body", {"ids", "tags", "starred", "archived"})
    if "ids" not in fields:
        raise BadRequest("ids: missing (the ids of the runs to edit)")
    ids = _list(fields["ids"], "ids", "a list of run ids")
    if len(ids) > MAX_BULK_RUNS:
        raise BadRequest(f"ids: {len(ids)} runs, more than the limit of {MAX_BULK_RUNS}")
    return [_key(run_id, f"ids[{i}]") for i, run_id in enumerate(ids)], _run_edit(fields)


def _run_edit(fields: dict) -> dict:
    """What a PATCH of one run and a bulk edit share: tags to set and remove, the star and archive flags."""
    edit: dict = {}
    if fields.get("tags") is not None:
        tags = _object(fields["tags"], "tags", {"set", "remove"})
        edit["set_tags"] = _tags(tags.get("set") or {}, "tags.set")
        remove = _list(tags.get("remove") or [], "tags.remove")
        edit["remove_tags"] = [_key(key, f"tags.remove[{i}]") for i, key in enumerate(remove)]
    for flag in ("starred", "archived"):
        if flag in fields:
            if not isinstance(fields[flag], bool):
                raise BadRequest(f"{flag}: expected true or false, got {_short(fields[flag])}")
            edit[flag] = fields[flag]
    return edit


# -- saved views ----------------------------------------------------------------


def parse_view(name: str, body: Any) -> tuple[str, dict]:
    """(name, state) of ``Store.save_view`` from the name in a PUT views/<name> URL and its body."""
    if not 1 <= len(name) <= MAX_VIEW_NAME_CHARS:
        raise BadRequest(f"name: expected 1 to {MAX_VIEW_NAME_CHARS} characters, got {len(name)}")
    try:
        check_json(name, "name")
    except ValueError as error:
        raise BadRequest(str(error)) from None
    fields = _object(body, "body", {"state"})
    state = _object(fields.get("state"), "state")
    try:
        check_json(state, "state", MAX_VIEW_DEPTH)
    except ValueError as error:
        raise BadRequest(str(error)) from None
    size = len(json.dumps(state, separators=(",", ":")).encode())
    if size > MAX_VIEW_STATE_BYTES:
        raise TooLarge(f"state: {size} bytes, more than the limit of {MAX_VIEW_STATE_BYTES}")
    return name, state


# -- validations ----------------------------------------------------------------


def parse_new_validation(body: Any) -> dict:
    """Keyword arguments of ``Store.create_validation`` from a POST validations body."""
    fields = _object(body, "body", _NEW_VALIDATION_FIELDS)
    validation = {
        "notebook_path": _key(fields.get("notebook_path"), "notebook_path"),
        "notebook_id": _optional_str(fields.get("notebook_id"), "notebook_id"),
        "kernel_name": _key(fields.get("kernel_name"), "kernel_name"),
        "kernel_id": _optional_str(fields.get("kernel_id"), "kernel_id"),
        "settings": _object(fields.get("settings", {}), "settings"),
        "static_findings": _list(fields.get("static_findings", []), "static_findings"),
        "cell_count": _index(fields.get("cell_count"), "cell_count"),
        "checkpoint": None,
    }
    if fields.get("run_id") is not None:
        validation["run_id"] = _run_id(fields["run_id"])
    if fields.get("checkpoint") is not None:
        try:
            validation["checkpoint"] = check_oid(fields["checkpoint"], "checkpoint")
        except ValueError as error:
            raise BadRequest(str(error)) from None
    return validation


def parse_validation_cells(body: Any) -> list[dict]:
    """The cells of POST validations/<id>/cells (``Store.record_validation_cells``)."""
    fields = _object(body, "body", {"cells"})
    return [_validation_cell(item, f"cells[{i}]") for i, item in enumerate(_list(fields.get("cells"), "cells"))]


def parse_validation_end(body: Any) -> dict:
    """Keyword arguments of ``Store.finish_validation`` from a PATCH validations/<id> body."""
    fields = _object(body, "body", {"verdict", "duration_ms", "message"})
    return {
        "verdict": _choice(fields.get("verdict"), "verdict", tuple(VALIDATION_VERDICTS)),
        "duration_ms": _duration(fields.get("duration_ms"), "duration_ms"),
        "message": _optional_str(fields.get("message"), "message"),
    }


def _validation_cell(item: Any, where: str) -> dict:
    # previous_duration_ms is accepted and dropped: the report computes it from the previous validation.
    fields = _object(item, where, _VALIDATION_CELL_FIELDS)
    rules = _list(fields.get("rules", []), f"{where}.rules")
    cause_index = fields.get("cause_index")
    return {
        "index": _index(fields.get("index"), f"{where}.index"),
        "code_index": _index(fields.get("code_index"), f"{where}.code_index"),
        "cell_id": _optional_str(fields.get("cell_id"), f"{where}.cell_id"),
        "source_head": _optional_str(fields.get("source_head"), f"{where}.source_head") or "",
        "status": _choice(fields.get("status"), f"{where}.status", VALIDATION_CELL_STATUSES),
        "duration_ms": _duration(fields.get("duration_ms"), f"{where}.duration_ms"),
        "execution_count": _optional_int(fields.get("execution_count"), f"{where}.execution_count", 0),
        "error": _validation_error(fields.get("error"), f"{where}.error"),
        "reason": _optional_str(fields.get("reason"), f"{where}.reason") or "",
        "rules": [_key(rule, f"{where}.rules[{j}]") for j, rule in enumerate(rules)],
        "role": None if fields.get("role") is None else _choice(fields["role"], f"{where}.role", FAILURE_ROLES),
        "cause_index": None if cause_index is None else _index(cause_index, f"{where}.cause_index"),
        **{
            name: _list(fields.get(name, []), f"{where}.{name}") for name in ("differences", "outputs", "saved_outputs")
        },
    }


def _validation_error(value: Any, where: str) -> Optional[dict]:
    if value is None:
        return None
    fields = _object(value, where, {"ename", "evalue", "traceback"})
    error = {}
    for name in ("ename", "evalue"):
        if not isinstance(fields.get(name), str):
            raise BadRequest(f"{where}.{name}: expected a string, got {_short(fields.get(name))}")
        error[name] = fields[name]
    if fields.get("traceback") is not None:
        traceback = _list(fields["traceback"], f"{where}.traceback", "a list of strings")
        for j, line in enumerate(traceback):
            if not isinstance(line, str):
                raise BadRequest(f"{where}.traceback[{j}]: expected a string, got {_short(line)}")
        error["traceback"] = traceback
    return error


# -- log batches --------------------------------------------------------------


def parse_log_body(body: Any, parse_parameters: Callable[[str], dict]) -> dict:
    """A ``Store.log_batch`` batch from the JSON of POST runs/<id>/log.

    Besides the store's batch fields (metrics may also come one point per item,
    images as base64), the body may carry ``parameters_source``, the source of a
    cell tagged ``parameters``, which ``parse_parameters`` turns into params. A
    top-level ``cell_id``/``checkpoint`` applies to every item that names none.
    """
    fields = _object(body, "body", _LOG_FIELDS)
    origin = {
        "cell_id": _optional_str(fields.get("cell_id"), "cell_id"),
        "checkpoint": _optional_str(fields.get("checkpoint"), "checkpoint"),
    }
    batch: dict = {}
    params = _params(fields["params"], origin) if fields.get("params") is not None else []
    if fields.get("parameters_source") is not None:
        source = fields["parameters_source"]
        if not isinstance(source, str):
            raise BadRequest(f"parameters_source: expected the cell's source as a string, got {_short(source)}")
        if len(source) > MAX_PARAMETERS_SOURCE_CHARS:
            raise TooLarge(
                f"parameters_source: {len(source)} characters, more than the limit of {MAX_PARAMETERS_SOURCE_CHARS}"
            )
        params += [{"key": key, "value": value, **origin} for key, value in parse_parameters(source).items()]
    if params:
        batch["params"] = params
    if fields.get("metrics") is not None:
        batch["metrics"] = _metrics(fields["metrics"], origin)
    if fields.get("tags") is not None:
        batch["tags"] = _tags(fields["tags"], "tags")
    if fields.get("images") is not None:
        batch["images"] = [
            _image(item, f"images[{i}]", origin) for i, item in enumerate(_list(fields["images"], "images"))
        ]
    if fields.get("data") is not None:
        batch["data"] = [_data(item, f"data[{i}]", origin) for i, item in enumerate(_list(fields["data"], "data"))]
    if fields.get("executions") is not None:
        batch["executions"] = [
            _execution(item, f"executions[{i}]") for i, item in enumerate(_list(fields["executions"], "executions"))
        ]
    if fields.get("environment") is not None:
        batch["environment"] = _object(fields["environment"], "environment")
    return batch


def _params(value: Any, origin: dict) -> list[dict]:
    if isinstance(value, dict):
        items = [{"key": key, "value": item} for key, item in value.items()]
        paths = [f"params.{key}" for key in value]
    else:
        items = [
            _object(item, f"params[{i}]", {"key", "value", "cell_id", "checkpoint"})
            for i, item in enumerate(_list(value, "params", "a list of {key, value} or an object"))
        ]
        paths = [f"params[{i}]" for i in range(len(items))]
    params = []
    for item, where in zip(items, paths):
        if "value" not in item:
            raise BadRequest(f"{where}: missing 'value'")
        if has_non_finite(item["value"]):
            raise BadRequest(f"{where}.value: a param cannot hold NaN or Infinity; log it as a metric")
        if has_big_int(item["value"]):
            raise BadRequest(f"{where}.value: a param's integers must fit in 64 bits")
        params.append(
            {"key": _key(item.get("key"), f"{where}.key"), "value": item["value"], **_origin(item, where, origin)}
        )
    return params


def _metrics(value: Any, origin: dict) -> list[dict]:
    """Columnar series; per-point items are gathered into one series per key and cell.

    A key's points keep their order: a point joins the key's open series only if
    it comes from the same cell and checkpoint, otherwise it opens a new one.
    """
    series: list[dict] = []
    open_series: dict[str, dict] = {}
    for i, item in enumerate(_list(value, "metrics")):
        where = f"metrics[{i}]"
        if isinstance(item, dict) and "values" in item:
            series.append(_columns(item, where, origin))
            open_series.pop(item.get("key"), None)
            continue
        point = _object(item, where, {"key", "value", "step", "timestamp", "cell_id", "checkpoint"})
        if "value" not in point:
            raise BadRequest(f"{where}: expected 'value' (one point) or 'values' (a series)")
        key = _key(point.get("key"), f"{where}.key")
        cell = _origin(point, where, origin)
        current = open_series.get(key)
        if current is None or (current["cell_id"], current["checkpoint"]) != (cell["cell_id"], cell["checkpoint"]):
            current = {"key": key, **cell, "steps": [], "values": [], "timestamps": []}
            series.append(current)
            open_series[key] = current
        current["values"].append(_number(point["value"], f"{where}.value"))
        current["steps"].append(_step(point.get("step"), f"{where}.step"))
        current["timestamps"].append(_optional_time(point.get("timestamp"), f"{where}.timestamp"))
    return series


def _columns(item: dict, where: str, origin: dict) -> dict:
    fields = _object(item, where, {"key", "values", "steps", "timestamps", "cell_id", "checkpoint"})
    values = [_number(v, f"{where}.values[{j}]") for j, v in enumerate(_list(fields["values"], f"{where}.values"))]
    columns = {"key": _key(fields.get("key"), f"{where}.key"), **_origin(fields, where, origin), "values": values}
    for name, parse in (("steps", _step), ("timestamps", _optional_time)):
        if fields.get(name) is None:
            continue
        column = _list(fields[name], f"{where}.{name}")
        if len(column) != len(values):
            raise BadRequest(f"{where}.{name}: {len(column)} items for {len(values)} values")
        columns[name] = [parse(v, f"{where}.{name}[{j}]") for j, v in enumerate(column)]
    return columns


def _image(item: Any, where: str, origin: dict) -> dict:
    fields = _object(item, where, {"key", "png_base64", "step", "timestamp", "cell_id", "checkpoint"})
    step = _step(fields.get("step"), f"{where}.step")
    encoded = fields.get("png_base64")
    if not isinstance(encoded, str):
        raise BadRequest(f"{where}.png_base64: expected the PNG as a base64 string, got {_short(encoded)}")
    try:
        png = base64.b64decode(encoded, validate=True)
    except binascii.Error as error:
        raise BadRequest(f"{where}.png_base64: not valid base64 ({error})") from None
    try:
        png_size(png)
    except ValueError as error:
        raise BadRequest(f"{where}.png_base64: {error}") from None
    return {
        "key": _key(fields.get("key"), f"{where}.key"),
        "png": png,
        "step": step,
        "timestamp": _optional_time(fields.get("timestamp"), f"{where}.timestamp"),
        **_origin(fields, where, origin),
    }


def _data(item: Any, where: str, origin: dict) -> dict:
    fields = _object(item, where, {"path", "sha256", "size", "file_count", "manifest", "cell_id", "checkpoint"})
    path = fields.get("path")
    if not isinstance(path, str) or not path:
        raise BadRequest(f"{where}.path: expected a non-empty string, got {_short(path)}")
    return {
        "path": path,
        "sha256": _optional_str(fields.get("sha256"), f"{where}.sha256"),
        "size": _optional_int(fields.get("size"), f"{where}.size", 0),
        "file_count": _optional_int(fields.get("file_count"), f"{where}.file_count", 0),
        "manifest": fields.get("manifest"),
        **_origin(fields, where, origin),
    }


def _execution(item: Any, where: str) -> dict:
    fields = _object(item, where, _EXECUTION_FIELDS)
    execution = {
        key: _optional_str(fields.get(key), f"{where}.{key}")
        for key in ("cell_id", "status", "error_name", "checkpoint", "source_head")
    }
    execution["execution_count"] = _optional_int(fields.get("execution_count"), f"{where}.execution_count", 0)
    execution["started"] = _optional_time(fields.get("started"), f"{where}.started")
    execution["duration"] = _duration(fields.get("duration"), f"{where}.duration")
    return execution


# -- field checks ---------------------------------------------------------------


def _object(value: Any, where: str, allowed: Optional[set] = None) -> dict:
    if not isinstance(value, dict):
        raise BadRequest(f"{where}: expected an object, got {_short(value)}")
    if allowed is not None:
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise BadRequest(f"{where}: unknown field {unknown[0]!r} (expected {', '.join(sorted(allowed))})")
    return value


def _run_id(value: Any) -> str:
    if not isinstance(value, str) or not _RUN_ID.fullmatch(value):
        raise BadRequest(f"run_id: expected 1 to 64 letters, digits, '-' or '_', got {_short(value)}")
    return value


def _choice(value: Any, where: str, choices: tuple) -> str:
    if not isinstance(value, str) or value not in choices:
        raise BadRequest(f"{where}: expected one of {', '.join(choices)}, got {_short(value)}")
    return value


def _list(value: Any, where: str, expected: str = "a list") -> list:
    if not isinstance(value, list):
        raise BadRequest(f"{where}: expected {expected}, got {_short(value)}")
    return value


def _key(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise BadRequest(f"{where}: expected a non-empty string, got {_short(value)}")
    return value


def _optional_str(value: Any, where: str) -> Optional[str]:
    if value is not None and not isinstance(value, str):
        raise BadRequest(f"{where}: expected a string or null, got {_short(value)}")
    return value


def _optional_int(value: Any, where: str, low: int = -_INT64, high: int = INT64_MAX) -> Optional[int]:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # JavaScript has no int type: 3 may arrive as 3.0
    if not isinstance(value, int) or isinstance(value, bool):
        raise BadRequest(f"{where}: expected an integer or null, got {_short(value)}")
    if not low <= value <= high:
        raise BadRequest(f"{where}: expected an integer from {low} to {high} or null, got {_short(value)}")
    return value


def _index(value: Any, where: str) -> int:
    """A position or count: an integer, 0 or more."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < _INT64:
        raise BadRequest(f"{where}: expected an integer >= 0, got {_short(value)}")
    return value


def _duration(value: Any, where: str) -> Optional[float]:
    duration = _optional_finite(value, where)
    if duration is not None and not 0 <= duration <= MAX_TIME:
        raise BadRequest(f"{where}: expected a duration >= 0 or null, got {_short(value)} (at most {MAX_TIME:.0e})")
    return duration


def _optional_time(value: Any, where: str) -> Optional[float]:
    """A unix time in seconds, or null."""
    time = _optional_finite(value, where)
    if time is not None and not 0 <= time <= MAX_TIME:
        raise BadRequest(f"{where}: expected a unix time in seconds or null, got {_short(value)} (0 to {MAX_TIME:.0e})")
    return time


def _step(value: Any, where: str) -> Optional[int]:
    """A metric step; null means one more than the key's previous step (the store fills it in).

    Bounded by 2**62 so that the difference of two steps, which is what a chunk
    stores, fits in 64 bits.
    """
    step = _optional_int(value, where)
    if step is not None and not -_MAX_STEP <= step <= _MAX_STEP:
        raise BadRequest(f"{where}: a step must lie within +/-2**62, got {step}")
    return step


def _number(value: Any, where: str) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:  # an integer of hundreds of digits
            raise BadRequest(f"{where}: {_short(value)} is beyond the range of a float") from None
    if isinstance(value, str) and value in NON_FINITE:
        return NON_FINITE[value]
    raise BadRequest(f'{where}: expected a number or "NaN", "Infinity", "-Infinity", got {_short(value)}')


def _optional_finite(value: Any, where: str) -> Optional[float]:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and -_INT64 <= value <= INT64_MAX:
        return float(value)
    if isinstance(value, float) and math.isfinite(value):
        return value
    raise BadRequest(f"{where}: expected a finite number or null, got {_short(value)}")


def _tags(value: Any, where: str) -> dict:
    tags = _object(value, where)
    for key, tag in tags.items():
        _key(key, f"{where} key")
        if tag is not None and not isinstance(tag, str):
            raise BadRequest(f"{where}.{key}: expected a string (or null for a bare tag), got {_short(tag)}")
    return {key: tag or "" for key, tag in tags.items()}


def _origin(item: dict, where: str, origin: dict) -> dict:
    """The cell and checkpoint an item came from: its own, else the body's."""
    return {
        name: _optional_str(item[name], f"{where}.{name}") if item.get(name) is not None else origin[name]
        for name in ("cell_id", "checkpoint")
    }


def _short(value: Any) -> str:
    text = "null" if value is None else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
