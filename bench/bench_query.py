"""Benchmark: the experiments browser's queries, against MLflow's search on the same runs.

    python bench/bench_query.py [--runs 10000] [--rebuild]

Uses the runs-list benchmark's cached store (10,000 runs x 30 params x 10 metrics x
1,000 points) and times 20 representative queries — filter + sort + the first page
of 50 — through ``GET runs?filter=&order_by=&limit=50`` on a real ``jupyter server``
(server time, from the X-Experiments-Server-Time header) and in process
(``Store.list_runs``). The same runs are loaded once into MLflow's SQLite tracking
store (cached beside ours) and the queries MLflow's grammar can express are timed
through ``mlflow.search_runs(..., max_results=50)`` in the same run. MLflow receives
each metric's last value, which is what its search reads (``latest_metrics``), not
the 1,000-point histories. Target: <= 50 ms server time per query.
"""

from __future__ import annotations

import argparse
import logging
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

from bench_runs_list import fixture_store, serve, time_request  # noqa: E402

from jupyterlab_experiments.store import open_store  # noqa: E402

TARGET_MS = 50.0
REPEATS = 20
MLFLOW_REPEATS = 5
PAGE = 50
# Our statuses as MLflow's.
MLFLOW_STATUS = {"finished": "FINISHED", "failed": "FAILED", "interrupted": "KILLED", "running": "RUNNING"}
DAY_S = 86400


def queries(now: float) -> list[dict]:
    """name, our filter and order_by, MLflow's filter and order_by (None where its grammar cannot say it)."""
    three_days_ms = int((now - 3 * DAY_S) * 1000)
    return [
        dict(name="param equals a string", filter="params.param_02 = 'adam'", mlflow="params.param_02 = 'adam'"),
        dict(name="param compared as a number", filter="params.param_00 > 0.5", mlflow=None),
        dict(name="metric below", filter="metrics.metric_0 < 0.1", mlflow="metrics.metric_0 < 0.1"),
        dict(
            name="AND of a metric and a param",
            filter="metrics.metric_0 < 0.1 AND params.param_02 = 'sgd'",
            mlflow="metrics.metric_0 < 0.1 and params.param_02 = 'sgd'",
        ),
        dict(name="OR of two params", filter="params.param_02 = 'adam' OR params.param_03 = true", mlflow=None),
        dict(name="NOT", filter="NOT status = 'failed'", mlflow="attributes.status != 'FAILED'"),
        dict(
            name="IN",
            filter="params.param_02 IN ('adam', 'sgd')",
            mlflow="params.param_02 IN ('adam', 'sgd')",
        ),
        dict(
            name="NOT IN on status",
            filter="status NOT IN ('failed', 'interrupted')",
            mlflow="attributes.status NOT IN ('FAILED', 'KILLED')",
        ),
        dict(name="LIKE on the name", filter="name LIKE 'run 12%'", mlflow="attributes.run_name LIKE 'run 12%'"),
        dict(
            name="ILIKE on the notebook",
            filter="notebook ILIKE '%/7.IPYNB'",
            mlflow="tags.`mlflow.source.name` ILIKE '%/7.IPYNB'",
        ),
        dict(name="metric .max", filter="metrics.metric_1.max > 0.99", mlflow=None),
        dict(name="metric .min and .count", filter="metrics.metric_2.min < 0.085 AND metrics.metric_2.count >= 1000"),
        dict(name="tag is set", filter="tags.`sweep-3`", mlflow=None),
        dict(
            name="tag equals, AND a metric",
            filter="tags.team = 'vision' AND metrics.metric_0 < 0.095",
            mlflow="tags.team = 'vision' and metrics.metric_0 < 0.095",
        ),
        dict(
            name="relative time",
            filter="started > -3d",
            mlflow=f"attributes.start_time > {three_days_ms}",
        ),
        dict(
            name="sort by a metric",
            filter="",
            order_by=["metrics.metric_3 DESC"],
            mlflow="",
            mlflow_order_by=["metrics.metric_3 DESC"],
        ),
        dict(
            name="sort by a param",
            filter="",
            order_by=["params.param_01 ASC"],
            mlflow="",
            mlflow_order_by=["params.param_01 ASC"],
        ),
        dict(
            name="parentheses, OR, NOT, sorted by a metric",
            filter="(params.param_02 = 'adam' OR tags.`sweep-1`) AND NOT status = 'failed'",
            order_by=["metrics.metric_0 DESC"],
            mlflow=None,
        ),
        dict(name="BETWEEN on a param", filter="params.param_01 BETWEEN 100 AND 200", mlflow=None),
        dict(name="group by a param", group_by="params.param_02", columns=["metrics.metric_0", "metrics.metric_1.max"]),
    ]


def rest_path(query: dict) -> str:
    if "group_by" in query:
        args = {"group_by": query["group_by"], "columns": ",".join(query["columns"])}
        return "/experiments/api/runs/groups?" + urllib.parse.urlencode(args)
    args = {"filter": query["filter"], "limit": PAGE}
    if query.get("order_by"):
        args["order_by"] = ", ".join(query["order_by"])
    return "/experiments/api/runs?" + urllib.parse.urlencode(args)


def time_in_process(store_dir: Path, cases: list[dict]) -> dict[str, tuple[float, list[str], int]]:
    """name -> (median ms, names of the first page, total)."""
    store = open_store(store_dir)
    results = {}
    try:
        for query in cases:
            if "group_by" in query:

                def call(query=query):
                    groups = store.group_runs(group_by=query["group_by"], columns=query["columns"])
                    return [str(group["value"]) for group in groups], sum(group["count"] for group in groups)

            else:

                def call(query=query):
                    runs, total = store.list_runs(filter=query["filter"], order_by=query.get("order_by"), limit=PAGE)
                    return [run["name"] for run in runs], total

            names, total = call()
            results[query["name"]] = (_median_ms(call, REPEATS), names, total)
    finally:
        store.close()
    return results


