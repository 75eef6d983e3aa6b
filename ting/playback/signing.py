"""Signed, expiring stream URLs bound to one track and one rendition format.

Public tracks stream from a stable URL anyone may cache; unlisted and private tracks (and an
anchor's own drafts) need a signature made when an allowed person opened the page.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from django.conf import settings


def _mac(track_id: int, fmt: str, expires: int) -> str:
    message = f"ting.stream:{track_id}:{fmt}:{expires}".encode()
    key = hashlib.sha256(("ting.stream.key" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def sign(track_id: int, fmt: str, *, ttl: int | None = None, now: float | None = None) -> str:
    """The query string that unlocks one rendition of one track until it expires."""
    expires = int((now or time.time()) + (ttl or settings.TING_STREAM_URL_TTL))
    return f"exp={expires}&sig={_mac(track_id, fmt, expires)}"


def verify(
    track_id: int, fmt: str, expires: str | None, signature: str | None, *, now: float | None = None
) -> bool:
    if not expires or not signature or not expires.isdigit():
        return False
    if int(expires) < (now or time.time()):
        return False
    return hmac.compare_digest(_mac(track_id, fmt, int(expires)), signature)
