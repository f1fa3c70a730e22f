"""Packs in the checkpoint repository: reading them (checkpoints.packs), the background packer
(checkpoints.packing), the git API on a packed repository, and a server killed mid-pack."""

from __future__ import annotations

import glob
import hashlib
import json
import logging
import os
import random
import signal
import struct
import subprocess
import threading
import time
import zlib
from pathlib import Path

import pytest
from conftest import require_executable
from test_checkpoints_repository import (
    REF,
    checkpoint,
    commit,
    fsck_problems,
    git,
    loose_object,
    trailer_message,
    tree,
)
from test_gitfs import batch_body
from test_gitfs_restart import ServerProcess

from jupyterlab_experiments.checkpoints import CheckpointRepository, RefUpdate, notebook_ref
from jupyterlab_experiments.checkpoints import packing as packing_module
from jupyterlab_experiments.checkpoints import repository as repository_module
from jupyterlab_experiments.checkpoints.packing import (
    Packer,
    count_loose_objects,
    count_packs,
    remove_stale_temporary_files,
)
from jupyterlab_experiments.checkpoints.packs import OFS_DELTA, REF_DELTA, Pack, PackError, apply_delta

require_executable("git")

GIT = "experiments/api/git"
OTHER_REF = notebook_ref("11111111-2222-3333-4444-555555555555")


# -- building a history ----------------------------------------------------------------


class History:
    """Checkpoints of a growing notebook on one ref: each edits a few lines of a long cell
    (so git stores deltas) and adds a small blob of its own."""

    def __init__(self, repo: CheckpointRepository, ref: str = REF, seed: int = 1, lines: int = 400):
        self.repo = repo
        self.ref = ref
        self.random = random.Random(seed)
        self.lines = [f"line {i}: " + "x" * self.random.randint(0, 60) for i in range(lines)]
        self.head: str | None = None
        self.objects: dict[str, bytes] = {}  # every object landed, with its loose bytes
        self.commits: list[str] = []

    def next(self) -> tuple[str, list[tuple[str, bytes]]]:
        """(commit id, objects) of the next checkpoint, not landed."""
        n = len(self.commits)
        for _ in range(3):
            self.lines[self.random.randrange(len(self.lines))] = f"edit {n}: " + "y" * self.random.randint(0, 60)
        big = loose_object("blob", "\n".join(self.lines).encode())
        small = loose_object("blob", f"print({n})\n".encode())
        root = loose_object("tree", tree(("100644", "cell-a.py", big[0]), ("100644", "cell-b.py", small[0])))
        top = loose_object("commit", commit(root[0], [self.head] if self.head else [], trailer_message(count=n)))
        return top[0], [big, small, root, top]

    def land(self, count: int = 1) -> list[str]:
        landed = []
        for _ in range(count):
            new, objects = self.next()
            self.repo.apply_batch(objects, RefUpdate(self.ref, self.head, new))
            self.objects.update(objects)
            self.commits.append(new)
            self.head = new
            landed.append(new)
        return landed


def inflated(deflated: bytes) -> bytes:
    return zlib.decompress(deflated)


def loose_files(repo_path: Path) -> set[str]:
    return {
        path.parent.name + path.name
        for path in (repo_path / "objects").glob("??/*")
        if len(path.parent.name + path.name) == 40
    }


def pack_entry_types(repo_path: Path) -> set[int]:
    types = set()
    for idx in glob.glob(str(repo_path / "objects" / "pack" / "pack-*.idx")):
        pack = Pack(idx[: -len(".idx")])
        for name in pack.index.names():
            types.add(pack.entry(pack.index.offset(name))[0])
    return types


def cat_files(repo_path: Path, oids) -> dict[str, bytes]:
    """{oid: ``"<type> <size>\\0" + content``} as git reads them (``git cat-file --batch``)."""
    result = subprocess.run(
        ["git", "--git-dir", str(repo_path), "cat-file", "--batch"],
        input="".join(oid + "\n" for oid in oids).encode(),
        capture_output=True,
        check=True,
    )
    found, out = {}, result.stdout
    while out:
        line, _, out = out.partition(b"\n")
        oid, kind, size = line.decode().split()
        found[oid] = b"%s %d\0" % (kind.encode(), int(size)) + out[: int(size)]
        out = out[int(size) + 1 :]
    return found


