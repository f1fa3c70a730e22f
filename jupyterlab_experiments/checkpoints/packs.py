"""Reading the objects of git's pack files (``objects/pack/pack-<hash>.pack`` with its ``.idx``).

The background packer (``packing``) has ``git repack`` move the loose objects
into packs; ``repository`` reads loose objects first and then these packs. A
packed object comes back as its kind and content, deltas resolved, which the
repository deflates into the loose format the browser inflates.

Why a reader of its own rather than a library (dulwich reads packs too). The
format is small and frozen: an index of version 2 (a fan-out table, sorted
object names, 31-bit offsets and a table of 64-bit ones) and pack entries that
are zlib streams, some of them deltas against an earlier entry (``OFS_DELTA``)
or a named object (``REF_DELTA``). What the server needs beyond reading them
is what a library does not promise: many request threads reading the same pack
at once (dulwich's ``PackData`` seeks and reads one shared file object; here a
pack is a read-only ``mmap``, sliced without a file position, so no lock is
held during a read), a pack that ``git repack -a -d`` deletes while a reader
holds it (the mapping stays valid until the last reader lets go) and packs
appearing or going between two requests (the folder is listed again on a miss,
see ``Packs``). It keeps the checkpoint package on the standard library (the
logging side imports it) and adds no dependency to the server. Every object
read is checked against its id (SHA-1 of header and content), so a damaged
pack cannot serve wrong bytes; the tests compare the reader with ``git
cat-file`` on packs that git wrote.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import struct
import threading
import zlib
from collections import OrderedDict
from typing import Callable, Iterable, Optional

KINDS = {1: "commit", 2: "tree", 3: "blob", 4: "tag"}
OFS_DELTA = 6
REF_DELTA = 7

_IDX_MAGIC = b"\377tOc"
_IDX_HEADER = 8 + 256 * 4  # magic, version, fan-out table
_PACK_HEADER = 12  # "PACK", version, object count
_SHA = 20
# Resolved delta bases kept for the next read of the same chain (a checkpoint's
# trees are mostly deltas of the previous checkpoint's).
BASE_CACHE_BYTES = 32 * 2**20
_CHUNK_BYTES = 2**20


class PackError(Exception):
    """A pack or an index is not what git writes, or an object in it is damaged."""


class PackIndex:
    """An index of version 2 (``.idx``), held in memory: ``offset(name)`` finds an object's entry."""

    def __init__(self, data: bytes):
        if len(data) < _IDX_HEADER + 2 * _SHA or data[:4] != _IDX_MAGIC:
            raise PackError("not a pack index of version 2")
        (version,) = struct.unpack_from(">I", data, 4)
        if version != 2:
            raise PackError(f"pack index version {version}, not 2")
        self.fanout = struct.unpack_from(">256I", data, 8)
        count = self.fanout[255]
        self._names = _IDX_HEADER
        self._offsets = _IDX_HEADER + count * (_SHA + 4)  # names, then CRC-32s, then offsets
        self._large = self._offsets + count * 4
        large_bytes = len(data) - 2 * _SHA - self._large
        if large_bytes < 0 or large_bytes % 8 or any(a > b for a, b in zip(self.fanout, self.fanout[1:])):
            raise PackError("the pack index is truncated or its fan-out table is not ascending")
        self._large_count = large_bytes // 8
        self.data = data
        self.count = count
        self.pack_checksum = data[-2 * _SHA : -_SHA]

    def offset(self, name: bytes) -> Optional[int]:
        """Where the entry of the object of this 20-byte name starts in the pack, or None."""
        first = name[0]
        low = self.fanout[first - 1] if first else 0
        high = self.fanout[first]
        data, base = self.data, self._names
        while low < high:
            middle = (low + high) // 2
            start = base + middle * _SHA
            found = data[start : start + _SHA]
            if found < name:
                low = middle + 1
            elif found > name:
                high = middle
            else:
                return self._offset_at(middle)
        return None

    def names(self) -> Iterable[bytes]:
        for i in range(self.count):
            start = self._names + i * _SHA
            yield self.data[start : start + _SHA]

    def _offset_at(self, i: int) -> int:
        (offset,) = struct.unpack_from(">I", self.data, self._offsets + 4 * i)
        if offset & 0x80000000:
            large = offset & 0x7FFFFFFF
            if large >= self._large_count:
                raise PackError("a large offset of the pack index points past its table")
            (offset,) = struct.unpack_from(">Q", self.data, self._large + 8 * large)
        return offset


