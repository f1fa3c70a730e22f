"""REST handlers of runs and validations under ``{base_url}experiments/api/``.

Thin: each parses its request (``validation``), makes one store call off the
event loop and writes JSON (``base.ApiHandler``).
"""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..common.jsonvalues import INT64_MAX
from ..common.parameters import parse_parameters
from ..common.version import __version__
from ..store.base import RUN_STATUSES, Store
from ..store.series import numpy_available
from . import work
from .base import MAX_LIMIT, ApiHandler, StreamedBodyHandler, error, in_thread
from .events import RunEvents
from .jsonio import series_frame
from .query import column_layout, layout_argument, summaries_argument, trash_argument
from .reports import validation_summary
from .validation import (
    parse_log_body,
    parse_new_run,
    parse_new_validation,
    parse_run_patch,
    parse_runs_bulk,
    parse_validation_cells,
    parse_validation_end,
)

# A validation's cells carry their saved and fresh outputs (images included) in one request,
# and so may a relayed log batch its images.
MAX_VALIDATION_BODY_BYTES = 64 * 2**20
MAX_LOG_BODY_BYTES = 64 * 2**20
MAX_VALIDATION_START_BYTES = 4 * 2**20
# Points of a metric series read without max_points, and the most a read may ask for.
DEFAULT_SERIES_POINTS = 10_000
MAX_SERIES_POINTS = 100_000
# Series of many runs at once (runs/metrics): a chart's width of points each by default.
MAX_SERIES_RUNS = 100
MAX_SERIES_KEYS = 200
DEFAULT_BATCH_POINTS = 1_000
MAX_BATCH_POINTS = 10_000
# runs/metrics replies: JSON (non-finite numbers as strings), or binary (``jsonio.series_frame``).
SERIES_ENCODINGS = ("json", "binary")


