"""The example notebook runs top to bottom and exercises every logging call."""

from __future__ import annotations

import shutil
import time

import pytest
from conftest import require
from kernel_helpers import REPO_ROOT, child_env

from jupyterlab_experiments.store import open_store

nbclient = require("nbclient")
nbformat = require("nbformat")


def test_demo_notebook_logs_params_metrics_image_data_and_tags(tmp_path):
    shutil.copytree(REPO_ROOT / "examples", tmp_path / "examples")
    folder = tmp_path / "examples"
    notebook = nbformat.read(folder / "demo.ipynb", as_version=4)
    nbformat.validate(notebook)
    assert notebook.nbformat_minor >= 5 and all(cell.get("id") for cell in notebook.cells)
    parameters = [cell for cell in notebook.cells if "parameters" in cell.metadata.get("tags", [])]
    assert len(parameters) == 1

    store_dir = tmp_path / "store"
    client = nbclient.NotebookClient(
        notebook,
        timeout=30,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
    )
    started = time.monotonic()
    with pytest.MonkeyPatch.context() as patch:
        for name, value in child_env(store_dir).items():
            patch.setenv(name, value)
        client.execute()
    assert time.monotonic() - started < 15  # kernel start included; the cells take about a second

    store = open_store(store_dir)
    try:
        (summary,), _ = store.list_runs()
        run = store.get_run(summary["id"])
    finally:
        store.close()
    assert run["status"] == "finished"
    assert run["params"] == {
        "lr": 0.05,
        "num_leaves": 31,
        "objective": "regression",
        "epochs": 200,
    }
    assert run["metrics"]["loss"]["count"] == 200 and run["metrics"]["loss"]["last_step"] == 199
    assert abs(run["metrics"]["w"]["last"] - 3) < 0.2
    assert [image["key"] for image in run["images"]] == ["fit"]
    assert run["data"][0]["path"] == str(folder / "data" / "train.csv")
    assert {"demo", "linear", "stage"} <= set(run["tags"])
    search_output = notebook.cells[-1].outputs[0]["data"]["text/plain"]
    assert summary["id"] in search_output
