"""Tokens carry scopes; only their hash is stored; sessions need CSRF on unsafe methods."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from ting.accounts.models import User
from ting.api.models import PersonalAccessToken, token_hash
from ting.catalog.models import Anchor

pytestmark = pytest.mark.django_db
Bearer = Callable[..., dict[str, str]]


def test_me_needs_a_caller_and_says_so_in_the_error_shape(client: Client) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_names_its_user_and_scopes(client: Client, listener: User, bearer: Bearer) -> None:
    response = client.get("/api/v1/me", headers=bearer(listener, "read", "write"))
    assert response.json() == {
        "id": listener.pk,
        "username": "listener",
        "anchor_id": None,
        "scopes": ["read", "write"],
    }


def test_only_the_tokens_hash_is_stored(listener: User, bearer: Bearer) -> None:
    secret = bearer(listener)["Authorization"].removeprefix("Bearer ")
    stored = PersonalAccessToken.objects.get()
    assert stored.token_hash == token_hash(secret)
    assert secret not in {str(v) for v in vars(stored).values()}


def test_a_read_token_cannot_use_the_studio(client: Client, anchor: Anchor, bearer: Bearer) -> None:
    response = client.get("/api/v1/studio/albums", headers=bearer(anchor.user, "read"))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_scope"


def test_a_read_token_cannot_write_positions(
    client: Client, listener: User, bearer: Bearer
) -> None:
    response = client.put(
        "/api/v1/me/positions/1",
        {"position": 3},
        content_type="application/json",
        headers=bearer(listener, "read"),
    )
    assert response.status_code == 403


def test_revoked_and_unknown_tokens_are_refused(
    client: Client, listener: User, bearer: Bearer
) -> None:
    headers = bearer(listener)
    PersonalAccessToken.objects.update(revoked_at="2026-01-01T00:00Z")
    assert client.get("/api/v1/me", headers=headers).json()["error"]["code"] == "invalid_token"
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401


def test_a_session_works_but_unsafe_methods_need_the_csrf_token(listener: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(listener)
    assert client.get("/api/v1/me").status_code == 200
    response = client.put(
        "/api/v1/me/positions/1", {"position": 1}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"


def test_the_tokens_page_shows_a_new_token_once(client: Client, listener: User) -> None:
    client.force_login(listener)
    page = client.post(
        "/api/tokens/", {"name": "脚本", "scopes": ["read"], "expires_in_days": "30"}
    )
    secret = page.context["created"].secret
    assert secret.startswith("ting_") and secret in page.content.decode()
    assert secret not in client.get("/api/tokens/").content.decode()
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    )
