"""Versioned schema of the SQLite store.

The schema version is SQLite's ``PRAGMA user_version`` (0 for a new file). Each
entry of ``MIGRATIONS`` takes the schema from version ``i`` to ``i + 1``; opening a
store applies the missing ones in order, in one write transaction, so a store
written by an older release is upgraded in place and two processes opening a new
store at once create it exactly once. Never edit a released step: append one.

Layout notes (why it looks like this):
- runs have a text id for the outside world and an integer rowid that every other
  table references, which keeps the child tables and their indexes compact;
- params keep their JSON text and, for numbers, a REAL copy so queries compare
  numbers as numbers;
- a metric series is a list of compressed chunks (see ``series.py``; version 5
  marks chunk format 2), and each (run, key) has a summary row kept up to date
  in the same transaction as the append, so listing runs never reads a series. SQLite stores NaN as NULL: in a
  summary, ``last`` NULL with ``count > 0`` means the last value was NaN, and
  ``min``/``max`` NULL means no value was a number yet;
- every logged param, metric chunk, image and data row keeps its cell id and
  checkpoint;
- ``checkpoints`` indexes the commits of ``checkpoints.git`` per notebook (the git
  repository stays the truth), so a notebook's history pages without reading git.
  Its run id is text, not a reference: a checkpoint may arrive before its run;
- a validation is a run (kind ``validation``) with one ``validations`` row and one
  ``validation_cells`` row per code cell, rewritten as the cell progresses. What
  only the browser reads (tracebacks, outputs, differences) is one JSON ``detail``;
- ``starred``/``archived`` are what the experiments browser edits; a deleted run keeps
  its rows, with ``deleted`` set, until it is purged (30 days later, or on demand);
- ``views`` holds the experiments browser's saved views (JSON ``state``) by name.
"""

from __future__ import annotations

import sqlite3
from typing import Callable, Sequence, Union

Migration = Union[str, Callable[[sqlite3.Connection], None]]

_INITIAL = """
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    name TEXT,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    notebook_path TEXT,
    notebook_id TEXT,
    kernel_id TEXT,
    kernel_name TEXT,
    user TEXT,
    host TEXT,
    pid INTEGER,
    start_time REAL NOT NULL,
    end_time REAL,
    updated REAL NOT NULL,
    notes TEXT NOT NULL DEFAULT ''
);
CREATE INDEX runs_by_start ON runs (start_time);
CREATE INDEX runs_by_notebook ON runs (notebook_id, start_time);
CREATE INDEX runs_by_status ON runs (status, start_time);

CREATE TABLE tags (
    run INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (run, key)
) WITHOUT ROWID;

CREATE TABLE params (
    run INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    num REAL,
    cell_id TEXT,
    checkpoint TEXT,
    timestamp REAL NOT NULL,
    PRIMARY KEY (run, key)
) WITHOUT ROWID;
CREATE INDEX params_by_key_num ON params (key, num);

CREATE TABLE metrics (
    run INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    last REAL,
    last_step INTEGER NOT NULL,
    min REAL,
    min_step INTEGER,
    max REAL,
    max_step INTEGER,
    count INTEGER NOT NULL,
    cell_id TEXT,
    PRIMARY KEY (run, key)
) WITHOUT ROWID;

CREATE TABLE metric_chunks (
    id INTEGER PRIMARY KEY,
    run INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    cell_id TEXT,
    checkpoint TEXT,
    count INTEGER NOT NULL,
    first_step INTEGER NOT NULL,
    last_step INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE INDEX metric_chunks_by_series ON metric_chunks (run, key, id);

CREATE TABLE images (
    id INTEGER PRIMARY KEY,
    run INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    step INTEGER,
    cell_id TEXT,
    checkpoint TEXT,
    sha256 TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    timestamp REAL NOT NULL
);
CREATE INDEX images_by_run ON images (run, id);

CREATE TABLE data_inputs (
    id INTEGER PRIMARY KEY,
    run INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    sha256 TEXT,
    size INTEGER,
    file_count INTEGER,
    manifest TEXT,
    cell_id TEXT,
    checkpoint TEXT,
    timestamp REAL NOT NULL
);
CREATE INDEX data_inputs_by_run ON data_inputs (run, id);

CREATE TABLE environments (
    run INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    value TEXT NOT NULL
);

CREATE TABLE executions (
    id INTEGER PRIMARY KEY,
    run INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    cell_id TEXT,
    execution_count INTEGER,
    started REAL,
    duration REAL,
    status TEXT,
    error_name TEXT,
    checkpoint TEXT,
    source_head TEXT
);
CREATE INDEX executions_by_run ON executions (run, id);
"""

