"""The embedded store: one SQLite file in WAL mode plus content-addressed images.

Concurrency. Kernels, scripts and the Jupyter server write the same file at
once. WAL lets readers work while one writer writes; every write is a
``BEGIN IMMEDIATE`` transaction (the write lock is taken up front, so a
transaction never fails half-way on a lock upgrade), SQLite's busy timeout waits
for the lock, and a retry loop with backoff covers what the timeout does not, so
callers never see "database is locked".

Threads. Each thread gets its own connection. The logging client flushes from a
background thread while the kernel's main thread may read, and the server runs
store calls in a thread pool: with one connection each, a reader never waits for
another thread's write (WAL gives it a snapshot) and no Python lock is held
while SQLite waits for another process. A forked child opens fresh connections
(SQLite connections must not cross a fork).
"""

from __future__ import annotations

import json
import os
import random
import socket
import sqlite3
import threading
import time
import uuid
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterable, NamedTuple, Optional, Sequence, TypeVar, Union

from ..common.jsonvalues import INT64_MAX, MAX_JSON_DEPTH, check_json
from ..common.paths import Confined
from .base import END_STATUSES, MAX_PID, RUN_KINDS, RUN_STATUSES, VALIDATION_VERDICTS, RunConflict, RunNotFound, Store
from .images import OutsideStore, image_path, images_folder, png_size, read_png, save_png
from .migrations import MIGRATIONS, migrate, schema_version
from .query import sqlite as queries
from .query.base import aggregate_groups
from .query.grammar import METRIC_SUMMARIES
from .series import (
    SeriesCache,
    decode_chunk,
    encode_chunk,
    merge_summary,
    numpy_available,
    read_series,
    resolve_steps,
)

STORE_FILE = "store.sqlite"
BUSY_TIMEOUT_S = 10.0
WRITE_DEADLINE_S = 120.0
# A flush of a few points would cost a row each; a small tail chunk of the same
# cell is rewritten with the new points instead, until it holds this many.
MERGE_BELOW_POINTS = 1024
# Bounds the memory of encoding or decoding one chunk.
MAX_CHUNK_POINTS = 65536
# Downsampled series kept decoded (``SeriesCache``): some 1,300 series at a chart's 1,000 points.
SERIES_CACHE_BYTES = 32 * 2**20
# Stays under SQLITE_MAX_VARIABLE_NUMBER of old SQLite builds (999).
_IN_BATCH = 500
# Runs purged from the trash per write transaction.
_PURGE_BATCH = 100

_RUN_COLUMNS = (
    "id, uuid, name, kind, status, notebook_path, notebook_id, kernel_id, kernel_name, "
    "user, host, pid, start_time, end_time, updated, notes, starred, archived, deleted"
)
_EXECUTION_FIELDS = (
    "cell_id",
    "execution_count",
    "started",
    "duration",
    "status",
    "error_name",
    "checkpoint",
    "source_head",
)

_CHECKPOINT_FIELDS = (
    "notebook_id",
    "commit",
    "parent",
    "time",
    "cell_id",
    "run_id",
    "execution_count",
    "status",
    "duration",
    "message",
    "notebook_path",
)
# The same columns in table order ("commit" is an SQL keyword, hence "oid").
_CHECKPOINT_COLUMNS = (
    "notebook_id, oid, parent, time, cell_id, run_id, execution_count, status, duration, message, notebook_path"
)
_VALIDATION_SELECT = (
    "SELECT r.id, r.uuid, r.notebook_path, r.notebook_id, v.checkpoint, r.kernel_name, r.kernel_id, r.status,"
    " r.start_time, r.end_time, v.verdict, v.duration_ms, v.message, v.settings, v.static_findings, v.cell_count,"
    " (SELECT min(idx) FROM validation_cells c WHERE c.run = r.id AND c.status IN ('failed', 'timed-out'))"
    " FROM runs r JOIN validations v ON v.run = r.id"
)
_VALIDATION_CELL_COLUMNS = (
    "idx, code_index, cell_id, source_head, status, duration_ms, execution_count, error_name, error_value, reason,"
    " rules, role, cause_index, detail"
)
# What only the browser reads, kept as one JSON value per cell.
_VALIDATION_CELL_DETAIL = ("differences", "outputs", "saved_outputs")
# What a cell logs, each row with its cell id and checkpoint.
_LOGGED_TABLES = ("params", "metric_chunks", "images", "data_inputs")

T = TypeVar("T")


