"""REST handlers under ``{base_url}experiments/api/``.

Thin: each parses its request (``validation``), makes one store call off the
event loop and writes JSON (``jsonio``). Every verb requires an authenticated
user. Store calls run in a thread pool because SQLite blocks: a long series or a
write waiting on another process's lock must not stall the server.
"""

from __future__ import annotations

import functools
import json
import re
import time
from typing import Any, Callable, Optional
from urllib.parse import quote

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web
from tornado.ioloop import IOLoop

from .. import __version__
from ..store import RunConflict, RunNotFound, Store
from ..store.sqlite import RUN_STATUSES
from .jsonio import dumps
from .reports import export_filename, junit_xml, validation_report, validation_summary
from .validation import (
    BadRequest,
    parse_log_body,
    parse_new_run,
    parse_new_validation,
    parse_run_patch,
    parse_validation_cells,
    parse_validation_end,
)

SERVER_TIME_HEADER = "X-Experiments-Server-Time"
MAX_LIMIT = 1000
# A validation's cells carry their saved and fresh outputs (images included) in one request.
MAX_VALIDATION_BODY_BYTES = 64 * 2**20


class _Handler(APIHandler):
    auth_resource = "experiments"
    # Beyond this a body is refused with a 413 (None: only ServerApp.max_body_size applies).
    max_body_bytes: Optional[int] = None

    def initialize(self) -> None:
        self._started = time.perf_counter()

    @property
    def store(self) -> Store:
        return self.settings["experiments_store"]

    async def call(self, method: Callable, *args: Any, **kwargs: Any) -> Any:
        """Run a store method in a worker thread; its errors become 404, 409 or 400.

        The store raises ``ValueError`` only for input it refuses, so that is the
        caller's mistake (400), like an unknown run or key (404); a run that cannot
        take the write in its state is a conflict (409).
        """
        try:
            return await IOLoop.current().run_in_executor(None, functools.partial(method, *args, **kwargs))
        except RunConflict as error:
            raise _error(409, str(error)) from None
        except RunNotFound as error:
            raise _error(404, f"run {error.args[0]!r} not found") from None
        except KeyError as error:
            raise _error(404, str(error.args[0])) from None
        except ValueError as error:
            raise _error(400, str(error)) from None

    def parse_body(self, parse: Callable, *args: Any, empty: Any = None) -> Any:
        """``parse(body, *args)`` for the JSON body (bare NaN/Infinity accepted); 400 says what is wrong."""
        size = len(self.request.body)
        if self.max_body_bytes is not None and size > self.max_body_bytes:
            raise _error(413, f"body: {size} bytes, more than the limit of {self.max_body_bytes}")
        try:
            body = json.loads(self.request.body) if self.request.body else empty
        except ValueError as error:
            raise _error(400, f"body is not valid JSON: {error}") from None
        try:
            return parse(body, *args)
        except BadRequest as error:
            raise _error(400, str(error)) from None

    def int_argument(self, name: str, default: Optional[int], low: int, high: int) -> Optional[int]:
        text = self.get_query_argument(name, None)
        if text is None or text == "":
            return default
        try:
            value = int(text)
        except ValueError:
            raise _error(400, f"{name}: expected an integer, got {text!r}") from None
        if not low <= value <= high:
            raise _error(400, f"{name}: expected {low} to {high}, got {value}")
        return value

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        error = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(error, web.HTTPError) and error.log_message:
            message = error.log_message % error.args if error.args else error.log_message
            self.finish(json.dumps({"message": message, "reason": error.reason}))
        else:
            super().write_error(status_code, **kwargs)

    def reply(self, value: Any, status: int = 200) -> None:
        self.set_status(status)
        self.finish(dumps(value))

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


