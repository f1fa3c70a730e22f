"""Logging through the frontend, for kernels that cannot open the store.

A kernel on another machine (or in a container without the server's folder)
publishes each batch as display data of MIME type ``MIME_TYPE``; the frontend
forwards it to the server, which writes it to the store. The message format is
documented in ``docs/logging-protocol.md`` so kernels in other languages can
emit it too.
"""

from __future__ import annotations

import base64
import math
import time
import uuid
from typing import Any, Callable

MIME_TYPE = "application/vnd.jupyterlab-experiments.log+json"
# Marks the output as not meant to be kept in the notebook; the frontend drops it.
TRANSIENT = {"jupyterlab_experiments": "log"}


def encode_batch(batch: dict) -> dict:
    """A store batch as JSON: PNG bytes as base64 under ``png_base64``, non-finite floats as strings."""
    encoded = dict(batch)
    if "metrics" in batch:
        encoded["metrics"] = [
            {**series, "values": [_json_float(value) for value in series["values"]]} for series in batch["metrics"]
        ]
    if "images" in batch:
        encoded["images"] = [
            {
                **{k: v for k, v in image.items() if k != "png"},
                "png_base64": base64.b64encode(image["png"]).decode(),
            }
            for image in batch["images"]
        ]
    return encoded


def _json_float(value: float) -> Any:
    if math.isfinite(value):
        return value
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def publish_display_data(payload: dict) -> None:
    from IPython.display import publish_display_data as publish

    publish({MIME_TYPE: payload}, transient=TRANSIENT)


class RelaySink:
    """The part of the store interface the tracker writes through, sent as display data."""

    def __init__(self, publish: Callable[[dict], None] = publish_display_data):
        self._publish = publish

    def create_run(self, *, run_id: str | None = None, **fields: Any) -> dict:
        run_id = run_id or uuid.uuid4().hex
        # The server records the user it authenticated, as for any run created over REST.
        fields = {key: value for key, value in fields.items() if value is not None and key != "user"}
        self._publish({"run_id": run_id, "create": fields})
        return {"id": run_id, **fields}

    def log_batch(self, run_id: str, batch: dict) -> None:
        self._publish({"run_id": run_id, "batch": encode_batch(batch)})

    def end_run(self, run_id: str, status: str = "finished", end_time: float | None = None) -> None:
        self._publish(
            {
                "run_id": run_id,
                "end": {"status": status, "end_time": end_time or time.time()},
            }
        )
