"""Benchmark: listing runs of a large store, in process and through the REST API.

    python bench/bench_runs_list.py [--runs 10000] [--rebuild]

Builds (once, cached in the temp folder, through ``Store.import_runs``) a store
of 10,000 runs x 30 params x 10 metrics x 1,000 points, then times ``list_runs(limit=50)`` in process and
``GET experiments/api/runs?limit=50`` against a real ``jupyter server`` started
on a free loopback port (server time from the X-Experiments-Server-Time
header). Also reports what one metric point costs on disk, on 1,000,000 points
of one key. Target: <= 50 ms server time and <= 24 bytes per point.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import secrets
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from jupyterlab_experiments.store import open_store  # noqa: E402

PARAMS, METRICS, POINTS = 30, 10, 1000
REPEATS = 20
TARGET_MS = 50.0
TARGET_BYTES_PER_POINT = 24
# Distinct series cycled through the fixture: generating 100,000 random series would dominate the build.
DISTINCT_SERIES = 50


def build_store(store_dir: Path, runs: int) -> None:
    """The fixture, written through the store's bulk import (one transaction, one run at a time)."""
    rng = random.Random(42)
    steps = list(range(POINTS))
    series = [[1.0 / (1 + 0.01 * s) + rng.gauss(0, 0.02) for s in steps] for _ in range(DISTINCT_SERIES)]
    start = time.time() - runs * 60

    def fixture():
        for i in range(runs):
            started = start + i * 60
            stamps = [started + 0.03 * s for s in steps]
            yield {
                "name": f"run {i}",
                "kind": "notebook",
                "status": rng.choice(["finished", "finished", "failed", "interrupted"]),
                "notebook_path": f"nb/{i % 100}.ipynb",
                "notebook_id": f"notebook-{i % 100}",
                "kernel_id": uuid.uuid4().hex,
                "kernel_name": "python3",
                "user": "bench",
                "host": "host",
                "start_time": started,
                "end_time": started + 30,
                "tags": {"team": "vision", f"sweep-{i % 7}": ""},
                "batch": {
                    "params": [
                        {"key": f"param_{p:02d}", "value": _param(rng, p), "cell_id": "cell-params"}
                        for p in range(PARAMS)
                    ],
                    "metrics": [
                        {
                            "key": f"metric_{m}",
                            "cell_id": "cell-train",
                            "steps": steps,
                            "values": series[(i * METRICS + m) % DISTINCT_SERIES],
                            "timestamps": stamps,
                        }
                        for m in range(METRICS)
                    ],
                },
            }

    store = open_store(store_dir)
    try:
        store.import_runs(fixture())
    finally:
        store.close()
    _checkpointed_size(store_dir)  # folds the WAL into the file, whose size the report gives
    (store_dir / "complete").write_text(str(runs))


