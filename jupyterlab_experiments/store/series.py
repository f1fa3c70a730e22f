"""Metric series: chunk encoding, incremental summaries and downsampling.

Pure functions over plain sequences, shared by every store backend.

A chunk holds consecutive points of one key as three columns: steps and
timestamps (microseconds) delta-encoded as int64, values as float64. Each column
is byte-shuffled (byte 0 of every element, then byte 1, ...) before one zlib
pass: deltas are small and values share sign/exponent bytes, so the shuffled
columns are long runs that zlib squeezes, while random mantissa bytes cost what
they cost. NaN and +/-Inf survive because values are stored as raw IEEE bits.
"""

from __future__ import annotations

import operator
import sys
import zlib
from array import array
from itertools import accumulate, chain
from typing import Iterable, Optional, Sequence

_FORMAT = 1  # first byte of every chunk, so the encoding can evolve
_WIDTH = 8  # every column element is 8 bytes
_BIG_ENDIAN = sys.byteorder == "big"


def encode_chunk(steps: Sequence[int], values: Sequence[float], timestamps: Sequence[float]) -> bytes:
    """Pack one chunk; the three sequences have the same length."""
    if not (len(steps) == len(values) == len(timestamps)):
        raise ValueError("steps, values and timestamps must have the same length")
    micros = [round(t * 1e6) for t in timestamps]
    columns = (
        array("q", _deltas(steps)),
        array("q", _deltas(micros)),
        array("d", values),
    )
    return bytes((_FORMAT,)) + zlib.compress(b"".join(_shuffle(_little_endian(c)) for c in columns))


def decode_chunk(blob: bytes) -> tuple[list[int], array, list[float]]:
    """Unpack a chunk into (steps, values, timestamps)."""
    if not blob or blob[0] != _FORMAT:
        raise ValueError(f"unknown metric chunk format {blob[:1]!r}")
    raw = zlib.decompress(blob[1:])
    n = len(raw) // (3 * _WIDTH)
    size = n * _WIDTH
    step_deltas, micro_deltas, values = array("q"), array("q"), array("d")
    for index, column in enumerate((step_deltas, micro_deltas, values)):
        column.frombytes(_unshuffle(raw[index * size : (index + 1) * size]))
        if _BIG_ENDIAN:
            column.byteswap()
    steps = list(accumulate(step_deltas))
    timestamps = [m / 1e6 for m in accumulate(micro_deltas)]
    return steps, values, timestamps


def resolve_steps(steps: Optional[Sequence[Optional[int]]], count: int, last_step: Optional[int]) -> list[int]:
    """Fill missing steps: each ``None`` is one more than the step before it.

    ``last_step`` is the last step already stored for the key (None for a new key,
    so auto steps start at 0). ``steps`` None means every step is automatic.
    """
    if steps is None:
        start = 0 if last_step is None else last_step + 1
        return list(range(start, start + count))
    if len(steps) != count:
        raise ValueError(f"{len(steps)} steps for {count} values")
    resolved = []
    previous = -1 if last_step is None else last_step
    for step in steps:
        previous = previous + 1 if step is None else step
        resolved.append(previous)
    return resolved


def merge_summary(
    previous: Optional[dict], steps: Sequence[int], values: Sequence[float], cell_id: Optional[str]
) -> dict:
    """The key's summary after appending these points (NaN-aware; min/max ignore NaN)."""
    summary = (
        dict(previous)
        if previous
        else {
            "last": None,
            "last_step": None,
            "min": None,
            "min_step": None,
            "max": None,
            "max_step": None,
            "count": 0,
            "cell_id": None,
        }
    )
    if not values:
        return summary
    summary["last"] = values[-1]
    summary["last_step"] = steps[-1]
    summary["count"] += len(values)
    summary["cell_id"] = cell_id
    finite = [v for v in values if v == v]  # NaN is the only value unequal to itself
    if finite:
        low, high = min(finite), max(finite)
        # Strict comparisons keep the first step that reached the extreme.
        if summary["min"] is None or low < summary["min"]:
            summary["min"], summary["min_step"] = low, steps[values.index(low)]
        if summary["max"] is None or high > summary["max"]:
            summary["max"], summary["max_step"] = high, steps[values.index(high)]
    return summary


