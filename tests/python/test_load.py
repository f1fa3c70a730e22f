"""``GET /api/status`` answers within 100 ms while the largest accepted request of each endpoint is served.

A real ``jupyter server`` process; one thread sends the large request while the
test asks for the server's status every few milliseconds on another connection.
What a large request costs (parsing, encoding, hashing, SQLite) runs off the
event loop, and the limits keep each piece of it short.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import struct
import threading
import time
import zlib

import pytest
from test_checkpoints_repository import NOTEBOOK
from test_gitfs_restart import TOKEN, ServerProcess

from jupyterlab_experiments.server import base, gitfs, handlers

STATUS_LIMIT_MS = 100.0
STATUS_MAX_MS = 1000.0
API = "/experiments/api"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    process = ServerProcess(tmp_path_factory.mktemp("load"))
    process.start()
    yield process
    process.process.terminate()
    process.process.wait(timeout=30)


def call(server, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
    try:
        headers = {"Authorization": f"token {TOKEN}"}
        if body is not None:
            headers["Content-Length"] = str(len(body))
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def status_latencies_while(server, method: str, path: str, body: bytes | None = None) -> tuple[int, list[float]]:
    """(status of the large request, ms of every GET /api/status answered while it was served)."""
    outcome = {}

    def large():
        outcome["status"] = call(server, method, path, body)[0]

    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    headers = {"Authorization": f"token {TOKEN}"}
    thread = threading.Thread(target=large)
    latencies = []
    thread.start()
    while thread.is_alive():
        started = time.perf_counter()
        connection.request("GET", "/api/status", headers=headers)
        response = connection.getresponse()
        response.read()
        latencies.append((time.perf_counter() - started) * 1000)
        assert response.status == 200
        time.sleep(0.005)
    thread.join()
    connection.close()
    return outcome["status"], latencies


def json_body(value) -> bytes:
    return json.dumps(value).encode()


def fill(limit: int, item_bytes: int, make) -> list:
    """As many items of about ``item_bytes`` as fit in ``limit`` bytes of JSON."""
    return [make(i) for i in range(limit // (item_bytes + 200))]


@pytest.fixture(scope="module")
def run_id(server):
    status, reply = call(server, "POST", f"{API}/runs", json_body({"name": "load"}))
    assert status == 201
    return json.loads(reply)["id"]


@pytest.fixture(scope="module")
def validation_id(server):
    body = {"notebook_path": "a.ipynb", "kernel_name": "python3", "cell_count": 1}
    status, reply = call(server, "POST", f"{API}/validations", json_body(body))
    assert status == 201
    return json.loads(reply)["run_id"]


def large_cells_body() -> bytes:
    image = base64.b64encode(os.urandom(300_000)).decode()
    output = {"output_type": "display_data", "data": {"image/png": image, "text/plain": "<Figure>"}, "metadata": {}}
    cells = fill(
        handlers.MAX_VALIDATION_BODY_BYTES,
        2 * len(image),
        lambda i: {"index": i, "code_index": i, "status": "passed", "outputs": [output], "saved_outputs": [output]},
    )
    return json_body({"cells": cells})


def large_log_body() -> bytes:
    png = base64.b64encode(
        b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + b"\0\0\0\x02\0\0\0\x02" + os.urandom(400_000)
    ).decode()
    images = fill(handlers.MAX_LOG_BODY_BYTES // 2, len(png), lambda i: {"key": f"image {i}", "png_base64": png})
    values = list(range(handlers.MAX_LOG_BODY_BYTES // 2 // 12))
    return json_body(
        {"images": images, "metrics": [{"key": "loss", "values": values}], "parameters_source": "lr = 0.1\n" * 20000}
    )


def large_batch() -> tuple[bytes, list[str]]:
    """Two blobs as large as an object may be, stored uncompressed (level 0) so that building them is quick."""
    objects = []
    for _ in range(2):
        content = os.urandom(64) * ((gitfs.MAX_BATCH_BYTES // 2 - 2**20) // 64)
        raw = b"blob %d\0" % len(content) + content
        objects.append((hashlib.sha1(raw).hexdigest(), zlib.compress(raw, 0)))
    header = json.dumps({"objects": [{"oid": oid, "size": len(data)} for oid, data in objects]}).encode()
    return struct.pack(">I", len(header)) + header + b"".join(data for _, data in objects), [oid for oid, _ in objects]


def check(latencies: list[float], status: int, expected: int, what: str) -> None:
    """Most status requests (95 %) within 100 ms, and none held up for a whole large request (1 s).

    Single answers beyond 100 ms remain on a 2-core machine, where the client sending or
    reading a quarter of a gigabyte, the server and its worker process share two CPUs.
    """
    assert status == expected, what
    assert latencies, f"{what}: no status request was answered while it was served"
    ordered = sorted(latencies)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    assert p95 <= STATUS_LIMIT_MS, f"{what}: 95th percentile of GET /api/status {p95:.0f} ms"
    assert ordered[-1] <= STATUS_MAX_MS, f"{what}: GET /api/status took {ordered[-1]:.0f} ms"


def test_status_answers_while_the_largest_requests_are_served(server, run_id, validation_id):
    cases = [
        ("POST", f"{API}/validations/{validation_id}/cells", large_cells_body(), 200),
        ("GET", f"{API}/validations/{validation_id}", None, 200),
        ("GET", f"{API}/validations/{validation_id}/junit", None, 200),
        ("GET", f"{API}/validations?limit=200", None, 200),
        ("POST", f"{API}/runs/{run_id}/log", large_log_body(), 204),
        ("GET", f"{API}/runs/{run_id}/metrics/loss?max_points={handlers.MAX_SERIES_POINTS}", None, 200),
        ("GET", f"{API}/runs/{run_id}", None, 200),
        ("GET", f"{API}/runs?limit={base.MAX_LIMIT}", None, 200),
        ("POST", f"{API}/runs", json_body({"name": "n" * (base.MAX_BODY_BYTES - 100)}), 201),
        ("POST", f"{API}/git/missing", json_body({"oids": ["%040x" % i for i in range(gitfs.MAX_OBJECTS)]}), 200),
        ("POST", f"{API}/git/objects", json_body({"oids": ["%040x" % i for i in range(gitfs.MAX_OBJECTS)]}), 200),
    ]
    batch, oids = large_batch()
    cases += [
        ("POST", f"{API}/git/batch", batch, 200),
        ("POST", f"{API}/git/objects", json_body({"oids": oids * 1000}), 200),
        ("GET", f"{API}/git/objects/{oids[0]}", None, 200),
        ("GET", f"{API}/git/log/{NOTEBOOK}", None, 200),
    ]
    failures = []
    for method, path, body, expected in cases:
        status, latencies = status_latencies_while(server, method, path, body)
        try:
            check(latencies, status, expected, f"{method} {path[:60]}")
        except AssertionError as error:
            failures.append(str(error))
    assert failures == [], "\n".join(failures)
