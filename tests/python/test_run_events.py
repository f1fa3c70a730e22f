"""Changed runs reach Jupyter Server's event bus: written by another process, edited over REST, purged."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import time
import warnings

import pytest

from jupyterlab_experiments.server.events import SCHEMA_ID, RunEvents
from jupyterlab_experiments.server.extension import trash_sweep
from jupyterlab_experiments.store import open_store


@pytest.fixture
def heard(jp_serverapp):
    """The events of our schema the test server emits, as ``data`` dicts, in order."""
    received = []

    async def listener(logger, schema_id, data):
        received.append(data)

    jp_serverapp.event_logger.add_listener(schema_id=SCHEMA_ID, listener=listener)
    yield received
    jp_serverapp.event_logger.remove_listener(schema_id=SCHEMA_ID, listener=listener)


@pytest.fixture
def wait(jp_asyncio_loop):
    """``wait(predicate, timeout)``: run the server's loop until ``predicate()`` holds; the seconds it took
    (None when it never held)."""

    def run(predicate, timeout):
        async def poll():
            start = time.monotonic()
            while not predicate():
                if time.monotonic() - start > timeout:
                    return None
                await asyncio.sleep(0.01)
            return time.monotonic() - start

        return jp_asyncio_loop.run_until_complete(poll())

    return run


@pytest.fixture
def kernel_store(jp_serverapp, store_dir):
    """The store as a kernel or a script opens it: its own connections, no server involved."""
    store = open_store(store_dir)
    yield store
    store.close()


def ids_heard(heard, action="changed"):
    return [run_id for event in heard if event["action"] == action for run_id in event["run_ids"]]


def test_the_schema_is_registered_without_a_warning(jp_serverapp):
    schema = jp_serverapp.event_logger.schemas.get(SCHEMA_ID)
    assert schema.version == "1"
    assert set(schema.properties) == {"run_ids", "action"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        RunEvents(type(jp_serverapp.event_logger)(), None, None).register()


def test_a_direct_store_write_is_announced_within_a_second(heard, wait, kernel_store):
    run_id = kernel_store.create_run(name="from a kernel")["id"]
    assert wait(lambda: run_id in ids_heard(heard), 1.0) is not None
    assert heard[-1] == {"run_ids": [run_id], "action": "changed"}

    # A metric logged later is news again.
    kernel_store.log_batch(run_id, {"metrics": [{"key": "loss", "values": [0.5]}]})
    assert wait(lambda: ids_heard(heard).count(run_id) == 2, 1.0) is not None


def test_one_event_names_every_run_written_meanwhile(heard, wait, kernel_store):
    wait(lambda: False, 0.6)  # past the watcher's first look
    ids = set(kernel_store.import_runs({"start_time": time.time()} for _ in range(5)))
    assert wait(lambda: ids <= set(ids_heard(heard)), 1.0) is not None
    assert [set(event["run_ids"]) for event in heard] == [ids]


def test_nothing_is_announced_while_nothing_changes(heard, wait, kernel_store):
    run_id = kernel_store.create_run()["id"]
    kernel_store.end_run(run_id)
    assert wait(lambda: heard and heard[-1]["run_ids"] == [run_id], 1.5) is not None
    heard.clear()
    # Six looks at the store, each seeing the same recent write: none of them announces it again.
    assert wait(lambda: bool(heard), 3.0) is None


def test_unloading_the_extension_stops_the_watcher_and_closes_the_store(jp_serverapp, heard, wait, kernel_store):
    from jupyterlab_experiments import _unload_jupyter_server_extension

    _unload_jupyter_server_extension(jp_serverapp)
    kernel_store.create_run(name="after the server stopped")
    assert wait(lambda: bool(heard), 1.5) is None
    with pytest.raises(sqlite3.ProgrammingError, match="is closed"):
        jp_serverapp.web_app.settings["experiments_store"].list_runs()


@pytest.fixture
def store_of_a_previous_server(store_dir):
    store = open_store(store_dir)
    run_id = store.create_run()["id"]
    store.log_batch(run_id, {"params": [{"key": "a", "value": 1}]})
    store.end_run(run_id)
    store.close()
    return run_id


def test_what_was_written_before_the_server_started_is_no_news(store_of_a_previous_server, heard, wait):
    assert wait(lambda: bool(heard), 1.5) is None


def test_edits_over_rest_are_announced_at_once_and_not_again_by_the_watcher(heard, wait, api, server_store):
    run_id = server_store.create_run()["id"]
    assert wait(lambda: run_id in ids_heard(heard), 1.0) is not None
    heard.clear()

    assert api("PATCH", "runs", run_id, body={"starred": True})[0] == 200
    assert wait(lambda: bool(heard), 0.1) is not None
    assert api("POST", "runs", "bulk", body={"ids": [run_id], "tags": {"set": {"k": "v"}}})[0] == 200
    assert api("DELETE", "runs", run_id)[0] == 204
    assert api("POST", "runs", run_id, "restore")[0] == 200
    wait(lambda: False, 1.2)
    assert heard == [{"run_ids": [run_id], "action": "changed"}] * 4


def test_purge_is_announced_as_deleted(heard, wait, api, server_store):
    run_id = server_store.create_run()["id"]
    assert api("DELETE", "runs", run_id, params={"purge": "1"})[0] == 204
    assert wait(lambda: run_id in ids_heard(heard, "deleted"), 0.1) is not None
    assert heard[-1] == {"run_ids": [run_id], "action": "deleted"}


def test_the_trash_sweep_purges_what_is_older_than_30_days_and_announces_it(
    heard, jp_asyncio_loop, jp_serverapp, server_store, monkeypatch
):
    old, recent = server_store.create_run()["id"], server_store.create_run()["id"]
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now - 31 * 86400)
    server_store.delete_run(old)
    monkeypatch.setattr(time, "time", lambda: now - 29 * 86400)
    server_store.delete_run(recent)
    monkeypatch.undo()

    events = jp_serverapp.web_app.settings["experiments_events"]
    jp_asyncio_loop.run_until_complete(trash_sweep(server_store, events, jp_serverapp.log)())
    jp_asyncio_loop.run_until_complete(asyncio.sleep(0.01))  # the bus runs its listeners as tasks
    assert ids_heard(heard, "deleted") == [old]
    assert server_store.get_run(recent)["deleted"] is not None


def test_a_failing_trash_sweep_is_logged_and_the_server_goes_on(jp_asyncio_loop, jp_serverapp, server_store, caplog):
    def broken(older_than_seconds):
        raise OSError("disk gone")

    events = jp_serverapp.web_app.settings["experiments_events"]
    server_store.purge_trash = broken
    with caplog.at_level(logging.ERROR):
        jp_asyncio_loop.run_until_complete(trash_sweep(server_store, events, jp_serverapp.log)())
    assert any("purging the trash failed" in record.getMessage() for record in caplog.records)
    del server_store.purge_trash


def test_the_events_websocket_carries_the_announcement(jp_ws_fetch, jp_asyncio_loop, kernel_store):
    async def subscribe_and_write():
        socket = await jp_ws_fetch("api", "events", "subscribe")
        try:
            run_id = kernel_store.create_run()["id"]
            while True:
                message = json.loads(await asyncio.wait_for(socket.read_message(), 2.0))
                if message["schema_id"] == SCHEMA_ID:
                    return run_id, message
        finally:
            socket.close()

    run_id, message = jp_asyncio_loop.run_until_complete(subscribe_and_write())
    assert message["run_ids"] == [run_id]
    assert message["action"] == "changed"


# -- the watcher alone, over a fake store --------------------------------------------------


class FakeStore:
    def __init__(self):
        self.rows: dict[str, float] = {}
        self.fail = False

    def changed_since(self, since):
        if self.fail:
            raise OSError("disk gone")
        rows = sorted(
            ((run_id, updated) for run_id, updated in self.rows.items() if updated > since), key=lambda r: r[1]
        )
        return rows, rows[-1][1] if rows else since


class FakeBus:
    def __init__(self):
        self.events = []

    def emit(self, *, schema_id, data):
        assert schema_id == SCHEMA_ID
        self.events.append(data)


def watcher():
    store, bus = FakeStore(), FakeBus()
    log = logging.getLogger("test-run-events")
    return RunEvents(bus, store, log), store, bus


def test_the_watcher_announces_a_write_that_commits_late_with_an_older_time():
    events, store, bus = watcher()
    now = time.time()
    store.rows = {"a": now - 100, "b": now - 1}
    asyncio.run(events.tick())
    assert bus.events == []  # written before the watcher started

    store.rows["c"] = now + 2
    asyncio.run(events.tick())
    assert bus.events == [{"run_ids": ["c"], "action": "changed"}]
    # A write stamped before "c" but committed after it: still within the look-back.
    store.rows["d"] = now + 1
    asyncio.run(events.tick())
    assert bus.events[-1] == {"run_ids": ["d"], "action": "changed"}
    asyncio.run(events.tick())
    assert len(bus.events) == 2


def test_the_watcher_logs_a_failing_store_once_and_recovers(caplog):
    events, store, bus = watcher()
    asyncio.run(events.tick())
    store.fail = True
    with caplog.at_level(logging.INFO, logger="test-run-events"):
        for _ in range(3):
            asyncio.run(events.tick())
        store.fail = False
        store.rows["x"] = time.time() + 1
        asyncio.run(events.tick())
    failures = [record for record in caplog.records if "failed" in record.getMessage()]
    assert len(failures) == 1
    assert bus.events == [{"run_ids": ["x"], "action": "changed"}]
