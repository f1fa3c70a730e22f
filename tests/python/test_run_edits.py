"""Editing runs from the experiments browser: star, archive, bulk tags, the trash, purge, saved views."""

from __future__ import annotations

import json
import sqlite3
import time

import pytest

from jupyterlab_experiments.store import RunNotFound, open_store

# Every table that holds rows of a run.
RUN_TABLES = (
    "tags",
    "params",
    "metrics",
    "metric_chunks",
    "images",
    "data_inputs",
    "environments",
    "executions",
    "validations",
    "validation_cells",
)
HOSTILE = "a'; DROP TABLE runs; --"


@pytest.fixture
def store(tmp_path):
    store = open_store(tmp_path / "store")
    yield store
    store.close()


def image_file(store, sha256):
    return store.store_dir / "images" / sha256[:2] / f"{sha256}.png"


def rows_of(store, run_rowid):
    """How many rows each table holds for the run with this rowid (read with a connection of its own)."""
    conn = sqlite3.connect(store.path)
    try:
        return {
            table: conn.execute(f"SELECT count(*) FROM {table} WHERE run = ?", (run_rowid,)).fetchone()[0]
            for table in RUN_TABLES
        }
    finally:
        conn.close()


def rowid_of(store, run_id):
    conn = sqlite3.connect(store.path)
    try:
        return conn.execute("SELECT id FROM runs WHERE uuid = ?", (run_id,)).fetchone()[0]
    finally:
        conn.close()


def full_run(store, make_png, shade=0, shared_png=None):
    """A run with a row in every table: params, a metric series, a tag, images, data, an execution, an environment."""
    run_id = store.create_run(name="full", tags={"t": "1"})["id"]
    images = [{"key": "own", "png": make_png(4, 4, shade)}]
    if shared_png is not None:
        images.append({"key": "shared", "png": shared_png})
    store.log_batch(
        run_id,
        {
            "params": [{"key": "lr", "value": 0.1}],
            "metrics": [{"key": "loss", "values": [1.0, 0.5, 0.25]}],
            "images": images,
            "data": [{"path": "data.csv", "sha256": "ab" * 32, "size": 3, "file_count": 1}],
            "executions": [{"cell_id": "c1", "execution_count": 1, "started": 1.0, "duration": 0.1, "status": "ok"}],
            "environment": {"python": "3.11"},
        },
    )
    return run_id


# -- store: star, archive, bulk ---------------------------------------------------


def test_star_and_archive_are_kept_and_none_leaves_them(store):
    run_id = store.create_run()["id"]
    before = store.get_run(run_id)
    assert (before["starred"], before["archived"], before["deleted"]) == (False, False, None)

    starred = store.update_run(run_id, starred=True)
    assert (starred["starred"], starred["archived"]) == (True, False)
    assert starred["updated"] >= before["updated"]
    archived = store.update_run(run_id, archived=True, name="renamed")
    assert (archived["starred"], archived["archived"], archived["name"]) == (True, True, "renamed")
    assert store.update_run(run_id, starred=False)["starred"] is False
    assert store.get_run(run_id)["archived"] is True


@pytest.mark.parametrize("value", [1, "true", 0, 1.0])
def test_a_flag_that_is_no_boolean_is_refused(store, value):
    run_id = store.create_run()["id"]
    with pytest.raises(ValueError, match="starred"):
        store.update_run(run_id, starred=value)
    assert store.get_run(run_id)["starred"] is False


def test_bulk_update_tags_stars_and_archives_every_run_in_order(store):
    ids = [store.create_run(name=f"r{i}", tags={"old": "x", "keep": "k"})["id"] for i in range(3)]
    other = store.create_run(name="untouched", tags={"old": "x"})["id"]

    runs = store.bulk_update_runs(
        [ids[2], ids[0], ids[2]], set_tags={"group": "a", "bare": None}, remove_tags=["old"], starred=True
    )
    assert [run["id"] for run in runs] == [ids[2], ids[0]]
    for run in runs:
        assert run["tags"] == {"group": "a", "bare": "", "keep": "k"}
        assert (run["starred"], run["archived"]) == (True, False)
    assert store.get_run(ids[1])["tags"] == {"old": "x", "keep": "k"}
    assert store.get_run(other)["tags"] == {"old": "x"}

    archived = store.bulk_update_runs(ids, archived=True)
    assert [(run["starred"], run["archived"]) for run in archived] == [(True, True), (False, True), (True, True)]