def downsample(
    steps: Sequence[int], values: Sequence[float], timestamps: Sequence[float], max_points: Optional[int]
) -> tuple[list[int], list[float], list[float]]:
    """At most ``max_points`` points: each of ``max_points // 2`` buckets keeps its min and max.

    Keeping both extremes (in their original order) means a spike or a dip
    survives any zoom level, which averaging or striding would erase.
    """
    n = len(values)
    if max_points is None or n <= max_points:
        return list(steps), list(values), list(timestamps)
    if max_points < 2:
        raise ValueError("max_points must be at least 2 (each bucket keeps its min and max)")
    buckets = max_points // 2
    keep: list[int] = []
    for b in range(buckets):
        lo, hi = b * n // buckets, (b + 1) * n // buckets
        keep.extend(_extremes(values, lo, hi))
    return [steps[i] for i in keep], [values[i] for i in keep], [timestamps[i] for i in keep]


def downsample_chunks(
    chunks: Iterable[tuple[Sequence[int], Sequence[float], Sequence[float]]], count: int, max_points: Optional[int]
) -> tuple[list[int], list[float], list[float]]:
    """``downsample`` of the series the chunks make up, ``count`` points in all, holding one chunk at a time.

    Each chunk's part of a bucket gives its extremes, which are merged into the
    bucket's (strictly: the first of equal extremes stays, as in ``downsample``),
    so the result is the same and memory is bounded by a chunk plus ``max_points``.
    """
    if max_points is None or count <= max_points:
        steps: list[int] = []
        values: list[float] = []
        timestamps: list[float] = []
        for chunk_steps, chunk_values, chunk_timestamps in chunks:
            steps += chunk_steps
            values += chunk_values
            timestamps += chunk_timestamps
        return steps, values, timestamps
    if max_points < 2:
        raise ValueError("max_points must be at least 2 (each bucket keeps its min and max)")
    buckets = max_points // 2
    # Per bucket: its first point (kept if every value is NaN), its min and its max, as (index, step, value, time).
    first: list = [None] * buckets
    low: list = [None] * buckets
    high: list = [None] * buckets
    offset = 0
    for chunk_steps, chunk_values, chunk_timestamps in chunks:
        end = offset + len(chunk_values)
        bucket = offset * buckets // count
        while bucket < buckets and bucket * count // buckets < end:
            lo = max(bucket * count // buckets, offset)
            hi = min((bucket + 1) * count // buckets, end)
            if lo < hi:
                for i in _extremes(chunk_values, lo - offset, hi - offset):
                    point = (offset + i, chunk_steps[i], chunk_values[i], chunk_timestamps[i])
                    if first[bucket] is None:
                        first[bucket] = point
                    if point[2] == point[2]:  # not NaN
                        if low[bucket] is None or point[2] < low[bucket][2]:
                            low[bucket] = point
                        if high[bucket] is None or point[2] > high[bucket][2]:
                            high[bucket] = point
            bucket += 1
        offset = end
    kept = []
    for bucket in range(buckets):
        if low[bucket] is None:
            kept.append(first[bucket])
        elif low[bucket][0] == high[bucket][0]:
            kept.append(low[bucket])
        else:
            kept += sorted((low[bucket], high[bucket]))
    return [point[1] for point in kept], [point[2] for point in kept], [point[3] for point in kept]


def _extremes(values: Sequence[float], lo: int, hi: int) -> list[int]:
    """Indexes of the min and max of values[lo:hi], in order; NaN only if all are NaN."""
    segment = values[lo:hi]
    total = sum(segment)
    if total == total:  # no NaN (builtin min/max are unreliable with NaN)
        first, second = segment.index(min(segment)), segment.index(max(segment))
    else:
        finite = [i for i, v in enumerate(segment) if v == v]
        if not finite:
            return [lo]
        first = min(finite, key=segment.__getitem__)
        second = max(finite, key=segment.__getitem__)
    if first == second:
        return [lo + first]
    return [lo + min(first, second), lo + max(first, second)]


# Series up to this many points are read with numpy when it is installed (the whole series in
# memory, some 24 bytes a point); longer ones, or without numpy, one chunk at a time in Python.
NUMPY_MAX_POINTS = 5_000_000


def read_series(blobs: Sequence[bytes], count: int, max_points: Optional[int], arrays: bool = False) -> tuple:
    """The series stored in ``blobs`` (its chunks in order, ``count`` points in all), downsampled
    as ``downsample_chunks`` does: the same points, with numpy (tens of times faster) when it is
    installed and the series is not huge. Lists of Python numbers; numpy arrays with ``arrays``
    (which needs numpy)."""
    numpy = _numpy()
    if arrays and numpy is None:
        raise RuntimeError("arrays of a series need numpy")
    if numpy is None or count > NUMPY_MAX_POINTS:
        columns = downsample_chunks((decode_chunk(blob) for blob in blobs), count, max_points)
        if arrays:
            kinds = (numpy.int64, numpy.float64, numpy.float64)
            return tuple(numpy.asarray(column, dtype=kind) for column, kind in zip(columns, kinds))
        return columns
    if max_points is not None and max_points < 2:
        raise ValueError("max_points must be at least 2 (each bucket keeps its min and max)")
    columns = [_decode_arrays(numpy, blob) for blob in blobs]
    if not columns:
        empty = (numpy.array([], dtype=numpy.int64), numpy.array([]), numpy.array([]))
        return empty if arrays else ([], [], [])
    steps, values, timestamps = (numpy.concatenate([chunk[i] for chunk in columns]) for i in range(3))
    if max_points is not None and count > max_points:
        keep = _kept_indexes(numpy, values, max_points // 2)
        steps, values, timestamps = steps[keep], values[keep], timestamps[keep]
    if arrays:
        return steps, values, timestamps
    return steps.tolist(), values.tolist(), timestamps.tolist()


def _numpy():
    """numpy, imported on first use (a writer never pays for it), or None without it."""
    global _NUMPY
    if _NUMPY is _UNSET:
        try:
            import numpy
        except ImportError:
            numpy = None
        _NUMPY = numpy
    return _NUMPY


_UNSET = object()
_NUMPY: object = _UNSET


def _decode_arrays(numpy, blob: bytes):
    """``decode_chunk`` as numpy arrays (steps int64, values float64, timestamps float64)."""
    if not blob or blob[0] != _FORMAT:
        raise ValueError(f"unknown metric chunk format {blob[:1]!r}")
    raw = numpy.frombuffer(zlib.decompress(blob[1:]), dtype=numpy.uint8)
    n = len(raw) // (3 * _WIDTH)
    # Each column is its elements' byte 0s, then byte 1s...: an (8, n) matrix to transpose.
    columns = raw[: 3 * _WIDTH * n].reshape(3, _WIDTH, n).transpose(0, 2, 1).copy()
    step_deltas = columns[0].view("<i8").ravel()
    micro_deltas = columns[1].view("<i8").ravel()
    values = columns[2].view("<f8").ravel().astype(numpy.float64)
    return numpy.cumsum(step_deltas), values, numpy.cumsum(micro_deltas) / 1e6


def _kept_indexes(numpy, values, buckets: int):
    """The indexes ``downsample`` keeps: per bucket its min and max (the first of equal ones, NaN
    left out, in order; one if they are the same point), or its first point if all are NaN."""
    n = len(values)
    starts = numpy.arange(buckets, dtype=numpy.int64) * n // buckets
    sizes = numpy.diff(numpy.append(starts, n))
    positions = numpy.arange(n)
    with numpy.errstate(invalid="ignore"):
        lows = numpy.fmin.reduceat(values, starts)  # NaN only where the bucket is all NaN
        highs = numpy.fmax.reduceat(values, starts)
    low_at = numpy.minimum.reduceat(numpy.where(values == numpy.repeat(lows, sizes), positions, n), starts)
    high_at = numpy.minimum.reduceat(numpy.where(values == numpy.repeat(highs, sizes), positions, n), starts)
    all_nan = low_at == n
    low_at = numpy.where(all_nan, starts, low_at)
    high_at = numpy.where(all_nan, starts, high_at)
    first = numpy.minimum(low_at, high_at)
    second = numpy.maximum(low_at, high_at)
    pairs = numpy.stack([first, second], axis=1).ravel()
    distinct = numpy.stack([numpy.ones(buckets, dtype=bool), second != first], axis=1).ravel()
    return pairs[distinct]


def _deltas(numbers: Sequence[int]) -> list[int]:
    return list(map(operator.sub, numbers, chain((0,), numbers)))


def _little_endian(column: array) -> bytes:
    if _BIG_ENDIAN:
        column = array(column.typecode, column)
        column.byteswap()
    return column.tobytes()


def _shuffle(raw: bytes) -> bytes:
    return b"".join(raw[i::_WIDTH] for i in range(_WIDTH))


def _unshuffle(raw: bytes) -> bytes:
    n = len(raw) // _WIDTH
    out = bytearray(len(raw))
    for i in range(_WIDTH):
        out[i::_WIDTH] = raw[i * n : (i + 1) * n]
    return bytes(out)
