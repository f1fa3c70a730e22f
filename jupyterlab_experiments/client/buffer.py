"""The in-memory buffer between a logging call and the store.

A call appends to plain lists (no IO, no encoding) so that it costs about a
microsecond; the flusher takes the whole buffer at once as one columnar batch
(see ``store.base``). Points are kept as columns from the start: a million
(step, value, time) tuples would cost garbage-collector passes while logging
and a slow transposition while flushing. The buffer is not thread-safe by
itself: the tracker holds its lock around every method.
"""

from __future__ import annotations

import time
from typing import Any

_now = time.time


class LogBuffer:
    """Everything logged to one run since the last flush, grouped by the cell it came from."""

    def __init__(self, cell_id: str | None = None):
        self._cell_id = cell_id
        self._points: dict[str | None, dict[str, _Series]] = {}
        self._current: dict[str, _Series] = self._points.setdefault(cell_id, {})
        self._empty = True
        self._params: list[dict] = []
        self._tags: dict[str, str] = {}
        self._images: list[dict] = []
        self._data: list[dict] = []
        self._environment: dict | None = None

    def set_cell(self, cell_id: str | None) -> None:
        self._cell_id = cell_id
        self._current = self._points.setdefault(cell_id, {})

    def add_metric(self, key: str, value: float, step: int | None) -> None:
        """``step`` None is resolved by the store as one more than the key's previous step."""
        series = self._current.get(key)
        if series is None:
            series = self._current[key] = _Series()
        series.steps.append(step)
        series.values.append(value)
        series.timestamps.append(_now())
        self._empty = False

    def add_param(self, key: str, value: Any) -> None:
        self._params.append({"key": key, "value": value, "cell_id": self._cell_id})
        self._empty = False

    def set_tags(self, tags: dict[str, str]) -> None:
        self._tags.update(tags)
        self._empty = False

    def add_image(self, key: str, png: bytes, step: int | None) -> None:
        self._images.append(
            {
                "key": key,
                "png": png,
                "step": step,
                "cell_id": self._cell_id,
                "timestamp": _now(),
            }
        )
        self._empty = False

    def add_data(self, description: dict) -> None:
        self._data.append({**description, "cell_id": self._cell_id})
        self._empty = False

    def set_environment(self, environment: dict) -> None:
        self._environment = environment
        self._empty = False

    def take(self) -> Pending | None:
        """Hand over the content and start empty; cheap, so it can run under the caller's lock."""
        if self._empty:
            return None
        pending = Pending(
            self._points,
            self._params,
            self._tags,
            self._images,
            self._data,
            self._environment,
        )
        self._points = {}
        self._current = self._points.setdefault(self._cell_id, {})
        self._params, self._tags, self._images, self._data = [], {}, [], []
        self._environment = None
        self._empty = True
        return pending


class _Series:
    __slots__ = ("steps", "timestamps", "values")

    def __init__(self):
        self.steps: list[int | None] = []
        self.values: list[float] = []
        self.timestamps: list[float] = []


class Pending:
    """Content taken from a buffer, no longer shared with logging calls."""

    def __init__(self, points, params, tags, images, data, environment):
        self._points = points
        self._params = params
        self._tags = tags
        self._images = images
        self._data = data
        self._environment = environment

    def batch(self) -> dict:
        batch: dict[str, Any] = {}
        metrics = [
            {
                "key": key,
                "cell_id": cell_id,
                "steps": series.steps,
                "values": series.values,
                "timestamps": series.timestamps,
            }
            for cell_id, by_key in self._points.items()
            for key, series in by_key.items()
        ]
        for name, content in (
            ("metrics", metrics),
            ("params", self._params),
            ("tags", self._tags),
            ("images", self._images),
            ("data", self._data),
        ):
            if content:
                batch[name] = content
        if self._environment is not None:
            batch["environment"] = self._environment
        return batch
