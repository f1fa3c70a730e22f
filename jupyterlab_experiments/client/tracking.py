"""The tracker: the active run, the buffer, the background flusher and the IPython hooks.

One ``Tracker`` per process (``jupyterlab_experiments.client`` holds it). Logging
calls validate, then append to the buffer under a lock; a daemon thread writes
the buffer to the store every ``flush_interval`` seconds, and so do the end of
every notebook cell and the exit of the interpreter. A killed process loses at
most what was logged since the last flush.

Where the run comes from:

* a notebook: the frontend calls :meth:`Tracker.attach` once per kernel start
  with the run it created; the cell id of each execute request is attached to
  everything logged during that cell;
* anywhere else (a script, a kernel the frontend did not attach): the first
  logging call starts a run, which ends at exit as ``finished``, or ``failed``
  when a script dies of an uncaught exception.

Modules needed only at run start, on a background thread or by rarely used
calls (the store, environment capture, hashing, the relay, pandas) are imported
where they are used, so that ``import jupyterlab_experiments`` stays fast.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import Any, NamedTuple

from . import compare
from .buffer import LogBuffer
from .images import to_png
from .values import check_key, metric_value, param_value, step_value, tag_value

DEFAULT_FLUSH_INTERVAL = 0.5
ENVIRONMENT_WAIT_SECONDS = 10
# The columns of search_runs before params, metrics and tags.
_ROW_ATTRIBUTES = ("run_id", "name", "status", "start_time", "end_time")
_PREFIX_ORDER = {"params": 0, "metrics": 1, "tags": 2}


class Run(NamedTuple):
    """The run logging calls write to."""

    id: str
    name: str | None
    store_dir: str
    kind: str


class Tracker:
    def __init__(self, flush_interval: float = DEFAULT_FLUSH_INTERVAL):
        self.flush_interval = flush_interval
        self._reset_process_state()
        self._store_dir: str | None = None
        self._notebook: dict = {}  # notebook_path and notebook_id from the last attach
        # Hooks, the excepthook and atexit handlers outlive a fork, so these flags do too.
        self._hooks_registered = False
        self._excepthook_installed = False
        self._exit_registered = False
        os.register_at_fork(after_in_child=self._reset_process_state)

    def _reset_process_state(self) -> None:
        """State that belongs to one process: a forked child starts its own run with its own store handle."""
        # Taken in this order only: run lock, write lock, lock. The run lock guards
        # starting, attaching and ending runs; the write lock keeps store calls in
        # order; the lock guards the buffer and the active run, for microseconds.
        self._run_lock = threading.RLock()
        self._write_lock = threading.RLock()
        self._lock = threading.Lock()
        self._run: Run | None = None
        self._cell_id: str | None = None
        self._buffer = LogBuffer()
        # A Store, or a RelaySink when the kernel cannot reach the store.
        self._sink: Any = None
        self._relay = False
        # Batches taken from the buffer but not yet written: (sink, run id, batch).
        self._unwritten: list[tuple[Any, str, dict]] = []
        self._digests: Any = None  # the data.DigestCache of the store in use
        self._flusher: threading.Thread | None = None
        self._stop = threading.Event()
        self._environment_threads: list[threading.Thread] = []
        self._exit_status = "finished"
        self._reported_failure = False

    # ----------------------------------------------------------------- logging

    def log_metric(self, key: str, value: Any, step: int | None = None) -> None:
        """Log one point of the metric ``key``; ``step`` defaults to the key's previous step + 1.

        Real numbers only (numpy scalars and one-element tensors are converted); NaN and
        Infinity are kept. Costs about a microsecond: the point is written by the flusher.
        """
        if type(value) is not float:
            value = metric_value(key, value)
        if step is not None and type(step) is not int:
            step = step_value(key, step)
        if type(key) is not str or not key:
            check_key("metric", key)
        if self._run is None:
            self._require_run()
        with self._lock:
            self._buffer.add_metric(key, value, step)

    def log_metrics(self, metrics: dict, step: int | None = None) -> None:
        """Log several metrics at the same step; all are validated before any is logged."""
        values = {
            check_key("metric", key): metric_value(key, value) for key, value in _mapping("metrics", metrics).items()
        }
        if step is not None:
            step = step_value(", ".join(values), step)
        if self._run is None:
            self._require_run()
        with self._lock:
            for key, value in values.items():
                self._buffer.add_metric(key, value, step)

    def log_param(self, key: str, value: Any) -> None:
        """Log a hyperparameter; it keeps its JSON type (numbers stay numbers)."""
        self.log_params({key: value})

    def log_params(self, params: dict) -> None:
        """Log several hyperparameters; all are validated before any is logged."""
        values = {check_key("param", key): param_value(key, value) for key, value in _mapping("params", params).items()}
        if self._run is None:
            self._require_run()
        with self._lock:
            for key, value in values.items():
                self._buffer.add_param(key, value)

    def set_tag(self, key: str, value: Any = "") -> None:
        """Tag the run; a bare tag (``set_tag("baseline")``) has the value ""."""
        self.set_tags({key: value})

    def set_tags(self, *names: Any) -> None:
        """``set_tags("baseline", "v2")`` or ``set_tags({"stage": "prod"})``."""
        if len(names) == 1 and isinstance(names[0], dict):
            tags = {check_key("tag", key): tag_value(key, value) for key, value in names[0].items()}
        else:
            tags = {check_key("tag", name): "" for name in names}
        if self._run is None:
            self._require_run()
        with self._lock:
            self._buffer.set_tags(tags)

    def log_image(self, key: str, image: Any, step: int | None = None) -> None:
        """Log a matplotlib Figure, PIL Image, PNG bytes or an image file, converted to PNG now."""
        check_key("image", key)
        if step is not None:
            step = step_value(key, step)
        png = to_png(key, image)
        if self._run is None:
            self._require_run()
        with self._lock:
            self._buffer.add_image(key, png, step)

    def log_data(self, path: Any) -> dict:
        """Record the version of a data file or folder: sha256, size, file count (and a manifest
        for folders). Each file is hashed once per (path, size, mtime). Returns the record."""
        from .data import describe_data

        if self._run is None:
            self._require_run()
        cache = self._digest_cache()
        description = describe_data(path, cache)
        cache.save()
        with self._lock:
            self._buffer.add_data(description)
        return description

    # -------------------------------------------------------------------- runs

    def start_run(self, name: str | None = None, tags: dict | None = None) -> Run:
        """End the active run (``finished``) and start a new one, which later logging goes to."""
        if name is not None and not isinstance(name, str):
            raise TypeError(f"run name must be a str, got {type(name).__name__}")
        tag_values = {
            check_key("tag", key): tag_value(key, value) for key, value in _mapping("tags", tags or {}).items()
        }
        with self._run_lock:
            self.end_run()
            return self._start(name, tag_values)

    def end_run(self, status: str = "finished") -> None:
        """Write what is buffered and close the active run; the next logging call starts a new one."""
        from ..store.base import END_STATUSES

        if status not in END_STATUSES:
            raise ValueError(f"status must be one of {', '.join(END_STATUSES)}, got {status!r}")
        with self._run_lock:
            run = self._run
            if run is None:
                return
            self.flush()
            with self._lock:
                self._run = None
                self._buffer = LogBuffer(self._cell_id)
            with self._write_lock:
                self._sink.end_run(run.id, status)

    def close(self, status: str = "finished") -> None:
        """Stop the flusher, then save the environment and the buffer and end the active run.
        Runs at interpreter exit; logging afterwards starts a new run."""
        self._stop.set()
        for thread in self._environment_threads:
            thread.join(ENVIRONMENT_WAIT_SECONDS)
        self.end_run(status)

    def active_run(self) -> Run | None:
        """The run logging goes to, or None before the first logging call of a script."""
        return self._run

    def attach(self, config: dict) -> dict:
        """Adopt the run the frontend created for this kernel (called at every kernel start
        and after ``experiments:new-run``). Writes directly when the store folder is
        reachable and writable, else through the display-data relay."""
        if not isinstance(config, dict) or not config.get("store_dir") or not config.get("run_id"):
            raise ValueError(f"_attach needs a dict with store_dir and run_id, got {config!r}")
        store_dir, run_id = os.fspath(config["store_dir"]), config["run_id"]
        self._notebook = {
            "notebook_path": config.get("notebook_path"),
            "notebook_id": config.get("notebook_id"),
        }
        with self._run_lock:
            current = self._run
            if current is None or (current.id, current.store_dir) != (
                run_id,
                store_dir,
            ):
                self.end_run()
                self._use_store(store_dir, relay_if_unreachable=True)
                with self._write_lock:
                    summary = self._adopt(run_id)
                self._activate(Run(run_id, summary.get("name"), store_dir, "notebook"))
            self._register_ipython_hooks()
        return {"run_id": run_id, "mode": "relay" if self._relay else "direct"}

    def flush(self) -> None:
        """Write everything logged so far to the store now; raises if the store refuses it
        (the batch is kept and written by the next flush)."""
        with self._run_lock, self._write_lock:
            with self._lock:
                run = self._run
                pending = self._buffer.take()
            if pending is not None:
                if run is None:
                    # Logged while another thread ended the run: it goes to the next run.
                    with self._lock:
                        self._buffer = LogBuffer(self._cell_id)
                    run = self._require_run()
                self._unwritten.append((self._sink, run.id, pending.batch()))
            while self._unwritten:
                sink, run_id, batch = self._unwritten[0]
                sink.log_batch(run_id, batch)
                self._unwritten.pop(0)
            self._reported_failure = False

    # ----------------------------------------------------------------- queries

    def search_runs(
        self,
        filter_string: str | None = None,
        order_by: Any = None,
        max_results: int = 1000,
    ):
        """Runs of the store matching ``filter_string``, as a pandas DataFrame (a list of dicts
        without pandas): run_id, name, status, start_time, end_time, params.*, metrics.* (last
        values), tags.*.

        ``filter_string`` and ``order_by`` are the query grammar of the experiments browser, a
        superset of MLflow's: ``params.lr > 0.01 AND metrics.acc.max > 0.9``, ``tags.stage =
        'prod' OR status = 'failed'``, ``started > -7d``; ``order_by`` e.g. ``["metrics.loss
        ASC"]`` or ``"metrics.acc DESC, params.lr"`` (missing values last). Newest first by
        default. Archived runs only when the filter names ``archived``; runs in the trash never.
        A query that cannot be read raises ValueError saying where."""
        if max_results < 0:
            raise ValueError(f"max_results must not be negative, got {max_results}")
        store = self._queryable_store()
        self.flush()
        with self._write_lock:
            runs, _ = store.list_runs(filter=filter_string, order_by=order_by, limit=max_results)
        return _frame(_rows(runs))

    def get_run(self, run_id: str) -> dict:
        """The full run: summary, param cells, images, data, environment and executions."""
        store = self._queryable_store()
        self.flush()
        with self._write_lock:
            return store.get_run(run_id)

    def get_metrics(self, run_ids: Any, keys: Any = None, max_points: int | None = None):
        """The metric series of ``run_ids`` (a run id, or several), long form: a pandas DataFrame
        with columns run_id, key, step, timestamp (UTC), value (a list of dicts without pandas).
        ``keys``: the metric keys to read, all of each run's when None (a key a run lacks is left
        out). ``max_points``: downsample each series to at most that many points, keeping each
        bucket's min and max. An unknown run raises ``KeyError``."""
        store = self._queryable_store()
        self.flush()
        arrays = compare.has_pandas()
        with self._write_lock:
            series = store.get_metric_series_many(_ids(run_ids), _keys(keys), max_points, arrays=arrays)
        return compare.metrics_frame(series) if arrays else compare.metric_rows(series)

    def compare_runs(self, run_ids: Any):
        """``run_ids`` side by side: one row per param, metric (its last value), tag and package
        version (``env.<package>``) any of them has, one column per run (None where a run lacks
        the field) and a ``differs`` column. A pandas DataFrame indexed by field (a list of dicts
        without pandas). ``frame[frame.differs]`` is what tells the runs apart."""
        store = self._queryable_store()
        self.flush()
        with self._write_lock:
            runs = [store.get_run(run_id) for run_id in dict.fromkeys(_ids(run_ids))]
        return compare.compare_frame(runs)

    # ------------------------------------------------------------- internals

    def _require_run(self) -> Run:
        with self._run_lock:
            if self._run is None:
                self._start(None, {})
            return self._run

    def _start(self, name: str | None, tags: dict) -> Run:
        shell = _ipython_shell()
        in_kernel = _kernel() is not None
        self._open_sink()
        kind = "notebook" if in_kernel else "script"
        if name is None and not in_kernel:
            name = _script_name()
        fields = {"name": name, "kind": kind, "tags": tags or None, **_owner()}
        if in_kernel:
            fields.update(self._notebook)
        with self._write_lock:
            summary = self._sink.create_run(**fields)
        run = Run(summary["id"], summary.get("name"), self._store_dir, kind)
        self._activate(run)
        if in_kernel:
            self._register_ipython_hooks()
        elif shell is None:
            self._install_excepthook()
        return run

    def _activate(self, run: Run) -> None:
        with self._lock:
            self._run = run
            self._buffer = LogBuffer(self._cell_id)
        self._start_flusher()
        self._register_exit()
        thread = threading.Thread(
            target=self._capture_environment,
            args=(run.id, self._sink),
            name="jupyterlab-experiments-environment",
            daemon=True,
        )
        self._environment_threads = [t for t in self._environment_threads if t.is_alive()] + [thread]
        thread.start()

    def _adopt(self, run_id: str) -> dict:
        """Take over a run the frontend created; create it if this store has never seen it."""
        if self._relay:
            return {"id": run_id}
        from ..store import RunNotFound

        try:
            return self._sink.update_run(run_id, pid=os.getpid())
        except RunNotFound:
            return self._sink.create_run(run_id=run_id, kind="notebook", **_owner(), **self._notebook)

    def _use_store(self, store_dir: Any, relay_if_unreachable: bool) -> None:
        """Write to the store in ``store_dir``; through the relay if a kernel was given a
        folder it cannot write (the server runs elsewhere). A folder found by
        ``resolve_store_dir`` is this process's own and is created when missing."""
        store_dir = os.fspath(store_dir)
        if store_dir == self._store_dir and self._sink is not None:
            return
        self.flush()
        reachable = os.path.isdir(store_dir) and os.access(store_dir, os.W_OK)
        relay = not reachable and relay_if_unreachable and _kernel() is not None
        if relay:
            from .relay import RelaySink

            sink = RelaySink()
        else:
            from ..store import open_store

            sink = open_store(store_dir)
        # The previous store is not closed: batches still queued for it hold it until written.
        with self._write_lock:
            self._sink, self._relay, self._store_dir = sink, relay, store_dir
            self._digests = None

    def _digest_cache(self):
        """Data digests cached in the store folder, or in memory when the folder is out of reach."""
        from .data import CACHE_FILE_NAME, DigestCache

        if self._digests is None:
            self._digests = DigestCache(None if self._relay else os.path.join(self._store_dir, CACHE_FILE_NAME))
        return self._digests

    def _open_sink(self) -> None:
        """Open the store at the first call of a script, or of a forked child (which
        reopens its parent's store: connections do not survive a fork)."""
        if self._sink is not None:
            return
        if self._store_dir is not None:
            self._use_store(self._store_dir, relay_if_unreachable=True)
        else:
            from ..store import resolve_store_dir

            self._use_store(resolve_store_dir(), relay_if_unreachable=False)

    def _queryable_store(self):
        self._open_sink()
        if self._relay:
            raise RuntimeError(
                f"this kernel cannot open the store at {self._store_dir!r} (it logs through the frontend), "
                "so it cannot search or read runs"
            )
        return self._sink

    def _capture_environment(self, run_id: str, sink: Any) -> None:
        from .environment import capture_environment

        try:
            environment = capture_environment()
        except Exception as error:  # noqa: BLE001 (a broken install can raise anything; logging goes on)
            print(
                f"jupyterlab_experiments: could not capture the environment: {error!r}",
                file=sys.stderr,
            )
            return
        with self._lock:
            if self._run is not None and self._run.id == run_id:
                self._buffer.set_environment(environment)
                return
        # The run ended meanwhile: queue it for the next flush. This short-lived thread never
        # calls the store itself, so no store connection is opened for it.
        with self._write_lock:
            self._unwritten.append((sink, run_id, {"environment": environment}))

    # ----------------------------------------------------- background and hooks

    def _start_flusher(self) -> None:
        if self._flusher is not None and self._flusher.is_alive():
            return
        self._stop.clear()
        self._flusher = threading.Thread(
            target=self._flush_periodically,
            name="jupyterlab-experiments-flush",
            daemon=True,
        )
        self._flusher.start()

    def _flush_periodically(self) -> None:
        while not self._stop.wait(self.flush_interval):
            try:
                self.flush()
            except Exception as error:  # noqa: BLE001 (the batch is kept for the next try; say so once)
                if not self._reported_failure:
                    self._reported_failure = True
                    print(
                        f"jupyterlab_experiments: could not write to the store, will retry: {error!r}",
                        file=sys.stderr,
                    )

    def _register_exit(self) -> None:
        if not self._exit_registered:
            self._exit_registered = True
            atexit.register(self._at_exit)

    def _at_exit(self) -> None:
        try:
            self.close(self._exit_status)
        except Exception as error:  # noqa: BLE001 (nothing is left to raise to at exit)
            print(
                f"jupyterlab_experiments: could not save the run at exit: {error!r}",
                file=sys.stderr,
            )

    def _install_excepthook(self) -> None:
        if self._excepthook_installed:
            return
        self._excepthook_installed = True
        previous = sys.excepthook

        def excepthook(exc_type, exc, traceback):
            self._exit_status = "interrupted" if issubclass(exc_type, KeyboardInterrupt) else "failed"
            previous(exc_type, exc, traceback)

        sys.excepthook = excepthook

    def _register_ipython_hooks(self) -> None:
        shell = _ipython_shell()
        if shell is None or self._hooks_registered:
            return
        self._hooks_registered = True
        shell.events.register("pre_run_cell", self._pre_run_cell)
        shell.events.register("post_run_cell", self._post_run_cell)
        # Registered by the first logging call of a kernel nobody attached: the pre_run_cell
        # of that cell has passed, so its id comes from the request.
        self._set_cell(_execute_request_cell_id())

    def _pre_run_cell(self, info: Any) -> None:
        self._set_cell(getattr(info, "cell_id", None) or _execute_request_cell_id())

    def _post_run_cell(self, result: Any) -> None:
        self._set_cell(None)
        self.flush()

    def _set_cell(self, cell_id: str | None) -> None:
        with self._lock:
            self._cell_id = cell_id
            self._buffer.set_cell(cell_id)


