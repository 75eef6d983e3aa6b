from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from ting.accounts.models import User


class TingRequest(HttpRequest):
    user: User | AnonymousUser


class AuthenticatedRequest(HttpRequest):
    user: User


def viewer(request: TingRequest) -> User | None:
    """The signed-in user, or None for anonymous readers."""
    user = request.user
    return user if user.is_authenticated else None
