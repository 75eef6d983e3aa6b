"""The ways bytes leave Ting, behind one interface (settings ``MEDIA_DELIVERY``).

The caller has already authorised the request; a backend only turns a storage key into a
response, and says whether the caller logs the request (``counted_by_server`` False) or the
server that sends the bytes logs each of its requests (nginx-signed). None of them touches the
database.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar, Final, Literal, Protocol

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.utils.http import content_disposition_header

from ting.playback.delivery.responses import CACHE_IMMUTABLE_PRIVATE, serve_file

DeliveryMode = Literal["app", "x-accel", "nginx-signed", "redirect"]
UrlFor = Callable[[str, int], str]

DEFAULT_INTERNAL_PREFIX: Final = "/_protected/media/"
# Long enough to start playback and seek for a while; short because the URL is a bearer
# credential that may end up in logs and browser history (FACTS: use minutes, not days).
DEFAULT_REDIRECT_EXPIRES: Final = 300

# Storage keys are generated, never user-chosen. Keeping them to this alphabet means a key can
# go into X-Accel-Redirect verbatim: nginx splits on "?", and no escaping question arises.
_SAFE_KEY: Final = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*")


class Delivery(Protocol):
    # True when the server that sends the bytes logs every byte request itself (nginx's stream
    # log, ingested later): the caller must not log the request it answered with a redirect.
    counted_by_server: ClassVar[bool]

    def deliver(
        self,
        request: HttpRequest,
        *,
        key: str,
        path: Path | None,
        content_type: str,
        etag: str | None = None,
        filename: str | None = None,
        as_attachment: bool = False,
    ) -> HttpResponseBase: ...


def check_key(key: str) -> str:
    """Return ``key`` if it is a relative storage key with no dot segments, else ValueError."""
    if not _SAFE_KEY.fullmatch(key) or ".." in key.split("/"):
        raise ValueError(f"unsafe storage key: {key!r}")
    return key


class AppDelivery:
    """Ting streams the bytes itself: the embedded tier, no web server needed."""

    counted_by_server: ClassVar[bool] = False

    def __init__(
        self, *, media_root: Path | None = None, cache_control: str = CACHE_IMMUTABLE_PRIVATE
    ) -> None:
        self.media_root = media_root
        self.cache_control = cache_control

    def deliver(
        self,
        request: HttpRequest,
        *,
        key: str,
        path: Path | None,
        content_type: str,
        etag: str | None = None,
        filename: str | None = None,
        as_attachment: bool = False,
    ) -> HttpResponseBase:
        if path is None:
            if self.media_root is None:
                raise Http404("no local path for this key")
            path = self.media_root / check_key(key)
        return serve_file(
            request,
            path=path,
            content_type=content_type,
            etag=etag,
            filename=filename,
            as_attachment=as_attachment,
            cache_control=self.cache_control,
        )


class XAccelDelivery:
    """nginx serves the bytes from an ``internal`` location; Ting only authorises.

    nginx answers Range, If-Range and conditional requests itself from the file, with its own
    ETag (``"mtime-size"``); ``etag`` is therefore ignored. Content-Type, Content-Disposition
    and Cache-Control set here pass through the internal redirect.
    """

    counted_by_server: ClassVar[bool] = False

    def __init__(
        self,
        *,
        internal_prefix: str = DEFAULT_INTERNAL_PREFIX,
        cache_control: str = CACHE_IMMUTABLE_PRIVATE,
    ) -> None:
        if not internal_prefix.startswith("/") or not internal_prefix.endswith("/"):
            raise ValueError("internal_prefix must start and end with '/'")
        self.internal_prefix = internal_prefix
        self.cache_control = cache_control

    def deliver(
        self,
        request: HttpRequest,
        *,
        key: str,
        path: Path | None,
        content_type: str,
        etag: str | None = None,
        filename: str | None = None,
        as_attachment: bool = False,
    ) -> HttpResponseBase:
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = self.internal_prefix + check_key(key)
        response["Cache-Control"] = self.cache_control
        if filename is not None:
            disposition = content_disposition_header(as_attachment, filename)
            if disposition:
                response["Content-Disposition"] = disposition
        return response


class RedirectDelivery:
    """A 302 to a short-lived URL (an S3 presigned URL or a signed CDN URL).

    ``url_for(key, expires_seconds)`` makes the URL; the object store answers Range itself.
    """

    counted_by_server: ClassVar[bool] = False

    def __init__(self, *, url_for: UrlFor, expires_seconds: int = DEFAULT_REDIRECT_EXPIRES):
        if expires_seconds <= 0:
            raise ValueError("expires_seconds must be positive")
        self.url_for = url_for
        self.expires_seconds = expires_seconds

    def deliver(
        self,
        request: HttpRequest,
        *,
        key: str,
        path: Path | None,
        content_type: str,
        etag: str | None = None,
        filename: str | None = None,
        as_attachment: bool = False,
    ) -> HttpResponseBase:
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        response = HttpResponseRedirect(self.url_for(key, self.expires_seconds))
        # The Location is a bearer credential that expires: no cache may keep or reuse it.
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response


class NginxSignedDelivery(RedirectDelivery):
    """MEDIA_DELIVERY=nginx-signed: a 302 to a ``secure_link`` URL that nginx checks and serves.

    For podcast apps and other clients that hold Ting's stable ``/stream/`` URL; the web player
    gets the signed URL in its data and never comes here. nginx logs every byte request it
    answers on that URL (docs/adr/0014-nginx-signed-urls.md), so this redirect is not logged:
    logging it too would count a download at the redirect.
    """

    counted_by_server: ClassVar[bool] = True


def build_delivery(
    mode: str,
    *,
    media_root: Path | None = None,
    internal_prefix: str = DEFAULT_INTERNAL_PREFIX,
    url_for: UrlFor | None = None,
    redirect_expires_seconds: int = DEFAULT_REDIRECT_EXPIRES,
    cache_control: str = CACHE_IMMUTABLE_PRIVATE,
) -> Delivery:
    """The backend for a ``MEDIA_DELIVERY`` value; ValueError for an unknown one."""
    if mode == "app":
        return AppDelivery(media_root=media_root, cache_control=cache_control)
    if mode == "x-accel":
        return XAccelDelivery(internal_prefix=internal_prefix, cache_control=cache_control)
    if mode in ("redirect", "nginx-signed"):
        if url_for is None:
            raise ValueError(f"MEDIA_DELIVERY={mode} needs a url_for callable")
        kind = RedirectDelivery if mode == "redirect" else NginxSignedDelivery
        return kind(url_for=url_for, expires_seconds=redirect_expires_seconds)
    raise ValueError(
        f"unknown MEDIA_DELIVERY {mode!r}; expected app, x-accel, nginx-signed or redirect"
    )