class SqliteStore(Store):
    """Runs in ``<store_dir>/store.sqlite``, images in ``<store_dir>/images/<sha[:2]>/<sha>.png``."""

    def __init__(self, store_dir: str | os.PathLike[str]):
        self.store_dir = Path(store_dir)
        self.path = self.store_dir / STORE_FILE
        self.images = images_folder(self.store_dir)
        self.store_dir.mkdir(parents=True, exist_ok=True)
        self._registry_lock = threading.Lock()
        self._connections: dict[threading.Thread, sqlite3.Connection] = {}
        self._local = threading.local()
        self._pid = os.getpid()
        self._closed = False
        self._series_cache = SeriesCache(SERIES_CACHE_BYTES)
        if schema_version(self._conn()) != len(MIGRATIONS):
            self._write(migrate)

    # -- connections and transactions ------------------------------------

    def _conn(self) -> sqlite3.Connection:
        if self._closed:
            raise sqlite3.ProgrammingError(f"the store {self.store_dir} is closed")
        if self._pid != os.getpid():
            # Forked: the parent's connections belong to the parent; never touch them.
            self._pid = os.getpid()
            self._connections = {}
            self._local = threading.local()
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            with self._registry_lock:
                # The main thread counts as dead while atexit handlers run, yet
                # they still write (the final flush): never reap its connection.
                main = threading.main_thread()
                for thread in [t for t in self._connections if not t.is_alive() and t is not main]:
                    self._connections.pop(thread).close()
                self._connections[threading.current_thread()] = conn
        return conn

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: transactions are ours (BEGIN IMMEDIATE), not the module's.
        # check_same_thread=False only so that close() may close every thread's connection.
        conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        _retry_busy(lambda: conn.execute("PRAGMA journal_mode = WAL"))
        # In WAL mode NORMAL never corrupts; a power cut may lose the last commits only.
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    def _write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        return self._transaction("BEGIN IMMEDIATE", work)

    def _read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        # One read transaction: every SELECT of a call sees the same snapshot.
        return self._transaction("BEGIN", work)

    def _transaction(self, begin: str, work: Callable[[sqlite3.Connection], T]) -> T:
        conn = self._conn()

        def attempt() -> T:
            conn.execute(begin)
            try:
                result = work(conn)
                conn.execute("COMMIT")
                return result
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

        return _retry_busy(attempt)

    def close(self) -> None:
        with self._registry_lock:
            self._closed = True
            for conn in self._connections.values():
                conn.close()
            self._connections.clear()

    # -- runs ------------------------------------------------------------

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
        if kind not in RUN_KINDS:
            raise ValueError(f"run kind must be one of {', '.join(RUN_KINDS)}, got {kind!r}")
        _check_pid(pid)
        run_id = run_id or uuid.uuid4().hex
        host = host or socket.gethostname()
        now = time.time()

        def work(conn: sqlite3.Connection) -> dict:
            # The frontend and the kernel it attaches both create the same run,
            # in either order: the second completes what the first left empty.
            row = conn.execute("SELECT id, kind FROM runs WHERE uuid = ?", (run_id,)).fetchone()
            if row is None:
                rowid = _insert_run(
                    conn, (run_id, name, kind, notebook_path, notebook_id, kernel_id, kernel_name, user, host, pid), now
                )
            elif row[1] != kind:
                raise ValueError(f"a run with id {run_id!r} already exists with kind {row[1]!r}")
            else:
                rowid = row[0]
                conn.execute(
                    "UPDATE runs SET name = COALESCE(name, ?), notebook_path = COALESCE(notebook_path, ?),"
                    " notebook_id = COALESCE(notebook_id, ?), kernel_id = COALESCE(kernel_id, ?),"
                    " kernel_name = COALESCE(kernel_name, ?), user = COALESCE(user, ?), pid = COALESCE(pid, ?),"
                    " updated = ? WHERE id = ?",
                    (name, notebook_path, notebook_id, kernel_id, kernel_name, user, pid, now, rowid),
                )
            _set_tags(conn, rowid, tags or {})
            return _summary(conn, rowid)

        return self._write(work)

    def end_run(self, run_id: str, status: str = "finished", end_time: Optional[float] = None) -> None:
        if status not in END_STATUSES:
            raise ValueError(f"an ended run's status must be one of {', '.join(END_STATUSES)}, got {status!r}")
        now = time.time()

        def work(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE runs SET status = ?, end_time = ?, updated = ? WHERE id = ? AND status != ?",
                (status, now if end_time is None else end_time, now, _rowid(conn, run_id), status),
            )

        self._write(work)

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
        _check_pid(pid)
        changes = {
            column: value for column, value in (("name", name), ("notes", notes), ("pid", pid)) if value is not None
        }
        changes.update(_flags(starred, archived))
        remove_tags = list(remove_tags)

        def work(conn: sqlite3.Connection) -> dict:
            rowid = _rowid(conn, run_id)
            _edit_runs(conn, [rowid], changes, set_tags or {}, remove_tags, time.time())
            return _summary(conn, rowid)

        return self._write(work)

    def interrupt_orphans(self, is_alive: Any) -> list[str]:
        running = self._read(
            lambda conn: _summaries(
                conn, conn.execute(f"SELECT {_RUN_COLUMNS} FROM runs WHERE status = 'running'").fetchall()
            )
        )
        orphans = [run["id"] for run in running if not _judged_alive(is_alive, run)]
        if not orphans:
            return []
        now = time.time()

        def work(conn: sqlite3.Connection) -> list[str]:
            # Re-checked under the write lock: a run that ended meanwhile keeps its status.
            return [
                run_id
                for run_id in orphans
                if conn.execute(
                    "UPDATE runs SET status = 'interrupted', end_time = ?, updated = ?"
                    " WHERE uuid = ? AND status = 'running'",
                    (now, now, run_id),
                ).rowcount
            ]

        return self._write(work)

    # -- edits of many runs, the trash, saved views ----------------------

    def bulk_update_runs(
        self,
        run_ids: Iterable[str],
        *,
        set_tags: Optional[dict] = None,
        remove_tags: Iterable[str] = (),
        starred: Optional[bool] = None,
        archived: Optional[bool] = None,
    ) -> list[dict]:
        run_ids = list(dict.fromkeys(run_ids))
        changes = _flags(starred, archived)
        remove_tags = list(remove_tags)

        def work(conn: sqlite3.Connection) -> list[dict]:
            # Every id is looked up before anything is written: an unknown one rolls back nothing.
            rowids = [_rowid(conn, run_id) for run_id in run_ids]
            _edit_runs(conn, rowids, changes, set_tags or {}, remove_tags, time.time())
            return _summaries_of(conn, rowids)

        return self._write(work)

    def delete_run(self, run_id: str) -> dict:
        def work(conn: sqlite3.Connection) -> dict:
            rowid = _rowid(conn, run_id)
            now = time.time()
            # Deleting again keeps the first time: the 30 days of the trash do not start over.
            conn.execute("UPDATE runs SET deleted = COALESCE(deleted, ?), updated = ? WHERE id = ?", (now, now, rowid))
            return _summary(conn, rowid)

        return self._write(work)

    def restore_run(self, run_id: str) -> dict:
        def work(conn: sqlite3.Connection) -> dict:
            rowid = _rowid(conn, run_id)
            conn.execute("UPDATE runs SET deleted = NULL, updated = ? WHERE id = ?", (time.time(), rowid))
            return _summary(conn, rowid)

        return self._write(work)

    def purge_run(self, run_id: str) -> None:
        self._remove_images(self._write(lambda conn: _purge(conn, [_rowid(conn, run_id)])))

    def purge_trash(self, older_than_seconds: float = 30 * 86400) -> list[str]:
        if not older_than_seconds >= 0:
            raise ValueError(f"older_than_seconds must be 0 or more, got {older_than_seconds!r}")
        cutoff = time.time() - older_than_seconds
        expired = "FROM runs WHERE deleted IS NOT NULL AND deleted < ?"
        # The sweep asks every few seconds: a read answers "nothing to do" without taking the write lock.
        if self._read(lambda conn: conn.execute(f"SELECT 1 {expired} LIMIT 1", (cutoff,)).fetchone()) is None:
            return []

        def work(conn: sqlite3.Connection) -> tuple[list[str], set[str]]:
            rows = conn.execute(
                f"SELECT id, uuid {expired} ORDER BY deleted LIMIT ?", (cutoff, _PURGE_BATCH)
            ).fetchall()
            return [row[1] for row in rows], _purge(conn, [row[0] for row in rows])

        purged: list[str] = []
        while True:
            # A batch per transaction: purging thousands of runs never holds the write lock for long.
            ids, images = self._write(work)
            self._remove_images(images)
            purged += ids
            if len(ids) < _PURGE_BATCH:
                return purged

    def _remove_images(self, candidates: set[str]) -> None:
        """Delete the files of images no row refers to, after the purge that let them go has committed."""
        if not candidates:
            return
        # Asked again: a run that logged the same bytes since then keeps the file.
        unused = self._read(
            lambda conn: [
                sha256
                for sha256 in sorted(candidates)
                if conn.execute("SELECT 1 FROM images WHERE sha256 = ? LIMIT 1", (sha256,)).fetchone() is None
            ]
        )
        for sha256 in unused:
            try:
                os.unlink(image_path(self.images, sha256))
            except (FileNotFoundError, OutsideStore):
                # Gone already, or a link out of the store: never follow it to delete what lies outside.
                pass

    def changed_since(self, since: float) -> tuple[list[tuple[str, float]], float]:
        rows = self._read(
            lambda conn: conn.execute(
                "SELECT uuid, updated FROM runs WHERE updated > ? ORDER BY updated", (since,)
            ).fetchall()
        )
        return [(run_id, updated) for run_id, updated in rows], rows[-1][1] if rows else since

    def list_views(self) -> list[dict]:
        rows = self._read(lambda conn: conn.execute("SELECT name, state, updated FROM views ORDER BY name").fetchall())
        return [{"name": name, "state": _stored_json(state, {}), "updated": updated} for name, state, updated in rows]

    def save_view(self, name: str, state: dict) -> dict:
        if not isinstance(name, str) or not name:
            raise ValueError(f"a view's name must be a non-empty string, got {name!r}")
        if not isinstance(state, dict):
            raise ValueError(f"a view's state must be a JSON object, got {type(state).__name__}")
        text = _json_text(state, "state")
        now = time.time()
        self._write(
            lambda conn: conn.execute(
                "INSERT INTO views (name, state, updated) VALUES (?, ?, ?)"
                " ON CONFLICT (name) DO UPDATE SET state = excluded.state, updated = excluded.updated",
                (name, text, now),
            )
        )
        return {"name": name, "state": state, "updated": now}

    def delete_view(self, name: str) -> None:
        if not self._write(lambda conn: conn.execute("DELETE FROM views WHERE name = ?", (name,)).rowcount):
            raise KeyError(f"no view named {name!r}")

    # -- logging ---------------------------------------------------------

    def log_batch(self, run_id: str, batch: dict) -> None:
        now = time.time()
        # Everything that needs no lock happens before the write transaction. Image
        # files are saved first: content-addressed, so a retried or failed batch
        # at worst leaves a file that the next identical image reuses.
        prepared = _prepare_batch(self.images, batch, now)
        self._write(lambda conn: _write_batch(conn, _rowid(conn, run_id), run_id, prepared, now))

    def import_runs(self, runs: Iterable[dict]) -> list[str]:
        host = socket.gethostname()

        def work(conn: sqlite3.Connection) -> list[str]:
            ids = []
            # One run prepared at a time: an import of thousands of runs never holds them all.
            for run in runs:
                run_id = run.get("id") or uuid.uuid4().hex
                kind, status = run.get("kind", "notebook"), run.get("status", "finished")
                if kind not in RUN_KINDS:
                    raise ValueError(f"run kind must be one of {', '.join(RUN_KINDS)}, got {kind!r}")
                if status not in RUN_STATUSES:
                    raise ValueError(f"run status must be one of {', '.join(RUN_STATUSES)}, got {status!r}")
                if conn.execute("SELECT 1 FROM runs WHERE uuid = ?", (run_id,)).fetchone() is not None:
                    raise ValueError(f"a run with id {run_id!r} already exists")
                start = float(run["start_time"])
                end = run.get("end_time")
                updated = start if end is None else float(end)
                fields = [
                    run.get(name) for name in ("name", "notebook_path", "notebook_id", "kernel_id", "kernel_name")
                ]
                rowid = conn.execute(
                    "INSERT INTO runs (uuid, name, kind, notebook_path, notebook_id, kernel_id, kernel_name, user,"
                    " host, pid, status, start_time, end_time, updated, notes)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        run_id,
                        fields[0],
                        kind,
                        *fields[1:],
                        run.get("user"),
                        run.get("host") or host,
                        run.get("pid"),
                        status,
                        start,
                        end,
                        updated,
                        run.get("notes") or "",
                    ),
                ).lastrowid
                _set_tags(conn, rowid, run.get("tags") or {})
                batch = _prepare_batch(self.images, run.get("batch") or {}, updated)
                _write_batch(conn, rowid, run_id, batch, updated)
                ids.append(run_id)
            return ids

        return self._write(work)

    # -- reading ---------------------------------------------------------

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
        if not (0 <= limit <= INT64_MAX and 0 <= offset <= INT64_MAX):
            raise ValueError(f"limit and offset must be 0 to {INT64_MAX}")
        fields = _summary_fields(summaries)
        # Parsed and compiled before the transaction: a bad filter never opens one.
        query = queries.runs_query(
            _RUN_COLUMNS,
            filter=filter,
            order_by=order_by,
            trash=trash,
            notebook_id=notebook_id,
            status=status,
            limit=limit,
            offset=offset,
        )

        def work(conn: sqlite3.Connection) -> tuple[list[dict], int]:
            rows = conn.execute(*query.page).fetchall()
            total = rows[0][-1] if rows else 0
            return _summaries(conn, [row[:-1] for row in rows if row[0] is not None], fields), total

        return self._read(work)

    def group_runs(self, *, group_by: str, filter: Optional[str] = None, columns: Sequence[str] = ()) -> list[dict]:
        query = queries.groups_query(group_by, filter, columns)
        rows = self._read(lambda conn: conn.execute(*query.sql).fetchall())
        return aggregate_groups(rows, query.columns, query.group_value)

    def list_keys(self) -> dict:
        statements = queries.keys_queries()
        return self._read(
            lambda conn: {kind: [row[0] for row in conn.execute(*sql)] for kind, sql in statements.items()}
        )

    def list_values(self, key: str, prefix: str = "", limit: int = 20) -> list:
        if limit < 0:
            raise ValueError("limit must not be negative")
        statements = queries.values_query(key)
        parts = self._read(lambda conn: [(conn.execute(*sql).fetchall(), read) for sql, read in statements])
        return queries.pick_values(parts, prefix, limit)

    def get_run(self, run_id: str) -> dict:
        def work(conn: sqlite3.Connection) -> dict:
            rowid = _rowid(conn, run_id)
            run = _summary(conn, rowid)
            run["param_cells"] = {
                key: {"cell_id": cell_id, "checkpoint": checkpoint}
                for key, cell_id, checkpoint in conn.execute(
                    "SELECT key, cell_id, checkpoint FROM params WHERE run = ?", (rowid,)
                )
            }
            run["images"] = [
                {
                    "id": str(row[0]),
                    "key": row[1],
                    "step": row[2],
                    "cell_id": row[3],
                    "checkpoint": row[4],
                    "sha256": row[5],
                    "width": row[6],
                    "height": row[7],
                    "timestamp": row[8],
                }
                for row in conn.execute(
                    "SELECT id, key, step, cell_id, checkpoint, sha256, width, height, timestamp"
                    " FROM images WHERE run = ? ORDER BY id",
                    (rowid,),
                )
            ]
            run["data"] = [
                {
                    "path": row[0],
                    "sha256": row[1],
                    "size": row[2],
                    "file_count": row[3],
                    "manifest": None if row[4] is None else _stored_json(row[4], None),
                    "cell_id": row[5],
                    "checkpoint": row[6],
                    "timestamp": row[7],
                }
                for row in conn.execute(
                    "SELECT path, sha256, size, file_count, manifest, cell_id, checkpoint, timestamp"
                    " FROM data_inputs WHERE run = ? ORDER BY id",
                    (rowid,),
                )
            ]
            environment = conn.execute("SELECT value FROM environments WHERE run = ?", (rowid,)).fetchone()
            run["environment"] = None if environment is None else _stored_json(environment[0], None)
            run["executions"] = [
                dict(zip(_EXECUTION_FIELDS, row))
                for row in conn.execute(
                    f"SELECT {', '.join(_EXECUTION_FIELDS)} FROM executions WHERE run = ? ORDER BY id", (rowid,)
                )
            ]
            return run

        return self._read(work)

    def get_metric_series(self, run_id: str, key: str, max_points: Optional[int] = None) -> dict:
        found = self.get_metric_series_many([run_id], [key], max_points)
        if not found:
            raise KeyError(f"run {run_id!r} has no metric {key!r}")
        del found[0]["run_id"]
        return found[0]

    def get_metric_series_many(
        self,
        run_ids: Sequence[str],
        keys: Optional[Sequence[str]] = None,
        max_points: Optional[int] = None,
        arrays: bool = False,
    ) -> list[dict]:
        if max_points is not None and max_points < 2:
            raise ValueError("max_points must be at least 2 (each bucket keeps its min and max)")
        run_ids = list(dict.fromkeys(run_ids))
        wanted = None if keys is None else list(dict.fromkeys(keys))
        # Downsampled reads (a chart's) are cached; a whole series is read once, by a script.
        cache = self._series_cache if max_points is not None and numpy_available() else None

        def work(conn: sqlite3.Connection) -> list[tuple[str, str, int, Any, Any]]:
            """(run id, key, count, signature, the cached columns or else the chunks' blobs) of
            each series; keys in order (the query's, or ``wanted``'s)."""
            found = []
            for run_id in run_ids:
                rowid = _rowid(conn, run_id)
                # Along the (run, key, id) index; every id and key is bound. length() reads no blob.
                where = "run = ?" if wanted is None else f"run = ? AND key IN ({', '.join('?' * len(wanted))})"
                arguments = (rowid,) if wanted is None else (rowid, *wanted)
                chunks: dict[str, list[tuple]] = {}
                for key, *chunk in conn.execute(
                    "SELECT key, id, count, first_step, last_step, length(data) FROM metric_chunks"
                    f" WHERE {where} ORDER BY key, id",
                    arguments,
                ):
                    chunks.setdefault(key, []).append(tuple(chunk))
                if wanted is not None:
                    chunks = {key: chunks[key] for key in wanted if key in chunks}
                signatures = {key: (run_id, key, max_points, tuple(parts)) for key, parts in chunks.items()}
                stored: dict[str, Any] = {}
                if cache is not None:
                    stored = {key: cache.get(signature) for key, signature in signatures.items()}
                missing = [key for key in chunks if stored.get(key) is None]
                if missing:
                    stored.update((key, []) for key in missing)
                    for key, blob in conn.execute(
                        "SELECT key, data FROM metric_chunks"
                        f" WHERE run = ? AND key IN ({', '.join('?' * len(missing))}) ORDER BY key, id",
                        (rowid, *missing),
                    ):
                        stored[key].append(blob)
                for key, parts in chunks.items():
                    found.append((run_id, key, sum(part[1] for part in parts), signatures[key], stored[key]))
            return found

        if wanted == []:  # no key at all (an empty IN is no SQL): unknown runs are still refused
            self._read(lambda conn: [_rowid(conn, run_id) for run_id in run_ids])
            return []
        result = []
        # Decoded outside the transaction (a long series does not pin a WAL snapshot).
        for run_id, key, count, signature, stored in self._read(work) if run_ids else []:
            if isinstance(stored, list):  # the blobs: not cached
                columns = read_series(stored, count, max_points, arrays or cache is not None)
                if cache is not None:
                    cache.put(signature, columns)
            else:
                columns = stored
            if cache is not None:
                columns = tuple(column.copy() for column in columns) if arrays else tuple(c.tolist() for c in columns)
            steps, values, timestamps = columns
            result.append(
                {
                    "run_id": run_id,
                    "key": key,
                    "steps": steps,
                    "values": values,
                    "timestamps": timestamps,
                    "count": count,
                }
            )
        return result

    def get_image(self, run_id: str, image_id: str) -> bytes:
        def work(conn: sqlite3.Connection) -> Optional[str]:
            rowid = _rowid(conn, run_id)
            if not str(image_id).isdigit() or int(image_id) > INT64_MAX:
                return None
            row = conn.execute("SELECT sha256 FROM images WHERE id = ? AND run = ?", (int(image_id), rowid)).fetchone()
            return row and row[0]

        sha256 = self._read(work)
        if sha256 is None:
            raise KeyError(f"run {run_id!r} has no image {image_id!r}")
        return read_png(self.images, sha256)

    # -- checkpoints -----------------------------------------------------

    def add_checkpoints(self, rows: Iterable[dict]) -> None:
        values = [tuple(row.get(field) for field in _CHECKPOINT_FIELDS) for row in rows]

        def work(conn: sqlite3.Connection) -> None:
            conn.executemany(
                f"INSERT INTO checkpoints ({_CHECKPOINT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (notebook_id, oid) DO NOTHING",
                values,
            )

        self._write(work)

    def list_checkpoints(
        self,
        notebook_id: str,
        limit: int = 50,
        before: Optional[float] = None,
        before_commit: Optional[str] = None,
    ) -> tuple[list[dict], int]:
        if limit < 0:
            raise ValueError("limit must not be negative")

        def work(conn: sqlite3.Connection) -> tuple[list[dict], int]:
            conditions, args = ["notebook_id = ?"], [notebook_id]
            if before is not None:
                conditions.append("time < ?")
                args.append(before)
            if before_commit is not None:
                cursor = conn.execute(
                    "SELECT time, id FROM checkpoints WHERE notebook_id = ? AND oid = ?", (notebook_id, before_commit)
                ).fetchone()
                if cursor is None:
                    raise KeyError(f"notebook {notebook_id!r} has no checkpoint {before_commit!r}")
                # Listed after the cursor in (time, id) descending order; "time <=" lets the index bound the scan.
                conditions.append("time <= ? AND (time < ? OR id < ?)")
                args += [cursor[0], cursor[0], cursor[1]]
            total = conn.execute("SELECT count(*) FROM checkpoints WHERE notebook_id = ?", (notebook_id,)).fetchone()[0]
            rows = conn.execute(
                f"SELECT {_CHECKPOINT_COLUMNS} FROM checkpoints WHERE {' AND '.join(conditions)}"
                " ORDER BY time DESC, id DESC LIMIT ?",
                (*args, limit),
            ).fetchall()
            return [dict(zip(_CHECKPOINT_FIELDS, row)) for row in rows], total

        return self._read(work)

    def link_execution_checkpoint(self, run_id: str, cell_id: str, execution_count: int, commit: str) -> None:
        def work(conn: sqlite3.Connection) -> None:
            row = conn.execute("SELECT id FROM runs WHERE uuid = ?", (run_id,)).fetchone()
            if row is None:
                return
            linked = conn.execute(
                "UPDATE executions SET checkpoint = ? WHERE run = ? AND cell_id = ? AND execution_count = ?",
                (commit, row[0], cell_id, execution_count),
            ).rowcount
            if linked:
                # The run changed as its readers see it (an execution's checkpoint link): the
                # watcher announces it, so an open sidebar shows the link.
                conn.execute("UPDATE runs SET updated = ? WHERE id = ?", (time.time(), row[0]))
            for table in _LOGGED_TABLES:  # names from the fixed tuple, never from the caller
                conn.execute(
                    f"UPDATE {table} SET checkpoint = ? WHERE run = ? AND cell_id = ? AND checkpoint IS NULL",
                    (commit, row[0], cell_id),
                )

        self._write(work)

    # -- validations -----------------------------------------------------

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
        run_id = run_id or uuid.uuid4().hex
        name = f"validate {PurePosixPath(notebook_path).name}"
        run = (run_id, name, "validation", notebook_path, notebook_id, kernel_id, kernel_name, user)
        details = (
            checkpoint,
            _json_text(settings or {}, "settings"),
            _json_text(static_findings or [], "static_findings"),
            cell_count,
        )
        host = socket.gethostname()
        now = time.time()

        def work(conn: sqlite3.Connection) -> dict:
            if conn.execute("SELECT 1 FROM runs WHERE uuid = ?", (run_id,)).fetchone() is not None:
                raise RunConflict(f"a run with id {run_id!r} already exists")
            rowid = _insert_run(conn, (*run, host, None), now)
            conn.execute(
                "INSERT INTO validations (run, checkpoint, settings, static_findings, cell_count)"
                " VALUES (?, ?, ?, ?, ?)",
                (rowid, *details),
            )
            return _validation(conn.execute(f"{_VALIDATION_SELECT} WHERE r.id = ?", (rowid,)).fetchone())

        return self._write(work)

    def record_validation_cells(self, run_id: str, cells: Iterable[dict]) -> int:
        rows = [_validation_cell_row(cell) for cell in cells]
        now = time.time()

        def work(conn: sqlite3.Connection) -> int:
            rowid = _running_validation(conn, run_id)
            # A cell sent again (pending, running, then its result) replaces its row.
            conn.executemany(
                f"INSERT OR REPLACE INTO validation_cells (run, {_VALIDATION_CELL_COLUMNS})"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(rowid, *row) for row in rows],
            )
            conn.execute("UPDATE runs SET updated = ? WHERE id = ?", (now, rowid))
            return len(rows)

        return self._write(work)

    def finish_validation(
        self, run_id: str, verdict: str, duration_ms: Optional[float] = None, message: Optional[str] = None
    ) -> dict:
        if verdict not in VALIDATION_VERDICTS:
            raise ValueError(f"a validation's verdict must be one of {', '.join(VALIDATION_VERDICTS)}, got {verdict!r}")
        now = time.time()

        def work(conn: sqlite3.Connection) -> dict:
            rowid = _running_validation(conn, run_id)
            conn.execute(
                "UPDATE validations SET verdict = ?, duration_ms = ?, message = ? WHERE run = ?",
                (verdict, duration_ms, message, rowid),
            )
            conn.execute(
                "UPDATE runs SET status = ?, end_time = ?, updated = ? WHERE id = ?",
                (VALIDATION_VERDICTS[verdict], now, now, rowid),
            )
            return _validation(conn.execute(f"{_VALIDATION_SELECT} WHERE r.id = ?", (rowid,)).fetchone())

        return self._write(work)

    def get_validation(self, run_id: str) -> dict:
        def work(conn: sqlite3.Connection) -> dict:
            row = conn.execute(f"{_VALIDATION_SELECT} WHERE r.uuid = ?", (run_id,)).fetchone()
            if row is None:
                _rowid(conn, run_id)  # RunNotFound when there is no such run at all
                raise KeyError(f"run {run_id!r} is not a validation")
            validation = _validation(row)
            validation["cells"] = [
                _validation_cell(cell)
                for cell in conn.execute(
                    f"SELECT {_VALIDATION_CELL_COLUMNS} FROM validation_cells WHERE run = ? ORDER BY idx", (row[0],)
                )
            ]
            return validation

        return self._read(work)

    def list_validations(
        self, *, notebook_id: Optional[str] = None, notebook_path: Optional[str] = None, limit: int = 20
    ) -> list[dict]:
        if limit < 0:
            raise ValueError("limit must not be negative")
        conditions, args = [], []
        if notebook_id is not None:
            conditions.append("r.notebook_id = ?")
            args.append(notebook_id)
        if notebook_path is not None:
            conditions.append("r.notebook_path = ?")
            args.append(notebook_path)
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""

        def work(conn: sqlite3.Connection) -> list[dict]:
            rows = conn.execute(
                f"{_VALIDATION_SELECT}{where} ORDER BY r.start_time DESC, r.id DESC LIMIT ?", (*args, limit)
            ).fetchall()
            return [_validation(row) for row in rows]

        return self._read(work)


