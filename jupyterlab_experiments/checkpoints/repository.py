"""The checkpoint repository: ``<store_dir>/checkpoints.git``, a bare git repository in git's own format.

The browser builds git objects with isomorphic-git; this module stores them as
loose objects (``objects/<2 hex>/<38 hex>``, zlib-deflated ``"<type> <size>\\0"``
+ content, exactly as git writes them) and keeps one ref per notebook,
``refs/notebooks/<notebook id>``. The git CLI reads the result:
``git --git-dir <store_dir>/checkpoints.git log refs/notebooks/<id>``.

Safety. Every path is built from a validated object id or notebook ref name and
checked with ``os.path.realpath`` to stay inside the repository, so a symlink
planted in it cannot lead a read or a write elsewhere. A batch is verified
whole (each object inflated, its header and SHA-1 checked, everything it refers
to present) before anything is written. An object is written to a ``tmp_obj_*``
file beside its final place and renamed over it: readers never see half an
object, and a crash leaves only a ``tmp_obj_*`` file, which ``git fsck`` skips
and ``git gc`` prunes. A ref moves by compare-and-swap under git's own lock
file (``<ref>.lock``, created with ``O_EXCL``), so a concurrent ``git
update-ref`` is excluded too.

Durability. Object files and the new ref value are fsynced before their rename;
directories are not. A power cut may therefore lose the latest renames, but the
ref is renamed after its objects, so it never names an object whose bytes were
lost: the worst case is the previous checkpoint plus unreferenced objects.

Packs. Objects are written loose; the server's background packer
(``packing``) has ``git repack`` move them into packs now and then, and every
read (``read_object(s)``, ``missing``, the checks of ``apply_batch``) looks in
the loose objects first and then in ``objects/pack`` (``packs``), whose objects
are served in the loose format, deflated anew. A pack that appears is found on
the next miss, a pack deleted by a repack is dropped then. The config the
repository is created with turns off ``git gc --auto``: only the packer packs,
and nothing prunes unreachable objects (a batch whose ref has not moved yet is
unreachable). Packs written by a manual ``git gc`` are read the same way.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional, Sequence

from ..common.paths import Confined, OutsideRoot
from .commits import Commit, CommitFormatError, parse_commit
from .packs import Packs

OID = re.compile(r"[0-9a-f]{40}")
NOTEBOOK_ID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
NOTEBOOK_REFS = "refs/notebooks/"
OBJECT_KINDS = ("blob", "tree", "commit", "tag")
MAX_OBJECT_BYTES = 128 * 2**20
# What a batch's trees, commits and tags may inflate to (they are held while the batch is checked).
MAX_BATCH_TREE_BYTES = 64 * 2**20

# A writer holds a ref lock for about a millisecond. A lock this old was left by a
# process that died between creating it and renaming it over the ref (a server
# restarted mid-checkpoint), so it is broken; a younger one is waited for.
STALE_LOCK_S = 30.0
# So is a lock older than this process: a server restarted after a crash mid-update
# writes at once, instead of refusing the ref until the lock is STALE_LOCK_S old.
# (A server takes seconds to start; a live writer's lock is long gone by then.)
_PROCESS_STARTED = time.time()
LOCK_WAIT_S = 2.0
_LOCK_POLL_S = 0.005

# git fsck skips files of this prefix among loose objects, git gc prunes old ones.
TEMP_PREFIX = "tmp_obj_"
_FEED_BYTES = 2**16
_INFLATE_BYTES = 2**20
_MAX_HEADER_BYTES = 32
# What a packed object is deflated with when served in the loose format (git's core.looseCompression default).
_SERVE_LEVEL = 1
_log = logging.getLogger(__name__)
# Tree entry modes git writes; a gitlink (160000) names a commit of another repository, never stored here.
_TREE_MODES = {b"40000": "tree", b"100644": "blob", b"100755": "blob", b"120000": "blob", b"160000": None}
_TAG_TARGET = re.compile(rb"object ([0-9a-f]{40})\ntype (blob|tree|commit|tag)\n")

_SKELETON = (
    ("description", "Checkpoints of notebook executions (jupyterlab-experiments); one ref per notebook.\n"),
    # gc.auto = 0: the server's packer decides when to pack, and no git command prunes behind its back.
    ("config", "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n[gc]\n\tauto = 0\n"),
    # Last: git takes a folder with HEAD, objects/ and refs/ for a repository, and by then it is complete.
    ("HEAD", "ref: refs/heads/main\n"),
)


class BadObject(ValueError):
    """An object of a batch is not what it claims, or refers to an object that is nowhere."""


class ObjectTooLarge(BadObject):
    """An object is larger than ``MAX_OBJECT_BYTES``."""


class OutsideRepository(OutsideRoot):
    """A path inside the repository resolves (through a symlink) to a place outside it."""


class RefConflict(Exception):
    """The ref did not hold the value a compare-and-swap expected."""

    def __init__(self, ref: str, current: Optional[str]):
        super().__init__(f"{ref} is at {current or 'nothing'}, not the expected old value")
        self.ref = ref
        self.current = current


class RefLocked(Exception):
    """Another writer held the ref's lock for longer than ``LOCK_WAIT_S``."""