def test_bulk_update_with_an_unknown_id_writes_nothing(store):
    ids = [store.create_run()["id"] for _ in range(2)]
    before = [store.get_run(run_id) for run_id in ids]
    with pytest.raises(RunNotFound):
        store.bulk_update_runs([ids[0], "no-such-run", ids[1]], set_tags={"x": "1"}, starred=True)
    after = [store.get_run(run_id) for run_id in ids]
    assert [(run["tags"], run["starred"], run["updated"]) for run in after] == [
        (run["tags"], run["starred"], run["updated"]) for run in before
    ]


def test_bulk_update_of_more_runs_than_one_sql_batch(store):
    ids = store.import_runs({"start_time": 1000.0 + i} for i in range(1203))
    runs = store.bulk_update_runs(list(reversed(ids)), set_tags={"many": "yes"})
    assert [run["id"] for run in runs] == list(reversed(ids))
    assert all(run["tags"] == {"many": "yes"} for run in runs)


# -- store: trash, restore, purge ----------------------------------------------------


def test_trash_keeps_the_run_readable_and_restore_brings_it_back(store, make_png):
    run_id = full_run(store, make_png)
    trashed = store.delete_run(run_id)
    assert trashed["deleted"] is not None and trashed["deleted"] <= time.time()
    assert trashed["updated"] >= trashed["deleted"]
    run = store.get_run(run_id)
    assert run["deleted"] == trashed["deleted"]
    assert run["params"] == {"lr": 0.1} and len(run["images"]) == 1

    # Deleting again keeps the first time (the 30 days do not start over).
    time.sleep(0.01)
    assert store.delete_run(run_id)["deleted"] == trashed["deleted"]

    restored = store.restore_run(run_id)
    assert restored["deleted"] is None
    assert restored["updated"] > trashed["updated"]
    assert store.get_run(run_id)["metrics"]["loss"]["count"] == 3


def test_the_trash_is_listed_apart_from_the_other_runs(store):
    kept, trashed = store.create_run(name="kept")["id"], store.create_run(name="trashed")["id"]
    store.delete_run(trashed)
    assert [run["id"] for run in store.list_runs()[0]] == [kept]
    runs, total = store.list_runs(trash=True)
    assert ([run["id"] for run in runs], total) == ([trashed], 1)
    store.restore_run(trashed)
    assert {run["id"] for run in store.list_runs()[0]} == {kept, trashed}
    assert store.list_runs(trash=True) == ([], 0)


def test_trash_restore_and_purge_of_an_unknown_run_raise(store):
    for call in (store.delete_run, store.restore_run, store.purge_run):
        with pytest.raises(RunNotFound):
            call("no-such-run")


def test_purge_removes_every_row_and_only_the_images_no_other_run_has(store, make_png):
    shared = make_png(5, 5, 77)
    doomed = full_run(store, make_png, shade=1, shared_png=shared)
    keeper = full_run(store, make_png, shade=2, shared_png=shared)
    validation = store.create_validation(notebook_path="a.ipynb", kernel_name="python3", cell_count=1)["run_id"]
    store.record_validation_cells(validation, [{"index": 0, "code_index": 0, "status": "passed"}])
    images = {image["key"]: image["sha256"] for image in store.get_run(doomed)["images"]}
    doomed_rowid, validation_rowid = rowid_of(store, doomed), rowid_of(store, validation)
    assert all(rows_of(store, doomed_rowid)[table] for table in RUN_TABLES if not table.startswith("validation"))
    assert rows_of(store, validation_rowid)["validation_cells"] == 1

    store.purge_run(doomed)
    store.purge_run(validation)

    for run_id in (doomed, validation):
        with pytest.raises(RunNotFound):
            store.get_run(run_id)
    assert rows_of(store, doomed_rowid) == dict.fromkeys(RUN_TABLES, 0)
    assert rows_of(store, validation_rowid) == dict.fromkeys(RUN_TABLES, 0)
    assert not image_file(store, images["own"]).exists()
    assert image_file(store, images["shared"]).exists()
    kept = store.get_run(keeper)
    assert store.get_image(keeper, next(i["id"] for i in kept["images"] if i["key"] == "shared")) == shared
    assert kept["params"] == {"lr": 0.1} and kept["metrics"]["loss"]["count"] == 3

    # The last run holding the shared image takes its file along.
    store.purge_run(keeper)
    assert not image_file(store, images["shared"]).exists()