# -- helpers inside a transaction --------------------------------------------


def _judged_alive(is_alive: Any, run: dict) -> bool:
    """``is_alive(run)``; a run it cannot judge (it raised) is left running, so that one run never stops the sweep."""
    try:
        return bool(is_alive(run))
    except Exception:
        return True


def _check_pid(pid: Optional[int]) -> None:
    if pid is not None and not (isinstance(pid, int) and 0 < pid <= MAX_PID):
        raise ValueError(f"pid: expected a process id, 1 to {MAX_PID}, got {pid!r}")


def _insert_run(conn: sqlite3.Connection, fields: tuple, now: float) -> int:
    """A new running run from (uuid, name, kind, notebook_path, notebook_id, kernel_id, kernel_name, user, host,
    pid); return its rowid."""
    return conn.execute(
        "INSERT INTO runs (uuid, name, kind, notebook_path, notebook_id, kernel_id, kernel_name, user, host, pid,"
        " status, start_time, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?)",
        (*fields, now, now),
    ).lastrowid


def _rowid(conn: sqlite3.Connection, run_id: str) -> int:
    row = conn.execute("SELECT id FROM runs WHERE uuid = ?", (run_id,)).fetchone()
    if row is None:
        raise RunNotFound(run_id)
    return row[0]


def _flags(starred: Optional[bool], archived: Optional[bool]) -> dict:
    """The ``runs`` columns of the flags to set (None leaves one as it is)."""
    flags = {}
    for column, value in (("starred", starred), ("archived", archived)):
        if value is not None:
            if not isinstance(value, bool):
                raise ValueError(f"{column}: expected true or false, got {value!r}")
            flags[column] = int(value)
    return flags


