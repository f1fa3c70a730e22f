"""Runs for the browser test, written through the store's public API, and what the
test expects of them, computed here in plain Python.

    python seed_runs.py seed STORE_DIR [--runs 1000] [--seed 9]
    python seed_runs.py expect STORE_DIR SPEC_JSON
    python seed_runs.py search STORE_DIR FILTER ORDER_BY
    python seed_runs.py get STORE_DIR RUN_ID...

Each command prints one JSON document on stdout.

``expect`` is the test's reference: it lists every run the panel could show
(``list_runs`` without a filter: not archived, not in the trash) and filters,
sorts and groups them here, without the query grammar or SQL, so the panel's
answers are checked against code that shares nothing with them. SPEC_JSON::

    {"any": [["metrics.acc.max", ">", 0.9], ["tags.keep", "=", "yes"]],
     "order": ["metrics.acc.max", true],           # field, descending
     "group_by": "params.batch",
     "columns": ["metrics.acc.max", "params.lr"],   # aggregated per group
     "fields": ["metrics.acc.max"]}                 # read from each selected run

``search`` asks ``jx.search_runs``, the logging API's query, as a notebook user would.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import sys
import time
import uuid

from jupyterlab_experiments.store import open_store

# Three notebooks the seeded runs come from; their ids mark the runs as seeded.
NOTEBOOKS = [
    ("experiments/cnn.ipynb", "0b5e8f0e-7d51-4b3e-9a8e-000000000001", "cnn"),
    ("experiments/mlp.ipynb", "0b5e8f0e-7d51-4b3e-9a8e-000000000002", "mlp"),
    ("experiments/finetune.ipynb", "0b5e8f0e-7d51-4b3e-9a8e-000000000003", "finetune"),
]
LEARNING_RATES = [0.001, 0.003, 0.01, 0.03, 0.1]
BATCHES = [16, 32, 64, 128]
STEPS = 6


def seed(store_dir: str, count: int, rng_seed: int) -> dict:
    store = open_store(store_dir)
    try:
        # A retried test starts again from the same runs: the ones an earlier attempt
        # seeded (and maybe tagged or archived) are purged first.
        purged = 0
        for _, notebook_id, _ in NOTEBOOKS:
            for trash in (False, True):
                while True:
                    runs, _ = store.list_runs(
                        notebook_id=notebook_id, filter="archived OR NOT archived", trash=trash, limit=500
                    )
                    if not runs:
                        break
                    for run in runs:
                        store.purge_run(run["id"])
                        purged += 1
        rng = random.Random(rng_seed)
        now = time.time()
        runs = [_run(rng, i, count, now) for i in range(count)]
        maxima = [max(r["batch"]["metrics"][0]["values"]) for r in runs]
        if len(set(maxima)) != len(maxima):
            raise SystemExit("two seeded runs share metrics.acc.max: the sort order would be ambiguous")
        ids = store.import_runs(runs)
    finally:
        store.close()
    return {"seeded": len(ids), "purged": purged, "notebooks": [path for path, _, _ in NOTEBOOKS]}


def _run(rng: random.Random, i: int, count: int, now: float) -> dict:
    path, notebook_id, stem = NOTEBOOKS[i % len(NOTEBOOKS)]
    # Accuracy climbs, then (for half the runs) falls back at the last step: max != last.
    top = rng.uniform(0.55, 0.935)
    acc = [top * (0.6 + 0.4 * step / (STEPS - 2)) + rng.gauss(0, 0.004) for step in range(STEPS - 1)]
    acc.append(acc[-1] - rng.uniform(0.01, 0.08) if rng.random() < 0.5 else acc[-1] + rng.uniform(0.0, 0.01))
    acc = [min(max(v, 0.0), 1.0) for v in acc]
    loss = [2.0 * (1.0 - v) + rng.uniform(0, 0.05) for v in acc]
    tags = {"stage": rng.choice(["dev", "prod"])}
    roll = rng.random()
    if roll < 0.06:
        tags["keep"] = "yes"
    elif roll < 0.2:
        tags["keep"] = "no"
    start = now - (count - i) * 600.0 - 3600.0
    return {
        "id": uuid.uuid5(uuid.NAMESPACE_URL, f"browser-spec/{i}").hex,
        "name": f"{stem}-{i:04d}",
        "kind": "notebook",
        "status": "failed" if rng.random() < 0.05 else "finished",
        "notebook_path": path,
        "notebook_id": notebook_id,
        "user": "ada",
        "start_time": start,
        "end_time": start + rng.uniform(30, 500),
        "tags": tags,
        "batch": {
            "params": [
                {"key": "lr", "value": rng.choice(LEARNING_RATES)},
                {"key": "batch", "value": rng.choice(BATCHES)},
                {"key": "optimizer", "value": rng.choice(["adam", "sgd"])},
            ],
            "metrics": [
                {"key": "acc", "steps": list(range(STEPS)), "values": acc},
                {"key": "loss", "steps": list(range(STEPS)), "values": loss},
            ],
        },
    }


# --- The reference ------------------------------------------------------------


def field_value(run: dict, field: str):
    """A run's value of a grammar identifier, read from its summary."""
    kind, _, rest = field.partition(".")
    if kind == "metrics":
        key, _, summary = rest.partition(".")
        metric = run["metrics"].get(key)
        return None if metric is None else metric[summary or "last"]
    if kind == "params":
        return run["params"].get(rest)
    if kind == "tags":
        return run["tags"].get(rest)
    return {
        "started": run["start_time"],
        "name": run["name"],
        "notebook": run["notebook_path"],
        "status": run["status"],
    }[field]


