"""The logging API: ``import jupyterlab_experiments as jx``.

Standard library only at import time, so it loads fast in any kernel or script.
Every function is a method of the process's one :class:`Tracker`, bound here so
a logging call costs one Python call and no lookups.
"""

from __future__ import annotations

from .tracking import Run, Tracker

_tracker = Tracker()

log_param = _tracker.log_param
log_params = _tracker.log_params
log_metric = _tracker.log_metric
log_metrics = _tracker.log_metrics
log_image = _tracker.log_image
log_data = _tracker.log_data
set_tag = _tracker.set_tag
set_tags = _tracker.set_tags
start_run = _tracker.start_run
end_run = _tracker.end_run
active_run = _tracker.active_run
flush = _tracker.flush
search_runs = _tracker.search_runs
get_run = _tracker.get_run
get_metrics = _tracker.get_metrics
compare_runs = _tracker.compare_runs
_attach = _tracker.attach

__all__ = [
    "Run",
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