@pytest.fixture
def repo_path(tmp_path):
    return tmp_path / "checkpoints.git"


@pytest.fixture
def repo(repo_path):
    return CheckpointRepository(repo_path)


@pytest.fixture
def packer(repo):
    """A packer that is not started: ``packer.pack()`` packs in the test's thread."""
    packer = Packer(repo)
    packer.git = require_executable("git")
    return packer


@pytest.fixture
def started():
    """``started(repo, **settings)``: a running packer, stopped after the test."""
    packers = []

    def start(repo, **settings):
        packer = Packer(repo, **settings)
        packer.start()
        packers.append(packer)
        assert packer.wait_idle(30)
        return packer

    yield start
    for packer in packers:
        packer.stop()


# -- reading packs -----------------------------------------------------------------------


def test_after_a_pack_every_object_reads_back_the_same_and_git_agrees(repo, repo_path, packer):
    history = History(repo)
    history.land(30)
    before = {oid: inflated(repo.read_object(oid)) for oid in history.objects}

    packer.pack()

    assert loose_files(repo_path) == set()
    assert count_packs(repo) == 1
    assert OFS_DELTA in pack_entry_types(repo_path)  # deltas were resolved, not just whole objects read
    fresh = CheckpointRepository(repo_path)  # knows no pack yet: finds them by listing the folder
    for oid, raw in before.items():
        assert inflated(repo.read_object(oid)) == raw
        assert inflated(fresh.read_object(oid)) == raw
    assert {oid: inflated(data) for oid, data in repo.read_objects(list(history.objects)).items()} == before
    assert cat_files(repo_path, before) == before
    assert fsck_problems(repo_path) == []
    with pytest.raises(KeyError, match="not found"):
        repo.read_object("f" * 40)


@pytest.mark.parametrize("offsets", [True, False], ids=["ofs-delta", "ref-delta"])
def test_the_reader_resolves_both_kinds_of_delta_as_git_does(repo, repo_path, offsets):
    history = History(repo)
    history.land(20)
    setting = "true" if offsets else "false"
    assert git(repo_path, "-c", f"repack.useDeltaBaseOffset={setting}", "repack", "-a", "-d", "-q").returncode == 0

    assert (OFS_DELTA if offsets else REF_DELTA) in pack_entry_types(repo_path)
    fresh = CheckpointRepository(repo_path)
    assert {oid: inflated(fresh.read_object(oid)) for oid in history.objects} == cat_files(repo_path, history.objects)


def test_missing_reports_packed_objects_as_present(repo, packer):
    history = History(repo)
    history.land(5)
    packer.pack()
    new, objects = history.next()
    asked = list(history.objects) + [oid for oid, _ in objects] + list(history.objects)[:2]
    assert repo.missing(asked) == [oid for oid, _ in objects if oid not in history.objects]
    assert CheckpointRepository(repo.path).missing(list(history.objects)) == []


def test_a_batch_referring_to_packed_objects_is_accepted_and_does_not_copy_them(repo, repo_path, packer):
    history = History(repo)
    first = history.land(3)[0]
    packer.pack()
    assert loose_files(repo_path) == set()
    packed_blob = next(oid for oid, data in history.objects.items() if inflated(data).startswith(b"blob"))

    # A checkpoint whose tree names a packed blob and whose parent is a packed commit.
    root = loose_object("tree", tree(("100644", "cell-a.py", packed_blob)))
    top = loose_object("commit", commit(root[0], [history.head], trailer_message(count=9)))
    chain = repo.apply_batch([root, top], RefUpdate(REF, history.head, top[0]))
    assert [oid for oid, _ in chain] == [top[0]]
    assert loose_files(repo_path) == {root[0], top[0]}

    # Objects sent again that are packed are not written loose again.
    repo.apply_batch(list(history.objects.items()))
    assert loose_files(repo_path) == {root[0], top[0]}

    # A ref moved to a packed commit (a retry after a lost race) reads it from the pack.
    assert [oid for oid, _ in repo.apply_batch([], RefUpdate(OTHER_REF, None, first))] == [first]
    assert git(repo_path, "log", "--format=%H", REF).stdout.split() == [top[0], *history.commits[::-1]]
    assert fsck_problems(repo_path) == []


