"""log_data's hashing: files, folders with manifests, and the (path, size, mtime) cache."""

from __future__ import annotations

import hashlib
import json
import os

import pytest

from jupyterlab_experiments.client import data
from jupyterlab_experiments.client.data import DigestCache, describe_data


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def test_a_file_is_described_by_sha256_and_size(tmp_path):
    content = b"a,b\n1,2\n" * 1000
    path = tmp_path / "train.csv"
    path.write_bytes(content)
    described = describe_data(str(path), DigestCache())
    assert described == {
        "path": str(path),
        "sha256": sha(content),
        "size": len(content),
        "file_count": 1,
    }


def test_a_relative_path_is_recorded_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.bin").write_bytes(b"x")
    assert describe_data("x.bin", DigestCache())["path"] == str(tmp_path / "x.bin")


def test_hashing_reads_in_chunks_spanning_a_chunk_boundary(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "CHUNK_SIZE", 7)
    content = bytes(range(256)) * 3
    (tmp_path / "blob").write_bytes(content)
    assert describe_data(str(tmp_path / "blob"), DigestCache())["sha256"] == sha(content)


def test_a_folder_has_a_sorted_manifest_and_a_sha256sum_style_digest(tmp_path):
    folder = tmp_path / "dataset"
    (folder / "b").mkdir(parents=True)
    files = {"z.txt": b"last", "a.txt": b"first", "b/inner.txt": b"nested"}
    for relative, content in files.items():
        (folder / relative).write_bytes(content)
    described = describe_data(str(folder), DigestCache())
    assert described["file_count"] == 3
    assert described["size"] == sum(len(content) for content in files.values())
    assert described["manifest"] == [
        {"path": relative, "size": len(files[relative]), "sha256": sha(files[relative])}
        for relative in ["a.txt", "b/inner.txt", "z.txt"]
    ]
    lines = "".join(f"{sha(files[relative])}  {relative}\n" for relative in ["a.txt", "b/inner.txt", "z.txt"])
    assert described["sha256"] == sha(lines.encode())


def test_a_missing_path_raises(tmp_path):
    with pytest.raises(FileNotFoundError, match="no file or folder"):
        describe_data(str(tmp_path / "nope.csv"), DigestCache())


def test_an_unchanged_file_is_hashed_once_even_across_processes(tmp_path, monkeypatch):
    path = tmp_path / "big.bin"
    path.write_bytes(b"0" * 1000)
    cache_file = str(tmp_path / "data-cache.json")
    opened = []
    real_open = open

    def counting_open(file, mode="r", *args, **kwargs):
        if file == str(path):
            opened.append(mode)
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", counting_open)
    cache = DigestCache(cache_file)
    first = describe_data(str(path), cache)
    cache.save()
    assert describe_data(str(path), cache) == first
    # A new process reads the cache file: still no second read of the data.
    assert describe_data(str(path), DigestCache(cache_file)) == first
    assert opened == ["rb"]

    stat = os.stat(path)
    path.write_bytes(b"1" * 1000)  # same size: only the mtime tells the change
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    changed = describe_data(str(path), DigestCache(cache_file))
    assert changed["sha256"] == sha(b"1" * 1000) != first["sha256"]
    assert opened == ["rb", "rb"]


def test_saving_merges_with_entries_written_by_another_process(tmp_path):
    cache_file = str(tmp_path / "data-cache.json")
    for name in ("one", "two"):
        (tmp_path / name).write_bytes(name.encode())
    mine, theirs = DigestCache(cache_file), DigestCache(cache_file)
    describe_data(str(tmp_path / "one"), mine)
    describe_data(str(tmp_path / "two"), theirs)
    theirs.save()
    mine.save()
    with open(cache_file) as file:
        saved = json.load(file)
    assert set(saved) == {str(tmp_path / "one"), str(tmp_path / "two")}


def test_a_corrupt_cache_file_is_ignored(tmp_path):
    cache_file = tmp_path / "data-cache.json"
    cache_file.write_text('{"truncated')
    (tmp_path / "f").write_bytes(b"f")
    cache = DigestCache(str(cache_file))
    assert describe_data(str(tmp_path / "f"), cache)["sha256"] == sha(b"f")
    cache.save()
    assert str(tmp_path / "f") in json.loads(cache_file.read_text())
