"""REST handlers of the experiments browser's queries: groups of runs, and the keys and values
that complete a filter (``GET runs`` itself is in ``handlers``). The query grammar is the store's
(``store/query``); a query it cannot read is a 400 that says where (``base.query_error_fields``).
"""

from __future__ import annotations

from typing import Optional

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..store.query import QuerySyntaxError, split_identifiers
from ..store.query.grammar import METRIC_SUMMARIES
from .base import ApiHandler, error, http_error

# Completion asks for a screenful of values.
MAX_VALUES = 200


def trash_argument(handler: ApiHandler) -> bool:
    """``trash=1`` (or ``true``): list the runs in the trash instead of the others."""
    text = (handler.get_query_argument("trash", "") or "").lower()
    if text not in ("", "0", "1", "false", "true"):
        raise error(400, f"trash: expected 1 or 0, got {text[:40]!r}")
    return text in ("1", "true")


def summaries_argument(handler: ApiHandler) -> Optional[list[str]]:
    """``summaries=last,max``: the metric summary fields a listing keeps (all without it)."""
    text = handler.get_query_argument("summaries", None)
    if text is None:
        return None
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in METRIC_SUMMARIES]
    if unknown or not names:
        raise error(
            400,
            f"summaries: expected some of {', '.join(METRIC_SUMMARIES)}, comma-separated, got {text[:80]!r}",
        )
    return names


def layout_argument(handler: ApiHandler) -> str:
    """``layout=columns``: a listing's params and metrics column by column (``column_layout``);
    ``rows`` (the default): each run carries its own."""
    text = handler.get_query_argument("layout", None) or "rows"
    if text not in ("rows", "columns"):
        raise error(400, f"layout: expected rows or columns, got {text[:40]!r}")
    return text


def column_layout(runs: list[dict]) -> dict:
    """Take the params and metrics out of ``runs`` (a page of a listing), column by column:
    ``{"params": {key: [value per run]}, "metrics": {key: {summary: [value per run]}}}``, null
    where a run has no such key. A browser parses a page of 100 runs x 300 keys into 300 arrays
    (of unboxed numbers) instead of 30,000 small objects that its garbage collector walks while
    the table scrolls."""
    count = len(runs)
    params: dict[str, list] = {}
    metrics: dict[str, dict[str, list]] = {}
    for row, run in enumerate(runs):
        for key, value in run.pop("params").items():
            column = params.get(key)
            if column is None:
                column = params[key] = [None] * count
            column[row] = value
        for key, summary in run.pop("metrics").items():
            fields = metrics.setdefault(key, {})
            for field, value in summary.items():
                column = fields.get(field)
                if column is None:
                    column = fields[field] = [None] * count
                column[row] = value
    return {"params": params, "metrics": metrics}


def columns_argument(handler: ApiHandler) -> list[str]:
    """The field names of ``columns=a,b`` (a comma in a quoted key stays in it)."""
    try:
        return split_identifiers(handler.get_query_argument("columns", "") or "")
    except QuerySyntaxError as exception:
        exception.argument = "columns"
        raise http_error(exception) from None


def required_argument(handler: ApiHandler, name: str, example: str) -> str:
    text: Optional[str] = handler.get_query_argument(name, None)
    if not text:
        raise error(400, f"{name}: expected a field such as {example}")
    return text


class RunGroupsHandler(ApiHandler):
    """GET runs/groups?filter=&group_by=&columns=a,b -> {"groups": [...]} (``Store.group_runs``)."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        groups = await self.call(
            self.store.group_runs,
            group_by=required_argument(self, "group_by", "params.model"),
            filter=self.get_query_argument("filter", None) or None,
            columns=columns_argument(self),
        )
        await self.reply({"groups": groups})


class KeysHandler(ApiHandler):
    """GET keys -> {"params": [...], "metrics": [...], "tags": [...], "env": [...]}."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        await self.reply(await self.call(self.store.list_keys))


class ValuesHandler(ApiHandler):
    """GET values?key=&prefix=&limit= -> {"values": [...]}: distinct values of a field, for completion."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        values = await self.call(
            self.store.list_values,
            required_argument(self, "key", "params.lr"),
            self.get_query_argument("prefix", "") or "",
            self.int_argument("limit", 20, 1, MAX_VALUES),
        )
        await self.reply({"values": values})
