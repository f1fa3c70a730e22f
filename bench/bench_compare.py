"""Benchmark: comparing runs' metric series, against MLflow's metric history on the same points.

    python bench/bench_compare.py [--rebuild] [--series-only]

A store of 20 runs x 10 metric keys x 10,000 points (2 million points), cached. Timed:
``jx.get_metrics`` of all 20 runs into a long-form pandas DataFrame (run_id, key, step,
timestamp, value), and ``GET runs/metrics`` with the 20 run ids at a chart's width (1,000
points a series, each bucket's min and max) on a real ``jupyter server`` (server time, from the
X-Experiments-Server-Time header), in the binary encoding the compare view asks for and in the
default JSON. The same points are loaded once into MLflow's SQLite tracking store (cached beside
ours) and read with ``MlflowClient.get_metric_history`` for every run and key into the same
DataFrame, in the same run. Targets: <= 0.5 s for ``jx.get_metrics``, <= 100 ms server time for
the batched series. ``--series-only`` times just the batched requests (no DataFrame, no MLflow)
and prints their figures, for iterating on the server.
"""

from __future__ import annotations

import argparse
import atexit
import logging
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parent
sys.path.insert(0, str(REPO.parent))
sys.path.insert(0, str(REPO))

from bench_runs_list import serve, time_request  # noqa: E402

from jupyterlab_experiments.store import open_store  # noqa: E402

RUNS = 20
KEYS = 10
POINTS = 10_000
CHART_POINTS = 1_000
REPEATS = 5
MLFLOW_REPEATS = 1  # a read of MLflow takes minutes
TARGET_FRAME_S = 0.5
TARGET_SERVER_MS = 100.0


def fixture_store(work_dir: Path, rebuild: bool) -> tuple[Path, list[str]]:
    """Our store with the compared runs (built once, cached), and their ids."""
    # Named after the chunk format it was written in (2: one-byte planes elided), so a new one rebuilds it.
    store_dir = work_dir / f"compare-{RUNS}x{KEYS}x{POINTS}-chunks2"
    if rebuild or not (store_dir / "complete").exists():
        shutil.rmtree(store_dir, ignore_errors=True)
        rng = random.Random(7)
        steps = list(range(POINTS))

        def runs():
            for i in range(RUNS):
                started = 1_700_000_000.0 + i * 3600
                stamps = [started + 0.05 * s for s in steps]
                metrics = [
                    {
                        "key": f"metric_{k}",
                        "steps": steps,
                        "values": [1.0 / (1 + 0.001 * s) + rng.gauss(0, 0.01) for s in steps],
                        "timestamps": stamps,
                    }
                    for k in range(KEYS)
                ]
                yield {"name": f"run {i}", "start_time": started, "end_time": stamps[-1], "batch": {"metrics": metrics}}

        store = open_store(store_dir)
        try:
            ids = store.import_runs(runs())
        finally:
            store.close()
        (store_dir / "complete").write_text("\n".join(ids))
    return store_dir, (store_dir / "complete").read_text().split()


def mlflow_store(work_dir: Path, store_dir: Path, ids: list[str]) -> tuple[str, list[str]]:
    """MLflow's SQLite tracking URI holding the same points (built once, cached), and its run ids."""
    folder = work_dir / f"mlflow-compare-{RUNS}x{KEYS}x{POINTS}"
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    if not (folder / "complete").exists():
        from mlflow.entities import Metric
        from mlflow.tracking import MlflowClient

        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        started = time.perf_counter()
        client = MlflowClient(tracking_uri=uri)
        experiment = client.create_experiment("compare", artifact_location=str(folder / "artifacts"))
        store = open_store(store_dir)
        mlflow_ids = []
        try:
            for run_id in ids:
                run = store.get_run(run_id)
                created = client.create_run(experiment, start_time=int(run["start_time"] * 1000), run_name=run["name"])
                mlflow_ids.append(created.info.run_id)
                for key in sorted(run["metrics"]):
                    series = store.get_metric_series(run_id, key)
                    points = [
                        Metric(key, value, int(stamp * 1000), step)
                        for step, value, stamp in zip(series["steps"], series["values"], series["timestamps"])
                    ]
                    for at in range(0, len(points), 1000):  # MLflow's batch limit
                        client.log_batch(created.info.run_id, metrics=points[at : at + 1000])
        finally:
            store.close()
        (folder / "complete").write_text("\n".join(mlflow_ids))
        print(f"(MLflow store built in {time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return uri, (folder / "complete").read_text().split()


def time_ours(store_dir: Path, ids: list[str]) -> tuple[float, int]:
    """Median seconds of ``jx.get_metrics`` of every run into a DataFrame, and its rows."""
    os.environ["JUPYTERLAB_EXPERIMENTS_DIR"] = str(store_dir)
    from jupyterlab_experiments.client import Tracker

    tracker = Tracker()
    try:
        rows = len(tracker.get_metrics(ids))
        return _median_s(lambda: tracker.get_metrics(ids), REPEATS), rows
    finally:
        tracker.close()
        atexit.unregister(tracker._at_exit)


def time_mlflow(uri: str, ids: list[str]) -> tuple[float, int]:
    """Median seconds of the same long-form DataFrame through ``get_metric_history``."""
    import pandas
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=uri)
    keys = [f"metric_{k}" for k in range(KEYS)]

    def frame():
        rows = [
            {
                "run_id": run_id,
                "key": key,
                "step": metric.step,
                "timestamp": metric.timestamp / 1000,
                "value": metric.value,
            }
            for run_id in ids
            for key in keys
            for metric in client.get_metric_history(run_id, key)
        ]
        table = pandas.DataFrame(rows, columns=["run_id", "key", "step", "timestamp", "value"])
        table["timestamp"] = pandas.to_datetime(table["timestamp"], unit="s", utc=True)
        return table

    rows = len(frame())
    return _median_s(frame, MLFLOW_REPEATS), rows