def test_the_same_image_twice_in_one_run_goes_with_it(store, make_png):
    png = make_png(6, 6, 5)
    run_id = store.create_run()["id"]
    store.log_batch(run_id, {"images": [{"key": "a", "png": png}, {"key": "b", "png": png}]})
    sha256 = store.get_run(run_id)["images"][0]["sha256"]
    store.purge_run(run_id)
    assert not image_file(store, sha256).exists()


def test_purge_never_deletes_outside_the_store_through_a_link(store, make_png, tmp_path):
    png = make_png(7, 7, 9)
    run_id = store.create_run()["id"]
    store.log_batch(run_id, {"images": [{"key": "a", "png": png}]})
    sha256 = store.get_run(run_id)["images"][0]["sha256"]
    outside = tmp_path / "outside.png"
    outside.write_bytes(b"not yours")
    path = image_file(store, sha256)
    path.unlink()
    path.symlink_to(outside)
    store.purge_run(run_id)
    assert outside.read_bytes() == b"not yours"


def test_purge_trash_takes_only_what_is_older_than_the_limit(store, monkeypatch):
    old, recent, alive = (store.create_run(name=name)["id"] for name in ("old", "recent", "alive"))
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now - 31 * 86400)
    store.delete_run(old)
    monkeypatch.setattr(time, "time", lambda: now - 29 * 86400)
    store.delete_run(recent)
    monkeypatch.undo()

    assert store.purge_trash() == [old]
    with pytest.raises(RunNotFound):
        store.get_run(old)
    assert store.get_run(recent)["deleted"] is not None
    assert store.get_run(alive)["deleted"] is None
    assert store.purge_trash() == []
    assert store.purge_trash(older_than_seconds=0) == [recent]
    assert store.get_run(alive)["deleted"] is None
    with pytest.raises(ValueError):
        store.purge_trash(older_than_seconds=-1)


def test_purge_trash_of_more_runs_than_one_transaction(store, monkeypatch):
    from jupyterlab_experiments.store import sqlite as sqlite_module

    monkeypatch.setattr(sqlite_module, "_PURGE_BATCH", 3)
    ids = [store.create_run()["id"] for _ in range(7)]
    for run_id in ids:
        store.delete_run(run_id)
    assert sorted(store.purge_trash(older_than_seconds=0)) == sorted(ids)
    assert store.changed_since(0)[0] == []


# -- store: changes and views -----------------------------------------------------------


def test_changed_since_lists_runs_written_after_a_time(store):
    first = store.create_run()["id"]
    rows, newest = store.changed_since(0)
    assert [run_id for run_id, _ in rows] == [first]
    assert newest == rows[-1][1] == store.get_run(first)["updated"]
    assert store.changed_since(newest) == ([], newest)

    second = store.create_run()["id"]
    store.log_batch(first, {"metrics": [{"key": "m", "values": [1.0]}]})
    rows, latest = store.changed_since(newest)
    assert [run_id for run_id, _ in rows] == [second, first]
    assert latest > newest
    store.delete_run(second)
    assert [run_id for run_id, _ in store.changed_since(latest)[0]] == [second]


def test_views_are_saved_replaced_listed_by_name_and_deleted(store):
    assert store.list_views() == []
    state = {"filter": "metrics.acc > 0.9", "orderBy": [{"key": "metrics.acc", "descending": True}], "columns": []}
    saved = store.save_view("best", state)
    assert saved["name"] == "best" and saved["state"] == state
    store.save_view("all", {"filter": ""})
    replaced = store.save_view("best", {"filter": "tags.x"})
    assert [view["name"] for view in store.list_views()] == ["all", "best"]
    assert store.list_views()[1] == replaced
    assert replaced["updated"] >= saved["updated"]

    store.delete_view("best")
    assert [view["name"] for view in store.list_views()] == ["all"]
    with pytest.raises(KeyError):
        store.delete_view("best")
    for name, state in (("", {}), (3, {}), ("x", ["a"]), ("x", "text")):
        with pytest.raises(ValueError):
            store.save_view(name, state)


