"""The query grammar over REST: GET runs with filter, order_by and trash; runs/groups, keys and values;
a query that cannot be read is a 400 saying where; nothing without authentication; never a 500."""

from __future__ import annotations

import json
import math
import sys
from array import array

import pytest
from conftest import API, property_settings, strict_json
from hypothesis import given
from hypothesis import strategies as st


@pytest.fixture
def seeded(server_store):
    """Three runs written through the store's API; their ids by name."""
    runs = [
        {
            "name": "tree",
            "start_time": 100.0,
            "end_time": 160.0,
            "tags": {"stage": "prod"},
            "batch": {
                "params": [{"key": "lr", "value": 0.1}, {"key": "model", "value": "tree"}],
                "metrics": [{"key": "acc", "values": [0.5, 0.95, 0.9]}],
                "environment": {"packages": {"numpy": "2.0"}},
            },
        },
        {
            "name": "linear",
            "start_time": 200.0,
            "end_time": 230.0,
            "status": "failed",
            "tags": {"stage": "dev"},
            "batch": {
                "params": [{"key": "lr", "value": "0.01"}, {"key": "model", "value": "linear"}],
                "metrics": [{"key": "acc", "values": [0.7]}, {"key": "loss", "values": [0.1]}],
            },
        },
        {"name": "old", "start_time": 50.0, "end_time": 60.0, "batch": {"params": [{"key": "lr", "value": 0.001}]}},
    ]
    ids = dict(zip([run["name"] for run in runs], server_store.import_runs(runs)))
    server_store.delete_run(ids["old"])
    return ids


def names(runs):
    return [run["name"] for run in runs]


def test_runs_are_filtered_and_ordered_in_the_store(api, seeded):
    status, body = api("GET", "runs", params={"filter": "tags.stage = 'prod' OR metrics.loss < 0.2"})
    assert status == 200 and names(body["runs"]) == ["linear", "tree"] and body["total"] == 2
    status, body = api("GET", "runs", params={"filter": "params.lr > 0.01", "order_by": "metrics.acc.max DESC"})
    assert names(body["runs"]) == ["tree"]
    status, body = api("GET", "runs", params={"order_by": "metrics.acc DESC, params.lr", "limit": 1, "offset": 1})
    assert (names(body["runs"]), body["total"]) == (["linear"], 2)
    status, body = api("GET", "runs", params={"filter": "attributes.status = 'FAILED'"})
    assert names(body["runs"]) == ["linear"]
    status, body = api("GET", "runs", params={"filter": "env.numpy LIKE '2.%'"})
    assert names(body["runs"]) == ["tree"]
    status, body = api("GET", "runs", params={"trash": "1"})
    assert (names(body["runs"]), body["total"]) == (["old"], 1)
    status, body = api("GET", "runs", params={"trash": "0", "filter": ""})
    assert names(body["runs"]) == ["linear", "tree"]


def test_a_listing_keeps_only_the_metric_summaries_it_names(api, seeded, server_store):
    status, body = api("GET", "runs", params={"summaries": "max,last", "order_by": "name"})
    assert status == 200
    assert [run["metrics"] for run in body["runs"]] == [
        {"acc": {"last": 0.7, "max": 0.7}, "loss": {"last": 0.1, "max": 0.1}},
        {"acc": {"last": 0.9, "max": 0.95}},
    ]
    # Params, tags and the rest are as without it; without it, every field.
    full = api("GET", "runs", params={"order_by": "name"})[1]["runs"]
    assert [{**run, "metrics": None} for run in body["runs"]] == [{**run, "metrics": None} for run in full]
    every = {"last", "last_step", "min", "min_step", "max", "max_step", "count", "cell_id"}
    assert set(full[0]["metrics"]["acc"]) == every
    # A NaN last value stays one (SQLite keeps it as NULL).
    metrics = [{"key": "acc", "values": [float("nan")]}]
    nan = server_store.import_runs([{"name": "nan", "start_time": 300.0, "batch": {"metrics": metrics}}])[0]
    status, body = api("GET", "runs", params={"summaries": "last,count", "filter": f"id = '{nan}'"})
    assert body["runs"][0]["metrics"] == {"acc": {"last": "NaN", "count": 1}}