def _edit_runs(
    conn: sqlite3.Connection, rowids: list[int], changes: dict, set_tags: dict, remove_tags: list, now: float
) -> None:
    # Column names come from fixed tuples (update_run, _flags), never from the caller.
    assignments = "".join(f"{column} = ?, " for column in changes)
    conn.executemany(
        f"UPDATE runs SET {assignments}updated = ? WHERE id = ?", [(*changes.values(), now, rowid) for rowid in rowids]
    )
    for rowid in rowids:
        _set_tags(conn, rowid, set_tags)
    conn.executemany(
        "DELETE FROM tags WHERE run = ? AND key = ?", [(rowid, key) for rowid in rowids for key in remove_tags]
    )


def _summaries_of(conn: sqlite3.Connection, rowids: list[int]) -> list[dict]:
    """The summaries of these runs, in this order."""
    rows = []
    for start in range(0, len(rowids), _IN_BATCH):
        chunk = rowids[start : start + _IN_BATCH]
        rows += conn.execute(f"SELECT {_RUN_COLUMNS} FROM runs WHERE id IN ({', '.join('?' * len(chunk))})", chunk)
    order = {rowid: i for i, rowid in enumerate(rowids)}
    rows.sort(key=lambda row: order[row[0]])
    return _summaries(conn, rows)