@dataclass(frozen=True)
class GitObject:
    kind: str
    size: int
    content: Optional[bytes]  # kept for commits, trees and tags, which refer to other objects


@dataclass(frozen=True)
class RefUpdate:
    name: str
    old: Optional[str]
    new: str


def check_oid(value: object, where: str = "oid") -> str:
    if not isinstance(value, str) or not OID.fullmatch(value):
        raise ValueError(f"{where}: expected 40 lowercase hex digits, got {_short(value)}")
    return value


def check_notebook_id(value: object, where: str = "notebook_id") -> str:
    if not isinstance(value, str) or not NOTEBOOK_ID.fullmatch(value):
        raise ValueError(f"{where}: expected a UUID, got {_short(value)}")
    return value


def check_ref(value: object, where: str = "ref") -> str:
    """A ref name this repository accepts: ``refs/notebooks/<uuid>``, nothing else."""
    if (
        not isinstance(value, str)
        or not value.startswith(NOTEBOOK_REFS)
        or not NOTEBOOK_ID.fullmatch(value[len(NOTEBOOK_REFS) :])
    ):
        raise ValueError(f"{where}: expected refs/notebooks/<notebook id, a UUID>, got {_short(value)}")
    return value


def notebook_ref(notebook_id: str) -> str:
    return NOTEBOOK_REFS + check_notebook_id(notebook_id)


def inspect_object(oid: str, deflated: bytes, max_size: Optional[int] = None) -> GitObject:
    """Verify a loose object's bytes: a complete zlib stream of ``"<type> <size>\\0" + content``
    whose SHA-1 is ``oid``. Raise ``BadObject`` (``ObjectTooLarge`` above ``max_size``,
    by default ``MAX_OBJECT_BYTES``).

    Inflated a step at a time and abandoned as soon as it outgrows its declared
    size, so a small payload that inflates to gigabytes costs nothing.
    """
    digest = hashlib.sha1()
    header = b""
    kind = None
    size = received = 0
    parts = []
    for chunk in _inflate(oid, deflated):
        digest.update(chunk)
        if kind is None:
            header += chunk
            end = header.find(b"\0")
            if end < 0:
                if len(header) > _MAX_HEADER_BYTES:
                    raise BadObject(f"object {oid}: no '<type> <size>\\0' header")
                continue
            kind, size = _parse_header(oid, header[:end], MAX_OBJECT_BYTES if max_size is None else max_size)
            chunk = header[end + 1 :]
        received += len(chunk)
        if received > size:
            raise BadObject(f"object {oid}: more than the {size} bytes its header declares")
        if kind != "blob":
            parts.append(chunk)
    if kind is None:
        raise BadObject(f"object {oid}: no '<type> <size>\\0' header")
    if received != size:
        raise BadObject(f"object {oid}: its header declares {size} bytes, it holds {received}")
    if digest.hexdigest() != oid:
        raise BadObject(f"object {oid}: its content hashes to {digest.hexdigest()}")
    return GitObject(kind, size, None if kind == "blob" else b"".join(parts))