def test_unreachable_loose_objects_stay_loose_and_consolidation_keeps_them(repo, repo_path, packer):
    history = History(repo)
    history.land(3)
    # A batch whose ref has not moved yet: nothing reaches its objects.
    pending, objects = history.next()
    repo.apply_batch(objects)
    packer.pack()
    assert loose_files(repo_path) == {oid for oid, _ in objects if oid not in history.objects}

    packer.max_packs = 0  # consolidate on every pack
    history.land(2)
    packer.pack()
    assert count_packs(repo) == 1
    assert glob.glob(str(repo_path / "objects" / "pack" / "*.bitmap"))
    assert loose_files(repo_path) == set()  # packed, not pruned
    for oid, data in [*history.objects.items(), *objects]:
        assert inflated(repo.read_object(oid)) == inflated(data)
    # The pending batch's ref can still move.
    assert [oid for oid, _ in repo.apply_batch(objects, RefUpdate(OTHER_REF, None, pending))] == [pending]
    assert fsck_problems(repo_path) == []


def test_beyond_max_packs_the_packs_are_consolidated_into_one(repo, repo_path, packer):
    packer.max_packs = 2
    history = History(repo)
    counts = []
    for _ in range(4):
        history.land(3)
        packer.pack()
        counts.append(count_packs(repo))
    assert counts == [1, 2, 1, 2]
    for oid, data in history.objects.items():
        assert inflated(repo.read_object(oid)) == inflated(data)
    assert fsck_problems(repo_path) == []


def test_a_pack_deleted_under_a_reader_is_dropped_and_the_new_one_found(repo, repo_path, packer):
    history = History(repo)
    history.land(4)
    packer.pack()
    assert repo.missing(list(history.objects)) == []  # the reader holds the first pack
    old = repo.packs.packs
    history.land(4)
    # Someone else consolidates: the pack the reader holds is deleted.
    assert git(repo_path, "repack", "-a", "-d", "-q").returncode == 0
    assert not os.path.exists(str(repo_path / "objects" / "pack" / old[0].name) + ".pack")
    for oid, data in history.objects.items():
        assert inflated(repo.read_object(oid)) == inflated(data)
    assert [pack.name for pack in repo.packs.packs] != [pack.name for pack in old]
    # A reader still holding the deleted pack reads on from its mapping.
    for oid in history.commits[:4]:
        offset = old[0].index.offset(bytes.fromhex(oid))
        kind, content = repo.packs._resolve(old[0], offset)
        assert b"commit %d\0" % len(content) + content == inflated(history.objects[oid])


def test_reads_never_fail_while_packs_are_written_and_deleted(repo, repo_path, packer):
    packer.max_packs = 1  # every second pack consolidates, deleting the packs readers hold
    history = History(repo)
    history.land(20)
    expected = {oid: inflated(data) for oid, data in history.objects.items()}
    oids = list(expected)
    stop = threading.Event()
    errors: list[BaseException] = []
    reads = [0]

    def reader(seed: int) -> None:
        order = random.Random(seed)
        try:
            while not stop.is_set():
                batch = order.sample(oids, 10)
                for oid in batch:
                    assert inflated(repo.read_object(oid)) == expected[oid]
                assert repo.missing(batch) == []
                found = repo.read_objects(batch)
                assert {oid: inflated(data) for oid, data in found.items()} == {oid: expected[oid] for oid in batch}
                reads[0] += 1
        except BaseException as error:  # collected: a thread's exception would otherwise vanish
            errors.append(error)

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(4):
            history.land(5)
            packer.pack()
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert errors == []
    assert reads[0] > 0
    assert fsck_problems(repo_path) == []