def _purge(conn: sqlite3.Connection, rowids: list[int]) -> set[str]:
    """Delete these runs; every table referring to a run follows (ON DELETE CASCADE, foreign keys are on
    in ``_connect``). Return the image hashes that no row refers to any more, whose files may go."""
    released = set()
    for start in range(0, len(rowids), _IN_BATCH):
        chunk = rowids[start : start + _IN_BATCH]
        marks = ", ".join("?" * len(chunk))
        released.update(
            row[0] for row in conn.execute(f"SELECT DISTINCT sha256 FROM images WHERE run IN ({marks})", chunk)
        )
        conn.execute(f"DELETE FROM runs WHERE id IN ({marks})", chunk)
    return {
        sha256
        for sha256 in released
        if conn.execute("SELECT 1 FROM images WHERE sha256 = ? LIMIT 1", (sha256,)).fetchone() is None
    }


def _running_validation(conn: sqlite3.Connection, run_id: str) -> int:
    """The rowid of a validation that may still be written to; RunNotFound / RunConflict otherwise."""
    row = conn.execute(
        "SELECT r.id, r.status, v.run FROM runs r LEFT JOIN validations v ON v.run = r.id WHERE r.uuid = ?", (run_id,)
    ).fetchone()
    if row is None:
        raise RunNotFound(run_id)
    if row[2] is None:
        raise RunConflict(f"run {run_id!r} is not a validation")
    if row[1] != "running":
        raise RunConflict(f"validation {run_id!r} has ended ({row[1]})")
    return row[0]


