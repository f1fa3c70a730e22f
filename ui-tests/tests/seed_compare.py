"""Runs for the Compare test, written through the store's public API, and what the
test expects of them, read back through ``jx`` as a notebook user would.

    python seed_compare.py seed STORE_DIR
    python seed_compare.py jx STORE_DIR RUN_ID...

Each command prints one JSON document on stdout. Four runs of one notebook, tagged
``suite=compare``, started an hour apart: three are compared (``lr`` and ``optimizer``
differ, ``batch`` and ``seed`` do not), all four feed the progress view (``acc`` max:
0.80, 0.90, 0.85, 0.95 — runs 1, 2 and 4 improve on the best so far).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import struct
import sys
import time
import uuid
import zlib

from jupyterlab_experiments.store import open_store

NOTEBOOK = ("compare/cmp.ipynb", "0b5e8f0e-7d51-4b3e-9a8e-0000000000c0")
STEPS = 40
RUNS = [
    # name, lr, optimizer, best acc, image colour per step
    ("cmp-a", 0.01, "adam", 0.80, {0: (200, 30, 30), 20: (30, 200, 30)}),
    ("cmp-b", 0.03, "sgd", 0.90, {0: (30, 30, 200), 20: (200, 200, 30)}),
    ("cmp-c", 0.01, "adam", 0.85, {0: (30, 200, 200), 20: (200, 30, 200)}),
    ("cmp-d", 0.1, "sgd", 0.95, {}),
]


def png(rgb: tuple, size: int = 8) -> bytes:
    """A solid ``size``×``size`` PNG: the test tells images apart by colour."""
    row = b"\x00" + bytes(rgb) * size
    raw = row * size

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def loss_of(i: int, step: int) -> float:
    return round(2.0 / (1 + step * (0.1 + 0.05 * i)) + 0.01 * ((step * 7 + i) % 5), 6)


def seed(store_dir: str) -> dict:
    store = open_store(store_dir)
    try:
        ids = [uuid.uuid5(uuid.NAMESPACE_URL, f"compare-spec/{i}").hex for i in range(len(RUNS))]
        for run_id in ids:  # a retried test starts from the same runs
            try:
                store.purge_run(run_id)
            except KeyError:
                pass
        now = time.time()
        runs = []
        for i, (name, lr, optimizer, best, images) in enumerate(RUNS):
            start = now - (len(RUNS) - i) * 3600.0
            acc = [round(best * (0.5 + 0.5 * step / (STEPS - 1)), 6) for step in range(STEPS)]
            runs.append(
                {
                    "id": ids[i],
                    "name": name,
                    "kind": "notebook",
                    "status": "finished",
                    "notebook_path": NOTEBOOK[0],
                    "notebook_id": NOTEBOOK[1],
                    "user": "ada",
                    "start_time": start,
                    "end_time": start + 600 + 60 * i,
                    "tags": {"suite": "compare"},
                    "batch": {
                        "params": [
                            {"key": "lr", "value": lr},
                            {"key": "optimizer", "value": optimizer},
                            {"key": "batch", "value": 32},
                            {"key": "seed", "value": 7},
                        ],
                        "metrics": [
                            {
                                "key": "loss",
                                "steps": list(range(STEPS)),
                                "values": [loss_of(i, step) for step in range(STEPS)],
                                "timestamps": [start + 10 * step for step in range(STEPS)],
                            },
                            {
                                "key": "acc",
                                "steps": list(range(STEPS)),
                                "values": acc,
                                "timestamps": [start + 10 * step for step in range(STEPS)],
                            },
                        ],
                        "images": [
                            {"key": "samples", "step": step, "png": png(rgb), "timestamp": start + step}
                            for step, rgb in images.items()
                        ],
                    },
                }
            )
        store.import_runs(runs)
        return {
            "ids": ids,
            "names": [name for name, *_ in RUNS],
            "filter": "tags.suite = 'compare'",
            "loss": {ids[i]: [loss_of(i, step) for step in range(STEPS)] for i in range(len(RUNS))},
            "images": {ids[i]: {str(k): list(v) for k, v in RUNS[i][4].items()} for i in range(len(RUNS))},
            "improving": [ids[0], ids[1], ids[3]],
        }
    finally:
        store.close()


def through_jx(store_dir: str, ids: list) -> dict:
    os.environ["JUPYTERLAB_EXPERIMENTS_DIR"] = store_dir
    import jupyterlab_experiments as jx

    frame = jx.compare_runs(ids)
    differs = sorted(str(field) for field in frame.index[frame["differs"]])
    metrics = jx.get_metrics(ids, keys=["loss"])
    loss = {
        run_id: [float(v) for v in metrics[metrics["run_id"] == run_id].sort_values("step")["value"]] for run_id in ids
    }
    return {"differs": differs, "loss": loss, "finite": all(math.isfinite(v) for vs in loss.values() for v in vs)}


def main(argv: list) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    seeding = commands.add_parser("seed")
    seeding.add_argument("store_dir")
    asking = commands.add_parser("jx")
    asking.add_argument("store_dir")
    asking.add_argument("ids", nargs="+")
    args = parser.parse_args(argv)
    out = seed(args.store_dir) if args.command == "seed" else through_jx(args.store_dir, args.ids)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