def test_a_damaged_pack_is_not_served_and_a_broken_index_is_ignored(repo, repo_path, packer):
    history = History(repo)
    history.land(3)
    packer.pack()
    (pack_file,) = glob.glob(str(repo_path / "objects" / "pack" / "pack-*.pack"))
    blob = history.commits[-1]
    fresh = CheckpointRepository(repo_path)
    pack = fresh.packs.packs[0]
    kind, size, start, _ = pack.entry(pack.index.offset(bytes.fromhex(blob)))
    os.chmod(pack_file, 0o644)
    with open(pack_file, "r+b") as file:  # a bit flipped in the commit's zlib stream
        file.seek(start + 2)
        byte = file.read(1)
        file.seek(start + 2)
        file.write(bytes([byte[0] ^ 0x40]))
    with pytest.raises(PackError):
        CheckpointRepository(repo_path).read_object(blob)

    # An index that is not one: that pack is ignored, the others still read.
    other = CheckpointRepository(repo_path.parent / "other.git")
    landed = History(other, seed=9)
    landed.land(2)
    assert git(other.path, "repack", "-a", "-d", "-q").returncode == 0
    (real,) = [name[:-4] for name in os.listdir(other.path / "objects" / "pack") if name.endswith(".idx")]
    (other.path / "objects" / "pack" / "pack-0000.idx").write_bytes(b"not an index")
    (other.path / "objects" / "pack" / "pack-0000.pack").write_bytes(b"PACK" + bytes(40))
    fresh = CheckpointRepository(other.path)
    for oid, data in landed.objects.items():
        assert inflated(fresh.read_object(oid)) == inflated(data)
    assert fresh.missing(["e" * 40]) == ["e" * 40]
    assert [pack.name for pack in fresh.packs.packs] == [real]


def test_a_pack_symlinked_from_outside_is_not_read(repo, repo_path, tmp_path, packer):
    elsewhere = CheckpointRepository(tmp_path / "elsewhere.git")
    secret = History(elsewhere, seed=7)
    secret.land(1)
    assert git(elsewhere.path, "repack", "-a", "-d", "-q").returncode == 0
    repo.ensure()
    for source in glob.glob(str(elsewhere.path / "objects" / "pack" / "pack-*")):
        os.symlink(source, repo_path / "objects" / "pack" / os.path.basename(source))
    assert repo.missing(secret.commits) == secret.commits
    with pytest.raises(KeyError):
        repo.read_object(secret.commits[0])


def test_apply_delta_refuses_what_git_would_not_write():
    base = b"0123456789"
    assert apply_delta(base, bytes([10, 4, 0x91, 2, 3, 1, ord("!")])) == b"234!"
    with pytest.raises(PackError, match="base of 9 bytes"):
        apply_delta(base, bytes([9, 1, 1, 0]))
    with pytest.raises(PackError, match="copies from beyond its base"):
        apply_delta(base, bytes([10, 4, 0x91, 8, 4]))
    with pytest.raises(PackError, match="reserved instruction 0"):
        apply_delta(base, bytes([10, 1, 0]))
    with pytest.raises(PackError, match="builds 3 bytes, not the 4"):
        apply_delta(base, bytes([10, 4, 3, 1, 2, 3]))


# -- the packer ----------------------------------------------------------------------------


def test_pack_every_triggers_exactly_when_crossed(repo, repo_path, started):
    packer = started(repo, pack_every=3, pack_loose_objects=0)
    history = History(repo)
    history.land(2)
    assert packer.wait_idle()
    assert (packer.packs_made, count_packs(repo)) == (0, 0)
    history.land(1)
    assert packer.wait_idle()
    assert (packer.packs_made, count_packs(repo)) == (1, 1)
    assert loose_files(repo_path) == set()
    # A batch moving a ref over several commits counts each.
    commits = []
    for _ in range(3):
        new, objects = history.next()
        commits += objects
        history.commits.append(new)
        history.head = new
    repo.apply_batch(commits, RefUpdate(REF, history.commits[-4], history.head))
    assert packer.wait_idle()
    assert (packer.packs_made, count_packs(repo)) == (2, 2)
    assert fsck_problems(repo_path) == []


