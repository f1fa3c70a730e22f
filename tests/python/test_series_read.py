"""Reading a stored series with numpy gives exactly the points the pure-Python reader gives:
the same downsampling (each bucket's first min and max, NaN left out, infinities kept), from
chunks of either format, however many; and a cached read is the read it stands for."""

from __future__ import annotations

import math
import zlib
from array import array
from itertools import accumulate

import numpy
import pytest
from conftest import property_settings
from hypothesis import given
from hypothesis import strategies as st

from jupyterlab_experiments.store import open_store
from jupyterlab_experiments.store import series as series_module
from jupyterlab_experiments.store.series import (
    decode_chunk,
    downsample,
    downsample_chunks,
    encode_chunk,
    read_series,
)

values = st.lists(
    st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from([0.0, -0.0, 1.0, math.nan, math.inf, -math.inf]),
    ),
    min_size=0,
    max_size=300,
)


def chunks_of(points: list[float], cuts: list[int]) -> list[bytes]:
    """The series stored as chunks split at ``cuts``, steps 3 apart, times in microseconds."""
    bounds = sorted({0, len(points), *[c % (len(points) + 1) for c in cuts]})
    blobs = []
    for lo, hi in zip(bounds, bounds[1:]):
        steps = [3 * i for i in range(lo, hi)]
        blobs.append(encode_chunk(steps, points[lo:hi], [1e9 + 0.000001 * i * 7 for i in range(lo, hi)]))
    return blobs


def same(a: list, b: list) -> bool:
    return len(a) == len(b) and all(x == y or (x != x and y != y) for x, y in zip(a, b))


@property_settings(300)
@given(points=values, cuts=st.lists(st.integers(0, 400), max_size=4), max_points=st.none() | st.integers(2, 60))
def test_numpy_reads_what_python_reads(points, cuts, max_points):
    blobs = chunks_of(points, cuts)
    pure = downsample_chunks((decode_chunk(blob) for blob in blobs), len(points), max_points)
    fast = read_series(blobs, len(points), max_points)
    for python_column, numpy_column in zip(pure, fast):
        assert same(list(python_column), numpy_column)
    # Plain Python numbers, ready for JSON.
    assert all(type(step) is int for step in fast[0])
    assert all(type(value) is float for value in fast[1] + fast[2])


def test_without_numpy_or_beyond_its_bound_the_python_reader_answers(monkeypatch):
    points = [float(i % 17) for i in range(1000)] + [math.nan] * 10
    blobs = chunks_of(points, [333, 700])
    expected = read_series(blobs, len(points), 40)
    fast = read_series(blobs, len(points), 40, arrays=True)
    assert [column.tolist() for column in fast] == [list(column) for column in expected]
    monkeypatch.setattr(series_module, "_NUMPY", None)
    assert read_series(blobs, len(points), 40) == expected
    with pytest.raises(RuntimeError, match="numpy"):
        read_series(blobs, len(points), 40, arrays=True)
    monkeypatch.setattr(series_module, "_NUMPY", numpy)
    monkeypatch.setattr(series_module, "NUMPY_MAX_POINTS", 10)
    assert read_series(blobs, len(points), 40) == expected
    slow = read_series(blobs, len(points), 40, arrays=True)  # the Python reader's, as arrays
    assert [column.tolist() for column in slow] == [list(column) for column in expected]
    with pytest.raises(ValueError, match="max_points"):
        read_series(blobs, len(points), 1)
    assert read_series([], 0, 10) == ([], [], [])


def format1_chunk(steps: list[int], values: list[float], timestamps: list[float]) -> bytes:
    """A chunk as format 1 wrote it (one zlib pass over the 24 planes, deltas from 0), for the
    stores written before format 2."""
    micros = [round(t * 1e6) for t in timestamps]
    columns = [
        array("q", [b - a for a, b in zip([0, *steps], steps)]),
        array("q", [b - a for a, b in zip([0, *micros], micros)]),
        array("d", values),
    ]
    raw = b"".join(column.tobytes()[byte::8] for column in columns for byte in range(8))
    return b"\x01" + zlib.compress(raw)


int64s = st.integers(-(2**40), 2**40)


@st.composite
def stored_series(draw):
    """A series as a list of chunks of both formats: (blobs, steps, values, timestamps). Steps and
    timestamps regular (one delta throughout, read without a running sum) or not (out of order too)."""
    values_ = draw(values)
    n = len(values_)
    if draw(st.booleans()):
        first, delta = draw(int64s), draw(st.integers(-1000, 1000))
        steps = [first + delta * i for i in range(n)]
    else:
        steps = draw(st.lists(int64s, min_size=n, max_size=n))
    if draw(st.booleans()):
        stamps = [1.7e9 + 0.25 * i for i in range(n)]
    else:
        stamps = list(accumulate(draw(st.lists(st.floats(-5, 5), min_size=n, max_size=n)), initial=1.7e9))[1:]
    cuts = draw(st.lists(st.integers(0, n), max_size=5))
    bounds = sorted({0, n, *cuts})
    blobs = []
    for lo, hi in zip(bounds, bounds[1:]):
        encode = format1_chunk if draw(st.booleans()) else encode_chunk
        blobs.append(encode(steps[lo:hi], values_[lo:hi], stamps[lo:hi]))
    return blobs, steps, values_, [round(t * 1e6) / 1e6 for t in stamps]