class CheckpointRepository:
    """The bare repository at ``path``, created on first use. Thread- and process-safe.

    ``on_batch``, when set, is called after each batch that verified with the number
    of loose objects it wrote and of checkpoints (commits) its ref moved over (the packer's trigger).
    """

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self._root: Optional[str] = None  # the real path, once the repository exists
        self._confined = Confined(self.path, "the checkpoint repository", OutsideRepository)
        self.packs = Packs(self.pack_folder)
        self.on_batch: Optional[Callable[[int, int], None]] = None

    def ensure(self) -> str:
        """Create the ``git init --bare`` layout where it is missing; return the repository's real path.

        Idempotent, and safe when several threads or processes race: folders
        are made with ``exist_ok`` and each file appears whole (renamed from a
        temporary file), with the same content whoever writes it.
        """
        if self._root is not None:
            return self._root
        for folder in ("objects/info", "objects/pack", "refs/heads", "refs/tags"):
            (self.path / folder).mkdir(parents=True, exist_ok=True)
        for name, text in _SKELETON:
            target = self.path / name
            if not target.exists():
                _write_file(target, text.encode(), prefix=f".{name}.", mode=0o644)
        self._root = self._confined.root
        return self._root

    def pack_folder(self) -> str:
        """``objects/pack``, checked to resolve inside the repository (which this creates if need be)."""
        return self._inside(os.path.join(self.path, "objects", "pack"))

    # -- reading -----------------------------------------------------------

    def read_object(self, oid: str) -> bytes:
        """The object in the loose format (zlib-deflated ``"<type> <size>\\0" + content``): a loose
        object's file as it is, a packed one deflated anew. Raise KeyError when absent."""
        path = self._inside(os.path.join(self._fanout(oid), oid[2:]))
        try:
            with open(path, "rb") as file:
                return file.read()
        except FileNotFoundError:
            pass
        # After the loose file: a repack removes it only once the pack holding it is installed.
        packed = self.packs.read(oid)
        if packed is None:
            raise KeyError(f"object {oid} not found")
        kind, content = packed
        deflater = zlib.compressobj(_SERVE_LEVEL)
        header = b"%s %d\0" % (kind.encode(), len(content))
        return deflater.compress(header) + deflater.compress(content) + deflater.flush()

    def read_objects(self, oids: Iterable[str]) -> dict[str, bytes]:
        """{oid: deflated bytes} of those of the objects the repository has."""
        found = {}
        for oid in oids:
            try:
                found[oid] = self.read_object(oid)
            except KeyError:
                continue
        return found

    def missing(self, oids: Iterable[str]) -> list[str]:
        """The ids, in their order and once each, of the objects the repository lacks."""
        # One listing per fan-out folder rather than a stat per object: a client may ask about 100,000.
        stored: dict[str, set[str]] = {}
        missing, seen = [], set()
        for oid in oids:
            if check_oid(oid) in seen:
                continue
            seen.add(oid)
            names = stored.get(oid[:2])
            if names is None:
                try:
                    names = stored[oid[:2]] = set(os.listdir(self._fanout(oid)))
                except FileNotFoundError:
                    names = stored[oid[:2]] = set()
            if oid[2:] not in names:
                missing.append(oid)
        if missing:
            absent = self.packs.absent(missing)
            missing = [oid for oid in missing if oid in absent]
        return missing

    def read_ref(self, name: str) -> Optional[str]:
        """The object id a ref names, or None. A loose ref wins over ``packed-refs`` (after ``git pack-refs``)."""
        path = self._inside(self._ref_path(check_ref(name)))
        try:
            with open(path, encoding="ascii", errors="replace") as file:
                value = file.read(100).strip()
        except FileNotFoundError:
            return self._packed_ref(name)
        if not OID.fullmatch(value):
            # Not echoed: whatever the file holds is not the caller's to read.
            raise ValueError(f"{name} does not hold an object id")
        return value

    # -- writing -----------------------------------------------------------

    def apply_batch(
        self,
        objects: Sequence[tuple[str, bytes]],
        ref: Optional[RefUpdate] = None,
        max_tree_bytes: Optional[int] = None,
    ) -> list[tuple[str, Commit]]:
        """Store loose objects and then, if ``ref`` is given, move it by compare-and-swap.

        Nothing is written unless every object verifies (``inspect_object``),
        everything an object refers to is in the batch or the repository, and
        ``ref.new`` is a commit. The objects stay when the swap then fails
        (``RefConflict``, ``RefLocked``): they are content-addressed, so a retry
        reuses them. The trees, commits and tags of a batch, held in memory while it is
        checked, may inflate to ``max_tree_bytes`` (default ``MAX_BATCH_TREE_BYTES``) at
        most (``ObjectTooLarge``). Return the commits the ref moved over, newest first:
        ``ref.new``, then its first parents while they are in the batch, stopping
        at ``ref.old``.
        """
        self.ensure()
        limit = MAX_BATCH_TREE_BYTES if max_tree_bytes is None else max_tree_bytes
        # Only what checking needs is kept: each object's kind and bytes, the references
        # of trees and tags, and the parsed commits, whose content is bounded by ``limit``.
        verified: dict[str, tuple[str, bytes]] = {}
        references: list[tuple[str, str, str, str]] = []
        commits: dict[str, Commit] = {}
        kept = 0
        for oid, deflated in objects:
            if check_oid(oid) in verified:
                continue
            item = inspect_object(oid, deflated)
            if item.kind != "blob":
                kept += item.size
                if kept > limit:
                    raise ObjectTooLarge(
                        f"batch: its trees, commits and tags inflate to more than the limit of {limit} bytes"
                    )
                if item.kind == "commit":
                    commits[oid] = _parse_commit(oid, item.content or b"")
                references += [(oid, item.kind, *target) for target in _references(oid, item, commits.get(oid))]
            verified[oid] = (item.kind, deflated)
        for source, source_kind, target, kind in references:
            self._check_reference(source, source_kind, target, kind, verified)
        if ref is not None:
            check_ref(ref.name, "ref.name")
            if ref.old is not None:
                check_oid(ref.old, "ref.old")
            # Not in the batch: a commit stored earlier, say by a batch whose swap lost a race.
            if check_oid(ref.new, "ref.new") in verified:
                kind = verified[ref.new][0]
            else:
                target = self._stored(ref.new)
                if target is None:
                    raise BadObject(f"ref.new: commit {ref.new} is neither in the batch nor in the repository")
                kind = target.kind
                if kind == "commit":
                    commits[ref.new] = _parse_commit(ref.new, target.content or b"")
            if kind != "commit":
                raise BadObject(f"ref.new: {ref.new} is a {kind}, not a commit")
        written = 0
        chain: list[tuple[str, Commit]] = []
        try:
            for oid, (_, deflated) in verified.items():
                written += self._write_object(oid, deflated)
            if ref is None:
                return []
            self.update_ref(ref)
            oid: Optional[str] = ref.new
            while oid in commits and oid != ref.old:
                chain.append((oid, commits[oid]))
                parents = commits[oid].parents
                oid = parents[0] if parents else None
            return chain
        finally:
            # Also when the swap failed: the objects it wrote stay, and count.
            if self.on_batch is not None and (written or chain):
                try:
                    self.on_batch(written, len(chain))
                except Exception:  # the batch has landed whatever the listener does
                    _log.exception("jupyterlab_experiments: the checkpoint repository's batch listener failed")

    def update_ref(self, ref: RefUpdate) -> None:
        """Point ``ref.name`` at ``ref.new`` if it holds ``ref.old`` (None: does not exist); else RefConflict."""
        check_oid(ref.new, "ref.new")
        if ref.old is not None:
            check_oid(ref.old, "ref.old")
        path = self._ref_path(check_ref(ref.name, "ref.name"), create=True)
        lock = path + ".lock"
        fd: Optional[int] = _acquire(lock, ref.name)
        try:
            current = self.read_ref(ref.name)
            if current != ref.old:
                raise RefConflict(ref.name, current)
            os.write(fd, f"{ref.new}\n".encode("ascii"))
            os.fsync(fd)
            os.close(fd)
            fd = None
            os.replace(lock, path)
        except BaseException:
            if fd is not None:
                os.close(fd)
            _unlink(lock)
            raise

    # -- paths -------------------------------------------------------------

    def _inside(self, path: str) -> str:
        self.ensure()
        return self._confined.path(os.path.relpath(path, self.path))

    def _fanout(self, oid: str, create: bool = False) -> str:
        """``objects/<first two hex digits>``, checked to resolve inside the repository."""
        folder = self._inside(os.path.join(self.path, "objects", check_oid(oid)[:2]))
        if create:
            os.makedirs(folder, exist_ok=True)
        return folder

    def _ref_path(self, name: str, create: bool = False) -> str:
        folder = self._inside(os.path.join(self.path, os.path.dirname(name)))
        if create:
            os.makedirs(folder, exist_ok=True)
        return os.path.join(folder, os.path.basename(name))

    def _packed_ref(self, name: str) -> Optional[str]:
        try:
            with open(self._inside(os.path.join(self.path, "packed-refs")), encoding="utf-8", errors="replace") as file:
                for line in file:
                    oid, _, packed_name = line.rstrip("\n").partition(" ")
                    if packed_name == name and OID.fullmatch(oid):
                        return oid
        except FileNotFoundError:
            pass
        return None

    def _write_object(self, oid: str, deflated: bytes) -> bool:
        """Write a loose object unless the repository has it (loose or packed); whether it was written."""
        folder = self._fanout(oid, create=True)
        path = self._inside(os.path.join(folder, oid[2:]))
        # The packs known suffice: a pack unseen yet only means a harmless duplicate, which git tolerates.
        if os.path.exists(path) or self.packs.locate(bytes.fromhex(oid)) is not None:
            return False
        _write_file(Path(path), deflated, prefix=TEMP_PREFIX, mode=0o444)  # git's loose objects are read-only
        return True

    def _has(self, oid: str) -> bool:
        if os.path.exists(self._inside(os.path.join(self._fanout(oid), oid[2:]))):
            return True
        return self.packs.find(oid) is not None

    def _stored(self, oid: str) -> Optional[GitObject]:
        path = self._inside(os.path.join(self._fanout(oid), oid[2:]))
        try:
            with open(path, "rb") as file:
                return inspect_object(oid, file.read())
        except FileNotFoundError:
            pass
        packed = self.packs.read(oid)
        if packed is None:
            return None
        kind, content = packed
        return GitObject(kind, len(content), None if kind == "blob" else content)

    def _check_reference(self, source: str, source_kind: str, target: str, kind: str, batch: dict) -> None:
        if target in batch:
            actual = batch[target][0]
            if actual != kind:
                raise BadObject(f"{source_kind} {source} refers to {target} as a {kind}, but it is a {actual}")
        elif not self._has(target):
            raise BadObject(
                f"{source_kind} {source} refers to {kind} {target}, which is neither in the batch nor in the repository"
            )


