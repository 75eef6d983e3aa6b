"""Versioned cache keys: a write bumps a name's version, and every key built on it changes.

Keys that embed `cache_version(name)` never need deleting: after `cache_bump(name)` nothing
reads the old entries again and the cache evicts them in its own time.
"""

from __future__ import annotations

from typing import Final

from django.core.cache import cache

# Public catalog content: which tracks and albums are listed, and how they read.
CATALOG: Final = "catalog"
# Precomputed recommendations (猜你喜歡 neighbours).
DISCOVERY: Final = "discovery"


def _key(name: str) -> str:
    return f"ting:version:{name}"


def cache_version(name: str) -> int:
    version = cache.get(_key(name))
    if version is None:
        cache.add(_key(name), 1, timeout=None)
        version = cache.get(_key(name), 1)
    return int(version)


def cache_versions(*names: str) -> str:
    """Several versions in one cache round trip, as a key fragment (`3.1`)."""
    found = cache.get_many([_key(name) for name in names])
    return ".".join(str(found.get(_key(name)) or cache_version(name)) for name in names)


def cache_bump(name: str) -> None:
    """Make every key built on `name`'s version stale (call after the write commits)."""
    try:
        cache.incr(_key(name))
    except ValueError:  # never read yet, or evicted: any fresh number differs from old keys
        cache.add(_key(name), 2, timeout=None)