def test_a_listing_in_columns_carries_the_same_values_column_by_column(api, seeded):
    params = {"summaries": "last,max", "order_by": "name"}
    rows = api("GET", "runs", params=params)[1]
    status, body = api("GET", "runs", params={**params, "layout": "columns"})
    assert status == 200 and body["total"] == rows["total"] == 2
    # The runs keep everything else; their params and metrics are in the columns, null where absent.
    assert body["runs"] == [{k: v for k, v in run.items() if k not in ("params", "metrics")} for run in rows["runs"]]
    assert body["columns"] == {
        "params": {"lr": ["0.01", 0.1], "model": ["linear", "tree"]},
        "metrics": {"acc": {"last": [0.7, 0.9], "max": [0.7, 0.95]}, "loss": {"last": [0.1, None], "max": [0.1, None]}},
    }
    status, body = api("GET", "runs", params={"layout": "columns", "filter": "name = 'none'"})
    assert (body["runs"], body["columns"]) == ([], {"params": {}, "metrics": {}})
    assert api("GET", "runs", params={"layout": "rows"})[1]["runs"] == api("GET", "runs")[1]["runs"]
    status, body = api("GET", "runs", params={"layout": "table"})
    assert status == 400 and "layout: expected rows or columns" in body["message"]


def test_the_series_of_many_runs_come_in_one_request(api, seeded, server_store):
    tree, linear = seeded["tree"], seeded["linear"]
    query = [("run_id", linear), ("run_id", tree), ("key", "acc"), ("key", "no,such"), ("max_points", "2")]
    status, body = api("GET", "runs/metrics", params=query)
    assert status == 200
    assert [(one["run_id"], one["key"], one["count"], one["values"]) for one in body["series"]] == [
        (linear, "acc", 1, [0.7]),
        (tree, "acc", 3, [0.5, 0.95]),  # two points: the bucket's min and max
    ]
    # Without keys: every key of each run; the same as one series at a time.
    status, body = api("GET", "runs/metrics", params=[("run_id", linear)])
    assert [one["key"] for one in body["series"]] == ["acc", "loss"]
    assert body["series"][1] == {"run_id": linear, **server_store.get_metric_series(linear, "loss", 1000)}
    # NaN travels as a string, as everywhere in the API.
    nan = server_store.import_runs(
        [{"start_time": 1.0, "batch": {"metrics": [{"key": "m", "values": [float("nan")]}]}}]
    )
    assert api("GET", "runs/metrics", params=[("run_id", nan[0])])[1]["series"][0]["values"] == ["NaN"]


def series_frame(body: bytes) -> list[dict]:
    """The series of a ``runs/metrics?encoding=binary`` reply, as lists."""
    length = int.from_bytes(body[:4], "big")
    assert (4 + length) % 8 == 0  # the columns can be viewed in place
    header = json.loads(body[4 : 4 + length])
    offset, series = 4 + length, []
    for entry in header["series"]:
        columns = []
        for _ in range(3):
            column = array("d")
            column.frombytes(body[offset : offset + 8 * entry["points"]])
            if sys.byteorder == "big":
                column.byteswap()
            columns.append(column.tolist())
            offset += 8 * entry["points"]
        series.append(
            {
                "run_id": entry["run_id"],
                "key": entry["key"],
                "count": entry["count"],
                **dict(zip(("steps", "values", "timestamps"), columns)),
            }
        )
    assert offset == len(body)
    return series


def test_the_series_of_many_runs_come_binary_on_request(api, seeded, server_store):
    tree, linear = seeded["tree"], seeded["linear"]
    odd = server_store.import_runs(
        [
            {
                "start_time": 1.0,
                "batch": {
                    "metrics": [
                        {"key": "m", "steps": [9, 3, 7], "values": [math.nan, math.inf, -math.inf]},
                        {"key": "k,é", "values": [float(i % 13) for i in range(50)]},
                    ]
                },
            }
        ]
    )[0]
    query = [("run_id", linear), ("run_id", tree), ("run_id", odd), ("max_points", "10")]
    json_status, as_json = api("GET", "runs/metrics", params=query)
    status, body = api("GET", "runs/metrics", params=[*query, ("encoding", "binary")])
    assert (json_status, status) == (200, 200) and isinstance(body, bytes)
    decoded = series_frame(body)
    # The same series, NaN and the infinities as themselves instead of strings.
    revive = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
    for one in as_json["series"]:
        one["values"] = [revive.get(value, value) for value in one["values"]]
    assert [(one["run_id"], one["key"], one["count"]) for one in decoded] == [
        (one["run_id"], one["key"], one["count"]) for one in as_json["series"]
    ]
    for ours, theirs in zip(decoded, as_json["series"]):
        for column in ("steps", "values", "timestamps"):
            assert len(ours[column]) == len(theirs[column])
            assert all(a == b or (a != a and b != b) for a, b in zip(ours[column], theirs[column]))
    assert decoded[-1]["values"][1:] == [math.inf, -math.inf] and math.isnan(decoded[-1]["values"][0])
    assert decoded[-1]["steps"] == [9, 3, 7]
    # Refusals are JSON, whatever the encoding.
    status, body = api("GET", "runs/metrics", params=[("run_id", "nope"), ("encoding", "binary")])
    assert status == 404 and "run 'nope' not found" in body["message"]
    status, body = api("GET", "runs/metrics", params=[("run_id", linear), ("encoding", "msgpack")])
    assert status == 400 and "encoding: expected one of json, binary" in body["message"]