def _median_s(call, repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached fixture stores")
    parser.add_argument("--work-dir", type=Path, default=Path(tempfile.gettempdir()) / "jupyterlab-experiments-bench")
    parser.add_argument("--series-only", action="store_true", help="time only the batched series requests")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")

    store_dir, ids = fixture_store(args.work_dir, args.rebuild)
    if args.series_only:
        for encoding, (server_ms, client_ms) in time_series(store_dir, args.work_dir, ids).items():
            print(f"GET runs/metrics ({encoding}): {server_ms:.1f} ms server, {client_ms:.1f} ms client")
        return
    ours_s, ours_rows = time_ours(store_dir, ids)
    requests = time_series(store_dir, args.work_dir, ids)
    uri, mlflow_ids = mlflow_store(args.work_dir, store_dir, ids)
    peer_s, peer_rows = time_mlflow(uri, mlflow_ids)
    assert ours_rows == peer_rows == RUNS * KEYS * POINTS, (ours_rows, peer_rows)
    print(report(ours_s, requests, peer_s))


def time_series(store_dir: Path, work_dir: Path, ids: list[str]) -> dict[str, tuple[float, float]]:
    """(median server ms, median client ms) of the batched series request, by encoding. The server
    keeps downsampled series decoded: asked again, as the compare view does whenever a run changes,
    it answers from memory; ``uncached`` asks each time at another width (1,000 points, then 998...),
    so every series is decoded and downsampled again."""
    runs = [("run_id", run_id) for run_id in ids]

    def path(encoding: str, points: int = CHART_POINTS) -> str:
        query = urllib.parse.urlencode([*runs, ("max_points", points), ("encoding", encoding)])
        return f"/experiments/api/runs/metrics?{query}"

    with serve(store_dir, work_dir) as (conn, headers):
        timed = {encoding: time_request(conn, path(encoding), headers) for encoding in ("binary", "json")}
        server_ms, client_ms = [], []
        for repeat in range(1, REPEATS + 1):
            started = time.perf_counter()
            conn.request("GET", path("binary", CHART_POINTS - 2 * repeat), headers=headers)
            response = conn.getresponse()
            body = response.read()
            client_ms.append((time.perf_counter() - started) * 1000)
            assert response.status == 200, (response.status, body[:300])
            server_ms.append(float(response.getheader("X-Experiments-Server-Time", "nan")))
        timed["binary, uncached"] = (statistics.median(server_ms), statistics.median(client_ms))
        return timed


def report(ours_s: float, requests: dict[str, tuple[float, float]], peer_s: float) -> str:
    """A Markdown section for docs/benchmarks.md."""

    def mark(met: bool) -> str:
        return "met" if met else "**missed**"

    return "\n".join(
        [
            "## Comparing runs: metric series of 20 runs",
            "",
            f"{RUNS} runs x {KEYS} metric keys x {POINTS:,} points ({RUNS * KEYS * POINTS:,} points). "
            f"`jx.get_metrics` of every run into a long-form pandas DataFrame (median of {REPEATS}); MLflow: "
            f"`MlflowClient.get_metric_history` for every run and key into the same DataFrame, on its SQLite "
            f"store holding the same points (once: it takes minutes); ratio = MLflow / ours. "
            f"`GET runs/metrics`: the {RUNS} run ids in one request, every key at {CHART_POINTS:,} points "
            "(each bucket's min and max), as the compare view's charts ask: in the binary encoding "
            "(`encoding=binary`, the target) and in the default JSON.",
            "",
            "| figure | ours | MLflow | ratio | target | |",
            "| --- | --- | --- | --- | --- | --- |",
            f"| `jx.get_metrics`, 2 M points into a DataFrame | {ours_s:.2f} s | {peer_s:.2f} s | "
            f"{peer_s / ours_s:.1f}x | <= {TARGET_FRAME_S} s | {mark(ours_s <= TARGET_FRAME_S)} |",
            *(
                f"| `GET runs/metrics`, {RUNS} runs x {KEYS} keys at {CHART_POINTS:,} points, {encoding}, "
                f"server / client | {server_ms:.1f} ms / {client_ms:.1f} ms | | | "
                + (
                    f"<= {TARGET_SERVER_MS:g} ms server | {mark(server_ms <= TARGET_SERVER_MS)} |"
                    if encoding.startswith("binary")
                    else "| |"
                )
                for encoding, (server_ms, client_ms) in requests.items()
            ),
        ]
    )


if __name__ == "__main__":
    main()