def test_hostile_names_are_data_not_sql(store):
    run_id = store.create_run(tags={HOSTILE: HOSTILE})["id"]
    store.bulk_update_runs([run_id], set_tags={HOSTILE + "2": HOSTILE}, remove_tags=[HOSTILE])
    assert store.get_run(run_id)["tags"] == {HOSTILE + "2": HOSTILE}
    store.save_view(HOSTILE, {HOSTILE: HOSTILE})
    assert store.list_views()[0]["state"] == {HOSTILE: HOSTILE}
    store.delete_view(HOSTILE)
    with pytest.raises(RunNotFound):
        store.purge_run(HOSTILE)
    assert store.list_runs()[1] == 1


def test_views_and_flags_survive_reopening(tmp_path):
    store = open_store(tmp_path / "s")
    run_id = store.create_run()["id"]
    store.update_run(run_id, starred=True, archived=True)
    store.delete_run(run_id)
    store.save_view("v", {"a": [1, 2]})
    store.close()
    store = open_store(tmp_path / "s")
    try:
        run = store.get_run(run_id)
        assert (run["starred"], run["archived"], run["deleted"] is not None) == (True, True, True)
        assert store.list_views()[0]["state"] == {"a": [1, 2]}
        assert json.loads(json.dumps(store.list_views()))  # plain JSON types
    finally:
        store.close()


# -- REST ----------------------------------------------------------------------------------


def test_patch_stars_and_archives_a_run(api, run):
    status, starred = api("PATCH", "runs", run["id"], body={"starred": True})
    assert status == 200, starred
    assert (starred["starred"], starred["archived"]) == (True, False)
    status, archived = api("PATCH", "runs", run["id"], body={"archived": True, "starred": False, "name": "n"})
    assert status == 200, archived
    assert (archived["starred"], archived["archived"], archived["name"]) == (False, True, "n")
    assert api("GET", "runs", run["id"])[1]["archived"] is True


@pytest.mark.parametrize("field", ["starred", "archived"])
@pytest.mark.parametrize("value", [1, 0, "true", None, [], {}])
def test_patch_refuses_a_flag_that_is_no_boolean(api, run, field, value):
    status, answer = api("PATCH", "runs", run["id"], body={field: value})
    assert status == 400
    assert answer["message"].startswith(f"{field}: expected true or false")
    assert api("GET", "runs", run["id"])[1][field] is False


def test_bulk_edits_every_run_and_answers_their_summaries(api, server_store):
    ids = [server_store.create_run(tags={"old": "1"})["id"] for _ in range(3)]
    body = {"ids": ids[:2], "tags": {"set": {"group": "a", "bare": None}, "remove": ["old"]}, "starred": True}
    status, answer = api("POST", "runs", "bulk", body=body)
    assert status == 200, answer
    assert [run["id"] for run in answer["runs"]] == ids[:2]
    assert all(run["tags"] == {"group": "a", "bare": ""} and run["starred"] for run in answer["runs"])
    assert server_store.get_run(ids[2])["tags"] == {"old": "1"}

    status, answer = api("POST", "runs", "bulk", body={"ids": ids, "archived": True})
    assert status == 200, answer
    assert [run["archived"] for run in answer["runs"]] == [True, True, True]
    assert api("POST", "runs", "bulk", body={"ids": []}) == (200, {"runs": []})