def test_loose_objects_trigger_exactly_when_crossed_counting_those_there_at_start(repo, repo_path, started):
    history = History(repo)
    history.land(2)  # 8 loose objects before the packer starts
    packer = started(repo, pack_every=1000, pack_loose_objects=11)
    repo.apply_batch([loose_object("blob", b"one")])  # 9
    repo.apply_batch([loose_object("blob", b"two")])  # 10
    assert packer.wait_idle()
    assert packer.packs_made == 0
    repo.apply_batch([loose_object("blob", b"one")])  # already there: still 10
    assert packer.wait_idle()
    assert packer.packs_made == 0
    repo.apply_batch([loose_object("blob", b"three")])  # 11
    assert packer.wait_idle()
    assert packer.packs_made == 1
    # The three unreachable blobs stay loose; they are not counted against the next pack.
    assert len(loose_files(repo_path)) == 3
    history.land(2)  # 8 more
    assert packer.wait_idle()
    assert packer.packs_made == 1
    repo.apply_batch([loose_object("blob", b"%d" % i) for i in range(3)])  # 11 more than the pack left
    assert packer.wait_idle()
    assert packer.packs_made == 2


def test_pack_every_zero_never_packs(repo, repo_path, started, caplog):
    with caplog.at_level(logging.INFO, logger="jupyterlab_experiments.checkpoints.packing"):
        packer = started(repo, pack_every=0, pack_loose_objects=1)
    assert not packer.enabled
    assert repo.on_batch is None
    History(repo).land(10)
    time.sleep(0.1)
    assert count_packs(repo) == 0
    assert len(loose_files(repo_path)) == 40
    assert "packing is off" in caplog.text


def test_without_git_packing_is_skipped_and_packs_are_still_read(repo, repo_path, packer, started, monkeypatch, caplog):
    history = History(repo)
    history.land(5)
    packer.pack()
    monkeypatch.setenv("PATH", str(repo_path.parent / "no-git-here"))
    with caplog.at_level(logging.WARNING, logger="jupyterlab_experiments.checkpoints.packing"):
        idle = started(CheckpointRepository(repo_path), pack_every=1, pack_loose_objects=1)
    assert not idle.enabled
    assert [record.message for record in caplog.records if "git is not on PATH" in record.message]
    fresh = CheckpointRepository(repo_path)
    for oid, data in history.objects.items():
        assert inflated(fresh.read_object(oid)) == inflated(data)
    assert fresh.missing(list(history.objects)) == []
    History(fresh, OTHER_REF, seed=3).land(3)
    assert count_packs(fresh) == 1


def test_a_failing_pack_is_logged_and_never_fails_a_batch(repo, repo_path, started, caplog):
    packer = started(repo, pack_every=1, pack_loose_objects=0)
    packer.git = require_executable("false")
    history = History(repo)
    with caplog.at_level(logging.ERROR, logger="jupyterlab_experiments.checkpoints.packing"):
        history.land(2)
        assert packer.wait_idle()
    assert packer.failures >= 1 and packer.packs_made == 0
    assert "packing the checkpoint repository failed" in caplog.text
    assert repo.read_ref(REF) == history.head
    # A listener that raises does not fail the batch either.
    repo.on_batch = lambda written, checkpoints: 1 / 0
    with caplog.at_level(logging.ERROR, logger="jupyterlab_experiments.checkpoints.repository"):
        history.land(1)
    assert repo.read_ref(REF) == history.head
    assert "batch listener failed" in caplog.text


