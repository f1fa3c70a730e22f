"""REST handlers of the experiments browser's saved views: ``GET views``, ``PUT``/``DELETE views/<name>``."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from .base import ApiHandler, StreamedBodyHandler, error
from .validation import MAX_VIEW_STATE_BYTES, parse_view


class ViewsHandler(ApiHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        await self.reply({"views": await self.call(self.store.list_views)})


class ViewHandler(StreamedBodyHandler):
    # The state and the object around it; the state's own limit is checked once parsed (413).
    max_body_bytes = 2 * MAX_VIEW_STATE_BYTES
    spill_bytes = None

    async def prepare(self) -> None:
        await super().prepare()
        # The base class guards the bodies of POST and PATCH; a PUT's the same way: no body from
        # an anonymous client, none announced beyond the limit, none read beyond it.
        if self.request.method != "PUT":
            return
        if not self.current_user:
            raise web.HTTPError(403)
        length = self.request.headers.get("Content-Length")
        if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
            raise error(413, f"body: {int(length)} bytes, more than the limit of {self.max_body_bytes}")
        self.request.connection.set_max_body_size(self.max_body_bytes)

    @web.authenticated
    @authorized
    async def put(self, name: str) -> None:
        name, state = await self.parse_body(lambda body: parse_view(name, body))
        await self.reply(await self.call(self.store.save_view, name, state))

    @web.authenticated
    @authorized
    async def delete(self, name: str) -> None:
        await self.call(self.store.delete_view, name)
        self.set_status(204)
        self.finish()
