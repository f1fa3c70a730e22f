"""The checkpoint repository on disk (checked with the git CLI), commit parsing, the store's checkpoint index."""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import subprocess
import threading
import time
import zlib
from pathlib import Path

import pytest

from jupyterlab_experiments.checkpoints import (
    BadObject,
    CheckpointRepository,
    ObjectTooLarge,
    OutsideRepository,
    RefConflict,
    RefLocked,
    RefUpdate,
    checkpoint_row,
    inspect_object,
    notebook_ref,
    parse_commit,
    parse_trailers,
)
from jupyterlab_experiments.checkpoints import repository as repository_module
from jupyterlab_experiments.checkpoints.commits import CommitFormatError
from jupyterlab_experiments.store import open_store
from jupyterlab_experiments.store.migrations import MIGRATIONS, migrate

NOTEBOOK = "0b7a4f3e-5c1d-4e2a-9f6b-8d3c2a1e0f99"
REF = f"refs/notebooks/{NOTEBOOK}"
T0 = 1_700_000_000


# -- building objects ---------------------------------------------------------------


def loose_object(kind: str, content: bytes) -> tuple[str, bytes]:
    """(object id, loose object file bytes) as git would write them."""
    raw = b"%s %d\0" % (kind.encode(), len(content)) + content
    return hashlib.sha1(raw).hexdigest(), zlib.compress(raw)


def tree(*entries: tuple[str, str, str]) -> bytes:
    """Tree content from (mode, name, oid) entries, in git's order for plain file names."""
    return b"".join(b"%s %s\0" % (mode.encode(), name.encode()) + bytes.fromhex(oid) for mode, name, oid in entries)


def commit(tree_oid: str, parents=(), message: str = "Run cell\n", when: int = T0) -> bytes:
    lines = [f"tree {tree_oid}"] + [f"parent {p}" for p in parents]
    lines += [f"author Ada <ada@example.com> {when} +0100", f"committer Ada <ada@example.com> {when} +0100"]
    return ("\n".join(lines) + "\n\n" + message).encode()


def trailer_message(cell="cell-a", count=1, run="run-1", status="ok", duration="0.25", path="work/a b.ipynb") -> str:
    return (
        f"Run cell {cell}\n\nRun-Id: {run}\nCell-Id: {cell}\nExecution-Count: {count}\n"
        f"Status: {status}\nDuration: {duration}\nNotebook-Path: {path}\n"
    )


def checkpoint(parent=None, source=b"print(1)\n", when=T0, **trailers) -> tuple[str, list[tuple[str, bytes]]]:
    """(commit id, [blob, tree, commit]) of one checkpoint of a one-cell notebook."""
    blob = loose_object("blob", source)
    root = loose_object("tree", tree(("100644", "source.py", blob[0])))
    top = loose_object("commit", commit(root[0], [parent] if parent else [], trailer_message(**trailers), when))
    return top[0], [blob, root, top]


