"""Fixed-window rate limits in the Django cache (atomic add + incr: Redis and locmem alike)."""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the X-Forwarded-For entry our own proxy appended (TING_PROXY_HOPS)."""
    hops: int = settings.TING_PROXY_HOPS
    if hops:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(forwarded) >= hops and forwarded[-hops]:
            return str(forwarded[-hops])
    return str(request.META.get("REMOTE_ADDR", ""))


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