def _rows(runs: list[dict]) -> list[dict]:
    """One flat dict per run summary: run_id, name, status, start_time, end_time, params.*, metrics.*, tags.*."""
    rows = []
    for run in runs:
        row = {"run_id": run["id"], **{name: run.get(name) for name in _ROW_ATTRIBUTES[1:]}}
        row.update({f"params.{key}": value for key, value in run["params"].items()})
        row.update({f"metrics.{key}": summary["last"] for key, summary in run["metrics"].items()})
        row.update({f"tags.{key}": value for key, value in run["tags"].items()})
        rows.append(row)
    return rows


def _ids(run_ids: Any) -> list[str]:
    """One run id or several, as a list (a DataFrame's ``run_id`` column will do)."""
    if isinstance(run_ids, str):
        return [run_ids]
    ids = list(run_ids)
    for run_id in ids:
        if not isinstance(run_id, str):
            raise TypeError(f"run ids are strings, got {type(run_id).__name__}")
    return ids


def _keys(keys: Any) -> list[str] | None:
    if keys is None:
        return None
    return [keys] if isinstance(keys, str) else [str(key) for key in keys]


def _frame(rows: list[dict]):
    """A pandas DataFrame of ``rows`` with times as UTC datetimes; the rows themselves without pandas."""
    try:
        import pandas
    except ImportError:
        return rows
    keys = {key for row in rows for key in row if key not in _ROW_ATTRIBUTES}
    ordered = sorted(keys, key=lambda key: (_PREFIX_ORDER[key.split(".", 1)[0]], key))
    frame = pandas.DataFrame(rows, columns=[*_ROW_ATTRIBUTES, *ordered])
    for column in ("start_time", "end_time"):
        frame[column] = pandas.to_datetime(frame[column], unit="s", utc=True)
    return frame