def test_bulk_with_an_unknown_run_is_404_and_writes_nothing(api, server_store):
    run_id = server_store.create_run()["id"]
    status, answer = api("POST", "runs", "bulk", body={"ids": [run_id, "nope"], "tags": {"set": {"x": "1"}}})
    assert status == 404
    assert "nope" in answer["message"]
    assert server_store.get_run(run_id)["tags"] == {}


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "ids"),
        ({"ids": "abc"}, "ids"),
        ({"ids": [1]}, "ids[0]"),
        ({"ids": [""]}, "ids[0]"),
        ({"ids": ["a"], "tags": []}, "tags"),
        ({"ids": ["a"], "tags": {"set": {"k": 1}}}, "tags.set.k"),
        ({"ids": ["a"], "tags": {"remove": "k"}}, "tags.remove"),
        ({"ids": ["a"], "tags": {"add": {}}}, "tags"),
        ({"ids": ["a"], "starred": "yes"}, "starred"),
        ({"ids": ["a"], "archived": 1}, "archived"),
        ({"ids": ["a"], "name": "x"}, "body"),
        ([], "body"),
        ({"ids": ["a"] * 10_001}, "ids"),
    ],
)
def test_bulk_refuses_bad_bodies_naming_the_field(api, body, field):
    status, answer = api("POST", "runs", "bulk", body=body)
    assert status == 400, answer
    assert answer["message"].startswith(f"{field}:")


def test_bulk_takes_ten_thousand_ids(api, server_store):
    ids = server_store.import_runs({"start_time": 1000.0 + i} for i in range(10_000))
    status, answer = api("POST", "runs", "bulk", body={"ids": ids, "tags": {"set": {"k": "v"}}})
    assert status == 200
    assert len(answer["runs"]) == 10_000 and answer["runs"][-1]["tags"] == {"k": "v"}


def test_delete_moves_to_the_trash_restore_brings_back_purge_removes(api, run, server_store, make_png):
    shared = make_png(5, 5, 40)
    other = server_store.create_run()["id"]
    server_store.log_batch(other, {"images": [{"key": "s", "png": shared}]})
    server_store.log_batch(
        run["id"], {"images": [{"key": "s", "png": shared}, {"key": "o", "png": make_png(6, 6, 41)}]}
    )
    images = {image["key"]: image["sha256"] for image in server_store.get_run(run["id"])["images"]}

    assert api("DELETE", "runs", run["id"]) == (204, None)
    status, trashed = api("GET", "runs", run["id"])
    assert status == 200 and trashed["deleted"] is not None

    status, restored = api("POST", "runs", run["id"], "restore")
    assert status == 200, restored
    assert restored["deleted"] is None and restored["id"] == run["id"]

    assert api("DELETE", "runs", run["id"], params={"purge": "1"}) == (204, None)
    assert api("GET", "runs", run["id"])[0] == 404
    assert not image_file(server_store, images["o"]).exists()
    assert image_file(server_store, images["s"]).exists()
    image_id = server_store.get_run(other)["images"][0]["id"]
    assert api("GET", "runs", other, "images", image_id) == (200, shared)

    for method, path in (("DELETE", ("runs", run["id"])), ("POST", ("runs", run["id"], "restore"))):
        assert api(method, *path)[0] == 404
    assert api("DELETE", "runs", "nope", params={"purge": "1"})[0] == 404


@pytest.mark.parametrize("purge", ["true", "yes", "2", ""])
def test_delete_refuses_a_purge_that_is_neither_0_nor_1(api, run, purge):
    status, answer = api("DELETE", "runs", run["id"], params={"purge": purge})
    assert status == 400 and answer["message"].startswith("purge:")
    assert api("GET", "runs", run["id"])[1]["deleted"] is None


def test_views_crud(api):
    assert api("GET", "views") == (200, {"views": []})
    state = {"filter": "params.lr > 0.01", "orderBy": [{"key": "metrics.acc", "descending": True}], "groupBy": None}
    status, saved = api("PUT", "views", "best runs", body={"state": state})
    assert status == 200, saved
    assert (saved["name"], saved["state"]) == ("best runs", state)
    status, replaced = api("PUT", "views", "best runs", body={"state": {"filter": ""}})
    assert status == 200 and replaced["updated"] >= saved["updated"]
    api("PUT", "views", "a/b", body={"state": {}})
    status, listed = api("GET", "views")
    assert [(view["name"], view["state"]) for view in listed["views"]] == [("a/b", {}), ("best runs", {"filter": ""})]

    assert api("DELETE", "views", "a/b") == (204, None)
    assert api("DELETE", "views", "a/b")[0] == 404
    assert [view["name"] for view in api("GET", "views")[1]["views"]] == ["best runs"]


