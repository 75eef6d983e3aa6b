"""Hand the C heap's free pages back to the system while a long programme is processed.

The pipeline's threads allocate and free arrays of a few hundred kilobytes per chunk, and
glibc serves them from per-thread arenas once its dynamic mmap threshold has risen past
their size (it does after the first such free). Pages freed inside an arena stay mapped
and resident until the arena's top is free, which a long-lived small allocation next to
the top can prevent for good: a worker's resident size can then creep up with the
programme's length although what it holds does not (a safeguard: on the bench's hour the
pipeline stays flat either way, see docs/benchmarks.md). ``malloc_trim`` returns every
whole free page of every arena (``madvise``): a few milliseconds when there is much to
hand back, microseconds when there is not, and the pipeline calls it once a minute of audio.

Only glibc has it; elsewhere (macOS, musl) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable
from functools import lru_cache


@lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
    except OSError:
        return None
    trim = getattr(libc, "malloc_trim", None)
    if trim is None:
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim  # type: ignore[no-any-return]


def release_free_heap() -> bool:
    """Return the heap's free pages to the system; False where the C library cannot."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