@pytest.mark.parametrize(
    "query, status, message",
    [
        ([], 400, "run_id: expected 1 to 100 run ids"),
        ([("run_id", str(i)) for i in range(101)], 400, "run_id: expected 1 to 100 run ids"),
        ([("run_id", "x")] + [("key", str(i)) for i in range(201)], 400, "key: at most 200 keys"),
        ([("run_id", "x"), ("max_points", "1")], 400, "max_points"),
        ([("run_id", "x"), ("max_points", "10001")], 400, "max_points"),
        ([("run_id", "no-such-run")], 404, "run 'no-such-run' not found"),
    ],
)
def test_bad_series_requests_say_what_is_wrong(api, seeded, query, status, message):
    answer, body = api("GET", "runs/metrics", params=query)
    assert answer == status and message in body["message"]


@pytest.mark.parametrize("summaries", ["", "last,median", "last_step", "cell_id", "last;DROP TABLE runs"])
def test_unknown_metric_summaries_are_a_400(api, seeded, summaries):
    status, body = api("GET", "runs", params={"summaries": summaries})
    assert status == 400 and "summaries: expected some of last, min, max, count" in body["message"]


def test_the_store_refuses_unknown_summaries(server_store):
    with pytest.raises(ValueError, match="summaries"):
        server_store.list_runs(summaries=["last", "cell_id"])
    with pytest.raises(ValueError, match="summaries"):
        server_store.list_runs(summaries=[])


@pytest.mark.parametrize(
    "params, argument, position, found, expected",
    [
        ({"filter": "params.lr > )"}, "filter", 12, ")", "a value"),
        ({"filter": "status > 3"}, "filter", 9, "3", "a quoted string"),
        ({"filter": "metrics.x LIKE 'a'"}, "filter", 15, "'a'", "a number"),
        ({"filter": "name = 'unterminated"}, "filter", 7, "'unterminated", "a closing '"),
        ({"filter": "params.x IN ()"}, "filter", 13, ")", "a value"),
        ({"filter": "colour = 'red'"}, "filter", 0, "colour", "params.<key>"),
        ({"order_by": "metrics.acc sideways"}, "order_by", 12, "sideways", "ASC, DESC"),
    ],
)
def test_a_query_that_cannot_be_read_is_a_400_that_says_where(api, seeded, params, argument, position, found, expected):
    status, body = api("GET", "runs", params=params)
    assert status == 400, body
    assert (body["argument"], body["position"], body["found"]) == (argument, position, found)
    assert body["expected"].startswith(expected)
    assert body["message"].startswith(f"at {position}: ")


@pytest.mark.parametrize(
    "path, params, message",
    [
        ("runs", {"limit": 10**9}, "limit: expected 1 to 1000"),
        ("runs", {"limit": 0}, "limit: expected 1 to 1000"),
        ("runs", {"offset": -1}, "offset: expected 0 to"),
        ("runs", {"offset": 10**30}, "offset: expected 0 to"),
        ("runs", {"trash": "maybe"}, "trash: expected 1 or 0"),
        ("runs/groups", {}, "group_by: expected a field"),
        ("values", {}, "key: expected a field"),
        ("values", {"key": "status", "limit": 10**6}, "limit: expected 1 to 200"),
        ("values", {"key": "status", "limit": -1}, "limit: expected 1 to 200"),
    ],
)
def test_bad_bounds_and_missing_arguments_are_a_400(api, seeded, path, params, message):
    status, body = api("GET", path, params=params)
    assert status == 400 and body["message"].startswith(message), body


def test_groups_aggregate_the_filtered_runs(api, seeded):
    status, body = api(
        "GET",
        "runs/groups",
        params={
            "group_by": "params.model",
            "columns": "metrics.acc.max, duration,name",
            "filter": "params.lr IS NOT NULL",
        },
    )
    assert status == 200
    assert [(group["value"], group["count"]) for group in body["groups"]] == [("linear", 1), ("tree", 1)]
    tree = body["groups"][1]["aggregates"]
    assert tree["metrics.acc.max"] == {"mean": 0.95, "std": None, "min": 0.95, "max": 0.95, "count": 1}
    assert tree["duration"]["mean"] == 60.0 and "name" not in tree
    status, body = api("GET", "runs/groups", params={"group_by": "status"})
    assert [(group["value"], group["count"], group["aggregates"]) for group in body["groups"]] == [
        ("failed", 1, {}),
        ("finished", 1, {}),
    ]


