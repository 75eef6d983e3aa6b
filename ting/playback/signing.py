"""Signed, expiring stream URLs.

Two kinds. Ting's own (``sign``/``verify``): a query string on ``/stream/<track>/<format>`` bound
to one track and one rendition format, checked by the stream view. Public tracks stream from a
stable URL anyone may cache; unlisted and private tracks (and an anchor's own drafts) need a
signature made when an allowed person opened the page.

nginx's (``nginx_url``, MEDIA_DELIVERY=nginx-signed, docs/adr/0014-nginx-signed-urls.md): a URL
of one rendition's file that nginx's ``secure_link`` module checks by itself, so that Ting
authorises once per listen instead of once per range request. It carries an opaque listener
token from which the stream-log ingest recovers the signed-in user.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re
import struct
import time
from typing import Final

from django.conf import settings

from ting.playback.delivery.backends import check_key

_TOKEN: Final = re.compile(r"[0-9a-f]{16}")
_FEISTEL_ROUNDS: Final = 4


def _mac(track_id: int, fmt: str, expires: int) -> str:
    message = f"ting.stream:{track_id}:{fmt}:{expires}".encode()
    key = hashlib.sha256(("ting.stream.key" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def sign(track_id: int, fmt: str, *, ttl: int | None = None, now: float | None = None) -> str:
    """The query string that unlocks one rendition of one track until it expires."""
    expires = int((time.time() if now is None else now) + (ttl or settings.TING_STREAM_URL_TTL))
    return f"exp={expires}&sig={_mac(track_id, fmt, expires)}"


def verify(
    track_id: int, fmt: str, expires: str | None, signature: str | None, *, now: float | None = None
) -> bool:
    if not expires or not signature or not expires.isdigit():
        return False
    if int(expires) < (now or time.time()):
        return False
    return hmac.compare_digest(_mac(track_id, fmt, int(expires)), signature)


# --- nginx secure_link URLs -----------------------------------------------------------------


def nginx_url(
    *,
    key: str,
    track_id: int,
    fmt: str,
    user_id: int | None,
    ttl: int | None = None,
    now: float | None = None,
) -> str:
    """``<prefix><track>/<format>/<key>?e=<expires>&s=<md5>[&l=<listener token>]``.

    The MD5 is the one docs/deploy/nginx.conf asks ``secure_link_md5`` for:
    ``$secure_link_expires|$uri|$arg_l|<TING_NGINX_SECRET>``. The track id and the format are in
    the signed path so that nginx's log names them without a database.
    """
    expires = int((time.time() if now is None else now) + (ttl or settings.TING_STREAM_URL_TTL))
    uri = f"{settings.TING_NGINX_SIGNED_PREFIX}{int(track_id)}/{fmt}/{check_key(key)}"
    token = listener_token(user_id, expires=expires) if user_id else ""
    query = f"e={expires}&s={nginx_signature(expires=expires, uri=uri, token=token)}"
    return f"{uri}?{query}&l={token}" if token else f"{uri}?{query}"


def nginx_signature(*, expires: int, uri: str, token: str) -> str:
    text = f"{expires}|{uri}|{token}|{settings.TING_NGINX_SECRET}"
    # MD5 because secure_link offers nothing else; the secret at the end (no length extension)
    # and expiries of hours keep it what it is meant to be: a short-lived capability.
    digest = hashlib.md5(text.encode()).digest()  # noqa: S324
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@functools.lru_cache(maxsize=4)
def _token_key(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"ting.listener-token", hashlib.sha256).digest()


def _round(key: bytes, expires: int, number: int, half: int) -> int:
    digest = hmac.new(key, struct.pack(">qBI", expires, number, half), hashlib.sha256).digest()
    return int.from_bytes(digest[:4], "big")


def listener_token(user_id: int, *, expires: int) -> str:
    """The user id under a keyed 64-bit permutation (a Feistel network), tweaked by the expiry.

    Opaque to whoever sees the URL, different in every URL, and reversible by Ting alone,
    without storing anything.
    """
    if not 0 < user_id < 2**64:
        raise ValueError(f"user id out of range: {user_id}")
    key = _token_key(settings.TING_NGINX_SECRET)
    left, right = user_id >> 32, user_id & 0xFFFFFFFF
    for number in range(_FEISTEL_ROUNDS):
        left, right = right, left ^ _round(key, expires, number, right)
    return f"{left:08x}{right:08x}"


def listener_from_token(token: str, *, expires: int) -> int | None:
    """The user id in ``token`` (made with this ``expires``), or None for anything else."""
    if not _TOKEN.fullmatch(token):
        return None
    key = _token_key(settings.TING_NGINX_SECRET)
    left, right = int(token[:8], 16), int(token[8:], 16)
    for number in reversed(range(_FEISTEL_ROUNDS)):
        left, right = right ^ _round(key, expires, number, left), left
    user_id = (left << 32) | right
    # Django's BigAutoField ids; a token that decodes beyond them was not made by Ting.
    return user_id if 0 < user_id < 2**63 else None