def _validation(row: Sequence) -> dict:
    """A validation without its cells from a ``_VALIDATION_SELECT`` row."""
    return {
        "run_id": row[1],
        "notebook_path": row[2],
        "notebook_id": row[3],
        "checkpoint": row[4],
        "kernel_name": row[5],
        "kernel_id": row[6],
        "status": row[7],
        "start_time": row[8],
        "end_time": row[9],
        "verdict": row[10],
        "duration_ms": row[11],
        "message": row[12],
        "settings": _stored_json(row[13], {}),
        "static_findings": _stored_json(row[14], []),
        "cell_count": row[15],
        "failed_at": row[16],
    }


def _validation_cell(row: Sequence) -> dict:
    detail = _stored_json(row[13], {})
    error = None
    if row[7] is not None:
        error = {"ename": row[7], "evalue": row[8]}
        if detail.get("traceback") is not None:
            error["traceback"] = detail["traceback"]
    return {
        "index": row[0],
        "code_index": row[1],
        "cell_id": row[2],
        "source_head": row[3],
        "status": row[4],
        "duration_ms": row[5],
        "execution_count": row[6],
        "error": error,
        "reason": row[9],
        "rules": _stored_json(row[10], []),
        "role": row[11],
        "cause_index": row[12],
        **{name: detail.get(name, []) for name in _VALIDATION_CELL_DETAIL},
    }


def _set_tags(conn: sqlite3.Connection, rowid: int, tags: dict) -> None:
    conn.executemany(
        "INSERT INTO tags (run, key, value) VALUES (?, ?, ?)"
        " ON CONFLICT (run, key) DO UPDATE SET value = excluded.value",
        [(rowid, key, "" if value is None else str(value)) for key, value in tags.items()],
    )


def _summary(conn: sqlite3.Connection, rowid: int) -> dict:
    return _summaries(conn, conn.execute(f"SELECT {_RUN_COLUMNS} FROM runs WHERE id = ?", (rowid,)).fetchall())[0]