class InfoHandler(ApiHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        await self.reply({"store_dir": self.settings["experiments_store_dir"], "version": __version__})


class RunsHandler(StreamedBodyHandler):
    spill_bytes = None

    @web.authenticated
    @authorized
    async def get(self) -> None:
        status = self.get_query_argument("status", None) or None
        layout = layout_argument(self)
        if status is not None and status not in RUN_STATUSES:
            raise error(400, f"status: expected one of {', '.join(RUN_STATUSES)}, got {status!r}")
        runs, total = await self.call(
            self.store.list_runs,
            limit=self.int_argument("limit", 50, 1, MAX_LIMIT),
            offset=self.int_argument("offset", 0, 0, 2**62),
            notebook_id=self.get_query_argument("notebook_id", None) or None,
            status=status,
            filter=self.get_query_argument("filter", None) or None,
            order_by=self.get_query_argument("order_by", None) or None,
            trash=trash_argument(self),
            summaries=summaries_argument(self),
        )
        if layout == "columns":
            # A page of hundreds of columns takes milliseconds to lay out: not on the event loop.
            columns = await self.call(column_layout, runs)
            await self.reply({"runs": runs, "total": total, "columns": columns})
            return
        await self.reply({"runs": runs, "total": total})

    @web.authenticated
    @authorized
    async def post(self) -> None:
        fields = await self.parse_body(parse_new_run, empty={})
        user = getattr(self.current_user, "username", None)
        await self.reply(await self.call(self.store.create_run, user=user, **fields), status=201)


class RunHandler(StreamedBodyHandler):
    spill_bytes = None

    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        await self.reply(await self.call(self.store.get_run, run_id))

    @web.authenticated
    @authorized
    async def patch(self, run_id: str) -> None:
        update, end = await self.parse_body(parse_run_patch)
        if end is not None:
            await self.call(self.store.end_run, run_id, **end)
        run = await self.call(self.store.update_run, run_id, **update)
        run_events(self).changed([run])
        await self.reply(run)

    @web.authenticated
    @authorized
    async def delete(self, run_id: str) -> None:
        """To the trash; with ``?purge=1``, gone with its rows and the images no other run has."""
        purge = self.get_query_argument("purge", "0")
        if purge not in ("0", "1"):
            raise error(400, f"purge: expected 1 (purge) or 0 (to the trash), got {purge[:40]!r}")
        if purge == "1":
            await self.call(self.store.purge_run, run_id)
            run_events(self).deleted([run_id])
        else:
            run_events(self).changed([await self.call(self.store.delete_run, run_id)])
        self.set_status(204)
        self.finish()


class RunRestoreHandler(StreamedBodyHandler):
    """POST runs/<id>/restore: out of the trash (the body, if any, is ignored)."""

    max_body_bytes = 1024
    spill_bytes = None

    @web.authenticated
    @authorized
    async def post(self, run_id: str) -> None:
        run = await self.call(self.store.restore_run, run_id)
        run_events(self).changed([run])
        await self.reply(run)


class RunsBulkHandler(StreamedBodyHandler):
    """POST runs/bulk: the same tags, star or archive on many runs, in one transaction."""

    spill_bytes = None

    @web.authenticated
    @authorized
    async def post(self) -> None:
        run_ids, edit = await self.parse_body(parse_runs_bulk)
        runs = await self.call(self.store.bulk_update_runs, run_ids, **edit)
        run_events(self).changed(runs)
        await self.reply({"runs": runs})


class MetricHandler(ApiHandler):
    @web.authenticated
    @authorized
    async def get(self, run_id: str, key: str) -> None:
        max_points = self.int_argument("max_points", DEFAULT_SERIES_POINTS, 2, MAX_SERIES_POINTS)
        await self.reply(await self.call(self.store.get_metric_series, run_id, key, max_points))


class MetricsHandler(ApiHandler):
    """GET runs/metrics?run_id=a&run_id=b&key=loss&key=acc&max_points=800 -> {"series": [...]}:
    the series of several runs in one request (``Store.get_metric_series_many``), each
    downsampled to ``max_points`` (a chart's width); every key of each run without ``key``.
    Repeated arguments, not comma lists: a metric key may hold a comma. With
    ``encoding=binary`` the same series come as one ``application/octet-stream`` body
    (``jsonio.series_frame``)."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        run_ids = self.get_query_arguments("run_id")
        if not run_ids or len(run_ids) > MAX_SERIES_RUNS:
            raise error(400, f"run_id: expected 1 to {MAX_SERIES_RUNS} run ids (run_id=a&run_id=b), got {len(run_ids)}")
        keys = self.get_query_arguments("key") or None
        if keys is not None and len(keys) > MAX_SERIES_KEYS:
            raise error(400, f"key: at most {MAX_SERIES_KEYS} keys, got {len(keys)}")
        max_points = self.int_argument("max_points", DEFAULT_BATCH_POINTS, 2, MAX_BATCH_POINTS)
        encoding = self.get_query_argument("encoding", "json")
        if encoding not in SERIES_ENCODINGS:
            raise error(400, f"encoding: expected one of {', '.join(SERIES_ENCODINGS)}, got {encoding[:40]!r}")
        if encoding == "binary":
            frame = await self.call(_series_frame, self.store, run_ids, keys, max_points)
            await self.send(frame, "application/octet-stream")
            return
        series = await self.call(self.store.get_metric_series_many, run_ids, keys, max_points)
        await self.reply({"series": series})


def _series_frame(store: Store, run_ids: list[str], keys: list[str] | None, max_points: int) -> bytes:
    """The series of ``runs/metrics`` as a binary frame, read and encoded in one worker call."""
    series = store.get_metric_series_many(run_ids, keys, max_points, arrays=numpy_available())
    return series_frame(series)


class LogHandler(StreamedBodyHandler):
    """The relay path: batches from kernels that cannot write the store themselves."""

    max_body_bytes = MAX_LOG_BODY_BYTES

    @web.authenticated
    @authorized
    async def post(self, run_id: str) -> None:
        path = self.spilled_body()
        if path is not None:
            await self.in_worker(work.log_batch, run_id, path)
        else:
            batch = await self.parse_body(parse_log_body, parse_parameters)
            await self.call(self.store.log_batch, run_id, batch)
        self.set_status(204)
        self.finish()


class ImageHandler(ApiHandler):
    @web.authenticated
    @authorized
    async def get(self, run_id: str, image_id: str) -> None:
        if not image_id.isdigit() or int(image_id) > INT64_MAX:
            raise error(400, f"image_id: expected an image number, 0 to {INT64_MAX}, got {image_id[:40]!r}")
        png = await self.call(self.store.get_image, run_id, image_id)
        # An image id always names the same bytes.
        self.set_header("Cache-Control", "private, max-age=31536000, immutable")
        await self.send(png, "image/png")


class ValidationsHandler(StreamedBodyHandler):
    # A new validation's settings and static findings, parsed in a thread.
    max_body_bytes = MAX_VALIDATION_START_BYTES
    spill_bytes = None

    @web.authenticated
    @authorized
    async def get(self) -> None:
        validations = await self.call(
            self.store.list_validations,
            notebook_id=self.get_query_argument("notebook_id", None) or None,
            notebook_path=self.get_query_argument("notebook_path", None) or None,
            limit=self.int_argument("limit", 20, 1, 200),
        )
        await self.reply({"validations": await in_thread(lambda: [validation_summary(item) for item in validations])})

    @web.authenticated
    @authorized
    async def post(self) -> None:
        fields = await self.parse_body(parse_new_validation)
        user = getattr(self.current_user, "username", None)
        validation = await self.call(self.store.create_validation, user=user, **fields)
        await self.reply({"run_id": validation["run_id"]}, status=201)


class ValidationHandler(StreamedBodyHandler):
    spill_bytes = None

    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        # Built and encoded in the worker process: a report may hold tens of megabytes of outputs.
        filename, report = await self.in_worker(work.validation_report_json, run_id)
        if self.get_query_argument("download", None) == "1":
            self.attachment(filename)
        await self.send_file(report, "application/json")

    @web.authenticated
    @authorized
    async def patch(self, run_id: str) -> None:
        end = await self.parse_body(parse_validation_end)
        await self.reply(validation_summary(await self.call(self.store.finish_validation, run_id, **end)))


class ValidationCellsHandler(StreamedBodyHandler):
    max_body_bytes = MAX_VALIDATION_BODY_BYTES

    @web.authenticated
    @authorized
    async def post(self, run_id: str) -> None:
        path = self.spilled_body()
        if path is not None:
            recorded = await self.in_worker(work.record_validation_cells, run_id, path)
        else:
            cells = await self.parse_body(parse_validation_cells)
            recorded = await self.call(self.store.record_validation_cells, run_id, cells)
        await self.reply({"recorded": recorded})


class ValidationJunitHandler(ApiHandler):
    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        filename, xml = await self.in_worker(work.validation_junit, run_id)
        self.attachment(filename)
        await self.send_file(xml, "application/xml; charset=utf-8")


def run_events(handler: ApiHandler) -> RunEvents:
    """Where a handler announces the runs it wrote (``events``)."""
    return handler.settings["experiments_events"]