# -- object format -------------------------------------------------------------


def _inflate(oid: str, deflated: bytes) -> Iterator[bytes]:
    """The inflated bytes of one complete zlib stream, a bounded piece at a time.

    Input goes in small slices so that zlib's unconsumed tail (which Python
    copies on every call) stays small whatever the payload's size.
    """
    inflater = zlib.decompressobj()
    view = memoryview(deflated)
    end = 0
    try:
        while end < len(view) and not inflater.eof:
            pending = view[end : end + _FEED_BYTES]
            end += len(pending)
            while True:
                chunk = inflater.decompress(pending, _INFLATE_BYTES)
                if not chunk:
                    break
                yield chunk
                pending = inflater.unconsumed_tail
    except zlib.error as error:
        raise BadObject(f"object {oid}: not a valid zlib stream ({error})") from None
    if not inflater.eof:
        raise BadObject(f"object {oid}: the zlib stream is truncated")
    trailing = len(inflater.unused_data) + len(view) - end
    if trailing:
        raise BadObject(f"object {oid}: {trailing} bytes follow the zlib stream")


def _parse_header(oid: str, header: bytes, max_size: int) -> tuple[str, int]:
    kind, _, size = header.partition(b" ")
    # Canonical decimal only: "0" but no leading zeros, as git writes it.
    if kind.decode("ascii", "replace") not in OBJECT_KINDS or not size.isdigit() or size != b"%d" % int(size):
        raise BadObject(f"object {oid}: header {header[:_MAX_HEADER_BYTES]!r} is not '<blob|tree|commit|tag> <size>'")
    if int(size) > max_size:
        raise ObjectTooLarge(f"object {oid}: {int(size)} bytes, more than the limit of {max_size}")
    return kind.decode("ascii"), int(size)


