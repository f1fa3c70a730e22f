"""REST handlers of runs and validations under ``{base_url}experiments/api/``.

Thin: each parses its request (``validation``), makes one store call off the
event loop and writes JSON (``base.ApiHandler``).
"""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..common.parameters import parse_parameters
from ..common.version import __version__
from ..store.base import RUN_STATUSES
from .base import MAX_LIMIT, ApiHandler, error
from .reports import export_filename, junit_xml, validation_report, validation_summary
from .validation import (
    parse_log_body,
    parse_new_run,
    parse_new_validation,
    parse_run_patch,
    parse_validation_cells,
    parse_validation_end,
)

# A validation's cells carry their saved and fresh outputs (images included) in one request.
MAX_VALIDATION_BODY_BYTES = 64 * 2**20


class InfoHandler(ApiHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.reply({"store_dir": self.settings["experiments_store_dir"], "version": __version__})


class RunsHandler(ApiHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        status = self.get_query_argument("status", None) or None
        if status is not None and status not in RUN_STATUSES:
            raise error(400, f"status: expected one of {', '.join(RUN_STATUSES)}, got {status!r}")
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


class RunHandler(ApiHandler):
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


class MetricHandler(ApiHandler):
    @web.authenticated
    @authorized
    async def get(self, run_id: str, key: str) -> None:
        max_points = self.int_argument("max_points", None, 2, 10_000_000)
        self.reply(await self.call(self.store.get_metric_series, run_id, key, max_points))


class LogHandler(ApiHandler):
    """The relay path: batches from kernels that cannot write the store themselves."""

    @web.authenticated
    @authorized
    async def post(self, run_id: str) -> None:
        batch = self.parse_body(parse_log_body, parse_parameters)
        await self.call(self.store.log_batch, run_id, batch)
        self.set_status(204)
        self.finish()


class ImageHandler(ApiHandler):
    @web.authenticated
    @authorized
    async def get(self, run_id: str, image_id: str) -> None:
        png = await self.call(self.store.get_image, run_id, image_id)
        # An image id always names the same bytes.
        self.set_header("Cache-Control", "private, max-age=31536000, immutable")
        self.finish(png, set_content_type="image/png")


class ValidationsHandler(ApiHandler):
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


class ValidationHandler(ApiHandler):
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


class ValidationCellsHandler(ApiHandler):
    max_body_bytes = MAX_VALIDATION_BODY_BYTES

    @web.authenticated
    @authorized
    async def post(self, run_id: str) -> None:
        cells = self.parse_body(parse_validation_cells)
        self.reply({"recorded": await self.call(self.store.record_validation_cells, run_id, cells)})


class ValidationJunitHandler(ApiHandler):
    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        validation = await self.call(self.store.get_validation, run_id)
        self.attachment(export_filename(validation, "xml"))
        self.finish(junit_xml(validation), set_content_type="application/xml; charset=utf-8")
