"""Reading a stored series with numpy gives exactly the points the pure-Python reader gives:
the same downsampling (each bucket's first min and max, NaN left out, infinities kept)."""

from __future__ import annotations

import math

import numpy
import pytest
from conftest import property_settings
from hypothesis import given
from hypothesis import strategies as st

from jupyterlab_experiments.store import series as series_module
from jupyterlab_experiments.store.series import decode_chunk, downsample_chunks, encode_chunk, read_series

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
