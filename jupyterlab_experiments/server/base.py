"""The handler base class of the REST API and how errors become HTTP statuses.

Every handler is thin: it parses its request (``validation``), runs the work
off the event loop (SQLite and the checkpoint repository block: a long series
or a write waiting on another process's lock must not stall the server) and
writes JSON (``jsonio``). Every verb requires an authenticated user.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import re
import tempfile
import time
from typing import Any, Callable, Optional, Sequence, Union
from urllib.parse import quote

from jupyter_server.base.handlers import APIHandler
from tornado import web
from tornado.ioloop import IOLoop

from ..checkpoints import ObjectTooLarge, RefLocked
from ..common.paths import OutsideRoot
from ..store import RunConflict, RunNotFound, Store
from ..store.query import QuerySyntaxError
from . import work
from .jsonio import dumps
from .validation import BadRequest, TooLarge, parse_json_body

SERVER_TIME_HEADER = "X-Experiments-Server-Time"
MAX_LIMIT = 1000
# A JSON body beyond this is a 413 unless its handler allows more (bodies are parsed in a worker
# thread, but parsing holds the interpreter's lock: the bound keeps other requests answered).
MAX_BODY_BYTES = 2**20
# Large replies are written a piece at a time, so that other requests are answered in between.
REPLY_CHUNK_BYTES = 2**20

# What a refused request is answered with, first match wins. The store and the
# repository raise ``ValueError`` only for input they refuse, so that is the
# caller's mistake (400), like an unknown run or key (404); a run that cannot
# take the write in its state is a conflict (409).
ERROR_STATUSES: tuple[tuple[type[BaseException], int], ...] = (
    (RunConflict, 409),
    (OutsideRoot, 403),
    (RunNotFound, 404),
    (KeyError, 404),
    (TooLarge, 413),
    (ObjectTooLarge, 413),
    (RefLocked, 503),
    (ValueError, 400),
)


def error(status: int, message: str) -> web.HTTPError:
    # Tornado %-formats an HTTPError's message when it logs it: a metric key with
    # a '%' in it must travel as an argument, not as the format.
    return web.HTTPError(status, "%s", message)


def http_error(exception: BaseException) -> Optional[web.HTTPError]:
    """The HTTP error ``exception`` stands for (``ERROR_STATUSES``), or None when it is a fault of the server."""
    for kind, status in ERROR_STATUSES:
        if isinstance(exception, kind):
            if isinstance(exception, RunNotFound):
                return error(status, f"run {exception.args[0]!r} not found")
            if isinstance(exception, KeyError) and exception.args:
                return error(status, str(exception.args[0]))  # str() of a KeyError quotes its message
            mapped = error(status, str(exception))
            if isinstance(exception, QuerySyntaxError):
                # Where in the query, so that the filter box can point at it.
                mapped.fields = query_error_fields(exception)  # type: ignore[attr-defined]
            return mapped
    return None


def query_error_fields(exception: QuerySyntaxError) -> dict:
    """What a 400 for a query says besides its message: the position in the text of ``argument``."""
    fields = {"position": exception.position, "found": exception.found, "expected": exception.expected}
    if exception.argument is not None:
        fields["argument"] = exception.argument
    return fields


async def in_thread(method: Callable, *args: Any, **kwargs: Any) -> Any:
    """``method(*args, **kwargs)`` in the server's thread pool."""
    return await IOLoop.current().run_in_executor(None, functools.partial(method, *args, **kwargs))


