"""The git-fs API under ``{base_url}experiments/api/git/``: what isomorphic-git in the browser needs.

``GET objects/<oid>`` (a loose object's deflated bytes), ``POST objects`` (many of
them, framed like a batch, ``"missing"`` listing the absent and ``"omitted"`` those
left for another request by the reply's byte limit), ``GET refs/notebooks/<id>``,
``POST missing`` (which objects the server lacks), ``POST batch`` (a whole
checkpoint in one request: its new objects, then a compare-and-swap of the
notebook's ref) and ``GET log/<notebook id>`` (the checkpoint index). The
repository itself is ``checkpoints.repository``; these handlers only frame
requests and replies.

``POST batch`` body (``application/octet-stream``)::

    uint32 big-endian N | N bytes of UTF-8 JSON header | object payloads, in header order

    header: {"objects": [{"oid": "<40 hex>", "size": <payload bytes>}, ...],
             "ref": {"name": "refs/notebooks/<uuid>", "old": "<40 hex>" | null, "new": "<40 hex>"}}  # ref optional

Each payload is a loose object exactly as git stores it (zlib-deflated
``"<type> <size>\\0" + content``). Replies: 200 ``{"ref", "oid"}``; 400 (the
message says what is wrong; nothing written); 409 ``{"message", "current"}`` when
the ref is not at ``old`` (the objects stay: they are content-addressed); 413
beyond the limits below; 503 while another writer holds the ref's lock.
"""

from __future__ import annotations

import asyncio
import json
import math
import struct
from pathlib import Path
from typing import Any, Callable, Optional

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..checkpoints import (
    MAX_BATCH_TREE_BYTES,
    MAX_OBJECT_BYTES,
    REPOSITORY_NAME,
    CheckpointRepository,
    RefConflict,
    RefLocked,
    RefUpdate,
    check_notebook_id,
    check_oid,
    check_ref,
    checkpoint_row,
)
from ..store import Store
from .base import MAX_LIMIT, ApiHandler, StreamedBodyHandler, error, http_error, in_thread
from .validation import MAX_TIME, BadRequest, TooLarge

# One checkpoint of a large notebook fits many times over; jupyter_server's own
# limit (ServerApp.max_body_size, 512 MiB by default) is replaced by this one for
# this endpoint only, checked before the body is read.
MAX_BATCH_BYTES = 256 * 2**20
# What one POST objects reply carries at most (beyond its first object).
MAX_OBJECTS_REPLY_BYTES = 64 * 2**20
MAX_HEADER_BYTES = 16 * 2**20
MAX_OBJECTS = 100_000
# A body of MAX_OBJECTS ids (44 bytes each in JSON), for POST missing and POST objects.
MAX_IDS_BODY_BYTES = 8 * 2**20


class _GitHandler(ApiHandler):
    @property
    def repository(self) -> CheckpointRepository:
        # One per server, so that its knowledge of the repository's real path is computed once.
        repository = self.settings.get("experiments_checkpoints")
        if repository is None:
            path = Path(self.settings["experiments_store_dir"]) / REPOSITORY_NAME
            repository = self.settings.setdefault("experiments_checkpoints", CheckpointRepository(path))
        return repository


class ObjectHandler(_GitHandler):
    @web.authenticated
    @authorized
    async def get(self, oid: str) -> None:
        deflated = await self.call(self.repository.read_object, self.checked(check_oid, oid))
        # An object id always names the same bytes.
        self.set_header("Cache-Control", "private, max-age=31536000, immutable")
        await self.send(deflated, "application/octet-stream")


class ObjectsHandler(StreamedBodyHandler, _GitHandler):
    """Many objects in one reply, framed like a batch: reading a checkpoint of a
    200-cell notebook takes a request per tree level instead of one per object.

    Each object is sent once however often it is asked for, and the reply stops
    at ``MAX_OBJECTS_REPLY_BYTES`` (its first object is always sent): the ids
    left out are listed under ``"omitted"``, for another request."""

    max_body_bytes = MAX_IDS_BODY_BYTES
    spill_bytes = None

    @web.authenticated
    @authorized
    async def post(self) -> None:
        oids = await self.parse_body(parse_missing_body)
        reply = await self.call(read_objects_reply, self.repository, oids, MAX_OBJECTS_REPLY_BYTES)
        await self.send(reply, "application/octet-stream")


