"""Tasks the RQ tests enqueue; a worker process imports them by module path."""

from __future__ import annotations

import json
import os
from pathlib import Path

import av
import numpy as np
from django_tasks import task

from ting.core import logs


@task()
def measure_audio(*, path: str) -> dict[str, float | int | str]:
    """Ingest-like: decode a real audio file, write what was found beside it, return it."""
    samples = 0
    peak = 0.0
    with av.open(path) as container:
        stream = container.streams.audio[0]
        rate = stream.rate
        for frame in container.decode(stream):
            array = frame.to_ndarray()
            samples += frame.samples
            scale = 2 ** (array.dtype.itemsize * 8 - 1) if array.dtype.kind == "i" else 1
            peak = max(peak, float(np.abs(array).max()) / scale)
    found: dict[str, float | int | str] = {
        "seconds": round(samples / rate, 3),
        "peak": round(peak, 3),
        "pid": os.getpid(),
        "request_id": logs.request_id(),
    }
    Path(path + ".json").write_text(json.dumps(found))
    return found