def nested(depth):
    value = {}
    for _ in range(depth - 1):
        value = {"x": value}
    return value


@pytest.mark.parametrize(
    "name, body, status, field",
    [
        ("v", {}, 400, "state"),
        ("v", {"state": []}, 400, "state"),
        ("v", {"state": "x"}, 400, "state"),
        ("v", {"state": {}, "other": 1}, 400, "body"),
        ("v", None, 400, "body"),
        ("x" * 201, {"state": {}}, 400, "name"),
        ("v", {"state": nested(40)}, 400, "state"),
        ("v", {"state": {"filter": "x" * (256 * 1024)}}, 413, "state"),
    ],
)
def test_put_view_refuses_bad_names_and_states(api, name, body, status, field):
    code, answer = api("PUT", "views", name, body=body, raw_body=b"" if body is None else None)
    assert code == status, answer
    assert answer["message"].startswith(f"{field}:")
    assert api("GET", "views") == (200, {"views": []})


def test_put_view_refuses_a_body_announced_beyond_the_limit_before_reading_it(fetch_answer):
    response = fetch_answer(
        "experiments/api/views/v", method="PUT", body=b"{" + b" " * (600 * 1024) + b"}", raise_error=False
    )
    assert response.code == 413


def test_a_view_name_of_200_characters_is_kept(api):
    name = "é" * 200
    assert api("PUT", "views", name, body={"state": {"k": 1}})[0] == 200
    assert api("GET", "views")[1]["views"][0]["name"] == name


def test_hostile_keys_and_names_are_harmless_over_http(api, run, server_store):
    status, answer = api("POST", "runs", "bulk", body={"ids": [run["id"]], "tags": {"set": {HOSTILE: HOSTILE}}})
    assert status == 200 and answer["runs"][0]["tags"] == {HOSTILE: HOSTILE}
    status, answer = api("PATCH", "runs", run["id"], body={"tags": {"remove": [HOSTILE]}, "starred": True})
    assert status == 200 and answer["tags"] == {} and answer["starred"]
    assert api("PUT", "views", HOSTILE, body={"state": {HOSTILE: HOSTILE}})[0] == 200
    assert api("GET", "views")[1]["views"][0]["name"] == HOSTILE
    assert api("DELETE", "views", HOSTILE) == (204, None)
    assert api("DELETE", "runs", HOSTILE)[0] == 404
    assert api("POST", "runs", "bulk", body={"ids": [HOSTILE]})[0] == 404
    assert server_store.list_runs()[1] == 1
    assert server_store.get_run(run["id"])["starred"] is True


NEW_ENDPOINTS = [
    ("PATCH", "runs/some-run", {"starred": True}),
    ("DELETE", "runs/some-run", None),
    ("DELETE", "runs/some-run?purge=1", None),
    ("POST", "runs/some-run/restore", {}),
    ("POST", "runs/bulk", {"ids": ["some-run"], "archived": True}),
    ("GET", "views", None),
    ("PUT", "views/saved", {"state": {"filter": "changed"}}),
    ("DELETE", "views/saved", None),
]


@pytest.mark.parametrize("allow_unauthenticated", [False, True])
@pytest.mark.parametrize("method, path, body", NEW_ENDPOINTS)
def test_every_new_endpoint_refuses_unauthenticated_requests(fetch_answer, server_store, method, path, body):
    run_id = server_store.create_run(run_id="some-run")["id"]
    server_store.save_view("saved", {"filter": "secret filter"})
    kwargs = {"method": method, "headers": {"Authorization": ""}}
    if body is not None:
        kwargs["body"] = json.dumps(body)
    response = fetch_answer("experiments/api/" + path, **kwargs)
    assert response.code in (401, 403)
    assert b"secret filter" not in response.body
    run = server_store.get_run(run_id)
    assert (run["starred"], run["archived"], run["deleted"]) == (False, False, None)
    assert server_store.list_views()[0]["state"] == {"filter": "secret filter"}
