"""The run store interface.

Every reader and writer of runs (the server's REST handlers, the logging API in a
kernel or script) goes through this interface, so another backend (PostgreSQL for
a team server) can be added without touching callers. Values cross it as plain
Python objects; JSON encoding (NaN, Infinity) is the REST layer's business.

Shapes
------
Run summary (``list_runs``)::

    {"id": str, "name": str | None, "kind": "notebook" | "script" | "validation",
     "status": "running" | "finished" | "failed" | "interrupted",
     "notebook_path": str | None, "notebook_id": str | None,
     "kernel_id": str | None, "kernel_name": str | None, "user": str | None,
     "host": str | None, "pid": int | None,
     "start_time": float, "end_time": float | None,   # seconds since the epoch
     "updated": float,                                 # last write to the run
     "tags": {str: str},                               # a bare tag has value ""
     "notes": str,
     "params": {key: value},                           # typed: numbers stay numbers
     "metrics": {key: MetricSummary}}

MetricSummary::

    {"last": float, "last_step": int, "min": float, "min_step": int,
     "max": float, "max_step": int, "count": int, "cell_id": str | None}

    NaN and +/-Inf are kept; min/max ignore NaN (None while every value is NaN).

Full run (``get_run``): the summary plus
    "param_cells": {key: {"cell_id", "checkpoint"}},
    "images": [{"id", "key", "step", "cell_id", "checkpoint", "sha256", "width", "height", "timestamp"}],
    "data": [{"path", "sha256", "size", "file_count", "manifest", "cell_id", "checkpoint", "timestamp"}],
    "environment": dict | None,
    "executions": [{"cell_id", "execution_count", "started", "duration", "status",
                    "error_name", "checkpoint", "source_head"}]   # in execution order

Batch (``log_batch``), every key optional::

    {"params": [{"key", "value", "cell_id"?, "checkpoint"?}],
     "metrics": [{"key", "cell_id"?, "checkpoint"?, "steps"?: [int | None], "values": [float],
                  "timestamps"?: [float | None]}],
     "tags": {str: str},
     "images": [{"key", "png": bytes, "step"?, "cell_id"?, "checkpoint"?, "timestamp"?}],
     "data": [{"path", "sha256", "size", "file_count", "manifest"?, "cell_id"?, "checkpoint"?}],
     "executions": [execution dicts as above],
     "environment": dict}

    Metrics are columnar so a buffer of a million points is written as a few rows.
    A missing step (``steps`` absent or None, or a None in it) is one more than the
    key's previous step (0 for a new key); a missing timestamp is the time of the
    write. Re-logging a param overwrites it; ``environment`` replaces the run's.
"""

from __future__ import annotations

import abc
from typing import Any, Iterable, Optional


class RunNotFound(KeyError):
    """No run has this id."""


class Store(abc.ABC):
    """A durable, process-safe store of runs."""

    @abc.abstractmethod
    def create_run(
        self,
        *,
        run_id: Optional[str] = None,
        name: Optional[str] = None,
        kind: str = "notebook",
        notebook_path: Optional[str] = None,
        notebook_id: Optional[str] = None,
        kernel_id: Optional[str] = None,
        kernel_name: Optional[str] = None,
        user: Optional[str] = None,
        host: Optional[str] = None,
        pid: Optional[int] = None,
        tags: Optional[dict] = None,
    ) -> dict:
        """Create a run with status ``running`` and return its summary.

        Creating an existing ``run_id`` again (same kind) fills in the fields it
        lacks and returns it: a notebook's frontend and kernel both create its
        run, in whichever order their requests arrive."""

    @abc.abstractmethod
    def end_run(self, run_id: str, status: str = "finished", end_time: Optional[float] = None) -> None:
        """Close a run (no-op if already ended with the same status)."""

    @abc.abstractmethod
    def update_run(
        self,
        run_id: str,
        *,
        name: Optional[str] = None,
        notes: Optional[str] = None,
        set_tags: Optional[dict] = None,
        remove_tags: Iterable[str] = (),
        pid: Optional[int] = None,
    ) -> dict:
        """Change what a user may edit (and the attaching process id); return the summary."""

    @abc.abstractmethod
    def log_batch(self, run_id: str, batch: dict) -> None:
        """Append a batch (see module docstring) in one transaction."""

    @abc.abstractmethod
    def list_runs(
        self,
        *,
        limit: int = 50,
        offset: int = 0,
        notebook_id: Optional[str] = None,
        status: Optional[str] = None,
    ) -> tuple[list[dict], int]:
        """Newest first; return (summaries, total matching). Never reads metric series."""

    @abc.abstractmethod
    def get_run(self, run_id: str) -> dict:
        """The full run; raise RunNotFound."""

    @abc.abstractmethod
    def get_metric_series(self, run_id: str, key: str, max_points: Optional[int] = None) -> dict:
        """{"key", "steps", "values", "timestamps", "count"}; downsampled to at most
        max_points keeping each bucket's min and max. Raise RunNotFound / KeyError."""

    @abc.abstractmethod
    def get_image(self, run_id: str, image_id: str) -> bytes:
        """PNG bytes of one logged image; raise RunNotFound / KeyError."""

    @abc.abstractmethod
    def interrupt_orphans(self, is_alive: Any) -> list[str]:
        """Mark ``running`` runs whose owner is gone as ``interrupted``.

        ``is_alive(run_summary) -> bool`` decides; return the ids marked."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release connections."""