_CHECKPOINTS = """
CREATE TABLE checkpoints (
    id INTEGER PRIMARY KEY,
    notebook_id TEXT NOT NULL,
    oid TEXT NOT NULL,
    parent TEXT,
    time INTEGER NOT NULL,
    cell_id TEXT,
    run_id TEXT,
    execution_count INTEGER,
    status TEXT,
    duration REAL,
    message TEXT NOT NULL,
    notebook_path TEXT,
    UNIQUE (notebook_id, oid)
);
CREATE INDEX checkpoints_by_time ON checkpoints (notebook_id, time);
CREATE INDEX checkpoints_by_execution ON checkpoints (run_id, cell_id, execution_count);
"""

_VALIDATIONS = """
CREATE TABLE validations (
    run INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    checkpoint TEXT,
    verdict TEXT,
    duration_ms REAL,
    message TEXT,
    settings TEXT NOT NULL,
    static_findings TEXT NOT NULL,
    cell_count INTEGER NOT NULL
);

CREATE TABLE validation_cells (
    run INTEGER NOT NULL REFERENCES validations (run) ON DELETE CASCADE,
    idx INTEGER NOT NULL,  -- the cell's position in the notebook ("index" is an SQL keyword)
    code_index INTEGER NOT NULL,
    cell_id TEXT,
    source_head TEXT NOT NULL,
    status TEXT NOT NULL,
    duration_ms REAL,
    execution_count INTEGER,
    error_name TEXT,
    error_value TEXT,
    reason TEXT NOT NULL,
    rules TEXT NOT NULL,
    role TEXT,
    cause_index INTEGER,
    detail TEXT NOT NULL,
    PRIMARY KEY (run, idx)
);

CREATE INDEX runs_by_notebook_path ON runs (notebook_path, start_time);
"""

_BROWSER = """
ALTER TABLE runs ADD COLUMN starred INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN archived INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN deleted REAL;  -- when the run went to the trash; NULL while it is not there
CREATE INDEX runs_by_updated ON runs (updated);
CREATE INDEX runs_by_deleted ON runs (deleted) WHERE deleted IS NOT NULL;
CREATE INDEX tags_by_key ON tags (key, value);
CREATE INDEX metrics_by_key ON metrics (key, last);
CREATE INDEX images_by_sha256 ON images (sha256);

CREATE TABLE views (
    name TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    updated REAL NOT NULL
);
"""


def _chunk_planes(conn: sqlite3.Connection) -> None:
    """No table changes: from this version metric chunks are written in format 2 (``series.py``),
    which an older release cannot read. The version makes it refuse the store (``StoreTooNew``)
    instead of failing on every series; format 1 chunks stay as they are and are still read."""


MIGRATIONS: Sequence[Migration] = (_INITIAL, _CHECKPOINTS, _VALIDATIONS, _BROWSER, _chunk_planes)


class StoreTooNew(RuntimeError):
    """The store was written by a newer release than this one."""


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Bring the schema up to date inside the caller's write transaction; return the version.

    The version is read inside the transaction, so a concurrent opener that
    migrated first leaves nothing to do here.
    """
    version = schema_version(conn)
    if version > len(migrations):
        raise StoreTooNew(
            f"store schema version {version} is newer than this jupyterlab_experiments "
            f"understands ({len(migrations)}); upgrade jupyterlab_experiments"
        )
    for step in migrations[version:]:
        if callable(step):
            step(conn)
        else:
            # executescript would COMMIT the open transaction; run statement by statement.
            for statement in _statements(step):
                conn.execute(statement)
    if version != len(migrations):
        # PRAGMA takes no bound parameters; the value is an int we computed.
        conn.execute(f"PRAGMA user_version = {int(len(migrations))}")
    return len(migrations)


def _statements(script: str) -> list[str]:
    """Split a schema script on statement boundaries (sqlite3.complete_statement knows ';' in strings)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip():
        raise ValueError(f"incomplete SQL statement in migration: {current.strip()[:80]!r}")
    return statements