def _holds(run: dict, condition: list) -> bool:
    field, op, expected = condition
    value = field_value(run, field)
    if value is None:
        return False
    if op == "=":
        return value == expected
    if op == ">":
        return value > expected
    if op == "<":
        return value < expected
    raise SystemExit(f"unknown operator {op!r}")


def _numeric(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and not math.isnan(value)


def expect(store_dir: str, spec: dict) -> dict:
    store = open_store(store_dir)
    try:
        every, total = store.list_runs(limit=10**6)
    finally:
        store.close()
    selected = [r for r in every if not spec.get("any") or any(_holds(r, c) for c in spec["any"])]
    # Newest first without keys; with a key, missing values last, then newest first.
    selected.sort(key=lambda r: -r["start_time"])
    if spec.get("order"):
        field, descending = spec["order"]
        present = [r for r in selected if field_value(r, field) is not None]
        missing = [r for r in selected if field_value(r, field) is None]
        present.sort(key=lambda r: field_value(r, field), reverse=descending)
        selected = present + missing
    result = {
        "total_all": total,
        "count": len(selected),
        "ids": [r["id"] for r in selected],
        "names": [r["name"] for r in selected],
        # The fields asked for, run by run, in order.
        "values": [[field_value(r, f) for f in spec.get("fields", [])] for r in selected],
    }
    if spec.get("group_by"):
        result["groups"] = _groups(selected, spec["group_by"], spec.get("columns", []))
    return result


def _groups(runs: list, group_by: str, columns: list) -> list:
    by_value: dict = {}
    for run in runs:
        by_value.setdefault(field_value(run, group_by), []).append(run)

    def order(value):
        if value is None:
            return (2, 0, "")
        return (0, value, "") if _numeric(value) else (1, 0, str(value))

    groups = []
    for value in sorted(by_value, key=order):
        members = by_value[value]
        aggregates = {}
        for column in columns:
            values = [v for v in (field_value(r, column) for r in members) if _numeric(v)]
            if values:
                aggregates[column] = {
                    "count": len(values),
                    "mean": statistics.fmean(values),
                    "std": statistics.stdev(values) if len(values) > 1 else None,
                    "min": min(values),
                    "max": max(values),
                }
        groups.append(
            {"value": value, "count": len(members), "ids": [r["id"] for r in members], "aggregates": aggregates}
        )
    return groups


def search(store_dir: str, filter_string: str, order_by: str) -> dict:
    # What a notebook user runs; the store is the server's.
    os.environ["JUPYTERLAB_EXPERIMENTS_DIR"] = store_dir
    import jupyterlab_experiments as jx

    frame = jx.search_runs(filter_string=filter_string, order_by=[order_by], max_results=100000)
    return {"ids": list(frame["run_id"]), "names": [None if n != n else n for n in frame["name"]]}


def get(store_dir: str, ids: list) -> dict:
    store = open_store(store_dir)
    try:
        return {run_id: store.get_run(run_id) for run_id in ids}
    finally:
        store.close()


def main(argv: list) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    seeding = commands.add_parser("seed")
    seeding.add_argument("store_dir")
    seeding.add_argument("--runs", type=int, default=1000)
    seeding.add_argument("--seed", type=int, default=9)
    expecting = commands.add_parser("expect")
    expecting.add_argument("store_dir")
    expecting.add_argument("spec")
    searching = commands.add_parser("search")
    searching.add_argument("store_dir")
    searching.add_argument("filter")
    searching.add_argument("order_by")
    getting = commands.add_parser("get")
    getting.add_argument("store_dir")
    getting.add_argument("ids", nargs="+")
    args = parser.parse_args(argv)
    if args.command == "seed":
        out = seed(args.store_dir, args.runs, args.seed)
    elif args.command == "expect":
        out = expect(args.store_dir, json.loads(args.spec))
    elif args.command == "search":
        out = search(args.store_dir, args.filter, args.order_by)
    else:
        out = get(args.store_dir, args.ids)
    json.dump(out, sys.stdout, default=str)


if __name__ == "__main__":
    main(sys.argv[1:])
