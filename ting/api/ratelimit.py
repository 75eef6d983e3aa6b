"""A fixed-window request budget per caller, in the cache (local memory or Redis)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

from ting.api.errors import RateLimited

WINDOW_S = 60


def check(key: str, *, limit: int | None = None, now: float | None = None) -> None:
    """Count one request for `key`; raise RateLimited once the window's budget is spent."""
    limit = limit or settings.TING_API_RATE_LIMIT
    now = now or time.time()
    window = int(now // WINDOW_S)
    cache_key = f"ting:api:rate:{key}:{window}"
    # add() then incr() keeps the count atomic on Redis and in local memory.
    cache.add(cache_key, 0, timeout=WINDOW_S + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=WINDOW_S + 5)
        count = 1
    if count > limit:
        raise RateLimited(retry_after=max(1, int((window + 1) * WINDOW_S - now) + 1))
