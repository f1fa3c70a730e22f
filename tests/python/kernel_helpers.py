"""Helpers for the logging-client tests: real kernels, child processes and tiny PNGs."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import textwrap
import time
import zlib
from pathlib import Path
from typing import Callable

REPO_ROOT = Path(__file__).resolve().parents[2]


def tiny_png(width: int = 2, height: int = 1) -> bytes:
    """A valid grey PNG made with the standard library only."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = b"".join(b"\x00" + bytes(range(width)) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def child_env(store_dir: Path | None = None) -> dict:
    """The environment of a child process that imports this checkout and logs to ``store_dir``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    if store_dir is not None:
        env["JUPYTERLAB_EXPERIMENTS_DIR"] = str(store_dir)
    return env


def run_script(tmp_path: Path, source: str, store_dir: Path, name: str = "train.py") -> subprocess.CompletedProcess:
    script = tmp_path / name
    script.write_text(textwrap.dedent(source))
    return subprocess.run(
        [sys.executable, str(script)],
        check=False,
        cwd=tmp_path,
        env=child_env(store_dir),
        capture_output=True,
        text=True,
        timeout=60,
    )


def wait_for(condition: Callable[[], object], timeout: float = 10.0, interval: float = 0.05):
    """The first truthy value of ``condition()``; AssertionError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


class Kernel:
    """A real ipykernel whose Python imports this checkout."""

    def __init__(self, cwd: Path, env: dict | None = None):
        from jupyter_client import KernelManager

        self.manager = KernelManager(kernel_name="python3")
        self.manager.start_kernel(cwd=str(cwd), env=env or child_env())
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=30)

    def execute(
        self,
        code: str,
        cell_id: str | None = None,
        silent: bool = False,
        timeout: float = 20,
    ) -> dict:
        """Run ``code`` as JupyterLab runs a cell (``metadata.cellId``) or, ``silent``, as it runs
        its own requests; return {"reply", "outputs"} with this request's iopub messages."""
        content = {
            "code": code,
            "silent": silent,
            "store_history": not silent,
            "user_expressions": {},
            "allow_stdin": False,
            "stop_on_error": True,
        }
        metadata = {"cellId": cell_id} if cell_id else {}
        message = self.client.session.msg("execute_request", content, metadata=metadata)
        self.client.shell_channel.send(message)
        return self._collect(message["header"]["msg_id"], timeout)

    def _collect(self, msg_id: str, timeout: float) -> dict:
        reply = self.client.get_shell_msg(timeout=timeout)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = self.client.get_shell_msg(timeout=timeout)
        outputs = []
        while True:
            message = self.client.get_iopub_msg(timeout=timeout)
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
                break
            outputs.append(message)
        if reply["content"]["status"] != "ok":
            content = reply["content"]
            raise AssertionError(
                f"{content.get('ename')}: {content.get('evalue')}\n" + "\n".join(content.get("traceback", []))
            )
        return {"reply": reply, "outputs": outputs}

    @property
    def pid(self) -> int:
        return self.manager.provisioner.process.pid

    def shutdown(self) -> None:
        """A clean shutdown, as when a notebook is closed: the kernel runs its exit handlers."""
        if self.manager.is_alive():
            self.client.stop_channels()
            self.manager.shutdown_kernel(now=False)
