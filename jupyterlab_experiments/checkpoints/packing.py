"""Background packing of the checkpoint repository with the git CLI.

Each batch adds loose objects, one file each; a long-used repository would hold
hundreds of thousands. After a batch (``CheckpointRepository.on_batch``) the
packer counts what the batch added; once ``pack_every`` checkpoints have landed
since the last pack, or ``pack_loose_objects`` loose objects more than the last
pack left, it wakes its one thread, which runs

* ``git repack -d -q -n``: the loose objects reachable from a ref go into a new
  pack and their loose copies are removed. Unreachable ones stay loose, so the
  objects of a batch whose ref has not moved yet are not touched;
* then, beyond ``MAX_PACKS`` packs, ``git repack -a -d -q -n --keep-unreachable
  --write-bitmap-index``: everything into one pack. ``--keep-unreachable``
  carries the objects of the old packs that no ref reaches into the new one
  (plain ``-a -d`` would delete them with their pack, and a batch being checked
  may refer to one of them).

Nothing is ever pruned (the repository's ``gc.auto = 0`` keeps ``git gc
--auto`` out too). A request is never held up: reads go on from the loose
objects and the packs there are (``packs``) while git writes a new pack, and a
batch's objects are written loose as ever. git writes a pack to temporary files
(``objects/pack/tmp_pack_*``, ``.tmp-*``) and renames them when complete, the
index last, and removes loose copies only after that, so a server killed
mid-pack leaves a valid repository (``git fsck`` clean) plus temporary files;
those older than ``STALE_TEMP_S`` are removed when the packer starts.

Servers sharing a store pack one at a time: a pack is made under an ``flock``
of ``LOCK_NAME`` in the repository (released by the kernel when its holder
dies), and a packer that finds it held skips that round (not on Windows, which
has no ``flock``; one server per store is the usual case anyway).

Without ``git`` on PATH nothing is packed (one log line); packs already there
are read all the same. ``pack_every = 0`` turns packing off. A failed pack is
logged and retried at the next trigger; it never fails a request.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
import threading
import time
from typing import Any, Iterator, Optional

from .repository import OID, CheckpointRepository

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

DEFAULT_PACK_EVERY = 100
DEFAULT_PACK_LOOSE_OBJECTS = 2000
# More packs than this are consolidated into one: each read looks through every pack.
MAX_PACKS = 8
# A temporary file of git's this old in objects/pack belongs to a pack that died with its process.
STALE_TEMP_S = 3600.0
# How long stop() gives git to end after it is terminated.
STOP_WAIT_S = 10.0
# Held (flock) while a process packs the repository.
LOCK_NAME = "jupyterlab-experiments-packing.lock"
_FANOUT = set(f"{i:02x}" for i in range(256))
# Variables that would point git at another repository or object folder than the one named.
_GIT_ENV = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_QUARANTINE_PATH",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
)


class Packer:
    """Packs ``repository`` in one background thread of its own; ``start()`` it, ``stop()`` it."""

    def __init__(
        self,
        repository: CheckpointRepository,
        pack_every: int = DEFAULT_PACK_EVERY,
        pack_loose_objects: int = DEFAULT_PACK_LOOSE_OBJECTS,
        log: Any = None,
        max_packs: int = MAX_PACKS,
    ):
        self.repository = repository
        self.pack_every = pack_every
        self.pack_loose_objects = pack_loose_objects
        self.max_packs = max_packs
        self.log = log if log is not None else logging.getLogger(__name__)
        self.git: Optional[str] = None
        self.packs_made = 0  # packing runs that succeeded (for the tests)
        self.failures = 0  # and those that failed (those skipped for another process's are neither)
        self._condition = threading.Condition()
        self._checkpoints = 0  # checkpoints since the last pack started
        self._loose = 0  # loose objects (estimated: counted at start and after each pack, plus what batches wrote)
        self._floor = 0  # loose objects the last pack left behind (unreachable ones stay loose)
        self._written_meanwhile = 0  # loose objects written while a pack ran
        self._counted = False
        self._wanted = False
        self._busy = False
        self._stopping = False
        self._thread: Optional[threading.Thread] = None
        self._process: Optional[subprocess.Popen] = None

    @property
    def enabled(self) -> bool:
        return self._thread is not None

    def start(self) -> bool:
        """Find git, listen to the repository's batches, start the thread; whether packing is on."""
        if self.pack_every <= 0:
            self.log.info("jupyterlab_experiments: checkpoint packing is off (Experiments.pack_every = 0)")
            return False
        self.git = shutil.which("git")
        if self.git is None:
            self.log.warning(
                "jupyterlab_experiments: git is not on PATH, so the checkpoint repository is not packed"
                " (its loose objects and any packs are still read)"
            )
            return False
        self.repository.on_batch = self.after_batch
        self._thread = threading.Thread(target=self._run, name="jupyterlab-experiments-packer", daemon=True)
        self._thread.start()
        return True

    def stop(self, timeout: float = STOP_WAIT_S) -> None:
        """Stop listening and end the thread; a pack under way is ended (git leaves a valid repository)."""
        if self.repository.on_batch == self.after_batch:
            self.repository.on_batch = None
        with self._condition:
            self._stopping = True
            process = self._process
            self._condition.notify_all()
        if process is not None and process.poll() is None:
            process.terminate()  # git removes its temporary files on SIGTERM
        if self._thread is not None:
            self._thread.join(timeout)

    def after_batch(self, written: int, checkpoints: int) -> None:
        """Count a batch's new loose objects and checkpoints; wake the thread when a threshold is crossed."""
        with self._condition:
            self._checkpoints += checkpoints
            self._loose += written
            if self._busy:
                self._written_meanwhile += written
            if self._due():
                self._wanted = True
                self._condition.notify_all()

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Wait until no pack is running or wanted (for tests); whether that happened in time."""
        if self._thread is None:
            return True
        deadline = time.monotonic() + timeout
        with self._condition:
            while (self._busy or self._wanted or not self._counted) and not self._stopping:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._condition.wait(left)
        return True

    def _due(self) -> bool:
        if not self._counted:
            return False  # the start-up count decides once it is in
        if self._checkpoints >= self.pack_every:
            return True
        return 0 < self.pack_loose_objects <= self._loose - self._floor

    def _run(self) -> None:
        try:
            remove_stale_temporary_files(self.repository)
            loose = count_loose_objects(self.repository)
        except Exception:
            self.log.exception("jupyterlab_experiments: counting the checkpoint repository's loose objects failed")
            loose = 0
        with self._condition:
            self._loose += loose
            self._counted = True
            self._condition.notify_all()
        while True:
            with self._condition:
                while not (self._wanted or self._stopping):
                    self._condition.wait()
                if self._stopping:
                    return
                self._wanted = False
                self._busy = True
                self._checkpoints = 0
                self._written_meanwhile = 0
            packed: Optional[bool] = None
            try:
                started = time.monotonic()
                before = self._loose
                packed = self.pack()
                if packed:
                    self.log.info(
                        "jupyterlab_experiments: packed the checkpoint repository (about %d loose objects) in %.1f s",
                        before,
                        time.monotonic() - started,
                    )
            except Exception:
                if not self._stopping:
                    self.log.exception("jupyterlab_experiments: packing the checkpoint repository failed")
            try:
                left = count_loose_objects(self.repository)
            except Exception:
                left = None
            with self._condition:
                if left is not None:
                    self._loose = left
                    self._floor = max(0, left - self._written_meanwhile)
                self._busy = False
                if packed:
                    self.packs_made += 1
                elif packed is None:
                    self.failures += 1
                if self._due():
                    self._wanted = True
                self._condition.notify_all()

    def pack(self) -> bool:
        """Pack now, in the calling thread: the loose objects, then all packs into one if they are many.
        False when another process is packing the repository."""
        assert self.git is not None
        with _exclusive(os.path.join(self.repository.ensure(), LOCK_NAME)) as held:
            if not held:
                self.log.info("jupyterlab_experiments: another process is packing the checkpoint repository")
                return False
            self._git("repack", "-d", "-q", "-n")
            if count_packs(self.repository) > self.max_packs:
                self._git("repack", "-a", "-d", "-q", "-n", "--keep-unreachable", "--write-bitmap-index")
        self.repository.packs.rescan()  # let go of deleted packs
        return True

    def _git(self, *args: str) -> None:
        env = {name: value for name, value in os.environ.items() if name not in _GIT_ENV}
        command = [self.git or "git", "--git-dir", self.repository.ensure(), "-c", "gc.auto=0", *args]
        with self._condition:
            if self._stopping:
                raise RuntimeError("the packer is stopping")
            self._process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
            )
        try:
            out, err = self._process.communicate()
        finally:
            with self._condition:
                process, self._process = self._process, None
        if process.returncode:
            message = (err or out).decode("utf-8", "replace").strip()[-2000:]
            raise RuntimeError(f"git {' '.join(args)} exited with {process.returncode}: {message}")


@contextlib.contextmanager
def _exclusive(path: str) -> Iterator[bool]:
    """An exclusive ``flock`` of ``path`` if no other process holds it: whether it is held."""
    if fcntl is None:
        yield True
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # releases the lock


def count_loose_objects(repository: CheckpointRepository) -> int:
    """The loose object files: one listing per fan-out folder."""
    if not (repository.path / "objects").is_dir():
        return 0
    objects = os.path.dirname(repository.pack_folder())
    count = 0
    with os.scandir(objects) as folders:
        for folder in folders:
            if folder.name in _FANOUT and folder.is_dir(follow_symlinks=False):
                try:
                    names = os.listdir(folder.path)
                except FileNotFoundError:  # emptied and removed by a repack meanwhile
                    continue
                count += sum(1 for name in names if OID.fullmatch(folder.name + name))
    return count


def count_packs(repository: CheckpointRepository) -> int:
    try:
        names = os.listdir(repository.pack_folder())
    except FileNotFoundError:
        return 0
    return sum(1 for name in names if name.startswith("pack-") and name.endswith(".pack"))


def remove_stale_temporary_files(repository: CheckpointRepository, older_than: float = STALE_TEMP_S) -> list[str]:
    """Remove what a pack killed mid-way left in ``objects/pack`` (git's ``tmp_*`` and ``.tmp-*`` files)."""
    removed: list[str] = []
    if not (repository.path / "objects").is_dir():
        return removed  # not created yet: nothing to clean, and nothing to create
    folder = repository.pack_folder()
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return removed
    now = time.time()
    for entry in entries:
        if not (entry.name.startswith("tmp_") or entry.name.startswith(".tmp-")):
            continue
        try:
            if entry.is_file(follow_symlinks=False) and now - entry.stat(follow_symlinks=False).st_mtime > older_than:
                os.unlink(entry.path)
                removed.append(entry.name)
        except FileNotFoundError:
            continue
    return removed