def git(repo: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    return subprocess.run(["git", "--git-dir", str(repo), *args], capture_output=True, text=True, env=env)


def fsck_problems(repo: Path) -> list[str]:
    """What ``git fsck --strict`` finds wrong (notices such as an unborn HEAD are not problems)."""
    result = git(repo, "fsck", "--strict", "--no-dangling")
    lines = [line for line in (result.stdout + result.stderr).splitlines() if not line.startswith("notice:")]
    return lines + ([f"exit status {result.returncode}"] if result.returncode else [])


def files_under(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (symlinks not followed) with its bytes."""
    found = {}
    for parent, _, names in os.walk(folder):
        for name in names:
            path = Path(parent, name)
            found[str(path.relative_to(folder))] = b"<link>" if path.is_symlink() else path.read_bytes()
    return found


def object_files(repo: Path) -> set[str]:
    return {name for name in files_under(repo / "objects")}


@pytest.fixture
def repo_path(tmp_path):
    return tmp_path / "checkpoints.git"


@pytest.fixture
def repo(repo_path):
    return CheckpointRepository(repo_path)


# -- layout ---------------------------------------------------------------------------


def test_first_use_creates_a_bare_repository_that_git_recognises(repo, repo_path):
    assert not repo_path.exists()
    assert repo.read_ref(REF) is None  # a read is a first use too
    assert git(repo_path, "rev-parse", "--is-bare-repository").stdout.strip() == "true"
    assert (repo_path / "HEAD").read_text() == "ref: refs/heads/main\n"
    config = (repo_path / "config").read_text()
    assert "repositoryformatversion = 0" in config and "bare = true" in config and "filemode = true" in config
    for folder in ("objects/info", "objects/pack", "refs/heads", "refs/tags"):
        assert (repo_path / folder).is_dir()
    assert (repo_path / "description").is_file()
    assert fsck_problems(repo_path) == []


def test_reopening_keeps_what_the_user_configured(repo, repo_path):
    repo.ensure()
    git(repo_path, "config", "remote.team.url", "https://example.com/team.git")
    CheckpointRepository(repo_path).ensure()
    assert git(repo_path, "config", "remote.team.url").stdout.strip() == "https://example.com/team.git"


def test_racing_first_uses_create_the_repository_once(repo_path):
    start = threading.Barrier(12)
    errors = []

    def first_use():
        start.wait()
        try:
            CheckpointRepository(repo_path).ensure()
        except Exception as error:  # collected: a thread's exception would otherwise vanish
            errors.append(error)

    threads = [threading.Thread(target=first_use) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(files_under(repo_path)) == ["HEAD", "config", "description"]  # no temporary file left
    assert fsck_problems(repo_path) == []


# -- objects ------------------------------------------------------------------------------


def test_objects_are_stored_byte_for_byte_as_git_writes_them(repo, repo_path, tmp_path):
    scratch = tmp_path / "scratch.git"
    subprocess.run(["git", "init", "-q", "--bare", str(scratch)], check=True)
    (tmp_path / "cell.py").write_bytes(b"import numpy as np\nprint(np.pi)\n" * 50)
    oid = git(scratch, "hash-object", "-w", str(tmp_path / "cell.py")).stdout.strip()
    written_by_git = (scratch / "objects" / oid[:2] / oid[2:]).read_bytes()
    assert loose_object("blob", (tmp_path / "cell.py").read_bytes())[0] == oid

    assert repo.apply_batch([(oid, written_by_git)]) == []
    assert repo.read_object(oid) == written_by_git
    assert git(repo_path, "cat-file", "-p", oid).stdout == (tmp_path / "cell.py").read_text()
    stored = repo_path / "objects" / oid[:2] / oid[2:]
    assert stored.stat().st_mode & 0o777 == 0o444


def test_a_checkpoint_lands_and_git_reads_it(repo, repo_path):
    new, objects = checkpoint(cell="cell-a", count=3, run="run-9")
    chain = repo.apply_batch(objects, RefUpdate(REF, None, new))

    assert [oid for oid, _ in chain] == [new]
    assert repo.read_ref(REF) == new
    assert (repo_path / REF).read_text() == new + "\n"
    log = git(repo_path, "log", "--format=%H %(trailers:key=Cell-Id,valueonly,separator=)", REF)
    assert log.stdout.split() == [new, "cell-a"]
    assert fsck_problems(repo_path) == []
    row = checkpoint_row(NOTEBOOK, *chain[0])
    assert (row["run_id"], row["cell_id"], row["execution_count"], row["time"]) == ("run-9", "cell-a", 3, T0)


def test_the_chain_follows_first_parents_from_new_back_to_old(repo):
    first, objects_1 = checkpoint(source=b"1")
    second, objects_2 = checkpoint(parent=first, source=b"2")
    chain = repo.apply_batch(objects_1 + objects_2, RefUpdate(REF, None, second))
    assert [oid for oid, _ in chain] == [second, first]

    third, objects_3 = checkpoint(parent=second, source=b"3")
    fourth, objects_4 = checkpoint(parent=third, source=b"4")
    chain = repo.apply_batch(objects_3 + objects_4, RefUpdate(REF, second, fourth))
    assert [oid for oid, _ in chain] == [fourth, third]

    # A commit already stored ends the chain even without an old value: only the batch's commits are new.
    fifth, objects_5 = checkpoint(parent=fourth, source=b"5")
    other = notebook_ref("11111111-2222-3333-4444-555555555555")
    assert [oid for oid, _ in repo.apply_batch(objects_5, RefUpdate(other, None, fifth))] == [fifth]


def test_objects_already_stored_are_not_rewritten(repo, repo_path):
    new, objects = checkpoint()
    repo.apply_batch(objects)
    stored = repo_path / "objects" / new[:2] / new[2:]
    before = stored.stat().st_mtime_ns
    time.sleep(0.01)
    repo.apply_batch(objects)
    assert stored.stat().st_mtime_ns == before


def _corrupt(kind: str, content: bytes, how: str) -> tuple[str, bytes]:
    oid, deflated = loose_object(kind, content)
    raw = zlib.decompress(deflated)
    if how == "hash":
        return oid, loose_object(kind, content + b"!")[1]
    if how == "kind":
        return oid, zlib.compress(raw.replace(b"blob", b"blub", 1))
    if how == "size":
        return oid, zlib.compress(raw.replace(b"blob %d" % len(content), b"blob %d" % (len(content) + 1), 1))
    if how == "leading zero":
        return oid, zlib.compress(raw.replace(b"blob ", b"blob 0", 1))
    if how == "no header":
        return oid, zlib.compress(content)
    if how == "trailing bytes":
        return oid, deflated + b"\0\0"
    if how == "truncated":
        return oid, deflated[: len(deflated) // 2]
    if how == "not zlib":
        return oid, raw
    raise AssertionError(how)


@pytest.mark.parametrize(
    "how, message",
    [
        ("hash", "its content hashes to"),
        ("kind", "is not '<blob|tree|commit|tag> <size>'"),
        ("size", "its header declares 21 bytes, it holds 20"),
        ("leading zero", "is not '<blob|tree|commit|tag> <size>'"),
        ("no header", "no '<type> <size>\\0' header"),
        ("trailing bytes", "2 bytes follow the zlib stream"),
        ("truncated", "the zlib stream is truncated"),
        ("not zlib", "not a valid zlib stream"),
    ],
)
def test_an_object_that_is_not_what_it_claims_fails_the_whole_batch(repo, repo_path, how, message):
    good, objects = checkpoint()
    bad = _corrupt("blob", b"twenty bytes of text", how)
    with pytest.raises(BadObject, match=re.escape(message)):
        repo.apply_batch(objects + [bad], RefUpdate(REF, None, good))
    assert object_files(repo_path) == set()
    assert repo.read_ref(REF) is None


def test_a_small_payload_that_inflates_beyond_its_header_is_refused_early():
    bomb = zlib.compress(b"blob 10\0" + bytes(32 * 2**20), 9)  # 32 KiB on the wire
    started = time.perf_counter()
    with pytest.raises(BadObject, match="more than the 10 bytes its header declares"):
        inspect_object("0" * 40, bomb)
    assert time.perf_counter() - started < 0.5  # stopped at the first inflated step, not 32 MiB later


def test_an_object_beyond_the_size_limit_is_refused(repo, repo_path, monkeypatch):
    big = loose_object("blob", bytes(2000))
    with pytest.raises(ObjectTooLarge, match="2000 bytes, more than the limit of 1000"):
        inspect_object(*big, max_size=1000)
    monkeypatch.setattr(repository_module, "MAX_OBJECT_BYTES", 1000)
    with pytest.raises(ObjectTooLarge):
        repo.apply_batch([big])
    assert object_files(repo_path) == set()


def test_what_an_object_refers_to_must_be_in_the_batch_or_the_repository(repo, repo_path):
    blob = loose_object("blob", b"x = 1\n")
    root = loose_object("tree", tree(("100644", "source.py", blob[0])))
    top = loose_object("commit", commit(root[0]))
    with pytest.raises(BadObject, match=f"commit {top[0]} refers to tree {root[0]}, which is neither"):
        repo.apply_batch([top, blob], RefUpdate(REF, None, top[0]))
    with pytest.raises(BadObject, match=f"tree {root[0]} refers to blob {blob[0]}, which is neither"):
        repo.apply_batch([root])
    orphan = loose_object("commit", commit(root[0], parents=["f" * 40]))
    with pytest.raises(BadObject, match=f"refers to commit {'f' * 40}"):
        repo.apply_batch([blob, root, orphan])
    mistyped = loose_object("tree", tree(("40000", "cell", blob[0])))
    with pytest.raises(BadObject, match=f"refers to {blob[0]} as a tree, but it is a blob"):
        repo.apply_batch([blob, mistyped])
    assert object_files(repo_path) == set()

    repo.apply_batch([blob])  # a later batch may rely on what is stored
    submodule = ("160000", "vendored", "e" * 40)  # a gitlink names another repository's commit: never required
    repo.apply_batch([loose_object("tree", tree(("100644", "source.py", blob[0]), submodule))])
    assert fsck_problems(repo_path) == []


@pytest.mark.parametrize(
    "entries, message",
    [
        ([("100664", "a", "b" * 40)], "has mode b'100664'"),
        ([("100644", "..", "b" * 40)], "is not a valid entry name"),
        ([("100644", ".GIT", "b" * 40)], "is not a valid entry name"),
        ([("100644", "a/b", "b" * 40)], "is not a valid entry name"),
    ],
)
def test_trees_git_would_reject_are_refused(repo, entries, message):
    with pytest.raises(BadObject, match=message):
        repo.apply_batch([loose_object("tree", tree(*entries))])


def test_a_truncated_tree_entry_is_refused(repo):
    with pytest.raises(BadObject, match="the entry at byte 0 is not"):
        repo.apply_batch([loose_object("tree", b"100644 a\0" + b"\x01" * 19)])


def test_the_new_value_of_a_ref_must_be_a_commit(repo, repo_path):
    blob = loose_object("blob", b"not a commit")
    with pytest.raises(BadObject, match="is a blob, not a commit"):
        repo.apply_batch([blob], RefUpdate(REF, None, blob[0]))
    with pytest.raises(BadObject, match="is neither in the batch nor in the repository"):
        repo.apply_batch([], RefUpdate(REF, None, "a" * 40))
    assert object_files(repo_path) == set()
    new, objects = checkpoint()
    repo.apply_batch(objects)
    other = notebook_ref("11111111-2222-3333-4444-555555555555")
    assert [oid for oid, _ in repo.apply_batch([], RefUpdate(other, None, new))] == [new]  # a stored commit will do
    assert repo.read_ref(other) == new


# -- refs ---------------------------------------------------------------------------------


def test_a_stale_old_value_is_a_conflict_and_the_objects_stay(repo, repo_path):
    first, objects_1 = checkpoint(source=b"1")
    repo.apply_batch(objects_1, RefUpdate(REF, None, first))
    second, objects_2 = checkpoint(source=b"2")
    with pytest.raises(RefConflict) as conflict:
        repo.apply_batch(objects_2, RefUpdate(REF, None, second))
    assert conflict.value.current == first
    assert repo.read_ref(REF) == first
    assert repo.missing([oid for oid, _ in objects_2]) == []
    assert not (repo_path / (REF + ".lock")).exists()


def race(repo_path: Path, batches: list, old) -> dict:
    """Each batch written by its own thread and repository object, all at once; {new commit: "won" or current}."""
    start = threading.Barrier(len(batches))
    outcomes: dict = {}

    def write(new, objects):
        writer = CheckpointRepository(repo_path)  # as separate processes would, sharing nothing
        start.wait()
        try:
            writer.apply_batch(objects, RefUpdate(REF, old, new))
            outcomes[new] = "won"
        except RefConflict as conflict:
            outcomes[new] = conflict.current

    threads = [threading.Thread(target=write, args=batch) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_of_writers_racing_on_a_ref_exactly_one_wins(repo, repo_path):
    current = None
    for round_ in range(5):
        outcomes = race(repo_path, [checkpoint(current, b"%d-%d" % (round_, i)) for i in range(8)], current)
        winners = [new for new, outcome in outcomes.items() if outcome == "won"]
        assert len(winners) == 1 and len(outcomes) == 8
        assert all(outcome == winners[0] for new, outcome in outcomes.items() if new != winners[0])
        assert repo.read_ref(REF) == winners[0]
        current = winners[0]
    assert git(repo_path, "rev-list", "--count", REF).stdout.strip() == "5"
    assert fsck_problems(repo_path) == []


def test_packed_refs_are_read_and_a_loose_ref_overrides_them(repo, repo_path):
    first, objects_1 = checkpoint(source=b"1")
    repo.apply_batch(objects_1, RefUpdate(REF, None, first))
    assert git(repo_path, "pack-refs", "--all").returncode == 0
    assert not (repo_path / REF).exists()
    assert repo.read_ref(REF) == first
    second, objects_2 = checkpoint(parent=first, source=b"2")
    with pytest.raises(RefConflict):
        repo.apply_batch(objects_2, RefUpdate(REF, None, second))
    repo.apply_batch(objects_2, RefUpdate(REF, first, second))
    assert git(repo_path, "rev-parse", REF).stdout.strip() == second


def test_a_stale_lock_is_broken_and_a_fresh_one_waited_for(repo, repo_path, monkeypatch):
    repo.ensure()
    lock = repo_path / (REF + ".lock")
    lock.parent.mkdir(parents=True)
    lock.write_text("")
    new, objects = checkpoint()
    monkeypatch.setattr(repository_module, "LOCK_WAIT_S", 0.05)
    with pytest.raises(RefLocked, match="is locked by another writer"):
        repo.apply_batch(objects, RefUpdate(REF, None, new))
    assert lock.exists() and repo.read_ref(REF) is None  # someone else's lock is left alone

    # Left by a server that died mid-update: older than STALE_LOCK_S.
    old = time.time() - repository_module.STALE_LOCK_S - 5
    os.utime(lock, (old, old))
    repo.apply_batch(objects, RefUpdate(REF, None, new))
    assert repo.read_ref(REF) == new and not lock.exists()


def test_a_lock_older_than_the_server_process_is_broken_at_once(repo, repo_path, monkeypatch):
    repo.ensure()
    lock = repo_path / (REF + ".lock")
    lock.parent.mkdir(parents=True)
    lock.write_text("")
    # One second old, far from STALE_LOCK_S, but left before this process started.
    old = time.time() - 1
    os.utime(lock, (old, old))
    monkeypatch.setattr(repository_module, "_PROCESS_STARTED", time.time())
    monkeypatch.setattr(repository_module, "LOCK_WAIT_S", 0.05)
    new, objects = checkpoint()
    repo.apply_batch(objects, RefUpdate(REF, None, new))
    assert repo.read_ref(REF) == new and not lock.exists()


def test_a_lock_released_meanwhile_is_taken(repo, repo_path):
    repo.ensure()
    lock = repo_path / (REF + ".lock")
    lock.parent.mkdir(parents=True)
    lock.write_text("")
    threading.Timer(0.05, lock.unlink).start()
    new, objects = checkpoint()
    repo.apply_batch(objects, RefUpdate(REF, None, new))
    assert repo.read_ref(REF) == new


def test_a_crash_mid_write_leaves_no_object_visible(repo, repo_path, monkeypatch):
    new, objects = checkpoint()
    blob_oid, blob_bytes = objects[0]
    # A crash after writing half the temporary file, before its rename:
    folder = repo_path / "objects" / blob_oid[:2]
    folder.mkdir(parents=True)
    (folder / "tmp_obj_crash1").write_bytes(blob_bytes[:5])
    repo.ensure()
    assert fsck_problems(repo_path) == []
    assert repo.missing([blob_oid]) == [blob_oid]
    with pytest.raises(KeyError):
        repo.read_object(blob_oid)

    # A write that fails at the rename cleans up its temporary file and moves no ref.
    def failing_replace(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(repository_module.os, "replace", failing_replace)
    with pytest.raises(OSError, match="No space left"):
        repo.apply_batch(objects, RefUpdate(REF, None, new))
    monkeypatch.undo()
    assert sorted(files_under(folder)) == ["tmp_obj_crash1"]
    assert repo.read_ref(REF) is None

    repo.apply_batch(objects, RefUpdate(REF, None, new))
    assert repo.read_object(blob_oid) == blob_bytes
    assert fsck_problems(repo_path) == []


# -- confinement ----------------------------------------------------------------------------


@pytest.fixture
def outside(tmp_path):
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret").write_text("do not serve")
    return folder


def test_a_symlinked_fanout_folder_leading_outside_is_refused(repo, repo_path, outside):
    new, objects = checkpoint()
    repo.ensure()
    blob_oid = objects[0][0]
    (repo_path / "objects" / blob_oid[:2]).symlink_to(outside, target_is_directory=True)
    with pytest.raises(OutsideRepository, match=f"objects/{blob_oid[:2]} leads outside"):
        repo.apply_batch(objects, RefUpdate(REF, None, new))
    with pytest.raises(OutsideRepository):
        repo.read_object(blob_oid)
    with pytest.raises(OutsideRepository):
        repo.missing([blob_oid])
    assert sorted(files_under(outside)) == ["secret"]
    assert repo.read_ref(REF) is None


def test_a_symlinked_object_file_leading_outside_is_not_served(repo, repo_path, outside):
    oid = "ab" + "0" * 38
    repo.ensure()
    (repo_path / "objects" / "ab").mkdir()
    (repo_path / "objects" / "ab" / oid[2:]).symlink_to(outside / "secret")
    with pytest.raises(OutsideRepository):
        repo.read_object(oid)


def test_a_symlinked_refs_folder_leading_outside_is_refused(repo, repo_path, outside):
    repo.ensure()
    (repo_path / "refs" / "notebooks").symlink_to(outside, target_is_directory=True)
    new, objects = checkpoint()
    with pytest.raises(OutsideRepository, match="refs/notebooks leads outside"):
        repo.apply_batch(objects, RefUpdate(REF, None, new))
    with pytest.raises(OutsideRepository):
        repo.read_ref(REF)
    assert sorted(files_under(outside)) == ["secret"]


BAD_REFS = [
    "refs/heads/main",
    "HEAD",
    f"refs/notebooks/{NOTEBOOK}/../../../config",
    f"refs/notebooks/../../{NOTEBOOK}",
    f"/refs/notebooks/{NOTEBOOK}",
    "/etc/passwd",
    f"refs/notebooks/{NOTEBOOK}.lock",
    f"refs\\notebooks\\{NOTEBOOK}",
    f"refs/notebooks/{NOTEBOOK}\0",
    f"refs/notebooks/{NOTEBOOK}\n",
    "refs/notebooks/",
    None,
]
BAD_OIDS = ["A" * 40, "a" * 39, "a" * 41, "../../" + "a" * 34, "g" * 40, "a" * 40 + "\n", "", None]


@pytest.mark.parametrize("name", BAD_REFS)
def test_only_notebook_refs_are_accepted(repo, repo_path, name):
    new, objects = checkpoint()
    with pytest.raises(ValueError, match="expected refs/notebooks/<notebook id, a UUID>"):
        repo.read_ref(name)
    with pytest.raises(ValueError):
        repo.apply_batch(objects, RefUpdate(name, None, new))
    with pytest.raises(ValueError):
        repo.update_ref(RefUpdate(name, None, new))
    assert object_files(repo_path) == set()
    assert sorted(files_under(repo_path)) == ["HEAD", "config", "description"]


@pytest.mark.parametrize("oid", BAD_OIDS)
def test_only_object_ids_are_accepted(repo, oid):
    with pytest.raises(ValueError, match="expected 40 lowercase hex digits"):
        repo.read_object(oid)
    with pytest.raises(ValueError, match="expected 40 lowercase hex digits"):
        repo.missing(["a" * 40, oid])
    with pytest.raises(ValueError, match="expected 40 lowercase hex digits"):
        repo.apply_batch([(oid, b"")])


# -- commits --------------------------------------------------------------------------------


def test_parse_commit_reads_tree_parents_author_time_and_message():
    signature = "gpgsig -----BEGIN PGP SIGNATURE-----\n \n wsBcBAABCAAQ\n -----END PGP SIGNATURE-----"
    content = (
        f"tree {'a' * 40}\nparent {'b' * 40}\nparent {'c' * 40}\n"
        f"author Ada Lovelace <ada@example.com> 1700000123 -0500\n"
        f"committer Bob <bob@example.com> 1700000999 +0000\n{signature}\n\nMerge\n\nbody\n"
    ).encode()
    parsed = parse_commit(content)
    assert parsed.tree == "a" * 40
    assert parsed.parents == ("b" * 40, "c" * 40)
    assert parsed.author_time == 1700000123
    assert parsed.message == "Merge\n\nbody\n"


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "no blank line"),
        (f"parent {'b' * 40}\ntree {'a' * 40}\n\n".encode(), "the first header must be 'tree'"),
        (b"tree ABC\nauthor A <a> 1 +0000\ncommitter A <a> 1 +0000\n\n", "is not a 40-digit lowercase hex"),
        (f"tree {'a' * 40}\ncommitter A <a> 1 +0000\n\n".encode(), "'author' and 'committer' are required"),
        (f"tree {'a' * 40}\nauthor A <a> yesterday\ncommitter A <a> 1 +0000\n\n".encode(), "is not 'Name <email>"),
        (f"tree {'a' * 40}\nauthor <a> 1 +0000\ncommitter A <a> 1 +0000\n\n".encode(), "is not 'Name <email>"),
        (f"tree {'a' * 40}\nauthor A <a> 1 +0000\ncommitter A <a> 1 +0000\n".encode(), "no blank line"),
        (
            f"tree {'a' * 40}\nauthor A <a> 1 +0000\nparent {'b' * 40}\ncommitter A <a> 1 +0000\n\n".encode(),
            "'parent' after 'author'",
        ),
    ],
)
def test_malformed_commits_are_refused(content, message):
    with pytest.raises(CommitFormatError, match=message):
        parse_commit(content)


@pytest.mark.parametrize(
    "message, trailers",
    [
        ("Run cell\n\nRun-Id: r1\nCell-Id: c1\n", {"run-id": "r1", "cell-id": "c1"}),
        ("Run cell\n\nbody text\n\nstatus: ok\nSTATUS: error\n", {"status": "error"}),  # keys ignore case; last wins
        ("Run cell\n\nNote: long\n  continued here\n", {"note": "long continued here"}),
        ("Run-Id: r1\n", {}),  # the subject is never a trailer
        ("Run cell\n\nRun-Id: r1\nthis line is prose\n", {}),  # not every line a trailer: no trailer block
        ("Run cell\n\nRun-Id: r1\n\nSigned off, sort of\n", {}),  # only the last paragraph counts
        ("Run cell\n\n   \nRun-Id: r1\n\n\n", {"run-id": "r1"}),
        ("", {}),
    ],
)
def test_trailers_are_the_last_paragraph_of_key_value_lines(message, trailers):
    assert parse_trailers(message) == trailers


@pytest.mark.parametrize(
    "duration, count, expected",
    [("0.25", "3", (0.25, 3)), ("1.5s", "7", (1.5, 7)), ("250ms", "x", (0.25, None)), ("soon", "", (None, None))],
)
def test_checkpoint_row_reads_the_trailers_it_can(duration, count, expected):
    content = commit("a" * 40, ["b" * 40], trailer_message(count=count, duration=duration, status="error"))
    row = checkpoint_row(NOTEBOOK, "c" * 40, parse_commit(content))
    assert (row["duration"], row["execution_count"]) == expected
    assert row["parent"] == "b" * 40 and row["status"] == "error" and row["message"] == "Run cell cell-a"


def test_checkpoint_row_of_a_commit_without_trailers():
    row = checkpoint_row(NOTEBOOK, "c" * 40, parse_commit(commit("a" * 40, message="\n\nSaved by hand\n")))
    assert row == {
        "notebook_id": NOTEBOOK,
        "commit": "c" * 40,
        "parent": None,
        "time": T0,
        "cell_id": None,
        "run_id": None,
        "execution_count": None,
        "status": None,
        "duration": None,
        "message": "Saved by hand",
        "notebook_path": None,
    }


# -- the store's checkpoint index -------------------------------------------------------------


@pytest.fixture
def store(tmp_path):
    store = open_store(tmp_path / "store")
    yield store
    store.close()


def index_row(i: int, when: int, notebook_id: str = NOTEBOOK) -> dict:
    return {
        "notebook_id": notebook_id,
        "commit": hashlib.sha1(b"%d" % i).hexdigest(),
        "parent": None,
        "time": when,
        "cell_id": f"cell-{i % 3}",
        "run_id": "run-1",
        "execution_count": i,
        "status": "ok",
        "duration": 0.1,
        "message": f"Run cell {i}",
        "notebook_path": "a.ipynb",
    }


def test_checkpoint_index_pages_newest_first_without_skipping_checkpoints_of_the_same_second(store):
    rows = [index_row(i, T0 + i // 4) for i in range(10)]  # four checkpoints a second
    store.add_checkpoints(rows)
    store.add_checkpoints(rows[:3])  # indexing again changes nothing
    store.add_checkpoints([index_row(99, T0, notebook_id="11111111-2222-3333-4444-555555555555")])
    newest_first = [row["commit"] for row in reversed(rows)]

    pages, cursor = [], None
    while True:
        page, total = store.list_checkpoints(NOTEBOOK, limit=3, before_commit=cursor)
        assert total == 10
        if not page:
            break
        pages.append([row["commit"] for row in page])
        cursor = page[-1]["commit"]
    assert [len(page) for page in pages] == [3, 3, 3, 1]
    assert sum(pages, []) == newest_first
    assert store.list_checkpoints(NOTEBOOK)[0][0] == rows[-1]

    older, _ = store.list_checkpoints(NOTEBOOK, before=T0 + 1)
    assert [row["commit"] for row in older] == newest_first[-4:]
    with pytest.raises(KeyError, match="has no checkpoint"):
        store.list_checkpoints(NOTEBOOK, before_commit="f" * 40)
    assert store.list_checkpoints("22222222-2222-3333-4444-555555555555") == ([], 0)


def test_paging_over_5000_checkpoints_with_ten_per_second_sees_each_once(store):
    store.add_checkpoints([index_row(i, T0 + i // 10) for i in range(5000)])
    seen, cursor, pages = [], None, 0
    while True:
        page, total = store.list_checkpoints(NOTEBOOK, limit=100, before_commit=cursor)
        if not page:
            break
        seen, cursor, pages = seen + [row["commit"] for row in page], page[-1]["commit"], pages + 1
    assert len(seen) == len(set(seen)) == total == 5000
    assert pages == 50


def test_an_execution_logged_after_its_checkpoint_is_linked_to_it(store):
    run_id = store.create_run(name="r")["id"]
    row = index_row(1, T0)
    row.update(run_id=run_id, cell_id="cell-a", execution_count=4)
    store.add_checkpoints([row])
    store.log_batch(run_id, {"executions": [{"cell_id": "cell-a", "execution_count": 4}, {"cell_id": "cell-a"}]})
    assert [e["checkpoint"] for e in store.get_run(run_id)["executions"]] == [row["commit"], None]


def test_link_execution_checkpoint_stamps_the_execution_and_what_its_cell_logged(store, make_png):
    run_id = store.create_run(name="r")["id"]
    store.log_batch(
        run_id,
        {
            "executions": [
                {"cell_id": "cell-a", "execution_count": 1},
                {"cell_id": "cell-a", "execution_count": 2},
                {"cell_id": "cell-b", "execution_count": 3},
            ],
            "params": [
                {"key": "lr", "value": 0.1, "cell_id": "cell-a"},
                {"key": "seed", "value": 1, "cell_id": "cell-a", "checkpoint": "e" * 40},
                {"key": "batch", "value": 32, "cell_id": "cell-b"},
            ],
            "metrics": [{"key": "loss", "values": [1.0, 0.5], "cell_id": "cell-a"}],
            "images": [{"key": "plot", "png": make_png(), "cell_id": "cell-a"}],
            "data": [{"path": "train.csv", "sha256": "0" * 64, "size": 1, "file_count": 1, "cell_id": "cell-a"}],
        },
    )
    commit_oid = "c" * 40
    store.link_execution_checkpoint(run_id, "cell-a", 2, commit_oid)
    store.link_execution_checkpoint("no-such-run", "cell-a", 2, "d" * 40)  # a checkpoint ahead of its run

    run = store.get_run(run_id)
    assert [e["checkpoint"] for e in run["executions"]] == [None, commit_oid, None]
    assert run["param_cells"] == {
        "lr": {"cell_id": "cell-a", "checkpoint": commit_oid},
        "seed": {"cell_id": "cell-a", "checkpoint": "e" * 40},
        "batch": {"cell_id": "cell-b", "checkpoint": None},
    }
    assert [image["checkpoint"] for image in run["images"]] == [commit_oid]
    assert [data["checkpoint"] for data in run["data"]] == [commit_oid]
    conn = sqlite3.connect(store.path)
    assert conn.execute("SELECT checkpoint FROM metric_chunks").fetchall() == [(commit_oid,)]
    conn.close()


def test_linking_an_execution_to_its_checkpoint_marks_the_run_changed(store):
    """So the watcher announces it and an open sidebar shows the execution's checkpoint link."""
    run_id = store.create_run(name="r")["id"]
    store.log_batch(run_id, {"executions": [{"cell_id": "cell-a", "execution_count": 1}]})
    _, seen = store.changed_since(0)
    time.sleep(0.01)
    store.link_execution_checkpoint(run_id, "cell-b", 9, "d" * 40)  # no such execution: no news
    assert store.changed_since(seen)[0] == []
    store.link_execution_checkpoint(run_id, "cell-a", 1, "c" * 40)
    assert [run for run, _ in store.changed_since(seen)[0]] == [run_id]


def test_a_store_of_the_previous_schema_gains_the_checkpoint_index(tmp_path):
    store_dir = tmp_path / "old"
    store_dir.mkdir()
    conn = sqlite3.connect(store_dir / "store.sqlite", isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    migrate(conn, MIGRATIONS[:1])
    conn.execute(
        "INSERT INTO runs (uuid, kind, status, start_time, updated) VALUES ('old-run', 'script', 'finished', 1, 1)"
    )
    conn.execute("COMMIT")
    conn.close()
    store = open_store(store_dir)
    try:
        assert store.get_run("old-run")["status"] == "finished"
        store.add_checkpoints([index_row(1, T0)])
        assert store.list_checkpoints(NOTEBOOK)[1] == 1
    finally:
        store.close()
