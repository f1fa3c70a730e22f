"""Apply TypeScript-made notebook diffs with nbdime's own ``patch``.

Helper for ``src/diff/roundtrip.spec.ts`` (not a pytest module). Reads JSON from
stdin::

    {"cases": [{"name": str, "a": notebook, "b": notebook, "diff": [DiffEntry]}]}

where ``a`` and ``b`` are normalized notebooks and ``diff`` is the nbdime diff
from ``a`` to ``b``. Each diff is validated with nbdime's ``validate_diff`` and
applied with ``nbdime.patch``; a case fails when that raises or the result is
not equal to ``b``. Writes ``{"nbdime": version, "checked": n, "failures":
[{"name", "error"}]}`` to stdout. Exit status 0 even with failures (the spec
reports them); 3 when nbdime cannot be imported.
"""

import json
import sys


def to_diff_entries(diff):
    """Diff entries (and nested diffs) as nbdime's DiffEntry objects.

    Only the diff structure is converted: values (cells, outputs...) stay
    plain, as nbdime's own diffs hold them. (nbdime's ``to_diffentry_dicts``
    would also turn every dict inside the values into a DiffEntry.)
    """
    from nbdime.diff_format import DiffEntry

    entries = []
    for e in diff:
        entry = DiffEntry(e)
        if "diff" in entry:
            entry["diff"] = to_diff_entries(entry["diff"])
        entries.append(entry)
    return entries


def first_difference(x, y, path="$"):
    """Where two JSON values first differ, for a readable failure."""
    if x == y:
        return None
    if type(x) is not type(y) and not (isinstance(x, dict) and isinstance(y, dict)):
        return f"{path}: {type(x).__name__} != {type(y).__name__}"
    if isinstance(x, dict):
        for key in sorted(set(x) | set(y)):
            if key not in x or key not in y:
                return f"{path}.{key}: only on one side"
            found = first_difference(x[key], y[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(x, list):
        if len(x) != len(y):
            return f"{path}: length {len(x)} != {len(y)}"
        for i, (a, b) in enumerate(zip(x, y)):
            found = first_difference(a, b, f"{path}[{i}]")
            if found:
                return found
        return None
    if x != y:
        return f"{path}: {x!r:.80} != {y!r:.80}"
    return None


def main():
    try:
        import nbdime
        from nbdime.diff_format import validate_diff
    except ImportError as error:
        sys.stderr.write(f"nbdime is not importable with {sys.executable}: {error}\n")
        return 3

    request = json.load(sys.stdin)
    failures = []
    checked = 0
    for case in request["cases"]:
        checked += 1
        name = case.get("name", f"case {checked}")
        try:
            diff = to_diff_entries(case["diff"])
            validate_diff(diff, deep=True)
            result = nbdime.patch(case["a"], diff)
        except Exception as error:  # report, go on with the next case
            failures.append({"name": name, "error": f"{type(error).__name__}: {error}"})
            continue
        if result != case["b"]:
            failures.append({"name": name, "error": "patched != b: " + str(first_difference(result, case["b"]))})
    json.dump({"nbdime": nbdime.__version__, "checked": checked, "failures": failures}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
