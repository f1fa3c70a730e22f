from __future__ import annotations

import atexit
import importlib
import json
import os
import shutil
import struct
import sys
import tempfile
import zlib

# Hypothesis keeps a cache (and, unless told not to, an example database) in ./.hypothesis: not in the clone.
os.environ.setdefault(
    "HYPOTHESIS_STORAGE_DIRECTORY", os.path.join(tempfile.gettempdir(), "jupyterlab-experiments-hypothesis")
)

import pytest  # noqa: E402

from jupyterlab_experiments.store import ENV_VAR

pytest_plugins = ("pytest_jupyter.jupyter_server",)

API = "experiments/api"
# CI has every test dependency (the `test` extra, git): there a missing one is an error, not a skip.
IN_CI = os.environ.get("CI", "").lower() == "true"


def require(module: str):
    """Import ``module`` for a test; without it the test is skipped locally and fails under CI."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        _missing(f"{module} cannot be imported ({error})")


def require_executable(name: str) -> str:
    """The path of the command ``name``; without it the test is skipped locally and fails under CI."""
    path = shutil.which(name)
    if path is None:
        _missing(f"the {name} command is not on PATH")
    return path


def _missing(what: str) -> None:
    if IN_CI:
        pytest.fail(f"{what}: CI=true, so every test dependency must be installed", pytrace=False)
    pytest.skip(f"{what} (a failure under CI=true)", allow_module_level=True)


@pytest.fixture(autouse=True)
def _no_store_dir_from_environment(monkeypatch):
    """Start every test without ``$JUPYTERLAB_EXPERIMENTS_DIR``.

    The server extension exports its store location for the kernels it starts;
    without this, one test's server would decide where the next test logs.
    """
    monkeypatch.setenv(ENV_VAR, "")  # records the original value, restored after the test
    monkeypatch.delenv(ENV_VAR)


@pytest.fixture
def store_dir(tmp_path):
    """Where the test server keeps its store (outside its root dir, as ``c.Experiments.store_dir`` allows)."""
    return tmp_path / "experiments-store"


def tracker_store_dir(tmp_path):
    """Where the ``tracker`` fixture's store is."""
    return tmp_path / "store"


@pytest.fixture
def tracker(tmp_path, monkeypatch):
    """A ``jx`` tracker of its own (flushing every 50 ms) on a store of its own, closed after."""
    from jupyterlab_experiments.client import Tracker

    monkeypatch.setenv("JUPYTERLAB_EXPERIMENTS_DIR", str(tracker_store_dir(tmp_path)))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    tracker = Tracker(flush_interval=0.05)
    yield tracker
    tracker.close()
    atexit.unregister(tracker._at_exit)


@pytest.fixture
def allow_unauthenticated():
    """ServerApp.allow_unauthenticated_access; parametrize a test over it to override."""
    return False


@pytest.fixture
def jp_server_config(store_dir, allow_unauthenticated):
    return {
        "ServerApp": {
            "jpserver_extensions": {"jupyterlab_experiments": True, "jupyter_server_terminals": False},
            "allow_unauthenticated_access": allow_unauthenticated,
        },
        "Experiments": {"store_dir": str(store_dir)},
    }


@pytest.fixture
def jp_serverapp(jp_serverapp):
    """pytest-jupyter's server, whose store connections are closed after the test."""
    yield jp_serverapp
    jp_serverapp.web_app.settings["experiments_store"].close()


@pytest.fixture
def server_store(jp_serverapp):
    """The store the test server's extension opened."""
    return jp_serverapp.web_app.settings["experiments_store"]


def strict_json(text):
    """Parse as a browser would: bare NaN/Infinity tokens are an error."""

    def refuse(token):
        raise ValueError(f"bare {token} in JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture
def fetch(jp_fetch, jp_asyncio_loop):
    """``jp_fetch`` made synchronous (for the REST API's tests).

    The tests are plain functions that run each request on pytest-jupyter's loop,
    where the server lives: pytest-asyncio (auto mode) would run async tests on a
    loop of its own, which the server never sees.
    """
    return lambda *parts, **kwargs: jp_asyncio_loop.run_until_complete(jp_fetch(*parts, **kwargs))


@pytest.fixture
def fetch_answer(jp_fetch, jp_asyncio_loop):
    """``fetch`` that returns an error answer instead of raising it (for the status tests)."""
    return lambda *parts, **kwargs: jp_asyncio_loop.run_until_complete(
        jp_fetch(*parts, **{"raise_error": False, **kwargs})
    )


@pytest.fixture
def api(fetch):
    """``api(method, *path, body=..., params=...) -> (status, json or bytes)``; errors do not raise."""

    def call(method, *path, body=None, params=None, raw_body=None, headers=None):
        kwargs = {"method": method, "raise_error": False, "params": params, "headers": headers}
        if raw_body is not None:
            kwargs["body"] = raw_body
        elif body is not None:
            kwargs["body"] = json.dumps(body)
        elif method in ("POST", "PATCH"):
            kwargs["body"] = b""
        response = fetch(API, *path, **kwargs)
        content_type = response.headers.get("Content-Type", "")
        if response.code == 204 or not response.body:
            return response.code, None
        if content_type.startswith("application/json"):
            return response.code, strict_json(response.body)
        return response.code, response.body

    return call


@pytest.fixture
def run(api):
    """A notebook run created through the API."""
    status, run = api("POST", "runs", body={"name": "r1", "notebook_path": "a.ipynb", "notebook_id": "nb-1"})
    assert status == 201
    return run


def png_bytes(width: int = 3, height: int = 2, shade: int = 0) -> bytes:
    """A valid RGB PNG; different ``shade`` values give different bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes((shade + x) % 256 for x in range(width * 3)) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@pytest.fixture
def make_png():
    return png_bytes


def property_settings(max_examples: int):
    """Hypothesis settings for the property tests: the same examples on every run (CI stays
    stable), no example database in the clone, no deadline on a loaded machine."""
    from hypothesis import HealthCheck, settings

    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
    )
