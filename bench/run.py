"""Run every benchmark and write their reports into docs/benchmarks.md.

Each benchmark is a script in this folder named ``bench_*.py`` that prints a
Markdown section on stdout, or a TypeScript ``*.bench.ts`` run by jest
(``jest.bench.config.js``) or a browser benchmark ``ui-tests/bench/*.bench.ts``
run by Playwright against a real JupyterLab, each of which writes its section to
``<name>-report.md`` here.
Arguments pick a subset (script stems, or ``typescript`` for the jest and
browser benchmarks); a partial run replaces only its own sections of the page.
Figures are only comparable within one run on one machine, which is why each
script measures its peer in the same run.
"""

from __future__ import annotations

import datetime
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOC = HERE.parent / "docs" / "benchmarks.md"

INTRO = """# Benchmarks

`make bench` runs every `bench/bench_*.py`, the jest benchmarks `bench/*.bench.ts` and the
browser benchmarks `ui-tests/bench/*.bench.ts`, and rewrites this page. Each figure names the
target it must reach; ratios compare against a peer measured in the same run on the same machine.
"""


def main(argv: list[str]) -> int:
    only = set(argv)
    scripts = sorted(p for p in HERE.glob("bench_*.py") if not only or p.stem in only)
    sections = []
    failed = False
    for script in scripts:
        print(f"== {script.name}", flush=True)
        proc = subprocess.run(
            [sys.executable, str(script)],
            cwd=HERE.parent,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(HERE.parent)},
        )
        print(proc.stdout, flush=True)
        if proc.returncode:
            failed = True
            sections.append(f"## {script.stem}\n\nFailed with exit code {proc.returncode}.\n")
        else:
            sections.append(proc.stdout.strip() + "\n")
    if not only or "typescript" in only:
        for old in HERE.glob("*-report.md"):
            old.unlink()
        for name, command, cwd in (
            ("jest", ["jlpm", "jest", "-c", "jest.bench.config.js"], HERE.parent),
            ("browser", ["jlpm", "playwright", "test", "-c", "playwright.bench.config.js"], HERE.parent / "ui-tests"),
        ):
            print(f"== {name} benchmarks", flush=True)
            code = subprocess.run(command, cwd=cwd).returncode
            if code:
                failed = True
                sections.append(f"## {name} benchmarks failed\n\nExit code {code}.\n")
        sections += [report.read_text().strip() + "\n" for report in sorted(HERE.glob("*-report.md"))]
    machine = (
        f"Last run {datetime.date.today().isoformat()} on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}."
    )
    if only:
        # A partial run replaces its own sections and keeps the others.
        sections = _merge(_sections(DOC.read_text()) if DOC.exists() else [], sections)
        machine += f" Partial run: {', '.join(sorted(only))}."
    DOC.write_text(INTRO + "\n" + machine + "\n\n" + "\n".join(sections))
    print(f"wrote {DOC}")
    return 1 if failed else 0


def _sections(text: str) -> list[str]:
    """The ``## `` sections of a report page, each with its text."""
    parts = re.split(r"(?m)^(?=## )", text)
    return [part.strip() + "\n" for part in parts if part.startswith("## ")]


def _merge(old: list[str], new: list[str]) -> list[str]:
    """Old sections in their order, each replaced by a new one of the same title; new titles last."""
    title = lambda section: section.split("\n", 1)[0]  # noqa: E731
    fresh = {title(section): section for section in new}
    merged = [fresh.pop(title(section), section) for section in old]
    return merged + list(fresh.values())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
