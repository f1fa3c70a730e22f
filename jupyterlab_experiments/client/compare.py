"""Runs side by side, from Python: the shapes of ``jx.get_metrics`` and ``jx.compare_runs``.

Pure functions over what the store returns (series and full runs); pandas is used when it is
installed, plain lists of dicts otherwise, as ``jx.search_runs`` does.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

METRIC_COLUMNS = ("run_id", "key", "step", "timestamp", "value")
# The rows of a comparison, in this order of kinds; within a kind, by key.
COMPARE_KINDS = ("params", "metrics", "tags", "env")


def metric_rows(series: Sequence[dict]) -> list[dict]:
    """Long form: one row per point, ``run_id, key, step, timestamp, value``."""
    rows = []
    for one in series:
        run_id, key = one["run_id"], one["key"]
        for step, timestamp, value in zip(one["steps"], one["timestamps"], one["values"]):
            rows.append({"run_id": run_id, "key": key, "step": step, "timestamp": timestamp, "value": value})
    return rows


def has_pandas() -> bool:
    """Whether the tables come as pandas DataFrames (and series as numpy arrays)."""
    try:
        import numpy  # noqa: F401
        import pandas  # noqa: F401
    except ImportError:
        return False
    return True


def metrics_frame(series: Sequence[dict]) -> Any:
    """``metric_rows`` as a pandas DataFrame (timestamps as UTC datetimes; run_id and key as
    categoricals: 2 million rows name 200 series), built from arrays, not from row dicts (2
    million points take a fraction of a second). Needs pandas (``has_pandas``)."""
    import numpy
    import pandas

    counts = [len(one["steps"]) for one in series]

    def labels(field: str) -> Any:
        names = list(dict.fromkeys(one[field] for one in series))
        index = {name: code for code, name in enumerate(names)}
        codes = numpy.repeat(numpy.array([index[one[field]] for one in series], dtype=numpy.int32), counts)
        return pandas.Categorical.from_codes(codes, categories=names)

    def joined(field: str, dtype: Any) -> Any:
        if not series:
            return numpy.array([], dtype=dtype)
        return numpy.concatenate([numpy.asarray(one[field], dtype=dtype) for one in series])

    return pandas.DataFrame(
        {
            "run_id": labels("run_id"),
            "key": labels("key"),
            "step": joined("steps", numpy.int64),
            "timestamp": pandas.to_datetime(joined("timestamps", numpy.float64), unit="s", utc=True),
            "value": joined("values", numpy.float64),
        }
    )


def compare_rows(runs: Sequence[dict]) -> list[dict]:
    """One row per field any of ``runs`` has: ``field`` (``params.lr``, ``metrics.acc`` — its last
    value —, ``tags.stage``, ``env.numpy`` — the package's version), one value per run (keyed by
    run id; None where the run lacks it) and ``differs``: whether the runs' values are not all the
    same (NaN equals NaN here: two runs that both diverged do not differ)."""
    ids = [run["id"] for run in runs]
    fields: dict[tuple[int, str], dict[str, Any]] = {}
    for run in runs:
        for kind, values in _fields(run).items():
            for key, value in values.items():
                fields.setdefault((COMPARE_KINDS.index(kind), f"{kind}.{key}"), {})[run["id"]] = value
    rows = []
    for (_, field), by_run in sorted(fields.items()):
        values = [by_run.get(run_id) for run_id in ids]
        rows.append({"field": field, **dict(zip(ids, values)), "differs": _differ(values)})
    return rows


def compare_frame(runs: Sequence[dict]) -> Any:
    """``compare_rows`` as a pandas DataFrame indexed by field; the rows themselves without pandas."""
    rows = compare_rows(runs)
    try:
        import pandas
    except ImportError:
        return rows
    columns = ["field", *[run["id"] for run in runs], "differs"]
    return pandas.DataFrame(rows, columns=columns).set_index("field")


def _fields(run: dict) -> dict[str, dict[str, Any]]:
    environment = run.get("environment") or {}
    packages = environment.get("packages") if isinstance(environment, dict) else None
    return {
        "params": run.get("params") or {},
        "metrics": {key: summary.get("last") for key, summary in (run.get("metrics") or {}).items()},
        "tags": run.get("tags") or {},
        "env": packages if isinstance(packages, dict) else {},
    }


def _differ(values: list) -> bool:
    first = _comparable(values[0])
    return any(_comparable(value) != first for value in values[1:])


def _comparable(value: Any) -> Any:
    # NaN is not equal to itself; as a marker it is.
    if isinstance(value, float) and math.isnan(value):
        return ("nan",)
    # 1 and 1.0 and True: a param logged as 1 in one run and 1.0 in another is the same setting,
    # but True is not 1.
    if isinstance(value, bool):
        return ("bool", value)
    return value
