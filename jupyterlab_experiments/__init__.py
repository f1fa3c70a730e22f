"""Experiment tracking inside JupyterLab.

``import jupyterlab_experiments as jx`` gives the logging API; it needs only the
standard library, so it imports fast in any kernel or script. The Jupyter server
extension is loaded lazily by Jupyter and is not imported here.
"""

from .client import (
    _attach,  # noqa: F401  (called by the frontend at kernel start)
    active_run,
    compare_runs,
    end_run,
    flush,
    get_metrics,
    get_run,
    log_data,
    log_image,
    log_metric,
    log_metrics,
    log_param,
    log_params,
    search_runs,
    set_tag,
    set_tags,
    start_run,
)
from .common.version import __version__  # noqa: F401  (jx.__version__)

__all__ = [
    "active_run",
    "compare_runs",
    "end_run",
    "flush",
    "get_metrics",
    "get_run",
    "log_data",
    "log_image",
    "log_metric",
    "log_metrics",
    "log_param",
    "log_params",
    "search_runs",
    "set_tag",
    "set_tags",
    "start_run",
]


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "jupyterlab-experiments"}]


def _jupyter_server_extension_points():
    return [{"module": "jupyterlab_experiments"}]


def _load_jupyter_server_extension(server_app):
    from .server.extension import load

    load(server_app)


def _unload_jupyter_server_extension(server_app):
    from .server.extension import unload

    unload(server_app)
