"""Fixed-window rate limits in the Django cache (atomic add + incr: Redis and locmem alike)."""

from __future__ import annotations

import math
import time

from django.core.cache import cache

from ting.core.security import client_ip

__all__ = ["client_ip", "hit"]


def hit(*, scope: str, key: str, limit: int, window: int = 60) -> int | None:
    """Count one action; None while within `limit` per `window` seconds, else seconds to wait."""
    now = time.time()
    bucket = int(now // window)
    cache_key = f"ting:rate:{scope}:{key}:{bucket}"
    cache.add(cache_key, 0, timeout=window + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:
        # The key expired between add and incr: this is the first hit of a fresh window.
        cache.add(cache_key, 1, timeout=window + 5)
        count = 1
    if count <= limit:
        return None
    return max(1, math.ceil((bucket + 1) * window - now))
