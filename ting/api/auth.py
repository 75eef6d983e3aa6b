"""Who is calling: a personal access token (Bearer), the site's session (with CSRF), or nobody.

Each operation names the scope it needs; session callers hold every scope, as on the site.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer
from ninja.utils import check_csrf

from ting.accounts.models import User
from ting.api import ratelimit
from ting.api.errors import Forbidden, Unauthorized
from ting.api.models import PersonalAccessToken, Scope, token_hash
from ting.catalog.models import Anchor
from ting.core.security import client_ip

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
ALL_SCOPES = frozenset(Scope.values)


@dataclass(frozen=True, slots=True)
class Principal:
    user: User | None
    scopes: frozenset[str]
    via_token: bool

    def anchor(self) -> Anchor:
        anchor = Anchor.objects.filter(user=self.user).first() if self.user else None
        if anchor is None:
            raise Forbidden(_("Only anchors can use the studio."), code="not_anchor")
        return anchor


ANONYMOUS = Principal(user=None, scopes=frozenset(), via_token=False)


def _token_principal(token: str) -> Principal:
    now = timezone.now()
    found = (
        PersonalAccessToken.objects.select_related("user")
        .filter(token_hash=token_hash(token), revoked_at__isnull=True, user__is_active=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )
    if found is None:
        raise Unauthorized(_("This token is not valid, expired or revoked."), code="invalid_token")
    # One write a minute at most: never a write on every request of a busy script.
    if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
        PersonalAccessToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return Principal(user=found.user, scopes=frozenset(found.scope_list), via_token=True)


class ApiAuth(HttpBearer):
    """Bearer tokens, then the session; `anonymous=True` lets nobody in too (public reads)."""

    def __init__(self, scope: str | None = None, *, anonymous: bool = False) -> None:
        super().__init__()
        self.scope = scope
        self.anonymous = anonymous

    def __call__(self, request: HttpRequest) -> Principal | None:
        principal = self._identify(request)
        if principal is None:
            return None
        if self.scope is not None and self.scope not in principal.scopes:
            raise Forbidden(
                _("This token lacks the “%(scope)s” scope.") % {"scope": self.scope},
                code="insufficient_scope",
            )
        who = f"user:{principal.user.pk}" if principal.user else f"ip:{client_ip(request)}"
        ratelimit.check(who)
        request.principal = principal  # type: ignore[attr-defined]
        return principal

    def _identify(self, request: HttpRequest) -> Principal | None:
        header = request.headers.get("Authorization", "")
        if header:
            scheme, _sep, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise Unauthorized(
                    _("Send the token as “Authorization: Bearer <token>”."), code="invalid_token"
                )
            return _token_principal(token.strip())
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if request.method not in SAFE_METHODS and check_csrf(request) is not None:
                raise Forbidden(_("The CSRF check failed; reload the page."), code="csrf_failed")
            return Principal(user=user, scopes=ALL_SCOPES, via_token=False)
        if self.anonymous:
            return ANONYMOUS
        return None

    def authenticate(self, request: HttpRequest, token: str) -> Any:  # pragma: no cover
        return None  # __call__ does the work; HttpBearer wants this for the OpenAPI scheme


def public() -> ApiAuth:
    return ApiAuth(anonymous=True)


def scoped(scope: str) -> ApiAuth:
    return ApiAuth(scope)


def principal_of(request: HttpRequest) -> Principal:
    return getattr(request, "principal", ANONYMOUS)


def user_of(request: HttpRequest) -> User:
    user = principal_of(request).user
    if user is None:
        raise Unauthorized(
            _("Sign in, or send a valid personal access token."), code="unauthenticated"
        )
    return user