def mlflow_store(work_dir: Path, store_dir: Path, runs: int) -> str:
    """MLflow's SQLite tracking URI holding the same runs (built once, cached)."""
    folder = work_dir / f"mlflow-{runs}"
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    if (folder / "complete").exists():
        return uri
    import shutil

    from mlflow.entities import Metric, Param
    from mlflow.tracking import MlflowClient

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    client = MlflowClient(tracking_uri=uri)
    experiment = client.create_experiment("bench", artifact_location=str(folder / "artifacts"))
    store = open_store(store_dir)
    try:
        offset = 0
        while True:
            page, _ = store.list_runs(limit=500, offset=offset)
            if not page:
                break
            offset += len(page)
            for run in page:
                tags = {key: value for key, value in run["tags"].items()}
                tags["mlflow.source.name"] = run["notebook_path"] or ""
                created = client.create_run(
                    experiment, start_time=int(run["start_time"] * 1000), tags=tags, run_name=run["name"]
                )
                run_id = created.info.run_id
                ended = int((run["end_time"] or run["start_time"]) * 1000)
                client.log_batch(
                    run_id,
                    params=[Param(key, str(value)) for key, value in run["params"].items()],
                    metrics=[
                        Metric(key, summary["last"], ended, summary["last_step"])
                        for key, summary in run["metrics"].items()
                    ],
                )
                client.set_terminated(run_id, MLFLOW_STATUS[run["status"]], end_time=ended)
    finally:
        store.close()
    (folder / "complete").write_text(str(runs))
    print(f"(MLflow store built in {time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return uri


def time_mlflow(uri: str, cases: list[dict]) -> dict[str, tuple[float, list[str]]]:
    import mlflow

    mlflow.set_tracking_uri(uri)
    experiment = mlflow.get_experiment_by_name("bench").experiment_id
    results = {}
    for query in cases:
        if query.get("mlflow") is None:
            continue

        def call(query=query):
            frame = mlflow.search_runs(
                [experiment],
                filter_string=query["mlflow"],
                order_by=query.get("mlflow_order_by"),
                max_results=PAGE,
            )
            return list(frame["tags.mlflow.runName"]) if len(frame) else []

        try:
            names = call()
        except Exception as error:  # MLflow's parser refuses what its docs do not cover
            results[query["name"]] = (None, str(error).splitlines()[0][:80])
            continue
        results[query["name"]] = (_median_ms(call, MLFLOW_REPEATS), names)
    return results


def _median_ms(call, repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached fixture stores")
    parser.add_argument("--work-dir", type=Path, default=Path(tempfile.gettempdir()) / "jupyterlab-experiments-bench")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")

    store_dir = fixture_store(args.work_dir, args.runs, args.rebuild)
    cases = queries(time.time())
    in_process = time_in_process(store_dir, cases)
    with serve(store_dir, args.work_dir) as (conn, headers):
        over_http = {query["name"]: time_request(conn, rest_path(query), headers) for query in cases}
    uri = mlflow_store(args.work_dir, store_dir, args.runs)
    peer = time_mlflow(uri, cases)
    print(report(args.runs, cases, in_process, over_http, peer))


def report(runs: int, cases: list[dict], in_process: dict, over_http: dict, peer: dict) -> str:
    """A Markdown section for docs/benchmarks.md."""
    lines = [
        "## Experiments browser queries: `GET runs?filter=&order_by=&limit=50`",
        "",
        f"The runs-list store ({runs:,} runs x 30 params x 10 metrics x 1,000 points); filter + sort + first "
        f"page of {PAGE}, medians of {REPEATS} (MLflow: {MLFLOW_REPEATS}). Target: <= {TARGET_MS:g} ms server "
        "time. MLflow: `mlflow.search_runs(max_results=50)` on its SQLite store holding the same runs "
        "(each metric's last value); ratio = MLflow ms / our server ms; n/a where MLflow's grammar cannot "
        'express the query, "refused" where its parser rejects it. "same page": MLflow\'s first page names the '
        "same runs in the same order (only checked where the order has no ties).",
        "",
        "| query | filter / order_by | runs | server ms | in process ms | MLflow ms | ratio | same page | |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for query in cases:
        name = query["name"]
        server_ms, _ = over_http[name]
        ms, names, total = in_process[name]
        text = query.get("filter") or ""
        if query.get("order_by"):
            text += f" / {', '.join(query['order_by'])}"
        if "group_by" in query:
            text = f"group_by={query['group_by']}; {', '.join(query['columns'])}"
        text = text.replace("|", "\\|")
        # A code span holding backticks needs a longer fence.
        code = f"`` {text} ``" if "`" in text else f"`{text}`"
        if name in peer and peer[name][0] is None:
            peer_text, ratio, same = "refused", "n/a", "—"
        elif name in peer:
            peer_ms, peer_names = peer[name]
            ratio = f"{peer_ms / server_ms:.1f}x"
            same = "—" if query.get("order_by") else ("yes" if peer_names == names else "**no**")
            peer_text = f"{peer_ms:.1f}"
        else:
            peer_text, ratio, same = "n/a", "n/a", "—"
        mark = "met" if server_ms <= TARGET_MS else "**missed**"
        lines.append(
            f"| {name} | {code} | {total:,} | {server_ms:.1f} | {ms:.1f} | {peer_text} | {ratio} | {same} | {mark} |"
        )
    worst = max(server_ms for server_ms, _ in over_http.values())
    lines += ["", f"Slowest query: {worst:.1f} ms server time (target <= {TARGET_MS:g} ms)."]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
