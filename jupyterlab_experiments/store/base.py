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
     "starred": bool, "archived": bool,
     "deleted": float | None,                          # when it went to the trash
     "verdict": str | None,                            # a validation's verdict; None for other runs
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

Checkpoint (``add_checkpoints``, ``list_checkpoints``): one commit on a notebook's
ref in ``checkpoints.git``, with the fields of its message trailers::

    {"notebook_id": str, "commit": str, "parent": str | None,   # 40-hex object ids
     "time": int,                                               # the commit's author time (s)
     "cell_id": str | None, "run_id": str | None, "execution_count": int | None,
     "status": str | None, "duration": float | None,            # seconds
     "message": str}                                            # the message's first line

Validation (``get_validation``): a run of kind ``validation`` ("run the notebook top to
bottom in a fresh kernel") and its per-cell results::

    {"run_id": str, "notebook_path": str, "notebook_id": str | None,
     "checkpoint": str | None,                      # the validated commit
     "kernel_name": str | None, "kernel_id": str | None,
     "status": run status, "start_time": float, "end_time": float | None,   # seconds
     "verdict": "passed" | "output-changed" | "failed" | "timed-out" | "cancelled" | "error" | None,
     "duration_ms": float | None, "message": str | None,
     "settings": dict, "static_findings": list, "cell_count": int,
     "failed_at": int | None,                       # index of the first failed or timed-out cell
     "cells": [ValidationCell]}                     # by index; absent from ``list_validations``

ValidationCell::

    {"index": int,                                  # position in the notebook's cells
     "code_index": int, "cell_id": str | None, "source_head": str,
     "status": "pending" | "running" | "passed" | "output-changed" | "failed" | "skipped"
               | "not-reached" | "timed-out",
     "duration_ms": float | None, "execution_count": int | None,
     "error": {"ename": str, "evalue": str, "traceback"?: [str]} | None,
     "reason": str, "rules": [str],
     "role": "root-cause" | "consequence" | "independent" | None, "cause_index": int | None,
     "differences": list, "outputs": list, "saved_outputs": list}   # opaque to the store
"""

from __future__ import annotations

import abc
from typing import Any, Iterable, Optional, Sequence, Union

RUN_KINDS = ("notebook", "script", "validation")
END_STATUSES = ("finished", "failed", "interrupted")
RUN_STATUSES = ("running",) + END_STATUSES
# How a validation ended, and the status its run ends with.
VALIDATION_VERDICTS = {
    "passed": "finished",
    "output-changed": "finished",
    "failed": "failed",
    "timed-out": "failed",
    "error": "failed",
    "cancelled": "interrupted",
}
VALIDATION_CELL_STATUSES = (
    "pending",
    "running",
    "passed",
    "output-changed",
    "failed",
    "skipped",
    "not-reached",
    "timed-out",
)
FAILURE_ROLES = ("root-cause", "consequence", "independent")
# The largest process id any platform hands out (pid_t is a 32-bit signed int).
MAX_PID = 2**31 - 1


class RunNotFound(KeyError):
    """No run has this id."""


class RunConflict(RuntimeError):
    """The run exists but cannot take this write (not a validation, or already ended)."""


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
        starred: Optional[bool] = None,
        archived: Optional[bool] = None,
    ) -> dict:
        """Change what a user may edit (and the attaching process id); return the summary.

        None leaves a field as it is. A run in the trash may be edited too."""

    @abc.abstractmethod
    def log_batch(self, run_id: str, batch: dict) -> None:
        """Append a batch (see module docstring) in one transaction."""

    @abc.abstractmethod
    def import_runs(self, runs: Iterable[dict]) -> list[str]:
        """Write complete runs in one transaction (runs brought from elsewhere, a benchmark's store); return their ids.

        A run is a dict of a summary's fields — ``id`` (drawn when absent), ``name``, ``kind``,
        ``status`` (default ``finished``), ``notebook_path``, ``notebook_id``, ``kernel_id``,
        ``kernel_name``, ``user``, ``host``, ``pid``, ``start_time`` (required), ``end_time``,
        ``notes``, ``tags`` — plus ``batch``, what it logged (see module docstring; missing
        timestamps are its end time). ``runs`` may be a generator: runs are read one at a
        time. Raise ValueError, writing nothing, if an id is taken."""

    @abc.abstractmethod
    def list_runs(
        self,
        *,
        limit: int = 50,
        offset: int = 0,
        notebook_id: Optional[str] = None,
        status: Optional[str] = None,
        filter: Optional[str] = None,
        order_by: Union[None, str, Sequence[str]] = None,
        trash: bool = False,
        summaries: Optional[Sequence[str]] = None,
    ) -> tuple[list[dict], int]:
        """Return (summaries, total matching) of the runs ``filter`` selects. Never reads metric series.

        ``filter`` and ``order_by`` are in the query grammar (``store/query/grammar.py``):
        ``order_by`` a list of, or a comma-separated, ``<field> [ASC|DESC]``; missing values
        last, then newest first (the order without keys). Runs in the trash are listed only,
        and all, with ``trash``; archived runs only when the filter names ``archived``.
        ``summaries`` (some of ``last``, ``min``, ``max``, ``count``) gives each metric only those
        fields: a table of a few hundred columns shows one figure a metric, not eight.
        Raise ``QuerySyntaxError`` (a ValueError) for a filter or key that cannot be read,
        ValueError for a negative limit or offset."""

    @abc.abstractmethod
    def group_runs(self, *, group_by: str, filter: Optional[str] = None, columns: Sequence[str] = ()) -> list[dict]:
        """The runs ``filter`` selects (as ``list_runs`` does, trash aside) grouped by the value of the
        field ``group_by`` (``params.x``, ``tags.x``, ``notebook``, ``kind``, ``status`` ...).

        Each group ``{"value", "count", "aggregates": {column: {"mean", "std", "min", "max",
        "count"}}}``, an aggregate for each field of ``columns`` that has numbers (``metrics.acc.max``,
        ``params.lr``, ``duration``; ``std`` is the sample standard deviation, None below two
        values; a text field has none), in order of value, numbers before text, no value last.
        A group's value is what ``<group_by> = <value>`` (or ``IS NULL`` for None) selects: a param
        is its number, else its text form."""

    @abc.abstractmethod
    def list_keys(self) -> dict:
        """``{"params": [...], "metrics": [...], "tags": [...], "env": [...]}``: the keys (package
        names for env) logged by runs not in the trash, distinct and sorted."""

    @abc.abstractmethod
    def list_values(self, key: str, prefix: str = "", limit: int = 20) -> list:
        """Up to ``limit`` distinct values of the field ``key`` among runs not in the trash, those whose
        text starts with ``prefix`` (ASCII case ignored), numbers first then text, ascending."""

    @abc.abstractmethod
    def get_run(self, run_id: str) -> dict:
        """The full run; raise RunNotFound."""

    @abc.abstractmethod
    def get_metric_series(self, run_id: str, key: str, max_points: Optional[int] = None) -> dict:
        """{"key", "steps", "values", "timestamps", "count"}; downsampled to at most
        max_points keeping each bucket's min and max. Raise RunNotFound / KeyError."""

    @abc.abstractmethod
    def get_metric_series_many(
        self,
        run_ids: Sequence[str],
        keys: Optional[Sequence[str]] = None,
        max_points: Optional[int] = None,
        arrays: bool = False,
    ) -> list[dict]:
        """The series of ``keys`` (all of them when None) of every run of ``run_ids``, read in one
        transaction: ``{"run_id", "key", "steps", "values", "timestamps", "count"}`` each, in the
        order of ``run_ids`` then of ``keys`` (by key when None); a key a run lacks is left out.
        Each downsampled as ``get_metric_series`` does; its columns numpy arrays with ``arrays``
        (which needs numpy), lists otherwise. Raise RunNotFound for an unknown run."""

    @abc.abstractmethod
    def get_image(self, run_id: str, image_id: str) -> bytes:
        """PNG bytes of one logged image; raise RunNotFound / KeyError."""

    @abc.abstractmethod
    def interrupt_orphans(self, is_alive: Any) -> list[str]:
        """Mark ``running`` runs whose owner is gone as ``interrupted``.

        ``is_alive(run_summary) -> bool`` decides; return the ids marked."""

    # -- edits of many runs, the trash, saved views ----------------------

    @abc.abstractmethod
    def bulk_update_runs(
        self,
        run_ids: Iterable[str],
        *,
        set_tags: Optional[dict] = None,
        remove_tags: Iterable[str] = (),
        starred: Optional[bool] = None,
        archived: Optional[bool] = None,
    ) -> list[dict]:
        """Apply the same edit to every run of ``run_ids`` in one transaction; return their summaries
        in the order given (an id given twice is edited and listed once). Raise RunNotFound,
        writing nothing, if any id is unknown."""

    @abc.abstractmethod
    def delete_run(self, run_id: str) -> dict:
        """Move a run to the trash: its ``deleted`` becomes the time of the call (a run already
        there keeps its time); return the summary. Its rows stay; ``get_run`` still answers,
        with ``deleted`` set. Raise RunNotFound."""

    @abc.abstractmethod
    def restore_run(self, run_id: str) -> dict:
        """Take a run out of the trash (``deleted`` back to None); return the summary. Raise RunNotFound."""

    @abc.abstractmethod
    def purge_run(self, run_id: str) -> None:
        """Remove a run (in the trash or not) and every row of it: params, metrics and their
        series, tags, images, data, executions, environment, validation. An image file goes
        only once no remaining image row has its content (images are content-addressed:
        another run may have logged the same bytes). Checkpoints stay: they belong to the
        notebook's history. Raise RunNotFound."""

    @abc.abstractmethod
    def purge_trash(self, older_than_seconds: float = 30 * 86400) -> list[str]:
        """``purge_run`` every run that went to the trash more than ``older_than_seconds`` ago;
        return their ids."""

    @abc.abstractmethod
    def changed_since(self, since: float) -> tuple[list[tuple[str, float]], float]:
        """Runs written after the unix time ``since`` (their ``updated`` is later), oldest write
        first: ``([(run_id, updated)], newest)`` where ``newest`` is the latest ``updated``
        listed, or ``since`` when none is. Trashed runs are listed too; purged ones are gone."""

    @abc.abstractmethod
    def list_views(self) -> list[dict]:
        """Saved views of the experiments browser by name: ``[{"name", "state", "updated"}]``."""

    @abc.abstractmethod
    def save_view(self, name: str, state: dict) -> dict:
        """Create or replace the view ``name`` (its ``state`` a JSON object); return it."""

    @abc.abstractmethod
    def delete_view(self, name: str) -> None:
        """Forget the view ``name``; raise KeyError if there is none."""

    @abc.abstractmethod
    def add_checkpoints(self, rows: Iterable[dict]) -> None:
        """Index checkpoints (see module docstring), oldest first: for equal times the later one
        lists as newer. A (notebook, commit) already indexed is left as it is."""

    @abc.abstractmethod
    def list_checkpoints(
        self,
        notebook_id: str,
        limit: int = 50,
        before: Optional[float] = None,
        before_commit: Optional[str] = None,
    ) -> tuple[list[dict], int]:
        """A notebook's checkpoints newest first; return (rows, the notebook's total).

        ``before`` keeps those older than a unix time. ``before_commit`` keeps those
        listed after that checkpoint (the last row of the previous page): commit
        times are whole seconds, so paging by time alone would skip checkpoints of
        the same second. Raise KeyError if the notebook has no such checkpoint."""

    @abc.abstractmethod
    def link_execution_checkpoint(self, run_id: str, cell_id: str, execution_count: int, commit: str) -> None:
        """Record ``commit`` as the checkpoint of that cell execution of that run, and of the
        params, metric chunks, images and data that cell logged in that run with no checkpoint
        yet. A run or execution not logged (yet) is no error: nothing is linked."""

    @abc.abstractmethod
    def create_validation(
        self,
        *,
        notebook_path: str,
        run_id: Optional[str] = None,
        notebook_id: Optional[str] = None,
        checkpoint: Optional[str] = None,
        kernel_name: Optional[str] = None,
        kernel_id: Optional[str] = None,
        user: Optional[str] = None,
        settings: Optional[dict] = None,
        static_findings: Optional[list] = None,
        cell_count: int = 0,
    ) -> dict:
        """Create a ``running`` run of kind ``validation`` named ``validate <notebook file name>``
        with no cells yet; return the validation (see module docstring).

        Raise RunConflict if ``run_id`` is taken: unlike a notebook run, a validation
        has one creator."""

    @abc.abstractmethod
    def record_validation_cells(self, run_id: str, cells: Iterable[dict]) -> int:
        """Write cell results (see module docstring), replacing earlier ones of the same
        index; return how many. Raise RunNotFound, or RunConflict unless the run is a
        running validation."""

    @abc.abstractmethod
    def finish_validation(
        self, run_id: str, verdict: str, duration_ms: Optional[float] = None, message: Optional[str] = None
    ) -> dict:
        """Record the verdict and end the run: ``finished`` for passed and output-changed,
        ``interrupted`` for cancelled, ``failed`` otherwise. Return the validation without
        its cells. Raise RunNotFound, or RunConflict unless the run is a running validation."""

    @abc.abstractmethod
    def get_validation(self, run_id: str) -> dict:
        """The validation with its cells; raise RunNotFound, or KeyError if the run is no validation."""

    @abc.abstractmethod
    def list_validations(
        self, *, notebook_id: Optional[str] = None, notebook_path: Optional[str] = None, limit: int = 20
    ) -> list[dict]:
        """Validations without their cells, newest first, of the notebook with this id and/or path."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release connections."""
