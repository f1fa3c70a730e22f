"""Requests whose JSON is large, served by a worker process.

Parsing or encoding tens of megabytes of JSON holds the interpreter's lock for
hundreds of milliseconds, even in a worker thread, and the server would answer
nothing else meanwhile. So a body beyond ``IN_PROCESS_BODY_BYTES`` is parsed,
checked and written, and a validation's report and JUnit XML are built and
encoded, in a worker process that opens the same store (SQLite in WAL mode is
made for several processes); the server only moves bytes, and those through a
temporary file, written and read a piece at a time, rather than through the
pipe to the worker (whose copies would hold the lock again).

Standard library and this package only (no tornado, no jupyter_server): a worker
starts in a fraction of a second, once, on first use. The functions here run in
the worker and take the store's folder, not a store.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import tempfile
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Optional

from ..common.parameters import parse_parameters
from ..store import Store, open_store
from .jsonio import dumps
from .reports import export_filename, junit_xml, validation_report
from .validation import parse_json_body, parse_log_body, parse_validation_cells

# A body up to this is parsed in a thread of the server (a few milliseconds of JSON at most).
IN_PROCESS_BODY_BYTES = 2**20
WORKERS = 2
# Stores a worker keeps open (a server has one; a test process starts many).
_OPEN_STORES = 4
# How often a worker checks that its server still lives.
PARENT_CHECK_S = 1.0

_pool: Optional[ProcessPoolExecutor] = None
_pool_lock = threading.Lock()
_stores: OrderedDict[str, Store] = OrderedDict()


async def in_worker(function: Callable, *args: Any) -> Any:
    """``function(*args)`` in the worker process pool, started on first use ("spawn": nothing of
    the server's threads or event loop is inherited). Where no process can be started (no
    semaphores, say), in a thread of the server instead: slower to answer others, still right."""
    loop = asyncio.get_running_loop()
    try:
        # Submitted from a thread: submitting may start a worker, which must not hold up the event loop.
        future = await loop.run_in_executor(None, _submit, function, *args)
    except (OSError, NotImplementedError, BrokenProcessPool):
        shutdown()
        return await loop.run_in_executor(None, function, *args)
    return await asyncio.wrap_future(future)


def _submit(function: Callable, *args: Any) -> Future:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(
                WORKERS,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_watch_server,
                initargs=(os.getpid(),),
            )
        return _pool.submit(function, *args)


def shutdown() -> None:
    """Stop the worker processes (they start again on the next large request)."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


# -- in the worker ---------------------------------------------------------------------


def _watch_server(server_pid: int) -> None:
    """End this worker once its server is gone, even killed (its queue would never say so)."""

    def watch() -> None:
        while os.getppid() == server_pid:
            time.sleep(PARENT_CHECK_S)
        os._exit(0)

    threading.Thread(target=watch, name="experiments-watch-server", daemon=True).start()


def spill(body: bytes) -> str:
    """``body`` in a new temporary file, for a worker to read (and delete); its path."""
    fd, path = tempfile.mkstemp(prefix="jupyterlab-experiments-", suffix=".body")
    with os.fdopen(fd, "wb") as file:
        file.write(body)
    return path


def log_batch(store_dir: str, run_id: str, body_path: str) -> None:
    batch = parse_json_body(_take(body_path), None, parse_log_body, parse_parameters)
    _store(store_dir).log_batch(run_id, batch)


def record_validation_cells(store_dir: str, run_id: str, body_path: str) -> int:
    cells = parse_json_body(_take(body_path), None, parse_validation_cells)
    return _store(store_dir).record_validation_cells(run_id, cells)


def validation_report_json(store_dir: str, run_id: str) -> tuple[str, str]:
    """(the export's file name, the path of a temporary file holding the report as UTF-8 JSON)."""
    validation = _store(store_dir).get_validation(run_id)
    return export_filename(validation, "json"), spill(dumps(validation_report(validation)).encode())


def validation_junit(store_dir: str, run_id: str) -> tuple[str, str]:
    """(the export's file name, the path of a temporary file holding the JUnit XML)."""
    validation = _store(store_dir).get_validation(run_id)
    return export_filename(validation, "xml"), spill(junit_xml(validation))


def _take(path: str) -> bytes:
    """The bytes of a spilled file, which is deleted."""
    try:
        with open(path, "rb") as file:
            return file.read()
    finally:
        os.unlink(path)


def _store(store_dir: str) -> Store:
    store = _stores.pop(store_dir, None) or open_store(store_dir)
    _stores[store_dir] = store
    while len(_stores) > _OPEN_STORES:
        _stores.popitem(last=False)[1].close()
    return store
