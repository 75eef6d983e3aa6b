"""Shared bench helpers: Ting's own ASGI app plus a trivial Django view to measure against.

`uvicorn --factory bench.support.pages_app:create_app` serves every Ting URL unchanged, through
the same ASGI stack as `ting serve` (config.asgi: the stream route, file hand-off and reused
request threads in front of Django), and also
`/bench/trivial/`: a view that returns "ok" through the same middleware stack, so a page's
requests/s can be read as a fraction of what the server can do at all on the same machine.

config/urls.py stays untouched: after Django is set up the factory points ROOT_URLCONF at this
module, whose `urlpatterns` are built on first use (config.urls needs the app registry ready).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

    from ting.core.asgi_threads import ASGIApp

TRIVIAL_PATH = "/bench/trivial/"


def trivial(request: HttpRequest) -> HttpResponse:
    from django.http import HttpResponse

    return HttpResponse("ok", content_type="text/plain")


def create_app() -> ASGIApp:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.conf import settings

    from config.asgi import application

    settings.ROOT_URLCONF = __name__
    return application


def __getattr__(name: str) -> object:
    """`urlpatterns`, built when Django's resolver first asks for it."""
    if name != "urlpatterns":
        raise AttributeError(name)
    from django.urls import include, path

    urlpatterns = [path(TRIVIAL_PATH.strip("/") + "/", trivial), path("", include("config.urls"))]
    globals()["urlpatterns"] = urlpatterns
    return urlpatterns