@pytest.mark.parametrize(
    "params, argument, position",
    [
        ({"group_by": "colour"}, "group_by", 0),
        ({"group_by": "status", "columns": "metrics.acc, colour"}, "columns", 13),
        ({"group_by": "status", "columns": "metrics.acc metrics.loss"}, "columns", 12),
        ({"group_by": "status", "filter": "(tags.a"}, "filter", 7),
    ],
)
def test_groups_say_which_argument_is_wrong(api, seeded, params, argument, position):
    status, body = api("GET", "runs/groups", params=params)
    assert status == 400, body
    assert (body["argument"], body["position"]) == (argument, position)


def test_keys_and_values_complete_a_filter(api, seeded):
    status, body = api("GET", "keys")
    assert status == 200
    assert body == {"params": ["lr", "model"], "metrics": ["acc", "loss"], "tags": ["stage"], "env": ["numpy"]}
    status, body = api("GET", "values", params={"key": "params.lr"})
    assert body == {"values": [0.1, "0.01"]}  # not the trashed run's 0.001
    status, body = api("GET", "values", params={"key": "params.model", "prefix": "T", "limit": 5})
    assert body == {"values": ["tree"]}
    status, body = api("GET", "values", params={"key": "params.", "prefix": "x"})
    assert status == 400 and (body["argument"], body["position"]) == ("key", 7)


def test_groups_is_not_taken_for_a_run_id(api, seeded):
    status, body = api("GET", "runs", "groups", params={"group_by": "kind"})
    assert status == 200 and body["groups"][0]["value"] == "notebook"


def test_keys_and_values_with_quotes_stay_data(api, server_store):
    key = "a'; DROP TABLE runs; --"
    run_id = server_store.import_runs([{"start_time": 1.0, "tags": {key: key}}])[0]
    quoted = "`" + key + "`"
    status, body = api("GET", "runs", params={"filter": f"tags.{quoted} = '{key.replace(chr(39), chr(39) * 2)}'"})
    assert status == 200 and [run["id"] for run in body["runs"]] == [run_id]
    assert api("GET", "values", params={"key": f"tags.{quoted}"})[1] == {"values": [key]}
    assert api("GET", "keys")[1]["tags"] == [key]
    assert server_store.list_runs()[1] == 1


QUERY_ENDPOINTS = [
    ("runs", {"filter": "tags.stage = 'prod'", "order_by": "name"}),
    ("runs", {"trash": "1"}),
    ("runs/groups", {"group_by": "params.model", "columns": "metrics.acc"}),
    ("keys", {}),
    ("values", {"key": "params.model"}),
    ("runs/metrics", {"run_id": "x", "key": "acc"}),
]


@pytest.mark.parametrize("allow_unauthenticated", [False, True])
@pytest.mark.parametrize("path, params", QUERY_ENDPOINTS)
def test_every_query_endpoint_refuses_unauthenticated_requests(fetch, seeded, path, params):
    response = fetch(API, path, params=params, method="GET", raise_error=False, headers={"Authorization": ""})
    assert response.code == 403
    assert b"tree" not in response.body and b"prod" not in response.body


TOKENS = st.sampled_from(
    list("abcdefgpmrstx.`\"'()=!<>,%_-+ 0123456789\\\n\té😀")
    + ["params.", "metrics.", "tags.", "env.", "data.", " AND ", " OR ", "NOT ", " IN ", " IS ", "NULL", " LIKE "]
    + [" BETWEEN ", "true", "-7d", "1e999", ".max", ".sha256", "status", "started", "archived", "lr", "acc"]
)


@property_settings(100)
@given(text=st.lists(TOKENS, max_size=20).map("".join) | st.text(max_size=30))
def test_random_queries_never_give_a_500(fetch, seeded, text):
    for path, params in (
        ("runs", {"filter": text}),
        ("runs", {"order_by": text}),
        ("runs/groups", {"group_by": text, "columns": text, "filter": text}),
        ("values", {"key": text, "prefix": text}),
    ):
        response = fetch(API, path, params=params, method="GET", raise_error=False)
        assert response.code in (200, 400), (path, params, response.code)
        body = strict_json(response.body)
        if response.code == 400:
            assert body["message"]
            if "position" in body:
                assert 0 <= body["position"] <= len(text) and isinstance(body["found"], str)
        else:
            json.dumps(body)
