from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache

from ting.accounts.models import User
from ting.api.services import token_create


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def bearer() -> Callable[..., dict[str, str]]:
    """Headers carrying a new personal access token of `user` with `scopes`."""

    def make(user: User, *scopes: str) -> dict[str, str]:
        secret = token_create(user=user, name="test", scopes=list(scopes or ("read",))).secret
        return {"Authorization": f"Bearer {secret}"}

    return make
