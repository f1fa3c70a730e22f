"""What a run ran on: interpreter, installed packages, OS, host and project git state.

Captured on a background thread at run start (reading package metadata and
running git take tens of milliseconds), so it never delays the user's cell. The
run-start path imports this module for :func:`current_user`, so the slow-to-import
modules are imported by the functions that need them.
"""

from __future__ import annotations

import getpass
import os
import platform
import re
import socket
import sys
from collections.abc import Iterable

GIT_TIMEOUT_SECONDS = 5


def capture_environment(cwd: str | None = None) -> dict:
    """The environment dict logged with a run; git fields only when ``cwd`` is in a repository."""
    from importlib import metadata

    cwd = cwd or os.getcwd()
    environment = {
        "language": "python",
        "language_version": platform.python_version(),
        "implementation": platform.python_implementation(),
        "executable": sys.executable,
        "packages": package_versions(metadata.distributions()),
        "os": platform.system(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "hostname": socket.gethostname(),
        "user": current_user(),
        "cwd": cwd,
    }
    git = git_state(cwd)
    if git:
        environment["git"] = git
    return environment


def package_versions(distributions: Iterable) -> dict[str, str]:
    """{name: version} sorted by name; the first of duplicate installs wins, as for imports."""
    versions: dict[str, tuple[str, str]] = {}
    for distribution in distributions:
        name = distribution.metadata["Name"]
        if not name:  # a broken install leaves metadata without a name
            continue
        canonical = re.sub(r"[-_.]+", "-", name).lower()
        versions.setdefault(canonical, (name, distribution.version))
    return {name: version for _, (name, version) in sorted(versions.items())}


def current_user() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        return None


def git_state(folder: str) -> dict:
    """{"commit", "branch", "dirty"} of the repository containing ``folder``; {} when there is none."""
    import subprocess

    try:
        completed = subprocess.run(
            ["git", "status", "--porcelain=v2", "--branch", "--untracked-files=no"],
            cwd=folder,
            check=False,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_SECONDS,
        )
    except (
        OSError,
        subprocess.TimeoutExpired,
    ):  # no git, or a repository too slow to ask
        return {}
    if completed.returncode != 0:
        return {}
    return parse_git_status(completed.stdout)


def parse_git_status(porcelain_v2: str) -> dict:
    """Read ``git status --porcelain=v2 --branch``: headers start with ``#``, changes do not."""
    commit = branch = None
    dirty = False
    for line in porcelain_v2.splitlines():
        if line.startswith("# branch.oid "):
            oid = line[len("# branch.oid ") :].strip()
            commit = None if oid == "(initial)" else oid
        elif line.startswith("# branch.head "):
            head = line[len("# branch.head ") :].strip()
            branch = None if head == "(detached)" else head
        elif line and not line.startswith("#"):
            dirty = True
    return {"commit": commit, "branch": branch, "dirty": dirty}
