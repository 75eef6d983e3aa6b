"""Cursor pagination: every row once, opaque cursors, bad cursors answer 422, flat query counts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from ting.catalog.tests.factories import make_album, make_track

pytestmark = pytest.mark.django_db


def _walk(client: Client, url: str) -> list[int]:
    ids: list[int] = []
    cursor = None
    while True:
        page = client.get(url, {"limit": 10, **({"cursor": cursor} if cursor else {})}).json()
        ids += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return ids


def test_albums_page_through_every_album_once(client: Client) -> None:
    for _ in range(25):
        make_track(album=make_album())
    ids = _walk(client, "/api/v1/albums")
    assert len(ids) == 25 == len(set(ids))


def test_tracks_page_in_album_order(client: Client) -> None:
    album = make_album()
    for position in range(1, 24):
        make_track(album=album, position=position)
    ids = _walk(client, f"/api/v1/albums/{album.pk}/tracks")
    assert len(ids) == 23 and ids == sorted(ids)


@pytest.mark.parametrize("cursor", ["garbage!!", "WzFd", "eyJhIjoxfQ", "WyJub3QgYSBkYXRlIiwgMV0"])
def test_a_bad_cursor_answers_422_in_the_error_shape(client: Client, cursor: str) -> None:
    response = client.get("/api/v1/albums", {"cursor": cursor})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"


def test_a_bad_limit_names_the_field(client: Client) -> None:
    response = client.get("/api/v1/albums", {"limit": 1000})
    assert response.status_code == 422
    assert "limit" in response.json()["error"]["fields"]


@pytest.mark.parametrize("albums", [2, 12])
def test_the_album_list_costs_the_same_queries_at_any_length(
    client: Client, albums: int, django_assert_num_queries: Callable[..., Any]
) -> None:
    for _ in range(albums):
        make_track(album=make_album())
    with django_assert_num_queries(1):
        assert client.get("/api/v1/albums").status_code == 200
