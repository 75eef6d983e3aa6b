"""Test-only views: the delivery backends behind the URLs the tests and the test ASGI app use."""

from __future__ import annotations

from pathlib import Path

from django.http import HttpRequest, HttpResponseBase
from django.urls import path

from ting.playback.delivery.backends import AppDelivery, RedirectDelivery, XAccelDelivery

CONTENT_TYPE = "audio/mpeg"


# Set by the `media` fixture in-process and by asgi_app.py in a server subprocess.
MEDIA_ROOT: Path | None = None


def _media_root() -> Path:
    assert MEDIA_ROOT is not None, "use the `media` fixture"
    return MEDIA_ROOT


def app_view(request: HttpRequest, key: str) -> HttpResponseBase:
    return AppDelivery(media_root=_media_root()).deliver(
        request, key=key, path=None, content_type=CONTENT_TYPE
    )


def xaccel_view(request: HttpRequest, key: str) -> HttpResponseBase:
    return XAccelDelivery().deliver(request, key=key, path=None, content_type=CONTENT_TYPE)


def redirect_view(request: HttpRequest, key: str) -> HttpResponseBase:
    delivery = RedirectDelivery(
        url_for=lambda key, expires: f"https://bucket.example/{key}?X-Amz-Expires={expires}"
    )
    return delivery.deliver(request, key=key, path=None, content_type=CONTENT_TYPE)


urlpatterns = [
    path("app/<path:key>", app_view),
    path("xaccel/<path:key>", xaccel_view),
    path("redirect/<path:key>", redirect_view),
]