def _mapping(what: str, value: Any) -> dict:
    if not isinstance(value, dict):
        raise TypeError(f"{what} must be a dict, got {type(value).__name__}")
    return value


def _owner() -> dict:
    """Who runs this process, recorded on its runs so the server can tell when it is gone."""
    import socket

    from .environment import current_user

    return {"user": current_user(), "host": socket.gethostname(), "pid": os.getpid()}


def _ipython_shell():
    """The running IPython shell, without importing IPython into scripts that never did."""
    if "IPython" not in sys.modules:
        return None
    from IPython import get_ipython

    return get_ipython()


def _kernel():
    """The ipykernel kernel this process serves, if it is one."""
    return getattr(_ipython_shell(), "kernel", None)


def _execute_request_cell_id() -> str | None:
    """``metadata.cellId`` of the execute request being run, for IPython versions whose
    ExecutionInfo does not carry the cell id."""
    kernel = _kernel()
    if kernel is None:
        return None
    try:
        parent = kernel.get_parent("shell")
    except TypeError:  # ipykernel < 6.2 takes no channel argument
        parent = kernel.get_parent()
    return (parent or {}).get("metadata", {}).get("cellId")


def _script_name() -> str:
    script = sys.argv[0] if sys.argv else ""
    return os.path.basename(script) if script and script != "-c" else "python"
