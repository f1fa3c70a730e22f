"""Time nbdime's ``diff_notebooks`` on pairs of notebook files, for ``bench/diff.bench.ts``.

    python bench/nbdime_timing.py pairs.json

``pairs.json`` (or stdin when no argument is given) holds a JSON list of
``{"name", "a", "b", "repeat"}``, and optionally ``"warmup": false`` to skip the warm-up call.
Each file is loaded with ``nbformat.read(path, as_version=4)`` before every call, outside the
timer, so no call sees objects another call has touched; only ``nbdime.diff_notebooks(a, b)``
is timed, after one untimed warm-up call per pair; the timed calls go round robin over the
pairs, so each pair's calls spread over the whole run. Prints a JSON list of
``{"name", "ms", "runs", "entries", "nbdime"}`` on stdout: the median milliseconds of ``repeat``
calls, every call's milliseconds, the number of top-level diff entries of the last call and
nbdime's version. Fails (exit code 1) when nbdime cannot be imported.
"""

from __future__ import annotations

import functools
import json
import statistics
import sys
import time


def _load(nbformat, a: str, b: str) -> tuple[dict, dict]:
    return nbformat.read(a, as_version=4), nbformat.read(b, as_version=4)


def main(argv: list[str]) -> int:
    try:
        import nbdime
        import nbformat
    except ImportError as error:
        print(f"nbdime_timing: cannot import nbdime/nbformat: {error}", file=sys.stderr)
        return 1
    pairs = json.loads(open(argv[0]).read() if argv else sys.stdin.read())
    loads = [functools.partial(_load, nbformat, pair["a"], pair["b"]) for pair in pairs]
    for pair, load in zip(pairs, loads):
        if pair.get("warmup", True):
            nbdime.diff_notebooks(*load())
    repeats = [max(1, int(pair.get("repeat", 1))) for pair in pairs]
    runs: list[list[float]] = [[] for _ in pairs]
    entries = [0 for _ in pairs]
    # Round robin: each pair's calls spread over the whole run, so a burst
    # of load on the machine does not land on one pair's calls only.
    for turn in range(max(repeats, default=0)):
        for i, load in enumerate(loads):
            if turn < repeats[i]:
                a, b = load()
                started = time.perf_counter()
                diff = nbdime.diff_notebooks(a, b)
                runs[i].append((time.perf_counter() - started) * 1000)
                entries[i] = len(diff)
    results = [
        {
            "name": pair["name"],
            "ms": statistics.median(runs[i]),
            "runs": runs[i],
            "entries": entries[i],
            "nbdime": nbdime.__version__,
        }
        for i, pair in enumerate(pairs)
    ]
    json.dump(results, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