def test_one_pack_at_a_time_and_batches_and_reads_go_on_while_it_runs(repo, repo_path, started, monkeypatch):
    packer = started(repo, pack_every=1, pack_loose_objects=0)
    running = threading.Event()
    release = threading.Event()
    concurrent = []
    active = [0]
    real_pack = packer.pack

    def slow_pack():
        active[0] += 1
        concurrent.append(active[0])
        running.set()
        release.wait(30)
        try:
            return real_pack()
        finally:
            active[0] -= 1

    monkeypatch.setattr(packer, "pack", slow_pack)
    history = History(repo)
    history.land(1)
    assert running.wait(10)
    started_at = time.monotonic()
    history.land(5)  # each crosses the threshold while the pack runs
    for oid, data in history.objects.items():
        assert repo.read_object(oid) == data
    assert time.monotonic() - started_at < 5  # nothing waited for the pack
    release.set()
    assert packer.wait_idle()
    assert max(concurrent) == 1
    assert packer.packs_made == 2  # the one running, then one for what landed meanwhile
    assert loose_files(repo_path) == set()


def test_stale_temporary_files_of_a_killed_pack_are_removed_at_start(repo, repo_path, started):
    History(repo).land(1)
    folder = repo_path / "objects" / "pack"
    old = [folder / "tmp_pack_Ab12Cd", folder / ".tmp-4242-pack-0123.pack", folder / "tmp_idx_x"]
    fresh = folder / "tmp_pack_fresh"
    for path in [*old, fresh]:
        path.write_bytes(b"partial")
    for path in old:
        os.utime(path, (time.time() - 7200, time.time() - 7200))
    started(repo, pack_every=100)
    assert sorted(os.listdir(folder)) == ["tmp_pack_fresh"]
    assert remove_stale_temporary_files(CheckpointRepository(repo_path.parent / "absent.git")) == []
    assert not (repo_path.parent / "absent.git").exists()


def test_stop_ends_the_thread_and_stops_listening(repo, started):
    packer = started(repo, pack_every=1)
    thread = packer._thread
    packer.stop()
    assert not thread.is_alive()
    assert repo.on_batch is None
    History(repo).land(2)
    assert count_packs(repo) == 0


@pytest.mark.skipif(packing_module.fcntl is None, reason="flock is POSIX")
def test_a_repository_another_process_is_packing_is_left_to_it(repo, repo_path, packer):
    History(repo).land(2)
    fd = os.open(repo_path / packing_module.LOCK_NAME, os.O_RDWR | os.O_CREAT)
    try:
        packing_module.fcntl.flock(fd, packing_module.fcntl.LOCK_EX)  # as another server would
        assert packer.pack() is False
        assert count_packs(repo) == 0
    finally:
        os.close(fd)
    assert packer.pack() is True
    assert count_packs(repo) == 1


def test_git_packs_the_repository_named_whatever_the_environment_says(repo, repo_path, packer, monkeypatch):
    History(repo).land(2)
    decoy = CheckpointRepository(repo_path.parent / "decoy.git")
    decoy.ensure()
    monkeypatch.setenv("GIT_DIR", str(decoy.path))
    monkeypatch.setenv("GIT_OBJECT_DIRECTORY", str(decoy.path / "objects"))
    packer.pack()
    assert (count_packs(repo), count_packs(decoy)) == (1, 0)
    assert loose_files(repo_path) == set()


def test_count_loose_objects_counts_object_files_only(repo, repo_path):
    History(repo).land(2)
    (repo_path / "objects" / "ab").mkdir(exist_ok=True)
    (repo_path / "objects" / "ab" / "tmp_obj_123").write_bytes(b"x")
    assert count_loose_objects(repo) == 8
    assert count_loose_objects(CheckpointRepository(repo_path.parent / "absent.git")) == 0


# -- the git API on a packed repository -------------------------------------------------------


@pytest.fixture
def jp_server_config(jp_server_config):
    """The test server packs after every checkpoint."""
    experiments = {**jp_server_config["Experiments"], "pack_every": 1, "pack_loose_objects": 0}
    return {**jp_server_config, "Experiments": experiments}


def _framed(body: bytes) -> tuple[dict, dict[str, bytes]]:
    (length,) = struct.unpack(">I", body[:4])
    header = json.loads(body[4 : 4 + length])
    objects, offset = {}, 4 + length
    for item in header["objects"]:
        objects[item["oid"]] = body[offset : offset + item["size"]]
        offset += item["size"]
    return header, objects