class ApiHandler(APIHandler):
    auth_resource = "experiments"
    # Beyond this a JSON body is refused with a 413.
    max_body_bytes: int = MAX_BODY_BYTES

    def initialize(self) -> None:
        self._started = time.perf_counter()
        self._piece_buffered = False

    @property
    def store(self) -> Store:
        return self.settings["experiments_store"]

    async def call(self, method: Callable, *args: Any, **kwargs: Any) -> Any:
        """Run ``method`` in a worker thread; the errors of ``ERROR_STATUSES`` become their status."""
        try:
            return await in_thread(method, *args, **kwargs)
        except Exception as exception:
            mapped = http_error(exception)
            if mapped is None:
                raise
            raise mapped from None

    async def parse_body(self, parse: Callable, *args: Any, empty: Any = None) -> Any:
        """``parse(body, *args)`` for the JSON body (bare NaN/Infinity accepted), in a worker thread;
        400 says what is wrong, 413 what is too large."""
        body = self.body()
        if len(body) > self.max_body_bytes:
            raise error(413, f"body: {len(body)} bytes, more than the limit of {self.max_body_bytes}")
        try:
            return await in_thread(parse_json_body, body, empty, parse, *args)
        except BadRequest as exception:
            raise http_error(exception) from None

    def body(self) -> bytes:
        return self.request.body

    def int_argument(self, name: str, default: Optional[int], low: int, high: int) -> Optional[int]:
        text = self.get_query_argument(name, None)
        if text is None or text == "":
            return default
        try:
            value = int(text)
        except ValueError:
            raise error(400, f"{name}: expected an integer, got {text!r}") from None
        if not low <= value <= high:
            raise error(400, f"{name}: expected {low} to {high}, got {value}")
        return value

    def checked(self, check: Callable[..., str], *args: Any) -> str:
        """``check(*args)``, its ``ValueError`` a 400."""
        try:
            return check(*args)
        except ValueError as exception:
            raise error(400, str(exception)) from None

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exception = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exception, web.HTTPError) and exception.log_message:
            message = exception.log_message % exception.args if exception.args else exception.log_message
            body = {"message": message, "reason": exception.reason, **getattr(exception, "fields", {})}
            self.finish(json.dumps(body))
        else:
            super().write_error(status_code, **kwargs)

    async def reply(self, value: Any, status: int = 200) -> None:
        """``value`` as JSON, encoded in a worker thread (a series or a run may be megabytes)."""
        data = await in_thread(lambda: dumps(value).encode())
        self.set_status(status)
        await self.send(data, "application/json")

    async def send(self, data: Union[bytes, Sequence[bytes]], content_type: str) -> None:
        """Finish with ``data`` (or its parts, one after the other); beyond ``REPLY_CHUNK_BYTES`` it is
        written a piece at a time (a small reply goes whole, with its Content-Length)."""
        self.set_header("Content-Type", content_type)
        self.set_server_time()
        for part in [data] if isinstance(data, bytes) else data:
            view = memoryview(part)
            for start in range(0, len(view), REPLY_CHUNK_BYTES):
                await self._write_piece(bytes(view[start : start + REPLY_CHUNK_BYTES]))
        self.finish(set_content_type=content_type)

    async def send_file(self, path: str, content_type: str) -> None:
        """``send`` the content of the temporary file at ``path``, read a piece at a time; the file is deleted."""
        self.set_header("Content-Type", content_type)
        self.set_server_time()
        try:
            with open(path, "rb") as file:
                while True:
                    piece = await in_thread(file.read, REPLY_CHUNK_BYTES)
                    if not piece:
                        break
                    await self._write_piece(piece)
        finally:
            os.unlink(path)
        self.finish(set_content_type=content_type)

    async def _write_piece(self, piece: bytes) -> None:
        # What is buffered goes out before the next piece joins it: other requests are answered in between.
        if self._piece_buffered:
            await self.flush()
        self.write(piece)
        self._piece_buffered = True

    async def in_worker(self, function: Callable, *args: Any) -> Any:
        """``function(store_dir, *args)`` in the worker process (``work``); its errors as in ``call``."""
        try:
            return await work.in_worker(function, self.settings["experiments_store_dir"], *args)
        except Exception as exception:
            mapped = http_error(exception)
            if mapped is None:
                raise
            raise mapped from None

    def set_server_time(self) -> None:
        # Time spent in the server for this request (until its first byte), for benchmarks and devtools.
        self.set_header(SERVER_TIME_HEADER, f"{(time.perf_counter() - self._started) * 1000:.2f}")

    def attachment(self, filename: str) -> None:
        """Have the browser save the reply as ``filename``."""
        plain = re.sub(r'[^\x20-\x7e]|["\\]', "_", filename)
        value = f'attachment; filename="{plain}"'
        if plain != filename:
            value += f"; filename*=UTF-8''{quote(filename, safe='')}"
        self.set_header("Content-Disposition", value)

    def finish(self, *args: Any, **kwargs: Any) -> Any:
        if not self._headers_written:
            self.set_server_time()
        return super().finish(*args, **kwargs)


@web.stream_request_body
class StreamedBodyHandler(ApiHandler):
    """A handler of large JSON bodies, which arrive a piece at a time.

    A body announced beyond ``max_body_bytes`` is refused (413) before it is read.
    The event loop turns between pieces, so a body arriving faster than it is read
    never holds up other requests. Up to ``spill_bytes`` a body stays in memory and
    is parsed in a thread; beyond, it goes to a temporary file, which the worker
    process parses (``spilled_body``). A handler that parses every body itself
    sets ``spill_bytes`` to None.
    """

    spill_bytes: Optional[int] = work.IN_PROCESS_BODY_BYTES

    def initialize(self) -> None:
        super().initialize()
        self._memory = bytearray()
        self._spill: Optional[tuple[str, Any]] = None

    async def prepare(self) -> None:
        await super().prepare()
        if self.request.method not in ("POST", "PATCH"):
            return
        # @web.authenticated decides only once the body has arrived: an anonymous
        # client must not get to send megabytes first.
        if not self.current_user:
            raise web.HTTPError(403)
        length = self.request.headers.get("Content-Length")
        if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
            raise error(413, f"body: {int(length)} bytes, more than the limit of {self.max_body_bytes}")
        self.request.connection.set_max_body_size(self.max_body_bytes)

    async def data_received(self, chunk: bytes) -> None:
        if self._spill is None and self.spill_bytes is not None and len(self._memory) + len(chunk) > self.spill_bytes:
            fd, path = tempfile.mkstemp(prefix="jupyterlab-experiments-", suffix=".body")
            self._spill = (path, os.fdopen(fd, "wb"))
            self._spill[1].write(self._memory)
            self._memory = bytearray()
        if self._spill is None:
            self._memory += chunk
        else:
            self._spill[1].write(chunk)
        await asyncio.sleep(0)

    def body(self) -> bytes:
        return bytes(self._memory)

    def spilled_body(self) -> Optional[str]:
        """The path of the temporary file holding the body, now the caller's to delete; None for a body in memory."""
        if self._spill is None:
            return None
        path, file = self._spill
        self._spill = None
        file.close()
        return path

    def on_finish(self) -> None:
        self._discard_spill()

    def on_connection_close(self) -> None:
        self._discard_spill()
        super().on_connection_close()

    def _discard_spill(self) -> None:
        path = self.spilled_body()
        if path is not None:
            os.unlink(path)