class RefHandler(_GitHandler):
    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        name = self.checked(check_ref, name)
        await self.reply({"ref": name, "oid": await self.call(self.repository.read_ref, name)})


class MissingHandler(StreamedBodyHandler, _GitHandler):
    max_body_bytes = MAX_IDS_BODY_BYTES
    spill_bytes = None

    @web.authenticated
    @authorized
    async def post(self) -> None:
        oids = await self.parse_body(parse_missing_body)
        await self.reply({"missing": await self.call(self.repository.missing, oids)})


@web.stream_request_body
class BatchHandler(_GitHandler):
    """Streamed, so that the size limit is this handler's and applies before the body is read."""

    def initialize(self) -> None:
        super().initialize()
        self._body = bytearray()

    async def prepare(self) -> None:
        await super().prepare()
        if self.request.method != "POST":
            return
        # @web.authenticated on post() decides only once the body has arrived: an
        # anonymous client must not get to send a quarter of a gigabyte first.
        if not self.current_user:
            raise web.HTTPError(403)
        length = self.request.headers.get("Content-Length")
        if length is not None and length.isdigit() and int(length) > MAX_BATCH_BYTES:
            raise error(413, f"body: {int(length)} bytes, more than the limit of {MAX_BATCH_BYTES}")
        self.request.connection.set_max_body_size(MAX_BATCH_BYTES)

    async def data_received(self, chunk: bytes) -> None:
        self._body += chunk
        await asyncio.sleep(0)  # let the event loop turn between pieces of a quarter-gigabyte body

    @web.authenticated
    @authorized
    async def post(self) -> None:
        try:
            # In a worker thread too: a header may hold 100,000 objects' worth of JSON.
            objects, ref = await in_thread(parse_batch, self._body)
            chain = await in_thread(self.repository.apply_batch, objects, ref, MAX_BATCH_TREE_BYTES)
        except RefConflict as exception:
            await self.reply({"message": str(exception), "current": exception.current}, status=409)
            return
        except (ValueError, RefLocked) as exception:
            if isinstance(exception, RefLocked):
                self.set_header("Retry-After", "1")
            mapped = http_error(exception)
            if mapped is None:
                raise
            raise mapped from None
        if ref is None:
            await self.reply({"ref": None, "oid": None})
            return
        notebook_id = ref.name.rsplit("/", 1)[1]
        # Oldest first: the index breaks ties of equal commit times by insertion order.
        rows = [checkpoint_row(notebook_id, oid, commit) for oid, commit in reversed(chain)]
        await self.call(_index_checkpoints, self.store, rows)
        await self.reply({"ref": ref.name, "oid": ref.new})


class CheckpointLogHandler(_GitHandler):
    @web.authenticated
    @authorized
    async def get(self, notebook_id: str) -> None:
        before_commit = self.get_query_argument("before_commit", None) or None
        rows, total = await self.call(
            self.store.list_checkpoints,
            self.checked(check_notebook_id, notebook_id),
            limit=self.int_argument("limit", 50, 1, MAX_LIMIT),
            before=self.time_argument("before"),
            before_commit=None if before_commit is None else self.checked(check_oid, before_commit, "before_commit"),
        )
        await self.reply({"checkpoints": rows, "total": total})

    def time_argument(self, name: str) -> Optional[float]:
        text = self.get_query_argument(name, None)
        if not text:
            return None
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and 0 <= value <= MAX_TIME):
            raise error(400, f"{name}: expected a unix time in seconds, got {text[:40]!r} (0 to {MAX_TIME:.0e})")
        return value


def parse_missing_body(body: Any) -> list[str]:
    if not isinstance(body, dict) or set(body) != {"oids"} or not isinstance(body["oids"], list):
        raise BadRequest('body: expected {"oids": [<40 hex>, ...]}')
    oids = body["oids"]
    if len(oids) > MAX_OBJECTS:
        raise BadRequest(f"oids: {len(oids)} ids, more than the limit of {MAX_OBJECTS}")
    return [_checked(check_oid, oid, f"oids[{i}]") for i, oid in enumerate(oids)]


