"""Helpers the security settings name (django-axes, CSP)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the X-Forwarded-For entry our own proxy appended (TING_PROXY_HOPS).

    Entries before it are whatever the client sent and never trusted: taking the first one would
    let an attacker choose a fresh address for every guess.
    """
    hops: int = settings.TING_PROXY_HOPS
    if hops:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(forwarded) >= hops and forwarded[-hops]:
            return str(forwarded[-hops])
    return str(request.META.get("REMOTE_ADDR", ""))


def embeddable(view: Callable[P, R]) -> Callable[P, R]:
    """Let any site frame this view: no X-Frame-Options, and CSP frame-ancestors opened up.

    django-csp's own decorators are typed for views that take only a request; this one keeps the
    view's signature.
    """

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        response = view(*args, **kwargs)
        response.xframe_options_exempt = True  # type: ignore[attr-defined]
        response._csp_replace = {"frame-ancestors": ["*"]}  # type: ignore[attr-defined]
        return response

    return wrapped