class Pack:
    """One ``pack-<hash>.pack`` and its index. Immutable on disk, so safe to read from many threads."""

    def __init__(self, base: str):
        """``base``: the path without ``.idx`` or ``.pack``. FileNotFoundError when either is gone."""
        self.name = os.path.basename(base)
        with open(base + ".idx", "rb") as file:
            self.index = PackIndex(file.read())
        with open(base + ".pack", "rb") as file:
            size = os.fstat(file.fileno()).st_size
            if size < _PACK_HEADER + _SHA:
                raise PackError(f"{self.name}.pack: {size} bytes, too short for a pack")
            # The mapping outlives the file's deletion (repack -d): readers holding it keep reading.
            self.map = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        magic, version, count = struct.unpack_from(">4sII", self.map, 0)
        if magic != b"PACK" or version not in (2, 3):
            raise PackError(f"{self.name}.pack: not a pack of version 2 or 3")
        if count != self.index.count or self.map[-_SHA:] != self.index.pack_checksum:
            raise PackError(f"{self.name}: the index does not describe this pack")
        self.size = size

    def __len__(self) -> int:
        return self.index.count

    def entry(self, offset: int) -> tuple[int, int, int, Optional[object]]:
        """(type number, inflated size, where the zlib stream starts, delta base) of the entry at ``offset``.

        The delta base is an offset in this pack (``OFS_DELTA``), a 20-byte object
        name (``REF_DELTA``) or None.
        """
        data = self.map
        end = self.size - _SHA
        if not _PACK_HEADER <= offset < end:
            raise PackError(f"{self.name}: entry offset {offset} is outside the pack")
        byte = data[offset]
        kind = (byte >> 4) & 7
        size = byte & 15
        shift = 4
        position = offset + 1
        while byte & 0x80:
            if position >= end or shift > 70:
                raise PackError(f"{self.name}: the entry at {offset} has a malformed header")
            byte = data[position]
            position += 1
            size |= (byte & 0x7F) << shift
            shift += 7
        base: Optional[object] = None
        if kind == OFS_DELTA:
            byte = data[position]
            position += 1
            distance = byte & 0x7F
            while byte & 0x80:
                if position >= end:
                    raise PackError(f"{self.name}: the entry at {offset} has a malformed delta offset")
                byte = data[position]
                position += 1
                distance = ((distance + 1) << 7) | (byte & 0x7F)
            base = offset - distance
            if not _PACK_HEADER <= base < offset:
                raise PackError(f"{self.name}: the delta at {offset} names a base outside the pack")
        elif kind == REF_DELTA:
            base = data[position : position + _SHA]
            position += _SHA
        elif kind not in KINDS:
            raise PackError(f"{self.name}: the entry at {offset} has type {kind}")
        return kind, size, position, base

    def inflate(self, start: int, size: int) -> bytes:
        """The ``size`` bytes of the zlib stream that starts at ``start``."""
        inflater = zlib.decompressobj()
        parts = []
        received = 0
        position = start
        step = min(size + 64, _CHUNK_BYTES)
        end = self.size - _SHA
        try:
            while not inflater.eof:
                if position >= end:
                    raise PackError(f"{self.name}: the entry at {start} is truncated")
                chunk = inflater.decompress(self.map[position : min(position + step, end)])
                position += step
                step = _CHUNK_BYTES
                received += len(chunk)
                if received > size:
                    raise PackError(f"{self.name}: the entry at {start} inflates beyond its {size} bytes")
                parts.append(chunk)
        except zlib.error as error:
            raise PackError(f"{self.name}: the entry at {start} is not a valid zlib stream ({error})") from None
        if received != size:
            raise PackError(f"{self.name}: the entry at {start} inflates to {received} bytes, not {size}")
        return b"".join(parts)


