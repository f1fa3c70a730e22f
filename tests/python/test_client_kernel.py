"""Notebook mode in a real ipykernel: attach, cell ids from execute requests, relay."""

from __future__ import annotations

import json

import pytest
from conftest import require
from kernel_helpers import Kernel, child_env, wait_for

from jupyterlab_experiments.client.relay import MIME_TYPE
from jupyterlab_experiments.store import open_store

require("ipykernel")
require("jupyter_client")


@pytest.fixture
def kernel(tmp_path):
    kernel = Kernel(cwd=tmp_path)
    yield kernel
    kernel.shutdown()


def attach_code(store_dir, run_id):
    config = {
        "store_dir": str(store_dir),
        "run_id": run_id,
        "notebook_path": "nb.ipynb",
        "notebook_id": "nb-1",
    }
    return f"import jupyterlab_experiments as jx\njx._attach({json.dumps(config)})"


def test_attached_kernel_logs_with_cell_ids_and_switches_runs(kernel, tmp_path):
    store_dir = tmp_path / ".experiments"
    store = open_store(store_dir)
    try:
        created = store.create_run(kind="notebook", notebook_path="nb.ipynb", notebook_id="nb-1")
        kernel.execute(attach_code(store_dir, created["id"]), silent=True)
        assert store.get_run(created["id"])["pid"] == kernel.pid

        kernel.execute(
            "jx.log_param('lr', 0.1)\nfor i in range(100):\n    jx.log_metric('loss', 1 / (i + 1), step=i)",
            cell_id="abc",
        )
        # Written by the end-of-cell flush: no waiting.
        run = store.get_run(created["id"])
        assert run["metrics"]["loss"]["count"] == 100
        assert run["metrics"]["loss"]["cell_id"] == "abc"
        assert run["param_cells"]["lr"]["cell_id"] == "abc"
        assert wait_for(lambda: store.get_run(created["id"])["environment"])["language"] == "python"

        # jx.start_run() in a notebook: a new notebook run of the same notebook.
        kernel.execute(
            "second = jx.start_run(name='sweep')\njx.log_metric('loss', 0.5)",
            cell_id="def",
        )
        second = store.list_runs(limit=1)[0][0]
        assert (second["name"], second["kind"], second["notebook_id"]) == (
            "sweep",
            "notebook",
            "nb-1",
        )
        assert second["metrics"]["loss"]["cell_id"] == "def"
        assert store.get_run(created["id"])["status"] == "finished"

        # experiments:new-run: the frontend attaches a run it created; the hooks stay registered once.
        third = store.create_run(kind="notebook", notebook_path="nb.ipynb", notebook_id="nb-1")
        kernel.execute(attach_code(store_dir, third["id"]), silent=True)
        kernel.execute(attach_code(store_dir, third["id"]), silent=True)
        reply = kernel.execute(
            "jx.log_metric('acc', 0.9)\n"
            "print(sum(getattr(cb, '__name__', '') == '_post_run_cell' "
            "for cb in get_ipython().events.callbacks['post_run_cell']))",
            cell_id="ghi",
        )
        printed = "".join(m["content"]["text"] for m in reply["outputs"] if m["msg_type"] == "stream")
        assert printed.strip() == "1"
        assert store.get_run(third["id"])["metrics"]["acc"]["cell_id"] == "ghi"
        assert store.get_run(second["id"])["status"] == "finished"

        kernel.shutdown()
        assert wait_for(lambda: store.get_run(third["id"])["status"] == "finished", timeout=5)
    finally:
        store.close()


def test_kernel_that_cannot_reach_the_store_relays_batches_as_display_data(kernel, tmp_path):
    unreachable = tmp_path / "on-the-server" / ".experiments"
    config = json.dumps({"store_dir": str(unreachable), "run_id": "r1"})
    reply = kernel.execute(f"import jupyterlab_experiments as jx\nprint(jx._attach({config})['mode'])")
    assert "relay" in "".join(m["content"].get("text", "") for m in reply["outputs"])

    reply = kernel.execute(
        "jx.log_param('lr', 0.1)\njx.log_metric('loss', float('nan'))\njx.log_metric('loss', 0.5)",
        cell_id="c1",
    )
    relayed = [
        message["content"]
        for message in reply["outputs"]
        if message["msg_type"] == "display_data" and MIME_TYPE in message["content"]["data"]
    ]
    assert relayed, "the end-of-cell flush publishes the batch"
    payloads = [content["data"][MIME_TYPE] for content in relayed]
    assert all(content["transient"] for content in relayed)
    batch = next(payload["batch"] for payload in payloads if "metrics" in payload.get("batch", {}))
    assert all(payload["run_id"] == "r1" for payload in payloads)
    assert batch["metrics"][0]["values"] == ["NaN", 0.5]
    assert batch["metrics"][0]["cell_id"] == "c1"
    assert batch["params"] == [{"key": "lr", "value": 0.1, "cell_id": "c1"}]
    assert not unreachable.exists()


def test_a_kernel_nobody_attached_starts_a_notebook_run_on_first_call(tmp_path):
    store_dir = tmp_path / "store"
    kernel = Kernel(cwd=tmp_path, env=child_env(store_dir))
    try:
        kernel.execute(
            "import jupyterlab_experiments as jx\njx.log_metric('loss', 0.5)",
            cell_id="first",
        )
        store = open_store(store_dir)
        try:
            (run,), _ = store.list_runs()
            assert (run["kind"], run["status"], run["name"]) == (
                "notebook",
                "running",
                None,
            )
            assert run["metrics"]["loss"]["cell_id"] == "first"
            kernel.shutdown()
            assert store.get_run(run["id"])["status"] == "finished"
        finally:
            store.close()
    finally:
        kernel.shutdown()