def test_the_git_api_serves_a_packed_repository(fetch_answer, jp_serverapp, store_dir):
    settings = jp_serverapp.web_app.settings
    packer = settings["experiments_packer"]
    assert packer.enabled and settings["experiments_checkpoints"].on_batch == packer.after_batch
    repo_path = store_dir / "checkpoints.git"
    landed: dict[str, bytes] = {}
    parent = None
    for i in range(3):
        new, objects = checkpoint(parent=parent, source=b"print(%d)\n" % i, count=i)
        body = batch_body(objects, {"name": REF, "old": parent, "new": new})
        response = fetch_answer(GIT, "batch", method="POST", body=body)
        assert response.code == 200, response.body
        landed.update(objects)
        parent = new
        assert packer.wait_idle()
    assert packer.packs_made == 3
    assert loose_files(repo_path) == set()

    response = fetch_answer(GIT, "objects", method="POST", body=json.dumps({"oids": [*landed, "f" * 40]}))
    assert response.code == 200
    header, served = _framed(response.body)
    assert header["missing"] == ["f" * 40] and header["omitted"] == []
    assert {oid: inflated(data) for oid, data in served.items()} == {oid: inflated(d) for oid, d in landed.items()}
    for oid, data in landed.items():
        single = fetch_answer(GIT, "objects", oid)
        assert single.code == 200 and inflated(single.body) == inflated(data)
    response = fetch_answer(GIT, "missing", method="POST", body=json.dumps({"oids": [*landed, "e" * 40]}))
    assert json.loads(response.body) == {"missing": ["e" * 40]}

    # A checkpoint that reuses a packed blob and has a packed parent lands.
    new, objects = checkpoint(parent=parent, count=9)  # the second checkpoint's source: its blob is packed
    response = fetch_answer(
        GIT, "batch", method="POST", body=batch_body(objects[1:], {"name": REF, "old": parent, "new": new})
    )
    assert response.code == 200, response.body
    assert packer.wait_idle()
    assert git(repo_path, "rev-list", "--count", REF).stdout.strip() == "4"
    assert fsck_problems(repo_path) == []


# -- a server killed mid-pack --------------------------------------------------------------


class GroupServer(ServerProcess):
    """The server in a process group of its own, killed whole (git and its children with it)."""

    def __init__(self, tmp_path: Path, experiments: dict):
        super().__init__(tmp_path)
        config = Path(self.command[-1].split("=", 1)[1])
        settings = json.loads(config.read_text())
        settings["Experiments"].update(experiments)
        config.write_text(json.dumps(settings))

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                self.command, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if self.request("GET", "/experiments/api/info")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"the server did not start:\n{self.log.read_text()}")

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def descendants(self) -> list[str]:
        """The command lines of the processes of the server's group but the server."""
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) == self.process.pid:
                continue
            try:
                if os.getpgid(int(entry)) != self.process.pid:
                    continue
                with open(f"/proc/{entry}/cmdline", "rb") as file:
                    found.append(file.read().replace(b"\0", b" ").decode(errors="replace"))
            except (OSError, ProcessLookupError):
                continue
        return found


