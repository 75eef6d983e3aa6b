"""What the social views share: refusals mapped to responses in one place, safe redirects back."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme

from ting.accounts.models import User
from ting.core.errors import ApplicationError
from ting.core.http import AuthenticatedRequest, TingRequest
from ting.social.errors import RateLimited


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def refuse(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    """The refusal as a readable message with the error's status (429 adds Retry-After).

    htmx requests get the message swapped into the form's error slot (`#<form id>-error`);
    other requests get a small page with a way back.
    """
    trigger = request.headers.get("HX-Trigger", "")
    if is_htmx(request) and trigger:
        response = HttpResponse(
            format_html('<span class="form-error-text">{}</span>', error.message),
            status=error.status,
        )
        response["HX-Retarget"] = f"#{trigger}-error"
        response["HX-Reswap"] = "innerHTML"
    else:
        context = {"message": error.message, "back": back_url(request, "/")}
        response = render(request, "social/refused.html", context, status=error.status)
    if isinstance(error, RateLimited):
        response["Retry-After"] = str(error.retry_after)
    return response


def back_url(request: HttpRequest, default: str) -> str:
    """Where to return after a form: `next` when it stays on this site, else `default`."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def redirect_back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(back_url(request, default), status=303)


View = Callable[..., HttpResponse]


def staff_only(view: View) -> View:
    """Staff pages answer 404 to everyone else, as if they were not there."""

    @login_required
    @wraps(view)
    def wrapper(request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_staff:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def current_user(request: TingRequest | AuthenticatedRequest) -> User | None:
    user = request.user
    return user if user.is_authenticated else None
