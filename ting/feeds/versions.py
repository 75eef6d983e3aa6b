"""Feed versions in the cache: a podcast app's poll answered 304 before any database work, and
a rendered body reused until the feed changes.

Every save of an album, its anchor, one of its tracks or feed links bumps a generation number
(ting.feeds.apps connects the signals; a cache write, no business logic). A poll's remembered
validators carry the generations they were computed under, so an edit makes the next poll go
to the database at once; changes that skip save() (queryset updates) still show within
TING_FEED_STATE_TTL, as before.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

GENERATION_TTL = 30 * 24 * 3600


def _generation_key(kind: str, pk: int) -> str:
    return f"ting:feed-gen:{kind}:{pk}"


def bump(*, album_id: int | None = None, anchor_id: int | None = None) -> None:
    """The album's (or every album of the anchor's) feeds changed."""
    stamp = time.time_ns()
    if album_id is not None:
        cache.set(_generation_key("album", album_id), stamp, GENERATION_TTL)
    if anchor_id is not None:
        cache.set(_generation_key("anchor", anchor_id), stamp, GENERATION_TTL)


def _generations(album_id: int, anchor_id: int) -> tuple[object, object]:
    keys = [_generation_key("album", album_id), _generation_key("anchor", anchor_id)]
    found = cache.get_many(keys)
    return found.get(keys[0]), found.get(keys[1])


@dataclass(frozen=True, slots=True)
class Poll:
    """What a 304 needs to say, and the generations it was computed under."""

    etag: str
    last_modified: float
    private: bool
    album_id: int
    anchor_id: int
    generations: tuple[object, object]


def _poll_key(*, album_id: int | None, token: str | None, host: str) -> str:
    # Tokens are URL-safe; hosts are validated by ALLOWED_HOSTS before a view runs.
    door = f"t:{token}" if token is not None else f"a:{album_id}"
    return f"ting:feed-poll:{door}:{host}"


def poll_get(*, album_id: int | None, token: str | None, host: str) -> Poll | None:
    """The remembered validators of this feed URL, if nothing changed since (no SQL)."""
    if not settings.TING_FEED_STATE_TTL:
        return None
    found = cache.get(_poll_key(album_id=album_id, token=token, host=host))
    if not isinstance(found, Poll):
        return None
    if _generations(found.album_id, found.anchor_id) != found.generations:
        return None
    return found


def generations_now(*, album_id: int, anchor_id: int) -> tuple[object, object]:
    """The current generations, starting them when the cache has none (so a later bump shows)."""
    album_gen, anchor_gen = _generations(album_id, anchor_id)
    if album_gen is None or anchor_gen is None:
        for kind, pk in (("album", album_id), ("anchor", anchor_id)):
            cache.add(_generation_key(kind, pk), 0, GENERATION_TTL)
        album_gen, anchor_gen = _generations(album_id, anchor_id)
    return album_gen, anchor_gen


def poll_remember(*, token: str | None, host: str, poll: Poll) -> None:
    ttl = settings.TING_FEED_STATE_TTL
    if ttl:
        cache.set(_poll_key(album_id=poll.album_id, token=token, host=host), poll, ttl)


def _body_key(etag: str, page: int) -> str:
    # The ETag's hex digest only: quotes are no part of a portable cache key.
    digest = etag.removeprefix("W/").strip('"')
    return f"ting:feed-body:{digest}:{page}"


def body_get(*, etag: str, page: int) -> bytes | None:
    if not settings.TING_FEED_BODY_TTL:
        return None
    found = cache.get(_body_key(etag, page))
    return found if isinstance(found, bytes) else None


def body_remember(*, etag: str, page: int, body: bytes) -> None:
    """The ETag names every input of the body (see selectors.feed_state), so it is the key."""
    ttl = settings.TING_FEED_BODY_TTL
    if ttl:
        cache.set(_body_key(etag, page), body, ttl)
