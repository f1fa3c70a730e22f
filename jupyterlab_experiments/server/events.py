"""Changed runs announced on Jupyter Server's event bus.

Kernels and scripts write the store directly, so the server cannot learn of
their writes from its own requests: a watcher asks the store every half second
which runs were written since it last looked (one indexed query on
``runs.updated``) and emits one event naming them. Browsers receive it through
``/api/events/subscribe`` and refetch only those runs, so an open panel costs no
request while nothing changes. The REST handlers announce their own edits at
once; the watcher does not repeat what they announced.

Actions: ``changed`` (written, moved to the trash or restored: a refetch tells
which) and ``deleted`` (purged: nothing is left to refetch).
"""

from __future__ import annotations

import time
from typing import Any, Iterable, Optional

from tornado.ioloop import IOLoop, PeriodicCallback

from ..store import Store

SCHEMA_ID = "https://jupyterlab-experiments.readthedocs.io/events/runs-changed"
SCHEMA = {
    "$id": SCHEMA_ID,
    # jupyter_events wants the version as a string (it coerces an int, with a warning).
    "version": "1",
    "title": "Runs changed",
    "description": (
        "Runs of the experiment store were written (by a kernel, a script or this server), moved to the trash,"
        " restored, or purged. Listeners refetch the runs named."
    ),
    "type": "object",
    "required": ["run_ids", "action"],
    "additionalProperties": False,
    "properties": {
        "run_ids": {
            "title": "Run ids",
            "description": "The ids of the runs concerned.",
            "type": "array",
            "items": {"type": "string"},
        },
        "action": {
            "title": "Action",
            "description": "changed: refetch the runs (a trashed run answers with `deleted` set); deleted: purged.",
            "enum": ["changed", "deleted"],
        },
    },
}
WATCH_INTERVAL_MS = 500
# A write's ``updated`` is taken before its transaction commits, so a write may show up with a
# time older than one already seen: the watcher looks back this far and skips what it announced.
LOOKBACK_S = 5.0


class RunEvents:
    """Emits the ``runs-changed`` event for the runs the handlers edit and those the watcher finds."""

    def __init__(self, event_logger: Any, store: Store, log: Any):
        self.event_logger = event_logger
        self.store = store
        self.log = log
        # Every write after ``horizon`` that was announced: run id -> its ``updated``.
        self._horizon: Optional[float] = None
        self._started = time.time()
        self._announced: dict[str, float] = {}
        self._failing = False
        self._ticking = False
        self._callback: Optional[PeriodicCallback] = None

    def register(self) -> None:
        self.event_logger.register_event_schema(SCHEMA)

    def emit(self, run_ids: Iterable[str], action: str = "changed") -> None:
        """Announce these runs (on the event loop: the bus starts its listeners there); nothing for none."""
        run_ids = list(dict.fromkeys(run_ids))
        if run_ids:
            self.event_logger.emit(schema_id=SCHEMA_ID, data={"run_ids": run_ids, "action": action})

    def changed(self, runs: Iterable[dict]) -> None:
        """Announce runs this server just wrote (their summaries); the watcher will not announce these writes again."""
        runs = list(runs)
        for run in runs:
            self._announced[run["id"]] = run["updated"]
        self.emit((run["id"] for run in runs), "changed")

    def deleted(self, run_ids: Iterable[str]) -> None:
        run_ids = list(run_ids)
        for run_id in run_ids:
            self._announced.pop(run_id, None)
        self.emit(run_ids, "deleted")

    # -- the watcher ---------------------------------------------------------

    def start(self) -> None:
        self._started = time.time()
        self._callback = PeriodicCallback(self.tick, WATCH_INTERVAL_MS)
        self._callback.start()

    def stop(self) -> None:
        if self._callback is not None:
            self._callback.stop()
            self._callback = None

    async def tick(self) -> None:
        """Look once: announce the runs written since the last look. The first look announces only
        what was written since the watcher started: what came before is no news."""
        if self._ticking:  # a slow look (a store locked for long) is not piled on
            return
        self._ticking = True
        try:
            first = self._horizon is None
            since = self._started - LOOKBACK_S if first else self._horizon
            try:
                rows, newest = await IOLoop.current().run_in_executor(None, self.store.changed_since, since)
            except Exception:
                # Logged once per outage, not every half second; the next look retries.
                if not self._failing:
                    self.log.exception("jupyterlab_experiments: watching the store for changed runs failed")
                self._failing = True
                return
            if self._failing:
                self.log.info("jupyterlab_experiments: watching the store for changed runs works again")
                self._failing = False
            fresh = [
                run_id
                for run_id, updated in rows
                if self._announced.get(run_id) != updated and (not first or updated > self._started)
            ]
            self._announced.update(rows)
            self._horizon = max(since, newest - LOOKBACK_S)
            horizon = self._horizon
            self._announced = {run_id: updated for run_id, updated in self._announced.items() if updated > horizon}
            self.emit(fresh, "changed")
        finally:
            self._ticking = False