@property_settings(400)
@given(series=stored_series(), max_points=st.none() | st.integers(2, 60))
def test_both_readers_downsample_any_stored_series_as_the_reference(series, max_points):
    blobs, steps, values_, stamps = series
    expected = downsample(steps, values_, stamps, max_points)
    pure = downsample_chunks((decode_chunk(blob) for blob in blobs), len(values_), max_points)
    fast = read_series(blobs, len(values_), max_points)
    arrays = read_series(blobs, len(values_), max_points, arrays=True)
    for reference, python_column, numpy_column, array_column in zip(expected, pure, fast, arrays):
        assert same(reference, list(python_column))
        assert same(reference, numpy_column)
        assert same(reference, array_column.tolist())
    assert [column.dtype for column in arrays] == [numpy.int64, numpy.float64, numpy.float64]


@pytest.mark.parametrize("encode", [encode_chunk, format1_chunk])
def test_edge_series_read_the_same(encode):
    cases = [
        ([], [], []),
        ([7], [math.nan], [5.0]),
        ([3], [math.inf], [5.0]),
        ([5, 4, 9, 1], [-math.inf, math.inf, math.nan, 0.0], [4.0, 3.0, 2.0, 1.0]),  # steps and times backwards
        ([0, 1, 2, 3, 4], [math.nan] * 5, [1.0, 2.0, 3.0, 4.0, 5.0]),
    ]
    for steps, values_, stamps in cases:
        blobs = [encode(steps, values_, stamps)] if steps else []
        for max_points in (None, 2, 3, 4):
            expected = downsample(steps, values_, stamps, max_points)
            for columns in (
                read_series(blobs, len(values_), max_points),
                downsample_chunks((decode_chunk(blob) for blob in blobs), len(values_), max_points),
            ):
                assert all(same(list(a), list(b)) for a, b in zip(expected, columns))


def test_format_2_elides_planes_of_one_byte():
    n = 10_000
    steps, stamps = list(range(n)), [1.7e9 + 0.05 * i for i in range(n)]
    values_ = [float(i % 7) for i in range(n)]
    blob = encode_chunk(steps, values_, stamps)
    assert blob[0] == 2 and len(blob) < len(format1_chunk(steps, values_, stamps))
    assert decode_chunk(blob) == (steps, array("d", values_), [round(t * 1e6) / 1e6 for t in stamps])
    with pytest.raises(ValueError, match="unknown metric chunk format"):
        read_series([b"\x09" + blob[1:]], n, 10)
    header = series_module._HEADER.size
    one_byte = bin(int.from_bytes(blob[header - 3 : header], "little")).count("1")
    with pytest.raises(ValueError, match="corrupt"):
        decode_chunk(blob[: header + one_byte] + zlib.compress(b"x"))


def test_a_cached_read_is_the_read_it_stands_for(tmp_path):
    store = open_store(tmp_path / "store")
    try:
        run_id = store.create_run(kind="script")["id"]
        logged = [float((i * 37) % 101) for i in range(500)]
        store.log_batch(run_id, {"metrics": [{"key": "m", "values": logged[:300]}]})
        first = store.get_metric_series_many([run_id], ["m"], 20, arrays=True)[0]
        first["values"][:] = -1.0  # the caller's copy: the cache keeps its own
        again = store.get_metric_series_many([run_id], ["m"], 20)[0]
        assert again["values"] == downsample(list(range(300)), logged[:300], [0.0] * 300, 20)[1]
        # An append changes the series' signature: the read is fresh, not the cached one.
        store.log_batch(run_id, {"metrics": [{"key": "m", "values": logged[300:]}]})
        after = store.get_metric_series_many([run_id], ["m"], 20)[0]
        assert after["count"] == 500
        assert after["values"] == downsample(list(range(500)), logged, [0.0] * 500, 20)[1]
        assert after["steps"] == downsample(list(range(500)), logged, [0.0] * 500, 20)[0]
        # Another width is another entry; a whole series is never cached.
        assert len(store.get_metric_series_many([run_id], ["m"], 10)[0]["values"]) <= 10
        assert store.get_metric_series_many([run_id], ["m"])[0]["values"] == logged
    finally:
        store.close()
