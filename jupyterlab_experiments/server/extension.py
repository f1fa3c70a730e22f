"""The Jupyter server extension: opens the store, serves the REST API, ends orphaned runs, empties the trash,
announces changed runs on the event bus, packs the checkpoint repository in the background."""

from __future__ import annotations

import os
import socket
from typing import Any, Callable

from tornado.ioloop import IOLoop, PeriodicCallback
from traitlets import Integer, Unicode
from traitlets.config import Configurable

from ..checkpoints import REPOSITORY_NAME, CheckpointRepository
from ..checkpoints.packing import DEFAULT_PACK_EVERY, DEFAULT_PACK_LOOSE_OBJECTS, Packer
from ..store import ENV_VAR, Store, open_store, resolve_store_dir
from ..store.base import MAX_PID
from .events import RunEvents
from .routes import url_handlers

SWEEP_INTERVAL_MS = 10_000
# Runs in the trash longer than this are purged by the sweep.
TRASH_SECONDS = 30 * 86400


class Experiments(Configurable):
    """Settings of the experiments extension, e.g. ``c.Experiments.store_dir``."""

    store_dir = Unicode(
        "",
        config=True,
        help=(
            "Folder of the experiment store (relative to the server's root dir). Default: "
            f"<root_dir>/.experiments. The {ENV_VAR} environment variable overrides it."
        ),
    )
    pack_every = Integer(
        DEFAULT_PACK_EVERY,
        min=0,
        config=True,
        help=(
            "Pack the checkpoint repository (git repack, in a background thread) after this many checkpoints"
            " since the last pack. 0 turns packing off."
        ),
    )
    pack_loose_objects = Integer(
        DEFAULT_PACK_LOOSE_OBJECTS,
        min=0,
        config=True,
        help=(
            "Also pack once the checkpoint repository holds this many more loose objects than the last pack"
            " left (0: no such trigger)."
        ),
    )


def load(server_app: Any) -> None:
    settings = Experiments(parent=server_app)
    store_dir = resolve_store_dir(server_app.root_dir, settings.store_dir or None)
    store = open_store(store_dir)
    # Kernels and terminals started by this server inherit the location, so the
    # logging API in them writes where this server reads, wherever they run from.
    os.environ[ENV_VAR] = str(store_dir)

    web_app = server_app.web_app
    web_app.settings["experiments_store"] = store
    web_app.settings["experiments_store_dir"] = str(store_dir)
    # The git handlers use this one, whose batches the packer counts.
    checkpoints = CheckpointRepository(store_dir / REPOSITORY_NAME)
    web_app.settings["experiments_checkpoints"] = checkpoints
    packer = Packer(checkpoints, settings.pack_every, settings.pack_loose_objects, server_app.log)
    packer.start()
    web_app.settings["experiments_packer"] = packer
    events = RunEvents(server_app.event_logger, store, server_app.log)
    events.register()
    web_app.settings["experiments_events"] = events
    web_app.add_handlers(".*$", url_handlers(web_app.settings["base_url"]))

    is_alive = run_liveness(server_app.kernel_manager, socket.gethostname())
    # After a server restart no kernel of a "running" notebook run survives. Whatever the
    # store holds, a failed sweep is logged and the extension loads: the next sweep retries.
    try:
        interrupted = store.interrupt_orphans(is_alive)
    except Exception:
        server_app.log.exception("jupyterlab_experiments: checking for orphaned runs failed")
        interrupted = []
    server_app.log.info(
        "jupyterlab_experiments: store %s (%d orphaned runs marked interrupted)", store_dir, len(interrupted)
    )
    sweeps = (orphan_sweep(store, is_alive, server_app.log), trash_sweep(store, events, server_app.log))

    async def sweep() -> None:
        for each in sweeps:
            await each()

    sweeper = PeriodicCallback(sweep, SWEEP_INTERVAL_MS)
    sweeper.start()
    events.start()
    web_app.settings["experiments_timers"] = (sweeper, events)


def unload(server_app: Any) -> None:
    """Stop the sweeps, the watcher and the packer, then close the store (the server is stopping)."""
    settings = server_app.web_app.settings
    for timer in settings.pop("experiments_timers", ()):
        timer.stop()
    packer = settings.pop("experiments_packer", None)
    if packer is not None:
        packer.stop()
    store = settings.get("experiments_store")
    if store is not None:
        store.close()


def run_liveness(kernel_manager: Any, host: str) -> Callable[[dict], bool]:
    """``is_alive(run)`` for ``Store.interrupt_orphans``.

    A notebook or validation run lives as long as its kernel is one of this
    server's. A script run (or a run that never named its kernel) lives while its
    process does; a run of another host is not ours to judge.
    """

    def is_alive(run: dict) -> bool:
        if run["kind"] != "script" and run["kernel_id"] is not None:
            return run["kernel_id"] in kernel_manager
        if run["pid"] is None or run["host"] != host:
            return True
        return pid_exists(run["pid"])

    return is_alive


def pid_exists(pid: int) -> bool:
    """Whether a process has this id; not for an id no process can have (beyond ``MAX_PID``)."""
    if not 0 < pid <= MAX_PID:
        return False
    if os.name == "nt":
        # os.kill(pid, 0) would send CTRL_C_EVENT on Windows; only psutil can ask safely.
        try:
            import psutil
        except ImportError:
            return True
        return psutil.pid_exists(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def orphan_sweep(store: Store, is_alive: Callable[[dict], bool], log: Any) -> Callable:
    """The periodic check for runs whose kernel went away without the frontend ending them."""

    async def sweep() -> None:
        try:
            interrupted = await IOLoop.current().run_in_executor(None, store.interrupt_orphans, is_alive)
        except Exception:
            log.exception("jupyterlab_experiments: checking for orphaned runs failed")
            return
        if interrupted:
            log.info("jupyterlab_experiments: runs whose kernel is gone marked interrupted: %s", interrupted)

    return sweep


def trash_sweep(store: Store, events: RunEvents, log: Any, older_than_seconds: float = TRASH_SECONDS) -> Callable:
    """The periodic purge of runs that have been in the trash for longer than ``older_than_seconds``."""

    async def sweep() -> None:
        try:
            purged = await IOLoop.current().run_in_executor(None, store.purge_trash, older_than_seconds)
        except Exception:
            log.exception("jupyterlab_experiments: purging the trash failed")
            return
        if purged:
            log.info(
                "jupyterlab_experiments: %d runs purged from the trash after %d days",
                len(purged),
                older_than_seconds // 86400,
            )
            events.deleted(purged)

    return sweep
