"""Metric series: chunk encoding, incremental summaries and downsampling.

Pure functions over plain sequences, shared by every store backend.

A chunk holds consecutive points of one key as three columns: steps and
timestamps (microseconds) delta-encoded as int64, values as float64. Each column
is byte-shuffled (byte 0 of every element, then byte 1, ...) into eight byte
planes: deltas are small and values share sign/exponent bytes, so most planes
are long runs, while random mantissa bytes cost what they cost. NaN and +/-Inf
survive because values are stored as raw IEEE bits.

Format 1 (still read): the 24 planes in one zlib pass. Format 2 (written): the
first step and timestamp in the header (a delta column's first element repeats
its second, so that a regular column is the same delta throughout), and every
plane whose bytes are all the same as that one byte; only the other planes go
through zlib. Inflating a run of one byte costs about what inflating random
bytes does, and regular steps and timestamps are mostly such runs: they
were two thirds of what a chart's series inflated, and are now none of it.
"""

from __future__ import annotations

import operator
import struct
import sys
import threading
import zlib
from array import array
from collections import OrderedDict
from itertools import accumulate
from typing import Hashable, Iterable, Optional, Sequence

_FORMAT_ZLIB = 1  # first byte of every chunk, so the encoding can evolve
_FORMAT_PLANES = 2
_WIDTH = 8  # every column element is 8 bytes
_COLUMNS = 3
_BIG_ENDIAN = sys.byteorder == "big"
# Format 2: format, point count (uint32), first step and first timestamp in microseconds (int64),
# a 24-bit mask of the planes stored as one byte (bit 8 * column + byte), little-endian; then
# those bytes in plane order, then the zlib stream of the other planes in plane order. Every
# plane holds count bytes; element 0 of the step and timestamp deltas stands for nothing.
_HEADER = struct.Struct("<BIqq3s")


def encode_chunk(steps: Sequence[int], values: Sequence[float], timestamps: Sequence[float]) -> bytes:
    """Pack one chunk; the three sequences have the same length. Out-of-range steps or
    timestamps (beyond 64-bit deltas) raise OverflowError."""
    if not (len(steps) == len(values) == len(timestamps)):
        raise ValueError("steps, values and timestamps must have the same length")
    n = len(values)
    micros = [round(t * 1e6) for t in timestamps]
    first = array("q", (steps[0], micros[0]) if n else (0, 0))  # array, not struct: OverflowError
    columns = (
        array("q", _leading_deltas(steps)),
        array("q", _leading_deltas(micros)),
        array("d", values),
    )
    mask, constants, varying = 0, bytearray(), []
    for index, plane in enumerate(plane for column in columns for plane in _planes(_little_endian(column))):
        if not plane or plane.count(plane[:1]) == len(plane):
            mask |= 1 << index
            constants += plane[:1] or b"\0"
        else:
            varying.append(plane)
    header = _HEADER.pack(_FORMAT_PLANES, n, first[0], first[1], mask.to_bytes(3, "little"))
    return header + bytes(constants) + zlib.compress(b"".join(varying))


def decode_chunk(blob: bytes) -> tuple[list[int], array, list[float]]:
    """Unpack a chunk into (steps, values, timestamps)."""
    if blob[:1] == bytes((_FORMAT_PLANES,)):
        n, first_step, first_micros, planes = _chunk_planes(blob)
        step_deltas, micro_deltas, values = array("q"), array("q"), array("d")
        for index, column in enumerate((step_deltas, micro_deltas, values)):
            column.frombytes(_unshuffle(b"".join(planes[index * _WIDTH : (index + 1) * _WIDTH])))
            if _BIG_ENDIAN:
                column.byteswap()
        if not n:
            return [], values, []
        steps = list(accumulate(step_deltas[1:], initial=first_step))
        timestamps = [m / 1e6 for m in accumulate(micro_deltas[1:], initial=first_micros)]
        return steps, values, timestamps
    if not blob or blob[0] != _FORMAT_ZLIB:
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


def _chunk_parts(blob: bytes) -> tuple[int, int, int, int, bytes, bytes]:
    """A format 2 chunk's point count, first step, first timestamp (microseconds), mask of
    planes stored as one byte, those bytes, and the other planes inflated."""
    if len(blob) < _HEADER.size:
        raise ValueError("truncated metric chunk")
    _, n, first_step, first_micros, mask_bytes = _HEADER.unpack_from(blob)
    mask = int.from_bytes(mask_bytes, "little")
    one_byte = bin(mask).count("1")
    raw = zlib.decompress(blob[_HEADER.size + one_byte :])
    if len(raw) != (_COLUMNS * _WIDTH - one_byte) * n:
        raise ValueError("corrupt metric chunk: its planes do not add up")
    return n, first_step, first_micros, mask, blob[_HEADER.size : _HEADER.size + one_byte], raw


