"""The handler base class of the REST API and how errors become HTTP statuses.

Every handler is thin: it parses its request (``validation``), runs the work
off the event loop (SQLite and the checkpoint repository block: a long series
or a write waiting on another process's lock must not stall the server) and
writes JSON (``jsonio``). Every verb requires an authenticated user.
"""

from __future__ import annotations

import functools
import json
import re
import time
from typing import Any, Callable, Optional
from urllib.parse import quote

from jupyter_server.base.handlers import APIHandler
from tornado import web
from tornado.ioloop import IOLoop

from ..checkpoints import ObjectTooLarge, RefLocked
from ..common.jsonvalues import MAX_JSON_DEPTH, check_json
from ..common.paths import OutsideRoot
from ..store import RunConflict, RunNotFound, Store
from .jsonio import dumps
from .validation import BadRequest, TooLarge

SERVER_TIME_HEADER = "X-Experiments-Server-Time"
MAX_LIMIT = 1000
# A JSON body beyond this is a 413 unless its handler allows more (bodies are parsed in a worker
# thread, but parsing holds the interpreter's lock: the bound keeps other requests answered).
MAX_BODY_BYTES = 16 * 2**20

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
            return error(status, str(exception))
    return None


async def in_thread(method: Callable, *args: Any, **kwargs: Any) -> Any:
    """``method(*args, **kwargs)`` in the server's thread pool."""
    return await IOLoop.current().run_in_executor(None, functools.partial(method, *args, **kwargs))


def parse_json_body(body: bytes, empty: Any, parse: Callable, *args: Any) -> Any:
    """``parse(value, *args)`` for the JSON ``body`` (``empty`` when there is none); ``BadRequest`` says what is wrong.

    Nothing nested deeper than ``MAX_JSON_DEPTH`` gets past: every reader of what
    is stored (the reports, the JSON encoder, the browser) can walk it.
    """
    if not body:
        return parse(empty, *args)
    try:
        value = json.loads(body)
    except RecursionError:
        raise BadRequest(f"body: nested deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError as exception:
        raise BadRequest(f"body is not valid JSON: {exception}") from None
    try:
        check_json(value, "body")
    except ValueError as exception:
        raise BadRequest(str(exception)) from None
    return parse(value, *args)


class ApiHandler(APIHandler):
    auth_resource = "experiments"
    # Beyond this a JSON body is refused with a 413.
    max_body_bytes: int = MAX_BODY_BYTES

    def initialize(self) -> None:
        self._started = time.perf_counter()

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
        size = len(self.request.body)
        if size > self.max_body_bytes:
            raise error(413, f"body: {size} bytes, more than the limit of {self.max_body_bytes}")
        try:
            return await in_thread(parse_json_body, self.request.body, empty, parse, *args)
        except BadRequest as exception:
            raise http_error(exception) from None

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
            self.finish(json.dumps({"message": message, "reason": exception.reason}))
        else:
            super().write_error(status_code, **kwargs)

    async def reply(self, value: Any, status: int = 200) -> None:
        """``value`` as JSON, encoded in a worker thread (a report or a series may be megabytes)."""
        text = await in_thread(dumps, value)
        self.set_status(status)
        self.finish(text)

    def attachment(self, filename: str) -> None:
        """Have the browser save the reply as ``filename``."""
        plain = re.sub(r'[^\x20-\x7e]|["\\]', "_", filename)
        value = f'attachment; filename="{plain}"'
        if plain != filename:
            value += f"; filename*=UTF-8''{quote(filename, safe='')}"
        self.set_header("Content-Disposition", value)

    def finish(self, *args: Any, **kwargs: Any) -> Any:
        # Time spent in the server for this request, for benchmarks and the browser's devtools.
        self.set_header(SERVER_TIME_HEADER, f"{(time.perf_counter() - self._started) * 1000:.2f}")
        return super().finish(*args, **kwargs)