def read_objects_reply(repository: CheckpointRepository, oids: list[str], max_bytes: int) -> list[bytes]:
    """The parts of the framed reply of ``POST objects``: each object once, up to ``max_bytes`` of payloads."""
    found: dict[str, bytes] = {}
    missing, omitted = [], []
    total = 0
    for oid in dict.fromkeys(oids):
        if found and total >= max_bytes:
            omitted.append(oid)
            continue
        try:
            data = repository.read_object(oid)
        except KeyError:
            missing.append(oid)
            continue
        if found and total + len(data) > max_bytes:
            omitted.append(oid)
            continue
        found[oid] = data
        total += len(data)
    header = json.dumps(
        {
            "objects": [{"oid": oid, "size": len(data)} for oid, data in found.items()],
            "missing": missing,
            "omitted": omitted,
        }
    ).encode()
    return [struct.pack(">I", len(header)), header, *found.values()]


def parse_batch(body: bytes) -> tuple[list[tuple[str, memoryview]], Optional[RefUpdate]]:
    """(object id and payload pairs, ref update or None) from a ``POST batch`` body (see module docstring).

    Raise ``BadRequest`` naming what is wrong, ``TooLarge`` beyond a limit.
    Payloads are views into ``body``, not copies.
    """
    if len(body) > MAX_BATCH_BYTES:
        raise TooLarge(f"body: {len(body)} bytes, more than the limit of {MAX_BATCH_BYTES}")
    if len(body) < 4:
        raise BadRequest(f"body: expected a 4-byte big-endian header length first, got {len(body)} bytes")
    (header_size,) = struct.unpack(">I", body[:4])
    if header_size > MAX_HEADER_BYTES:
        raise TooLarge(f"header: {header_size} bytes, more than the limit of {MAX_HEADER_BYTES}")
    if 4 + header_size > len(body):
        raise BadRequest(f"header: {header_size} bytes announced, the body holds {len(body) - 4} after the length")
    try:
        header = json.loads(bytes(body[4 : 4 + header_size]).decode("utf-8"))
    except ValueError as error:
        raise BadRequest(f"header: not UTF-8 JSON ({error})") from None
    if not isinstance(header, dict) or "objects" not in header or not set(header) <= {"objects", "ref"}:
        raise BadRequest('header: expected {"objects": [...], "ref"?: {...}}')
    items = header["objects"]
    if not isinstance(items, list):
        raise BadRequest("objects: expected a list of {oid, size}")
    if len(items) > MAX_OBJECTS:
        raise TooLarge(f"objects: {len(items)} objects, more than the limit of {MAX_OBJECTS}")
    view = memoryview(body)
    offset = 4 + header_size
    objects = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or set(item) != {"oid", "size"}:
            raise BadRequest(f"objects[{i}]: expected {{oid, size}}, got {_short(item)}")
        oid = _checked(check_oid, item["oid"], f"objects[{i}].oid")
        size = item["size"]
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise BadRequest(f"objects[{i}].size: expected a byte count, got {_short(size)}")
        if size > MAX_OBJECT_BYTES:
            raise TooLarge(f"objects[{i}].size: {size} bytes, more than the limit of {MAX_OBJECT_BYTES}")
        if offset + size > len(body):
            raise BadRequest(f"objects[{i}]: {size} bytes announced, only {len(body) - offset} left in the body")
        objects.append((oid, view[offset : offset + size]))
        offset += size
    if offset != len(body):
        raise BadRequest(f"body: {len(body) - offset} bytes after the last object")
    return objects, _ref_update(header.get("ref"))


def _ref_update(value: Any) -> Optional[RefUpdate]:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != {"name", "old", "new"}:
        raise BadRequest(f'ref: expected {{"name", "old", "new"}}, got {_short(value)}')
    old = value["old"]
    return RefUpdate(
        name=_checked(check_ref, value["name"], "ref.name"),
        old=None if old is None else _checked(check_oid, old, "ref.old"),
        new=_checked(check_oid, value["new"], "ref.new"),
    )


def _index_checkpoints(store: Store, rows: list[dict]) -> None:
    store.add_checkpoints(rows)
    for row in rows:
        if row["run_id"] and row["cell_id"] and row["execution_count"] is not None:
            store.link_execution_checkpoint(row["run_id"], row["cell_id"], row["execution_count"], row["commit"])


def _checked(check: Callable[..., str], value: Any, where: str) -> str:
    try:
        return check(value, where)
    except ValueError as error:
        raise BadRequest(str(error)) from None


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."