def _chunk_planes(blob: bytes) -> tuple[int, int, int, list[bytes]]:
    """A format 2 chunk's point count, first step, first timestamp (microseconds) and its 24 planes."""
    n, first_step, first_micros, mask, constants, raw = _chunk_parts(blob)
    planes = []
    next_constant = offset = 0
    for index in range(_COLUMNS * _WIDTH):
        if mask >> index & 1:
            planes.append(constants[next_constant : next_constant + 1] * n)
            next_constant += 1
        else:
            planes.append(raw[offset : offset + n])
            offset += n
    return n, first_step, first_micros, planes


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
    steps, values, timestamps = _series_arrays(numpy, blobs, max_points)
    if arrays:
        return steps, values, timestamps
    return steps.tolist(), values.tolist(), timestamps.tolist()


class SeriesCache:
    """Downsampled series (numpy columns, read-only) by what they were read from, least recently
    used first out beyond ``max_bytes``. The compare view asks for the same series again whenever
    one of its runs changes (a live run: every half second): only the changed ones are decoded.

    A signature must change with the stored points: a store builds it from each chunk's row id,
    point count, first and last step and byte length, which an append to a chunk changes (it only
    grows), with the run's id and the key; and with ``max_points``. Thread-safe."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, tuple] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, signature: Hashable) -> Optional[tuple]:
        with self._lock:
            columns = self._entries.get(signature)
            if columns is not None:
                self._entries.move_to_end(signature)
            return columns

    def put(self, signature: Hashable, columns: tuple) -> None:
        size = sum(column.nbytes for column in columns)
        if size > self.max_bytes:
            return
        for column in columns:
            column.flags.writeable = False  # shared by every later read
        with self._lock:
            old = self._entries.pop(signature, None)
            if old is not None:
                self._bytes -= sum(column.nbytes for column in old)
            self._entries[signature] = columns
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= sum(column.nbytes for column in dropped)


def numpy_available() -> bool:
    """Whether series can be read as numpy arrays (``read_series(..., arrays=True)``)."""
    return _numpy() is not None


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


def _series_arrays(numpy, blobs: Sequence[bytes], max_points: Optional[int]) -> tuple:
    """The series of ``blobs`` (its chunks in order) as numpy arrays (steps int64, values float64,
    timestamps float64), downsampled to ``max_points`` as ``downsample`` does.

    Each column is gathered from every chunk's planes into one byte matrix, so that it is one
    transposition and one running sum however many chunks there are (a series logged step by
    step is a chunk per thousand points). Steps and timestamps whose every chunk holds one delta
    repeated are computed at the kept points only, with no running sum at all."""
    chunks = [chunk for chunk in map(_chunk_layout, blobs) if chunk[0]]
    counts = [chunk[0] for chunk in chunks]
    total = sum(counts)
    if not total:
        return numpy.array([], dtype=numpy.int64), numpy.array([]), numpy.array([])
    values = _column_bytes(numpy, chunks, 2, total).view("<f8").ravel().astype(numpy.float64, copy=False)
    keep = None
    if max_points is not None and total > max_points:
        keep = _kept_indexes(numpy, values, max_points // 2)
        values = values[keep]
    steps = _integer_column(numpy, chunks, 0, counts, keep)
    micros = _integer_column(numpy, chunks, 1, counts, keep)
    return steps, values, micros / 1e6


def _chunk_layout(blob: bytes) -> tuple:
    """(points, (first step, first timestamp) or None for format 1, mask of the planes stored as
    one byte, those bytes, the other planes inflated) of a chunk of either format."""
    if blob[:1] == bytes((_FORMAT_PLANES,)):
        n, first_step, first_micros, mask, constants, raw = _chunk_parts(blob)
        return n, (first_step, first_micros), mask, constants, raw
    if blob[:1] == bytes((_FORMAT_ZLIB,)):
        raw = zlib.decompress(blob[1:])
        n = len(raw) // (_COLUMNS * _WIDTH)
        return n, None, 0, b"", raw[: _COLUMNS * _WIDTH * n]
    raise ValueError(f"unknown metric chunk format {blob[:1]!r}")


def _column_bytes(numpy, chunks: list, column: int, total: int):
    """One column of every chunk, as a (total, 8) byte matrix of its little-endian elements."""
    matrix = numpy.empty((_WIDTH, total), dtype=numpy.uint8)
    offset = 0
    below = (1 << (column * _WIDTH)) - 1
    for n, _, mask, constants, raw in chunks:
        bits = mask >> (column * _WIDTH) & 0xFF
        # This column's planes come after the earlier columns' in the constants and in raw.
        constants_at = bin(mask & below).count("1")
        raw_at = column * _WIDTH - constants_at
        block = matrix[:, offset : offset + n]
        one_byte, varying = _plane_rows(numpy, bits)
        if len(one_byte):
            block[one_byte] = numpy.frombuffer(constants, dtype=numpy.uint8)[
                constants_at : constants_at + len(one_byte), None
            ]
        if len(varying):
            planes = numpy.frombuffer(raw, dtype=numpy.uint8)[raw_at * n : (raw_at + len(varying)) * n]
            block[varying] = planes.reshape(len(varying), n)
        offset += n
    return matrix.T.copy()


def _integer_column(numpy, chunks: list, column: int, counts: list[int], keep):
    """The steps (column 0) or timestamps in microseconds (1) at ``keep`` (every point if None)."""
    starts = numpy.cumsum([0] + counts[:-1])
    firsts = [chunk[1][column] if chunk[1] is not None else None for chunk in chunks]
    if all(first is not None and chunk[2] >> (column * _WIDTH) & 0xFF == 0xFF for first, chunk in zip(firsts, chunks)):
        # Each chunk is first + delta * position: no running sum, and only at the kept points.
        below = (1 << (column * _WIDTH)) - 1
        deltas = []
        for _, _, mask, constants, _ in chunks:
            at = bin(mask & below).count("1")
            deltas.append(int.from_bytes(constants[at : at + _WIDTH], "little", signed=True))
        positions = numpy.arange(sum(counts), dtype=numpy.int64) if keep is None else keep
        which = numpy.searchsorted(starts, positions, side="right") - 1
        first_of = numpy.array(firsts, dtype=numpy.int64)[which]
        delta_of = numpy.array(deltas, dtype=numpy.int64)[which]
        return first_of + delta_of * (positions - starts[which])  # wrapping int64, exact as the sum is
    deltas = _column_bytes(numpy, chunks, column, sum(counts)).view("<i8").ravel().astype(numpy.int64, copy=False)
    # A format 2 chunk's first element is in its header; its first delta stands for nothing.
    led = [index for index, first in enumerate(firsts) if first is not None]
    if led:
        deltas[starts[led]] = [firsts[index] for index in led]
    sums = _chunk_sums(numpy, deltas, counts)
    return sums if keep is None else sums[keep]


def _plane_rows(numpy, bits: int) -> tuple:
    """The rows (bytes) of one column's planes stored as one byte, and of the others."""
    rows = _PLANE_ROWS.get(bits)
    if rows is None:
        rows = _PLANE_ROWS[bits] = (
            numpy.array([byte for byte in range(_WIDTH) if bits >> byte & 1], dtype=numpy.intp),
            numpy.array([byte for byte in range(_WIDTH) if not bits >> byte & 1], dtype=numpy.intp),
        )
    return rows