def fixture_store(work_dir: Path, runs: int, rebuild: bool = False) -> Path:
    """The cached fixture store's folder, built first if missing (or asked to)."""
    store_dir = work_dir / f"store-{runs}x{PARAMS}x{METRICS}x{POINTS}"
    if rebuild or not (store_dir / "complete").exists():
        shutil.rmtree(store_dir, ignore_errors=True)
        started = time.perf_counter()
        build_store(store_dir, runs)
        print(f"(fixture built in {time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return store_dir


def _param(rng: random.Random, p: int) -> object:
    return [rng.uniform(1e-5, 1.0), rng.randint(1, 1024), rng.choice(["adam", "sgd", "lion"]), rng.random() < 0.5][
        p % 4
    ]


def time_in_process(store_dir: Path) -> dict[str, float]:
    store = open_store(store_dir)
    cases = {
        "list_runs(limit=50)": lambda: store.list_runs(limit=50),
        "list_runs(limit=50, offset=5000)": lambda: store.list_runs(limit=50, offset=5000),
        "list_runs(limit=50, notebook_id=...)": lambda: store.list_runs(limit=50, notebook_id="notebook-7"),
        "list_runs(limit=50, status='failed')": lambda: store.list_runs(limit=50, status="failed"),
    }
    results = {}
    for name, call in cases.items():
        runs, _ = call()  # warm the page cache, as a long-running server would be
        assert len(runs) == 50 and len(runs[0]["params"]) == PARAMS and len(runs[0]["metrics"]) == METRICS
        results[name] = _median_ms(call)
    store.close()
    return results


def time_over_http(store_dir: Path, work_dir: Path) -> dict[str, tuple[float, float]]:
    """(median server ms, median client ms) per request, against a real `jupyter server`."""
    with serve(store_dir, work_dir) as (conn, headers):
        first = _get(conn, "/experiments/api/runs?limit=1", headers)[2]
        run_id = json.loads(first)["runs"][0]["id"]
        cases = {
            "GET runs?limit=50": "/experiments/api/runs?limit=50",
            "GET runs?limit=50&status=failed": "/experiments/api/runs?limit=50&status=failed",
            "GET runs/<id>": f"/experiments/api/runs/{run_id}",
            "GET runs/<id>/metrics/metric_0?max_points=500": (
                f"/experiments/api/runs/{run_id}/metrics/metric_0?max_points=500"
            ),
        }
        return {name: time_request(conn, path, headers) for name, path in cases.items()}


def time_request(conn: http.client.HTTPConnection, path: str, headers: dict) -> tuple[float, float]:
    """(median server ms, median client ms) of ``REPEATS`` GETs, after one to warm up."""
    _get(conn, path, headers)
    server_ms, client_ms = [], []
    for _ in range(REPEATS):
        started = time.perf_counter()
        status, server_time, body = _get(conn, path, headers)
        client_ms.append((time.perf_counter() - started) * 1000)
        assert status == 200, (status, body[:300])
        server_ms.append(float(server_time))
    return statistics.median(server_ms), statistics.median(client_ms)


@contextlib.contextmanager
def serve(store_dir: Path, work_dir: Path) -> Iterator[tuple[http.client.HTTPConnection, dict]]:
    """A real `jupyter server` with the extension on ``store_dir``: (connection, auth headers)."""
    port, token = _free_port(), secrets.token_hex(16)
    config = {
        "ServerApp": {
            "jpserver_extensions": {"jupyterlab_experiments": True},
            "port": port,
            "ip": "127.0.0.1",
            "open_browser": False,
            "root_dir": str(work_dir),
            "allow_root": True,
        },
        "IdentityProvider": {"token": token},
        "Experiments": {"store_dir": str(store_dir)},
    }
    (work_dir / "bench_config.json").write_text(json.dumps(config))
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        "JUPYTER_CONFIG_DIR": str(work_dir / "config"),
        "JUPYTER_RUNTIME_DIR": str(work_dir / "runtime"),
    }
    log = open(work_dir / "server.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter_server", f"--config={work_dir / 'bench_config.json'}"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield _wait_for_server(port, token, server), {"Authorization": f"token {token}"}
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def bytes_per_point(work_dir: Path, points: int = 1_000_000) -> float:
    store_dir = work_dir / "compactness"
    shutil.rmtree(store_dir, ignore_errors=True)
    store = open_store(store_dir)
    run_id = store.create_run(kind="script")["id"]
    before = _checkpointed_size(store_dir)
    rng = random.Random(0)
    store.log_batch(
        run_id,
        {
            "metrics": [
                {
                    "key": "loss",
                    "steps": list(range(points)),
                    "values": [rng.random() for _ in range(points)],
                    "timestamps": [time.time() for _ in range(points)],
                }
            ]
        },
    )
    store.close()
    return (_checkpointed_size(store_dir) - before) / points


def _checkpointed_size(store_dir: Path) -> int:
    conn = sqlite3.connect(store_dir / "store.sqlite")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return (store_dir / "store.sqlite").stat().st_size


def _median_ms(call) -> float:
    samples = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_server(port: int, token: str, server: subprocess.Popen) -> http.client.HTTPConnection:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("jupyter server exited; see server.log in the work folder")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            if _get(conn, "/api/status", {"Authorization": f"token {token}"})[0] == 200:
                return conn
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("jupyter server did not start within 60 s")


def _get(conn: http.client.HTTPConnection, path: str, headers: dict) -> tuple[int, str, bytes]:
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    return response.status, response.getheader("X-Experiments-Server-Time", "nan"), body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached fixture store")
    parser.add_argument("--work-dir", type=Path, default=Path(tempfile.gettempdir()) / "jupyterlab-experiments-bench")
    args = parser.parse_args()

    store_dir = fixture_store(args.work_dir, args.runs, args.rebuild)
    size_mb = (store_dir / "store.sqlite").stat().st_size / 1e6
    in_process = time_in_process(store_dir)
    over_http = time_over_http(store_dir, args.work_dir)
    growth = bytes_per_point(args.work_dir)
    print(report(args.runs, size_mb, in_process, over_http, growth))


def report(runs: int, size_mb: float, in_process: dict, over_http: dict, growth: float) -> str:
    """A Markdown section for docs/benchmarks.md."""
    lines = [
        "## Listing runs: `GET runs?limit=50`",
        "",
        f"A store of {runs:,} runs x {PARAMS} params x {METRICS} metrics x {POINTS:,} points "
        f"({size_mb:,.0f} MB); medians of {REPEATS}. Target: <= {TARGET_MS:g} ms server time.",
        "",
        "| request | server ms | client ms (loopback) | |",
        "| --- | --- | --- | --- |",
    ]
    for name, (server_ms, client_ms) in over_http.items():
        mark = ("met" if server_ms <= TARGET_MS else "**missed**") if "limit=50" in name else ""
        lines.append(f"| `{name}` | {server_ms:.2f} | {client_ms:.2f} | {mark} |")
    lines += ["", "| in process | ms |", "| --- | --- |"]
    lines += [f"| `{name}` | {ms:.2f} |" for name, ms in in_process.items()]
    verdict = "met" if growth <= TARGET_BYTES_PER_POINT else "**missed**"
    lines += [
        "",
        f"Store growth for 1,000,000 points of one key: {growth:.2f} bytes/point "
        f"(target <= {TARGET_BYTES_PER_POINT}: {verdict}).",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