def _summaries(conn: sqlite3.Connection, rows: Sequence[tuple], fields: Optional[tuple[str, ...]] = None) -> list[dict]:
    """Run summaries for these ``runs`` rows: three indexed IN queries, no series read."""
    runs = {}
    for row in rows:
        runs[row[0]] = {
            "id": row[1],
            "name": row[2],
            "kind": row[3],
            "status": row[4],
            "notebook_path": row[5],
            "notebook_id": row[6],
            "kernel_id": row[7],
            "kernel_name": row[8],
            "user": row[9],
            "host": row[10],
            "pid": row[11],
            "start_time": row[12],
            "end_time": row[13],
            "updated": row[14],
            "notes": row[15],
            "starred": bool(row[16]),
            "archived": bool(row[17]),
            "deleted": row[18],
            "verdict": None,
            "tags": {},
            "params": {},
            "metrics": {},
        }
    rowids = list(runs)
    for start in range(0, len(rowids), _IN_BATCH):
        chunk = rowids[start : start + _IN_BATCH]
        marks = ", ".join("?" * len(chunk))
        for run, key, value in conn.execute(f"SELECT run, key, value FROM tags WHERE run IN ({marks})", chunk):
            runs[run]["tags"][key] = value
        for run, key, value, number in conn.execute(
            f"SELECT run, key, value, num FROM params WHERE run IN ({marks})", chunk
        ):
            runs[run]["params"][key] = _param_value(value, number)
        if fields is None:
            for row in conn.execute(
                "SELECT run, key, last, last_step, min, min_step, max, max_step, count, cell_id"
                f" FROM metrics WHERE run IN ({marks})",
                chunk,
            ):
                runs[row[0]]["metrics"][row[1]] = _metric_summary(row[2:])
        else:
            # Column names from METRIC_SUMMARIES only (checked by _summary_fields), never from a caller.
            for row in conn.execute(f"SELECT run, key, {', '.join(fields)} FROM metrics WHERE run IN ({marks})", chunk):
                summary = dict(zip(fields, row[2:]))
                if "last" in summary and summary["last"] is None:
                    summary["last"] = float("nan")
                runs[row[0]]["metrics"][row[1]] = summary
        for run, verdict in conn.execute(f"SELECT run, verdict FROM validations WHERE run IN ({marks})", chunk):
            runs[run]["verdict"] = verdict
    return list(runs.values())


_JSON_CONSTANTS = {"true": True, "false": False, "null": None}


def _summary_fields(summaries: Optional[Sequence[str]]) -> Optional[tuple[str, ...]]:
    """The metric summary fields a listing keeps, in a fixed order; None for all of them."""
    if summaries is None:
        return None
    unknown = [name for name in summaries if name not in METRIC_SUMMARIES]
    if unknown or not summaries:
        raise ValueError(
            f"summaries: expected some of {', '.join(METRIC_SUMMARIES)}, got {', '.join(map(repr, unknown)) or 'none'}"
        )
    return tuple(name for name in METRIC_SUMMARIES if name in summaries)


def _param_value(text: str, number: Optional[float]) -> Any:
    """A param from its JSON text, reading most without a JSON parse (listing runs reads thousands)."""
    if number is not None:
        return int(text) if text.lstrip("-").isdigit() else number
    if text in _JSON_CONSTANTS:
        return _JSON_CONSTANTS[text]
    return _stored_json(text, None)


def _json_text(value: Any, where: str) -> str:
    """``value`` as JSON text for a column; ValueError if a reader could not walk it back (too deep)."""
    check_json(value, where)
    return json.dumps(value)


def _stored_json(text: str, unreadable: Any) -> Any:
    """A JSON column's value; ``unreadable`` for one no reader could walk (written before depth was checked)."""
    try:
        value = json.loads(text)
        # Fewer brackets than the limit: certainly shallow enough, no need to walk it.
        if text.count("[") + text.count("{") > MAX_JSON_DEPTH:
            check_json(value)
    except (RecursionError, ValueError):
        return unreadable
    return value


def _metric_summary(row: Sequence) -> dict:
    last, last_step, low, low_step, high, high_step, count, cell_id = row
    return {
        # SQLite stored the NaN as NULL; a series with points always has a last value.
        "last": float("nan") if last is None else last,
        "last_step": last_step,
        "min": low,
        "min_step": low_step,
        "max": high,
        "max_step": high_step,
        "count": count,
        "cell_id": cell_id,
    }


def _append_metric(
    conn: sqlite3.Connection,
    rowid: int,
    key: str,
    cell_id: Optional[str],
    checkpoint: Optional[str],
    steps: Optional[list],
    values: list[float],
    timestamps: list[float],
) -> None:
    row = conn.execute(
        "SELECT last, last_step, min, min_step, max, max_step, count, cell_id FROM metrics WHERE run = ? AND key = ?",
        (rowid, key),
    ).fetchone()
    previous = None if row is None else _metric_summary(row)
    steps = resolve_steps(steps, len(values), None if previous is None else previous["last_step"])
    summary = merge_summary(previous, steps, values, cell_id)
    conn.execute(
        "INSERT INTO metrics (run, key, last, last_step, min, min_step, max, max_step, count, cell_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run, key) DO UPDATE SET last = excluded.last,"
        " last_step = excluded.last_step, min = excluded.min, min_step = excluded.min_step, max = excluded.max,"
        " max_step = excluded.max_step, count = excluded.count, cell_id = excluded.cell_id",
        (
            rowid,
            key,
            summary["last"],
            summary["last_step"],
            summary["min"],
            summary["min_step"],
            summary["max"],
            summary["max_step"],
            summary["count"],
            summary["cell_id"],
        ),
    )

    tail = conn.execute(
        "SELECT id, cell_id, checkpoint, count, data FROM metric_chunks WHERE run = ? AND key = ? ORDER BY id DESC"
        " LIMIT 1",
        (rowid, key),
    ).fetchone()
    replace_id = None
    if tail is not None and tail[3] < MERGE_BELOW_POINTS and (tail[1], tail[2]) == (cell_id, checkpoint):
        replace_id = tail[0]
        old_steps, old_values, old_timestamps = decode_chunk(tail[4])
        steps, values, timestamps = old_steps + steps, list(old_values) + values, old_timestamps + timestamps
    for start in range(0, len(values), MAX_CHUNK_POINTS):
        end = start + MAX_CHUNK_POINTS
        piece = steps[start:end]
        fields = (
            cell_id,
            checkpoint,
            len(piece),
            piece[0],
            piece[-1],
            _encode_chunk(key, piece, values[start:end], timestamps[start:end]),
        )
        if replace_id is not None:
            conn.execute(
                "UPDATE metric_chunks SET cell_id = ?, checkpoint = ?, count = ?, first_step = ?, last_step = ?,"
                " data = ? WHERE id = ?",
                (*fields, replace_id),
            )
            replace_id = None
        else:
            conn.execute(
                "INSERT INTO metric_chunks (run, key, cell_id, checkpoint, count, first_step, last_step, data)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (rowid, key, *fields),
            )