def apply_delta(base: bytes, delta: bytes) -> bytes:
    """git's delta format: the base's size, the result's size, then copy (from the base) and insert instructions."""
    position, base_size = _varint(delta, 0)
    position, result_size = _varint(delta, position)
    if base_size != len(base):
        raise PackError(f"a delta expects a base of {base_size} bytes, its base has {len(base)}")
    source = memoryview(base)
    result = bytearray()
    end = len(delta)
    try:
        while position < end:
            op = delta[position]
            position += 1
            if op & 0x80:
                # Unrolled: this loop is the hot path of reading a packed object.
                offset = size = 0
                if op & 0x01:
                    offset = delta[position]
                    position += 1
                if op & 0x02:
                    offset |= delta[position] << 8
                    position += 1
                if op & 0x04:
                    offset |= delta[position] << 16
                    position += 1
                if op & 0x08:
                    offset |= delta[position] << 24
                    position += 1
                if op & 0x10:
                    size = delta[position]
                    position += 1
                if op & 0x20:
                    size |= delta[position] << 8
                    position += 1
                if op & 0x40:
                    size |= delta[position] << 16
                    position += 1
                if not size:
                    size = 0x10000
                if offset + size > base_size:
                    raise PackError("a delta copies from beyond its base")
                result += source[offset : offset + size]
            elif op:
                if position + op > end:
                    raise PackError("a delta inserts beyond its own end")
                result += delta[position : position + op]
                position += op
            else:
                raise PackError("a delta holds the reserved instruction 0")
    except IndexError:
        raise PackError("a delta ends in the middle of an instruction") from None
    if len(result) != result_size:
        raise PackError(f"a delta builds {len(result)} bytes, not the {result_size} it declares")
    return bytes(result)


def _varint(data: bytes, position: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if position >= len(data) or shift > 70:
            raise PackError("a delta's header is truncated")
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return position, value


class _BaseCache:
    """Resolved entries by (pack, offset), least recently used dropped beyond ``limit`` bytes."""

    def __init__(self, limit: int):
        self.limit = limit
        self._items: OrderedDict[tuple[str, int], tuple[int, bytes]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[str, int]) -> Optional[tuple[int, bytes]]:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: tuple[str, int], item: tuple[int, bytes]) -> None:
        size = len(item[1])
        if size > self.limit // 4:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = item
            self._bytes += size
            while self._bytes > self.limit:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= len(dropped)


