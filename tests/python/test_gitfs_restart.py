"""A Jupyter server killed (SIGKILL) in the middle of a checkpoint batch, then restarted.

A real ``jupyter server`` process with the extension; the client is a raw HTTP
connection, so the test decides where the batch is when the server dies: half
sent, or received and half written. Afterwards the notebook's ref is intact
(at the previous checkpoint), ``git fsck --strict`` is clean, and the batch is
either fully visible through the ref or not at all; the client's retry on the
restarted server lands it whole.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_checkpoints_repository import REF, checkpoint, commit, fsck_problems, git, loose_object, trailer_message, tree
from test_gitfs import batch_body, ref_update

TOKEN = "restart-test-token"
BATCH_PATH = "/experiments/api/git/batch"
BLOBS = 5000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """``jupyter server`` in a child process, on its own port, store and runtime folder."""

    def __init__(self, tmp_path: Path):
        self.port = free_port()
        self.store = tmp_path / "store"
        config = tmp_path / "jupyter_server_config.json"
        config.write_text(
            json.dumps(
                {
                    "ServerApp": {
                        "port": self.port,
                        "port_retries": 0,
                        "ip": "127.0.0.1",
                        "open_browser": False,
                        "allow_root": True,
                        "root_dir": str(tmp_path),
                        "jpserver_extensions": {"jupyterlab_experiments": True},
                    },
                    "IdentityProvider": {"token": TOKEN},
                    "Experiments": {"store_dir": str(self.store)},
                }
            )
        )
        self.command = [sys.executable, "-m", "jupyter_server", f"--config={config}"]
        self.env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
        self.log = tmp_path / "server.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(self.command, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if self.request("GET", "/experiments/api/info")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"the server did not start:\n{self.log.read_text()}")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        connection = self.connection()
        try:
            connection.request(method, path, body=body, headers=self.headers(body))
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    @staticmethod
    def headers(body: bytes | None) -> dict[str, str]:
        headers = {"Authorization": f"token {TOKEN}"}
        if body is not None:
            headers.update({"Content-Type": "application/octet-stream", "Content-Length": str(len(body))})
        return headers


@pytest.fixture
def server(tmp_path):
    process = ServerProcess(tmp_path)
    process.start()
    yield process
    if process.process and process.process.poll() is None:
        process.kill()


def large_checkpoint(parent: str) -> tuple[str, list[tuple[str, bytes]]]:
    """A checkpoint of many incompressible blobs, blobs first and the commit last, as the browser sends them."""
    blobs = [loose_object("blob", os.urandom(4096)) for _ in range(BLOBS)]
    root = loose_object("tree", tree(*(("100644", f"b{i:05d}", oid) for i, (oid, _) in enumerate(blobs))))
    top = loose_object("commit", commit(root[0], [parent], trailer_message(count=2)))
    return top[0], [*blobs, root, top]


def stored(repo: Path, objects: list[tuple[str, bytes]]) -> int:
    return sum((repo / "objects" / oid[:2] / oid[2:]).exists() for oid, _ in objects)


def ref_value(repo: Path) -> str:
    return git(repo, "rev-parse", "--verify", REF).stdout.strip()


def test_a_server_killed_mid_batch_leaves_the_ref_intact_and_the_batch_all_or_nothing(server, tmp_path):
    repo = server.store / "checkpoints.git"
    first, objects = checkpoint()
    status, _ = server.request("POST", BATCH_PATH, batch_body(objects, ref_update(first)))
    assert status == 200
    second, batch = large_checkpoint(first)
    body = batch_body(batch, ref_update(second, old=first))

    # 1. Killed while the body is half sent: nothing of the batch is written.
    connection = server.connection()
    connection.putrequest("POST", BATCH_PATH)
    for name, value in server.headers(body).items():
        connection.putheader(name, value)
    connection.endheaders()
    connection.send(body[: len(body) // 2])
    server.kill()
    connection.close()
    assert ref_value(repo) == first
    assert stored(repo, batch) == 0
    assert fsck_problems(repo) == []

    # 2. Killed once the body has arrived and the first objects are written:
    # some objects are on disk, but the ref still names the previous checkpoint.
    server.start()
    connection = server.connection()
    connection.request("POST", BATCH_PATH, body=body, headers=server.headers(body))
    first_object = repo / "objects" / batch[0][0][:2] / batch[0][0][2:]
    deadline = time.monotonic() + 60
    while not first_object.exists():
        assert time.monotonic() < deadline, "the server wrote nothing of the batch"
        time.sleep(0.001)
    server.kill()
    connection.close()
    written = stored(repo, batch)
    assert 0 < written < len(batch), f"{written} of {len(batch)} objects: the kill did not land mid-batch"
    assert ref_value(repo) == first
    assert not list((repo / "refs" / "notebooks").glob("*.lock"))
    assert fsck_problems(repo) == []
    assert git(repo, "log", "--format=%H", REF).stdout.split() == [first]

    # 3. The client's retry on the restarted server lands the batch whole.
    server.start()
    status, reply = server.request("POST", BATCH_PATH, body)
    assert status == 200, reply
    assert ref_value(repo) == second
    assert stored(repo, batch) == len(batch)
    assert fsck_problems(repo) == []
    assert git(repo, "log", "--format=%H", REF).stdout.split() == [second, first]
    listed = git(repo, "rev-list", "--objects", REF).stdout.split()
    assert {oid for oid, _ in batch} <= set(listed)


def test_a_server_killed_while_holding_a_ref_lock_writes_at_once_after_a_restart(server):
    repo = server.store / "checkpoints.git"
    first, objects = checkpoint()
    assert server.request("POST", BATCH_PATH, batch_body(objects, ref_update(first)))[0] == 200
    # Killed between creating the ref's lock and renaming it over the ref: the
    # lock stays behind (the kill cannot be timed to that millisecond, so the
    # lock is left as the dead process would have left it).
    server.kill()
    lock = repo / (REF + ".lock")
    lock.write_text(first + "\n")

    server.start()
    second, batch = large_checkpoint(first)
    status, reply = server.request("POST", BATCH_PATH, batch_body(batch, ref_update(second, old=first)))
    assert status == 200, reply
    assert ref_value(repo) == second
    assert not lock.exists()
    assert fsck_problems(repo) == []