def _encode_chunk(key: str, steps: list, values: list, timestamps: list) -> bytes:
    try:
        return encode_chunk(steps, values, timestamps)
    except (OverflowError, ValueError):
        # Steps and timestamps are stored as 64-bit differences (microseconds for timestamps).
        raise ValueError(f"metric {key!r}: a step or timestamp beyond what a chunk holds") from None


# -- batch normalization (no lock held) --------------------------------------


class _Batch(NamedTuple):
    """A ``log_batch`` batch as the rows it writes."""

    params: list
    metrics: list
    tags: dict
    images: list
    data: list
    executions: list
    environment: Optional[dict]


def _prepare_batch(images: Confined, batch: dict, now: float) -> _Batch:
    return _Batch(
        params=[_param_row(item, now) for item in batch.get("params") or ()],
        # A series of no points adds nothing (and would leave its summary without a last step).
        metrics=[_metric_columns(item, now) for item in batch.get("metrics") or () if len(item["values"])],
        tags=batch.get("tags") or {},
        images=[_image_row(images, item, now) for item in batch.get("images") or ()],
        data=[_data_row(item, now) for item in batch.get("data") or ()],
        executions=[tuple(item.get(field) for field in _EXECUTION_FIELDS) for item in batch.get("executions") or ()],
        environment=batch.get("environment"),
    )


def _write_batch(conn: sqlite3.Connection, rowid: int, run_id: str, batch: _Batch, now: float) -> None:
    conn.executemany(
        "INSERT INTO params (run, key, value, num, cell_id, checkpoint, timestamp)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run, key) DO UPDATE SET value = excluded.value,"
        " num = excluded.num, cell_id = excluded.cell_id, checkpoint = excluded.checkpoint,"
        " timestamp = excluded.timestamp",
        [(rowid, *row) for row in batch.params],
    )
    for key, cell_id, checkpoint, steps, values, timestamps in batch.metrics:
        _append_metric(conn, rowid, key, cell_id, checkpoint, steps, values, timestamps)
    _set_tags(conn, rowid, batch.tags)
    conn.executemany(
        "INSERT INTO images (run, key, step, cell_id, checkpoint, sha256, width, height, timestamp)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(rowid, *row) for row in batch.images],
    )
    conn.executemany(
        "INSERT INTO data_inputs (run, path, sha256, size, file_count, manifest, cell_id, checkpoint,"
        " timestamp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(rowid, *row) for row in batch.data],
    )
    # An execution usually arrives before its checkpoint (which then links it),
    # but not always: pick up a checkpoint that was indexed first.
    conn.executemany(
        "INSERT INTO executions (run, cell_id, execution_count, started, duration, status, error_name,"
        " checkpoint, source_head) VALUES (?, ?, ?, ?, ?, ?, ?,"
        " COALESCE(?, (SELECT oid FROM checkpoints WHERE run_id = ? AND cell_id = ? AND execution_count = ?"
        " ORDER BY time DESC LIMIT 1)), ?)",
        [(rowid, *row[:7], run_id, row[0], row[1], row[7]) for row in batch.executions],
    )
    if batch.environment is not None:
        conn.execute(
            "INSERT INTO environments (run, value) VALUES (?, ?)"
            " ON CONFLICT (run) DO UPDATE SET value = excluded.value",
            (rowid, _json_text(batch.environment, "environment")),
        )
    conn.execute("UPDATE runs SET updated = ? WHERE id = ?", (now, rowid))


def _metric_columns(item: dict, now: float) -> tuple:
    try:
        values = [float(v) for v in item["values"]]
    except OverflowError:
        raise ValueError(f"metric {item['key']!r}: a value beyond the range of a float") from None
    timestamps = item.get("timestamps")
    if timestamps is None:
        timestamps = [now] * len(values)
    elif len(timestamps) != len(values):
        raise ValueError(f"metric {item['key']!r}: {len(timestamps)} timestamps for {len(values)} values")
    else:
        timestamps = [now if t is None else float(t) for t in timestamps]
    steps = item.get("steps")
    return (
        item["key"],
        item.get("cell_id"),
        item.get("checkpoint"),
        None if steps is None else list(steps),
        values,
        timestamps,
    )


def _param_row(item: dict, now: float) -> tuple:
    value = item["value"]
    number = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:  # an int beyond a double's range keeps only its JSON text
            pass
    return (
        item["key"],
        _json_text(value, f"param {item['key']!r}"),
        number,
        item.get("cell_id"),
        item.get("checkpoint"),
        now,
    )


def _image_row(images: Confined, item: dict, now: float) -> tuple:
    png = item["png"]
    width, height = png_size(png)
    sha256 = save_png(images, bytes(png))
    timestamp = item.get("timestamp")
    return (
        item["key"],
        item.get("step"),
        item.get("cell_id"),
        item.get("checkpoint"),
        sha256,
        width,
        height,
        now if timestamp is None else timestamp,
    )


def _data_row(item: dict, now: float) -> tuple:
    manifest = item.get("manifest")
    return (
        item["path"],
        item.get("sha256"),
        item.get("size"),
        item.get("file_count"),
        None if manifest is None else _json_text(manifest, "manifest"),
        item.get("cell_id"),
        item.get("checkpoint"),
        now,
    )


def _validation_cell_row(cell: dict) -> tuple:
    error = cell.get("error")
    detail = {name: cell.get(name) or [] for name in _VALIDATION_CELL_DETAIL}
    if error is not None and error.get("traceback") is not None:
        detail["traceback"] = error["traceback"]
    return (
        cell["index"],
        cell["code_index"],
        cell.get("cell_id"),
        cell.get("source_head") or "",
        cell["status"],
        cell.get("duration_ms"),
        cell.get("execution_count"),
        None if error is None else error["ename"],
        None if error is None else error["evalue"],
        cell.get("reason") or "",
        _json_text(cell.get("rules") or [], "rules"),
        cell.get("role"),
        cell.get("cause_index"),
        _json_text(detail, f"cell {cell['index']}"),
    )


def _is_busy(error: sqlite3.OperationalError) -> bool:
    code = getattr(error, "sqlite_errorcode", None)  # Python >= 3.11
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    message = str(error)
    return "locked" in message or "busy" in message


def _retry_busy(attempt: Callable[[], T]) -> T:
    """Run ``attempt`` until it does not fail on a lock, backing off with jitter."""
    deadline = time.monotonic() + WRITE_DEADLINE_S
    delay = 0.002
    while True:
        try:
            return attempt()
        except sqlite3.OperationalError as error:
            if not _is_busy(error) or time.monotonic() > deadline:
                raise
        time.sleep(delay * (0.5 + random.random()))
        delay = min(delay * 2, 0.25)