_PLANE_ROWS: dict[int, tuple] = {}


def _chunk_sums(numpy, deltas, counts: list[int]):
    """The running sums of ``deltas`` restarted at each chunk (of ``counts`` points each): each
    chunk's deltas begin with its first element. Wrapping int64 arithmetic is exact here, since
    every sum within a chunk fits."""
    sums = numpy.cumsum(deltas)
    if len(counts) > 1:
        ends = numpy.cumsum(counts)[:-1]
        sums -= numpy.repeat(numpy.concatenate(([0], sums[ends - 1])), counts)
    return sums


def _kept_indexes(numpy, values, buckets: int):
    """The indexes ``downsample`` keeps: per bucket its min and max (the first of equal ones, NaN
    left out, in order; one if they are the same point), or its first point if all are NaN."""
    n = len(values)
    width = -(-n // buckets)
    starts = numpy.arange(buckets, dtype=numpy.int64) * n // buckets
    # A (width, buckets) table, one bucket a column, shorter buckets padded with NaN: reducing
    # along its first axis runs over whole rows, about twice as fast as reduceat.
    if n % buckets == 0:
        table = values.reshape(buckets, width).T.copy()
    else:
        index = starts + numpy.arange(width)[:, None]
        table = values[numpy.minimum(index, n - 1)]
        table[index >= numpy.append(starts[1:], n)] = numpy.nan
    with numpy.errstate(invalid="ignore"):
        lows = numpy.fmin.reduce(table, axis=0)  # NaN only where the bucket is all NaN
        highs = numpy.fmax.reduce(table, axis=0)
    # The first row equal to the extreme; none (NaN equals nothing) gives row 0, the bucket's first point.
    low_at = starts + (table == lows).argmax(axis=0)
    high_at = starts + (table == highs).argmax(axis=0)
    first = numpy.minimum(low_at, high_at)
    second = numpy.maximum(low_at, high_at)
    pairs = numpy.stack([first, second], axis=1).ravel()
    distinct = numpy.stack([numpy.ones(buckets, dtype=bool), second != first], axis=1).ravel()
    return pairs[distinct]


def _leading_deltas(numbers: Sequence[int]) -> list[int]:
    """The deltas of ``numbers``, led by a copy of the first (the first number is in the header)."""
    deltas = list(map(operator.sub, numbers[1:], numbers))
    return deltas[:1] + deltas if deltas else [0] * len(numbers)


def _little_endian(column: array) -> bytes:
    if _BIG_ENDIAN:
        column = array(column.typecode, column)
        column.byteswap()
    return column.tobytes()


def _planes(raw: bytes) -> list[bytes]:
    return [raw[i::_WIDTH] for i in range(_WIDTH)]


def _unshuffle(raw: bytes) -> bytes:
    n = len(raw) // _WIDTH
    out = bytearray(len(raw))
    for i in range(_WIDTH):
        out[i::_WIDTH] = raw[i * n : (i + 1) * n]
    return bytes(out)
