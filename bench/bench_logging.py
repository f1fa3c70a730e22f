"""Benchmark of ``jx.log_metric``: cost on the caller's thread, time to durability, store size.

    python bench/bench_logging.py [--points 1000000] [--mlflow-points 2000]

1. ``--points`` calls of ``jx.log_metric("loss", v, step=i)`` in a plain loop, timed with
   ``time.perf_counter``: microseconds per call on the caller's thread (the background
   flusher runs meanwhile, as it does for users). Target: <= 3 us.
2. Seconds from the end of the loop until every point is committed, seen by polling the
   store through a second connection (no ``jx.flush()``: the background flusher does it).
   Target: <= 2 s.
3. Store growth in bytes per point (values are random floats, the worst case for compression).
4. The same loop with MLflow's ``mlflow.log_metric`` on a local SQLite tracking store over
   ``--mlflow-points`` calls, and the per-call ratio; skipped with a message without mlflow.

Prints a Markdown section (``bench/run.py`` collects it into docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

TARGET_US_PER_CALL = 3.0
TARGET_DURABLE_S = 2.0


def store_bytes(store_dir: Path) -> int:
    """Bytes of the store's used pages, write-ahead log included (a fresh connection reads it)."""
    with sqlite3.connect(store_dir / "store.sqlite") as connection:
        pages, free, page_size = (
            connection.execute(f"PRAGMA {pragma}").fetchone()[0]
            for pragma in ("page_count", "freelist_count", "page_size")
        )
    return (pages - free) * page_size


def bench_ours(points: int, workdir: Path) -> dict:
    store_dir = workdir / "store"
    os.environ["JUPYTERLAB_EXPERIMENTS_DIR"] = str(store_dir)
    import jupyterlab_experiments as jx
    from jupyterlab_experiments.store import open_store

    # Starts the run and opens the store, which is not part of the loop.
    jx.log_metric("warmup", 0.0)
    jx.flush()
    run_id = jx.active_run().id
    reader = open_store(store_dir)
    size_before = store_bytes(store_dir)
    values = [random.random() for _ in range(points)]
    log_metric = jx.log_metric

    started = time.perf_counter()
    for i, v in enumerate(values):
        log_metric("loss", v, step=i)
    loop_end = time.perf_counter()

    while reader.get_run(run_id)["metrics"].get("loss", {}).get("count", 0) < points:
        time.sleep(0.01)
    durable = time.perf_counter()
    per_call_us = (loop_end - started) / points * 1e6
    growth = store_bytes(store_dir) - size_before
    reader.close()
    return {
        "per_call_us": per_call_us,
        "durable_s": durable - loop_end,
        "bytes_per_point": growth / points,
    }


def bench_mlflow(points: int, workdir: Path) -> tuple | None:
    """(mlflow version, us per call), or None when mlflow is not installed."""
    try:
        import mlflow
    except ImportError:
        return None
    import logging

    logging.getLogger("mlflow").setLevel(logging.WARNING)
    mlflow.set_tracking_uri(f"sqlite:///{workdir / 'mlflow.db'}")
    mlflow.set_experiment("bench")
    with mlflow.start_run():
        mlflow.log_metric("warmup", 0.0)
        values = [random.random() for _ in range(points)]
        started = time.perf_counter()
        for i, v in enumerate(values):
            mlflow.log_metric("loss", v, step=i)
        per_call_us = (time.perf_counter() - started) / points * 1e6
    return mlflow.__version__, per_call_us


def verdict(value: float, target: float) -> str:
    return "met" if value <= target else "**missed**"


def report(points: int, ours: dict, mlflow_points: int, mlflow: tuple | None) -> str:
    per_call, durable = ours["per_call_us"], ours["durable_s"]
    rows = [
        (
            "caller's thread",
            f"{per_call:.2f} us/call",
            f"<= {TARGET_US_PER_CALL:g} us",
            verdict(per_call, TARGET_US_PER_CALL),
        ),
        (
            "loop end to all points committed",
            f"{durable:.2f} s",
            f"<= {TARGET_DURABLE_S:g} s",
            verdict(durable, TARGET_DURABLE_S),
        ),
        ("store growth", f"{ours['bytes_per_point']:.1f} bytes/point", "", ""),
    ]
    if mlflow is not None:
        version, mlflow_us = mlflow
        rows += [
            (
                f"MLflow {version} `mlflow.log_metric` on SQLite, {mlflow_points:,} calls",
                f"{mlflow_us:,.0f} us/call",
                "",
                "",
            ),
            ("per-call ratio ours / MLflow", f"{per_call / mlflow_us:.5f}", "", ""),
        ]
    intro = (
        f'{points:,} calls of `jx.log_metric("loss", v, step=i)` in a Python loop (random '
        "values, the background flusher running); commits seen from a second connection."
    )
    table = ["| figure | value | target | |", "| --- | --- | --- | --- |"]
    table += ["| " + " | ".join(row) + " |" for row in rows]
    lines = ["## Logging: `jx.log_metric`", "", intro, "", *table]
    if mlflow is None:
        lines += ["", "MLflow comparison skipped: mlflow is not installed."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--mlflow-points", type=int, default=2_000)
    args = parser.parse_args()
    random.seed(0)
    with tempfile.TemporaryDirectory(prefix="bench-logging-") as folder:
        workdir = Path(folder)
        ours = bench_ours(args.points, workdir)
        theirs = bench_mlflow(args.mlflow_points, workdir)
        import jupyterlab_experiments as jx

        jx.end_run()  # before the folder goes away
    print(report(args.points, ours, args.mlflow_points, theirs))


if __name__ == "__main__":
    main()
