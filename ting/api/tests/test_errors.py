"""One error shape for everything: 404, 422, 429 and 500 alike."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ting.api import selectors

pytestmark = pytest.mark.django_db


def _shape(body: dict[str, Any]) -> set[str]:
    return set(body["error"])


def test_an_unknown_endpoint_answers_404_in_the_error_shape(client: Client) -> None:
    response = client.get("/api/v1/no/such/thing")
    assert response.status_code == 404
    assert _shape(response.json()) == {"code", "message", "fields"}


def test_invalid_input_answers_422_naming_the_fields(client: Client, anchor: Any) -> None:
    client.force_login(anchor.user)
    response = client.post("/api/v1/studio/albums", {"title": ""}, content_type="application/json")
    assert response.status_code == 422
    assert "title" in response.json()["error"]["fields"]


def test_too_many_requests_answer_429_with_retry_after(client: Client, settings: Any) -> None:
    settings.TING_API_RATE_LIMIT = 3
    statuses = [client.get("/api/v1/categories").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/categories")
    assert response.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 61


def test_behind_the_proxy_each_caller_has_its_own_limit(client: Client, settings: Any) -> None:
    # nginx connects from 127.0.0.1 for everyone; the address it appends is the caller's.
    settings.TING_API_RATE_LIMIT = 2
    settings.TING_PROXY_HOPS = 1

    def get(caller: str) -> int:
        return client.get(
            "/api/v1/categories", HTTP_X_FORWARDED_FOR=f"6.6.6.6, {caller}"
        ).status_code

    assert [get("203.0.113.1") for _ in range(3)] == [200, 200, 429]
    assert get("203.0.113.2") == 200


def test_a_crash_answers_500_in_the_error_shape(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(**kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "albums_listed", boom)
    response = client.get("/api/v1/albums")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert "boom" not in response.content.decode()


def test_the_openapi_document_and_docs_page_are_served(client: Client) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/albums" in spec["paths"]
    assert client.get("/api/v1/docs").status_code == 200