class InfoHandler(_Handler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.reply({"store_dir": self.settings["experiments_store_dir"], "version": __version__})


class RunsHandler(_Handler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        status = self.get_query_argument("status", None) or None
        if status is not None and status not in RUN_STATUSES:
            raise _error(400, f"status: expected one of {', '.join(RUN_STATUSES)}, got {status!r}")
        runs, total = await self.call(
            self.store.list_runs,
            limit=self.int_argument("limit", 50, 1, MAX_LIMIT),
            offset=self.int_argument("offset", 0, 0, 2**62),
            notebook_id=self.get_query_argument("notebook_id", None) or None,
            status=status,
        )
        self.reply({"runs": runs, "total": total})

    @web.authenticated
    @authorized
    async def post(self) -> None:
        fields = self.parse_body(parse_new_run, empty={})
        user = getattr(self.current_user, "username", None)
        self.reply(await self.call(self.store.create_run, user=user, **fields), status=201)


class RunHandler(_Handler):
    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        self.reply(await self.call(self.store.get_run, run_id))

    @web.authenticated
    @authorized
    async def patch(self, run_id: str) -> None:
        update, end = self.parse_body(parse_run_patch)
        if end is not None:
            await self.call(self.store.end_run, run_id, **end)
        self.reply(await self.call(self.store.update_run, run_id, **update))


class MetricHandler(_Handler):
    @web.authenticated
    @authorized
    async def get(self, run_id: str, key: str) -> None:
        max_points = self.int_argument("max_points", None, 2, 10_000_000)
        self.reply(await self.call(self.store.get_metric_series, run_id, key, max_points))


class LogHandler(_Handler):
    """The relay path: batches from kernels that cannot write the store themselves."""

    @web.authenticated
    @authorized
    async def post(self, run_id: str) -> None:
        batch = self.parse_body(parse_log_body, _parse_parameters)
        await self.call(self.store.log_batch, run_id, batch)
        self.set_status(204)
        self.finish()


class ImageHandler(_Handler):
    @web.authenticated
    @authorized
    async def get(self, run_id: str, image_id: str) -> None:
        png = await self.call(self.store.get_image, run_id, image_id)
        # An image id always names the same bytes.
        self.set_header("Cache-Control", "private, max-age=31536000, immutable")
        self.finish(png, set_content_type="image/png")


class ValidationsHandler(_Handler):
    max_body_bytes = MAX_VALIDATION_BODY_BYTES

    @web.authenticated
    @authorized
    async def get(self) -> None:
        validations = await self.call(
            self.store.list_validations,
            notebook_id=self.get_query_argument("notebook_id", None) or None,
            notebook_path=self.get_query_argument("notebook_path", None) or None,
            limit=self.int_argument("limit", 20, 1, 200),
        )
        self.reply({"validations": [validation_summary(validation) for validation in validations]})

    @web.authenticated
    @authorized
    async def post(self) -> None:
        fields = self.parse_body(parse_new_validation)
        user = getattr(self.current_user, "username", None)
        validation = await self.call(self.store.create_validation, user=user, **fields)
        self.reply({"run_id": validation["run_id"]}, status=201)


class ValidationHandler(_Handler):
    max_body_bytes = MAX_VALIDATION_BODY_BYTES

    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        validation = await self.call(self.store.get_validation, run_id)
        if self.get_query_argument("download", None) == "1":
            self.attachment(export_filename(validation, "json"))
        self.reply(validation_report(validation))

    @web.authenticated
    @authorized
    async def patch(self, run_id: str) -> None:
        end = self.parse_body(parse_validation_end)
        self.reply(validation_summary(await self.call(self.store.finish_validation, run_id, **end)))


class ValidationCellsHandler(_Handler):
    max_body_bytes = MAX_VALIDATION_BODY_BYTES

    @web.authenticated
    @authorized
    async def post(self, run_id: str) -> None:
        cells = self.parse_body(parse_validation_cells)
        self.reply({"recorded": await self.call(self.store.record_validation_cells, run_id, cells)})


class ValidationJunitHandler(_Handler):
    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        validation = await self.call(self.store.get_validation, run_id)
        self.attachment(export_filename(validation, "xml"))
        self.finish(junit_xml(validation), set_content_type="application/xml; charset=utf-8")


def _error(status: int, message: str) -> web.HTTPError:
    # Tornado %-formats an HTTPError's message when it logs it: a metric key with
    # a '%' in it must travel as an argument, not as the format.
    return web.HTTPError(status, "%s", message)


def _parse_parameters(source: str) -> dict:
    # Imported on use: only bodies with a parameters cell need the parser.
    from ..client.parameters import parse_parameters

    return parse_parameters(source)


def url_handlers(base_url: str) -> list[tuple[str, type]]:
    from .gitfs import git_url_handlers  # imported here: its handlers build on this module's

    api = url_path_join(base_url, "experiments", "api")
    run = api + r"/runs/(?P<run_id>[^/]+)"
    validation = api + r"/validations/(?P<run_id>[^/]+)"
    return [
        (api + "/info", InfoHandler),
        (api + "/runs", RunsHandler),
        (run, RunHandler),
        # A metric key may hold slashes ("train/loss"): it is the rest of the path, URL-decoded.
        (run + r"/metrics/(?P<key>.+)", MetricHandler),
        (run + "/log", LogHandler),
        (run + r"/images/(?P<image_id>[^/]+)", ImageHandler),
        (api + "/validations", ValidationsHandler),
        (validation, ValidationHandler),
        (validation + "/cells", ValidationCellsHandler),
        (validation + "/junit", ValidationJunitHandler),
        *git_url_handlers(api),
    ]
