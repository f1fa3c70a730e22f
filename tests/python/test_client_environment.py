"""Environment capture: interpreter, packages, host and the project's git state."""

from __future__ import annotations

import platform
import subprocess
import sys

from conftest import require_executable

from jupyterlab_experiments.client.environment import (
    capture_environment,
    git_state,
    package_versions,
    parse_git_status,
)


class Distribution:
    def __init__(self, name, version):
        self.metadata = {"Name": name}
        self.version = version


def test_package_versions_are_sorted_and_deduplicated_first_wins():
    versions = package_versions(
        [
            Distribution("Pandas", "2.2.0"),
            Distribution("attrs", "23.1"),
            Distribution("pandas", "1.0.0"),  # an older copy later on sys.path: shadowed
            Distribution("typing_extensions", "4.9"),
            Distribution("Typing-Extensions", "4.0"),
            Distribution(None, "0"),
        ]
    )
    assert list(versions.items()) == [
        ("attrs", "23.1"),
        ("Pandas", "2.2.0"),
        ("typing_extensions", "4.9"),
    ]


def test_parse_git_status_reads_commit_branch_and_dirty():
    clean = "# branch.oid 0123abcd\n# branch.head main\n# branch.upstream origin/main\n"
    assert parse_git_status(clean) == {
        "commit": "0123abcd",
        "branch": "main",
        "dirty": False,
    }
    dirty = "# branch.oid 0123abcd\n# branch.head (detached)\n1 .M N... 100644 100644 100644 a b train.py\n"
    assert parse_git_status(dirty) == {
        "commit": "0123abcd",
        "branch": None,
        "dirty": True,
    }
    fresh = "# branch.oid (initial)\n# branch.head main\n"
    assert parse_git_status(fresh) == {"commit": None, "branch": "main", "dirty": False}


def test_capture_outside_a_repository_has_no_git_fields(tmp_path):
    environment = capture_environment(str(tmp_path))
    assert environment["language"] == "python"
    assert environment["language_version"] == platform.python_version()
    assert environment["executable"] == sys.executable
    assert environment["cwd"] == str(tmp_path)
    assert "pytest" in {name.lower() for name in environment["packages"]}
    assert environment["hostname"] and environment["os"] == platform.system()
    assert "git" not in environment


def test_capture_inside_a_repository_reads_head_and_dirty_flag(tmp_path):
    require_executable("git")

    def git(*args):
        return subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
            cwd=tmp_path,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()

    git("init", "-q", "-b", "trunk")
    (tmp_path / "train.py").write_text("print(1)\n")
    git("add", "train.py")
    git("commit", "-q", "-m", "first")
    head = git("rev-parse", "HEAD")
    (tmp_path / "untracked.txt").write_text("not part of the project yet\n")
    assert git_state(str(tmp_path)) == {
        "commit": head,
        "branch": "trunk",
        "dirty": False,
    }

    (tmp_path / "train.py").write_text("print(2)\n")
    (tmp_path / "sub").mkdir()
    assert capture_environment(str(tmp_path / "sub"))["git"] == {
        "commit": head,
        "branch": "trunk",
        "dirty": True,
    }


def test_git_state_without_git_is_empty(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert git_state(str(tmp_path)) == {}
