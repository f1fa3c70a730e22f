"""Plain scripts: runs that start by themselves, end with the process, and survive kill -9."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest
from kernel_helpers import child_env, run_script, wait_for

from jupyterlab_experiments.store import open_store


@pytest.fixture
def store_dir(tmp_path):
    return tmp_path / "store"


def only_run(store_dir):
    store = open_store(store_dir)
    try:
        (run,), _total = store.list_runs()
        return store.get_run(run["id"])
    finally:
        store.close()


def test_a_script_run_starts_on_first_call_and_ends_finished(tmp_path, store_dir):
    completed = run_script(
        tmp_path,
        """
        import os
        import jupyterlab_experiments as jx
        jx.log_param("lr", 0.1)
        for step in range(100):
            jx.log_metric("loss", 1 / (step + 1), step=step)
        print(os.getpid())
        """,
        store_dir,
    )
    assert completed.returncode == 0, completed.stderr
    run = only_run(store_dir)
    assert (run["kind"], run["name"], run["status"]) == (
        "script",
        "train.py",
        "finished",
    )
    assert run["pid"] == int(completed.stdout.strip())
    assert run["end_time"] >= run["start_time"]
    assert run["params"] == {"lr": 0.1}
    assert run["metrics"]["loss"]["count"] == 100
    assert run["environment"]["cwd"] == str(tmp_path)


def test_a_script_dying_of_an_exception_ends_failed_with_everything_logged(tmp_path, store_dir):
    completed = run_script(
        tmp_path,
        """
        import jupyterlab_experiments as jx
        jx.log_metric("loss", 0.5)
        raise RuntimeError("diverged")
        """,
        store_dir,
    )
    assert completed.returncode == 1 and "RuntimeError: diverged" in completed.stderr
    run = only_run(store_dir)
    assert run["status"] == "failed"
    assert run["metrics"]["loss"]["last"] == 0.5


def test_a_script_stopped_with_ctrl_c_ends_interrupted(tmp_path, store_dir):
    completed = run_script(
        tmp_path,
        """
        import jupyterlab_experiments as jx
        jx.log_metric("loss", 0.5)
        raise KeyboardInterrupt
        """,
        store_dir,
    )
    assert completed.returncode != 0
    assert only_run(store_dir)["status"] == "interrupted"


def test_two_processes_logging_at_once_lose_nothing(tmp_path, store_dir):
    script = tmp_path / "worker.py"
    script.write_text(
        textwrap.dedent(
            """
            import sys
            import jupyterlab_experiments as jx
            jx.start_run(name=sys.argv[1])
            for step in range(50_000):
                jx.log_metric("loss", step * 0.5, step=step)
                if step % 10_000 == 0:
                    jx.log_param(f"p{step}", step)
            """
        )
    )
    env = child_env(store_dir)
    workers = [
        subprocess.Popen(
            [sys.executable, str(script), name],
            cwd=tmp_path,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("left", "right")
    ]
    for worker in workers:
        assert worker.wait(timeout=60) == 0, worker.stderr.read()
    store = open_store(store_dir)
    try:
        runs, total = store.list_runs()
        assert total == 2
        for summary in runs:
            assert summary["status"] == "finished"
            assert summary["metrics"]["loss"]["count"] == 50_000
            assert len(summary["params"]) == 5
            steps = store.get_metric_series(summary["id"], "loss")["steps"]
            assert steps == list(range(50_000))
    finally:
        store.close()


def test_kill_9_mid_loop_leaves_a_consistent_store_with_the_flushed_points(tmp_path, store_dir):
    script = tmp_path / "forever.py"
    script.write_text(
        textwrap.dedent(
            """
            import jupyterlab_experiments as jx
            step = 0
            while True:
                jx.log_metric("loss", 1.0 / (step + 1), step=step)
                step += 1
            """
        )
    )
    process = subprocess.Popen([sys.executable, str(script)], cwd=tmp_path, env=child_env(store_dir))
    try:
        wait_for(lambda: (store_dir / "store.sqlite").exists(), timeout=10)
        store = open_store(store_dir)
        try:
            run_id = wait_for(lambda: (store.list_runs()[0] or [{}])[0].get("id"), timeout=10)
            # Several flushes in, so the kill is likely to land while one is being written.
            wait_for(
                lambda: store.get_run(run_id)["metrics"].get("loss", {}).get("count", 0) >= 300_000,
                timeout=20,
            )
        finally:
            store.close()
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    with sqlite3.connect(store_dir / "store.sqlite") as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    store = open_store(store_dir)
    try:
        run = store.get_run(run_id)
        points = store.get_metric_series(run_id, "loss")
        # Nobody ended it: the server marks such runs interrupted.
        assert run["status"] == "running"
        assert points["count"] == run["metrics"]["loss"]["count"] >= 300_000
        assert points["steps"] == list(range(points["count"]))
        assert store.interrupt_orphans(lambda summary: False) == [run_id]
    finally:
        store.close()


def test_a_forked_child_logs_to_its_own_run_and_leaves_the_parents_alone(tmp_path, store_dir):
    completed = run_script(
        tmp_path,
        """
        import os
        import jupyterlab_experiments as jx
        jx.log_metric("parent", 1.0)
        child = os.fork()
        if child == 0:
            jx.log_metric("child", 2.0)
            jx.end_run()
            os._exit(0)
        os.waitpid(child, 0)
        jx.log_metric("parent", 3.0)
        print(child)
        """,
        store_dir,
    )
    assert completed.returncode == 0, completed.stderr
    store = open_store(store_dir)
    try:
        runs = {run["pid"]: run for run in store.list_runs()[0]}
    finally:
        store.close()
    child = runs.pop(int(completed.stdout.strip()))
    (parent,) = runs.values()
    assert (child["status"], list(child["metrics"])) == ("finished", ["child"])
    assert (parent["status"], list(parent["metrics"])) == ("finished", ["parent"])
    assert parent["metrics"]["parent"]["count"] == 2
