"""Server configuration for the browser tests.

Never use it for real work: it disables authentication and exposes the
JupyterLab application object to the page.
"""
import os
import tempfile

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821
c.ServerApp.allow_root = True  # noqa: F821  (CI runs as root)
# Another port lets two checkouts run their browser tests side by side.
c.ServerApp.port = int(os.environ.get("UI_TEST_PORT", "8888"))  # noqa: F821
# Each test session starts on an empty store.
c.Experiments.store_dir = os.environ.get(  # noqa: F821
    "JUPYTERLAB_EXPERIMENTS_TEST_STORE", tempfile.mkdtemp(prefix="experiments-ui-")
)
# Packed every other checkpoint: History, diff and compare read packed objects too.
c.Experiments.pack_every = 2  # noqa: F821