class Packs:
    """The packs of one ``objects/pack`` folder, as git sees them now.

    The folder is listed on first use and again whenever an object is not found
    in the packs known (``find``), so a pack ``git repack`` installs is seen by
    the next read that needs it, with no restart: git installs a pack by renaming
    its ``.idx`` last, so a listed ``pack-*.idx`` has its pack complete. A pack
    deleted meanwhile (``repack -a -d``) is dropped from the list; a reader still
    holding it finishes from its mapping. A repack removes a loose object only
    once the pack holding it is installed, so "not loose, then not in the packs
    listed after that" means the object is absent.

    ``folder`` returns the folder's path, checked to stay inside the repository;
    a pack whose files are not regular files in it is ignored.
    """

    def __init__(self, folder: Callable[[], str], cache_bytes: int = BASE_CACHE_BYTES):
        self._folder = folder
        self._packs: tuple[Pack, ...] = ()
        self._scanned = False
        self._broken: set[str] = set()
        self._lock = threading.Lock()
        self._cache = _BaseCache(cache_bytes)

    @property
    def packs(self) -> tuple[Pack, ...]:
        if not self._scanned:
            self.rescan()
        return self._packs

    def rescan(self) -> None:
        """List the folder again: open the packs that appeared, forget those that went."""
        with self._lock:
            folder = self._folder()
            try:
                listing = set(os.listdir(folder))
            except FileNotFoundError:
                listing = set()
            names = [
                name[:-4]
                for name in listing
                if name.startswith("pack-") and name.endswith(".idx") and name[:-4] + ".pack" in listing
            ]
            known = {pack.name: pack for pack in self._packs}
            packs = []
            for name in names:
                if name in known:
                    packs.append(known[name])
                    continue
                if name in self._broken or not _regular_files(folder, name):
                    continue
                try:
                    packs.append(Pack(os.path.join(folder, name)))
                except FileNotFoundError:
                    continue  # deleted since the listing
                except (PackError, OSError, ValueError):
                    # Pack names are content hashes: a broken one stays broken. git fsck tells more.
                    self._broken.add(name)
            packs.sort(key=len, reverse=True)  # the consolidated pack first: most objects are there
            self._packs = tuple(packs)
            self._scanned = True

    def locate(self, name: bytes) -> Optional[tuple[Pack, int]]:
        """(pack, entry offset) of the object named by these 20 bytes in the packs known, or None."""
        for pack in self.packs:
            offset = pack.index.offset(name)
            if offset is not None:
                return pack, offset
        return None

    def find(self, oid: str) -> Optional[tuple[Pack, int]]:
        """Like ``locate``, listing the folder again on a miss."""
        name = bytes.fromhex(oid)
        found = self.locate(name)
        if found is None:
            self.rescan()
            found = self.locate(name)
        return found

    def absent(self, oids: Iterable[str]) -> set[str]:
        """Those of ``oids`` in no pack; the folder is listed again at most once."""
        absent = {oid for oid in oids if self.locate(bytes.fromhex(oid)) is None}
        if absent:
            self.rescan()
            absent = {oid for oid in absent if self.locate(bytes.fromhex(oid)) is None}
        return absent

    def read(self, oid: str) -> Optional[tuple[str, bytes]]:
        """(kind, content) of a packed object, deltas resolved and its id checked; None when in no pack."""
        found = self.find(oid)
        if found is None:
            return None
        kind, content = self._resolve(*found)
        name = KINDS[kind]
        digest = hashlib.sha1(b"%s %d\0" % (name.encode(), len(content)))
        digest.update(content)
        if digest.hexdigest() != oid:
            raise PackError(f"{found[0].name}: object {oid} is damaged (its content hashes to {digest.hexdigest()})")
        return name, content

    def _resolve(self, pack: Pack, offset: int) -> tuple[int, bytes]:
        """(type number, content) of the entry at ``offset``: a chain of deltas is followed to its
        base without recursion (git allows chains thousands long), then applied from the base up."""
        chain: list[tuple[Pack, int, bytes]] = []
        seen: set[tuple[str, int]] = set()
        while True:
            key = (pack.name, offset)
            cached = self._cache.get(key)
            if cached is not None:
                kind, content = cached
                break
            if key in seen:
                raise PackError(f"{pack.name}: the delta at {offset} is its own base")
            seen.add(key)
            kind, size, start, base = pack.entry(offset)
            if kind in KINDS:
                content = pack.inflate(start, size)
                if chain:
                    self._cache.put(key, (kind, content))
                break
            chain.append((pack, offset, pack.inflate(start, size)))
            if kind == OFS_DELTA:
                assert isinstance(base, int)
                offset = base
            else:
                assert isinstance(base, bytes)
                located = pack.index.offset(base)
                if located is not None:
                    offset = located
                else:
                    elsewhere = self.locate(base)
                    if elsewhere is None:
                        raise PackError(f"{pack.name}: the delta at {offset} is against {base.hex()}, in no pack")
                    pack, offset = elsewhere
        for pack, offset, delta in reversed(chain):
            content = apply_delta(content, delta)
            self._cache.put((pack.name, offset), (kind, content))
        return kind, content


def _regular_files(folder: str, name: str) -> bool:
    """Both files of the pack are regular files in ``folder`` (no symlink to elsewhere)."""
    for ext in (".idx", ".pack"):
        path = os.path.join(folder, name + ext)
        if os.path.islink(path) or not os.path.isfile(path):
            return False
    return True