def _parse_commit(oid: str, content: bytes) -> Commit:
    try:
        return parse_commit(content)
    except CommitFormatError as error:
        raise BadObject(f"object {oid}: {error}") from None


def _references(oid: str, item: GitObject, commit: Optional[Commit]) -> list[tuple[str, str]]:
    """(object id, kind) of every object ``item`` refers to."""
    if commit is not None:
        return [(commit.tree, "tree")] + [(parent, "commit") for parent in commit.parents]
    if item.kind == "tree":
        return _tree_references(oid, item.content or b"")
    if item.kind == "tag":
        target = _TAG_TARGET.match(item.content or b"")
        if target is None:
            raise BadObject(f"tag {oid}: does not start with 'object <id>' and 'type <type>' lines")
        return [(target.group(1).decode("ascii"), target.group(2).decode("ascii"))]
    return []


def _tree_references(oid: str, content: bytes) -> list[tuple[str, str]]:
    """A tree's entries are ``<mode> <name>\\0<20-byte id>``, one after the other."""
    references = []
    start = 0
    while start < len(content):
        space = content.find(b" ", start)
        nul = content.find(b"\0", space + 1) if space >= 0 else -1
        if nul < 0 or nul + 21 > len(content):
            raise BadObject(f"tree {oid}: the entry at byte {start} is not '<mode> <name>\\0<20-byte id>'")
        mode, name = content[start:space], content[space + 1 : nul]
        if mode not in _TREE_MODES:
            raise BadObject(f"tree {oid}: entry {name[:60]!r} has mode {mode[:10]!r}, which git does not write")
        if not name or b"/" in name or name in (b".", b"..") or name.lower() == b".git":
            raise BadObject(f"tree {oid}: {name[:60]!r} is not a valid entry name")
        kind = _TREE_MODES[mode]
        if kind is not None:
            references.append((content[nul + 1 : nul + 21].hex(), kind))
        start = nul + 21
    return references


# -- files ---------------------------------------------------------------------


def _write_file(path: Path, data: bytes, prefix: str, mode: int) -> None:
    """Write ``path`` whole or not at all: a temporary file in its folder, fsynced, renamed over it."""
    fd, temp = tempfile.mkstemp(prefix=prefix, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temp, mode)  # mkstemp's files are private (0600); git's are world-readable
        os.replace(temp, path)
    except BaseException:
        _unlink(temp)
        raise


def _acquire(lock: str, ref: str) -> int:
    """Create ``lock`` exclusively, as git does; break it when stale, wait briefly when fresh."""
    deadline = time.monotonic() + LOCK_WAIT_S
    while True:
        try:
            return os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644)
        except FileExistsError:
            pass
        try:
            modified = os.stat(lock).st_mtime
        except FileNotFoundError:
            continue  # released meanwhile
        age = time.time() - modified
        if age > STALE_LOCK_S or modified < _PROCESS_STARTED:
            _unlink(lock)
            continue
        if time.monotonic() > deadline:
            raise RefLocked(f"{ref} is locked by another writer ({os.path.basename(lock)}, {age:.1f} s old)")
        time.sleep(_LOCK_POLL_S)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _short(value: object) -> str:
    text = "null" if value is None else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
