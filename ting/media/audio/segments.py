"""A per-segment series kept on disk: the analysis pass's segment energies and true peaks.

The gain plan needs, per ~5 ms segment, the K-weighted energy and the true peak (8 bytes,
~6 MB an hour of programme). Held in memory for the whole job, they were what was left of
the worker's memory growing with the programme's length (60 MB for 10 hours, twice that
for a moment when the pieces were joined). The planner reads them in blocks
(``plan.BLOCK_SEGMENTS``) and each chunk's limiter envelope reads a few hundred, so they
live in an unnamed temporary file beside the renditions and are read back with
``pread``: through the page cache, not this process's memory.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]
_ITEM = 4  # float32


def read_at(fd: int, into: memoryview, offset: int, what: str) -> None:
    """Fill ``into`` from ``fd`` at ``offset`` without moving the file's position, so
    several readers can share one file; a short file is an OSError naming ``what``."""
    while into:
        if hasattr(os, "preadv"):
            got = os.preadv(fd, [into], offset)
        else:  # some macOS builds of Python have no preadv: one copy more
            data = os.pread(fd, len(into), offset)
            got = len(data)
            into[:got] = data
        if got <= 0:
            raise OSError(f"{what} came back short")
        into = into[got:]
        offset += got


class SpooledSeries:
    """A float32 series appended to an unnamed temporary file and read back by slices.

    Quacks like the 1-D array it replaces where the planner uses one (``shape``, ``size``,
    ``max()``, ``series[lo:hi]``); ``np.asarray`` reads it whole (tests, short programmes).
    """

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        # Closed by close() or when collected: it outlives the pass that writes it.
        self._file = tempfile.TemporaryFile(dir=directory, prefix=".segments.", buffering=0)  # noqa: SIM115
        self._fd = self._file.fileno()
        self._count = 0
        self._max = 0.0

    def append(self, values: npt.NDArray[np.floating[Any]]) -> None:
        data = np.ascontiguousarray(values, dtype="<f4")
        if data.size == 0:
            return
        view = data.data.cast("B")
        while view:
            written = os.pwrite(self._fd, view, self._count * _ITEM)
            self._count += written // _ITEM
            view = view[written:]
        self._max = max(self._max, float(data.max()))

    @property
    def shape(self) -> tuple[int]:
        return (self._count,)

    @property
    def size(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def max(self) -> float:
        """The largest value (0 for an empty series: energies and peaks are >= 0)."""
        return self._max

    def __getitem__(self, key: slice) -> F32:
        start, stop, step = key.indices(self._count)
        if step != 1:
            raise ValueError("only contiguous slices are read back")
        return self._read(start, max(start, stop))

    def _read(self, start: int, stop: int) -> F32:
        out = np.empty(stop - start, dtype="<f4")
        read_at(self._fd, out.data.cast("B"), start * _ITEM, "the segment file")
        return out.astype(np.float32, copy=False)

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> F32:
        whole = self._read(0, self._count)
        return whole if dtype is None else whole.astype(dtype)

    def close(self) -> None:
        self._file.close()