def pack_temporaries(repo_path: Path) -> list[str]:
    return [name for name in os.listdir(repo_path / "objects" / "pack") if name.startswith(("tmp_", ".tmp-"))]


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="finds git's processes in /proc")
def test_a_server_killed_mid_pack_leaves_a_valid_repository_that_reads_and_takes_batches(tmp_path, monkeypatch):
    server = GroupServer(tmp_path, {"pack_every": 1000, "pack_loose_objects": 100})
    repo_path = server.store / "checkpoints.git"
    # A history big enough that writing its pack takes a while (here git spends about 2.5 s finding
    # deltas, then 1 s writing 32 MB): incompressible blobs, written
    # straight to the repository (without an fsync per object, which only slows the test).
    monkeypatch.setattr(repository_module.os, "fsync", lambda fd: None)
    repo = CheckpointRepository(repo_path)
    landed: dict[str, bytes] = {}
    parent = None
    rng = random.Random(5)
    for c in range(8):
        blobs = [_stored_blob(rng.randbytes(8192)) for _ in range(500)]
        root = loose_object("tree", tree(*(("100644", f"b{i:04d}", oid) for i, (oid, _) in enumerate(blobs))))
        top = loose_object("commit", commit(root[0], [parent] if parent else [], trailer_message(count=c)))
        repo.apply_batch([*blobs, root, top], RefUpdate(REF, parent, top[0]))
        landed.update([*blobs, root, top])
        parent = top[0]
    monkeypatch.undo()
    assert count_loose_objects(repo) == len(landed)

    server.start()
    try:
        # One more checkpoint: the loose objects counted at start-up are beyond the threshold.
        new, objects = checkpoint(parent=parent, count=99)
        status, reply = server.request("POST", "/experiments/api/git/batch", batch_body(objects, _ref(new, parent)))
        assert status == 200, reply
        landed.update(objects)
        parent = new
        deadline = time.monotonic() + 60
        while True:  # until git is writing the pack
            temporaries = pack_temporaries(repo_path)
            if any(
                name.startswith("tmp_pack_") and os.path.getsize(repo_path / "objects" / "pack" / name) > 0
                for name in temporaries
            ):
                break
            assert not glob.glob(str(repo_path / "objects" / "pack" / "pack-*.idx")), "the pack ended unseen"
            assert time.monotonic() < deadline, "git never started writing a pack"
            time.sleep(0.002)
        assert any("pack-objects" in line for line in server.descendants())
        server.kill()
    finally:
        if server.process.poll() is None:
            server.kill()

    # Killed mid-pack: git's temporary pack is there, no pack was installed, no loose object went.
    assert [name for name in pack_temporaries(repo_path) if name.startswith("tmp_pack_")]
    assert not glob.glob(str(repo_path / "objects" / "pack" / "pack-*.idx"))
    assert count_loose_objects(repo) == len(landed)
    assert fsck_problems(repo_path) == []

    # Restarted: every checkpoint reads over HTTP, and a new batch lands (and packs, this time to the end).
    server.start()
    try:
        assert _served(server, landed) == {oid: inflated(data) for oid, data in landed.items()}
        new, objects = checkpoint(parent=parent, source=b"after the crash", count=100)
        status, reply = server.request("POST", "/experiments/api/git/batch", batch_body(objects, _ref(new, parent)))
        assert status == 200, reply
        landed.update(objects)
        deadline = time.monotonic() + 90
        while count_loose_objects(repo) > 0:
            assert time.monotonic() < deadline, "the pack after the restart did not finish"
            time.sleep(0.1)
        assert fsck_problems(repo_path) == []
        assert _served(server, landed) == {oid: inflated(data) for oid, data in landed.items()}
        assert git(repo_path, "rev-list", "--count", REF).stdout.strip() == "10"
    finally:
        server.kill()


def _stored_blob(content: bytes) -> tuple[str, bytes]:
    """A loose blob deflated with no compression (quick to make; as valid as git's own)."""
    raw = b"blob %d\0" % len(content) + content
    return hashlib.sha1(raw).hexdigest(), zlib.compress(raw, 0)


def _ref(new: str, old: str | None) -> dict:
    return {"name": REF, "old": old, "new": new}


def _served(server: ServerProcess, objects: dict[str, bytes]) -> dict[str, bytes]:
    """Every object read back through ``POST git/objects`` (following "omitted"), inflated."""
    served: dict[str, bytes] = {}
    wanted = list(objects)
    while wanted:
        status, body = server.request("POST", "/experiments/api/git/objects", json.dumps({"oids": wanted}).encode())
        assert status == 200, body
        header, found = _framed(body)
        assert header["missing"] == []
        served.update((oid, inflated(data)) for oid, data in found.items())
        wanted = header["omitted"]
    return served
