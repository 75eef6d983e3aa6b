"""Podcast apps poll feeds: an unchanged feed answers 304 from its validators, cheaply."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from ting.catalog.models import Album, Track
from ting.catalog.tests.factories import make_album

pytestmark = pytest.mark.django_db


def test_an_unchanged_feed_answers_304_to_its_etag(
    client: Client, episode_factory: Callable[..., Track]
) -> None:
    album = make_album()
    episode_factory(album)
    first = client.get(f"/feeds/album/{album.pk}.xml")
    again = client.get(f"/feeds/album/{album.pk}.xml", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]


def test_an_unchanged_feed_answers_304_to_if_modified_since(
    client: Client, episode_factory: Callable[..., Track]
) -> None:
    album = make_album()
    episode_factory(album)
    first = client.get(f"/feeds/album/{album.pk}.xml")
    again = client.get(
        f"/feeds/album/{album.pk}.xml", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
    )
    assert again.status_code == 304


def test_a_new_episode_changes_the_etag(
    client: Client, episode_factory: Callable[..., Track]
) -> None:
    album = make_album()
    episode_factory(album)
    etag = client.get(f"/feeds/album/{album.pk}.xml")["ETag"]
    episode_factory(album)
    response = client.get(f"/feeds/album/{album.pk}.xml", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_editing_the_album_changes_the_etag(
    client: Client, episode_factory: Callable[..., Track]
) -> None:
    album = make_album()
    episode_factory(album)
    etag = client.get(f"/feeds/album/{album.pk}.xml")["ETag"]
    album.title = "新标题"
    album.save()
    assert client.get(f"/feeds/album/{album.pk}.xml", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_the_304_costs_two_queries(
    client: Client,
    episode_factory: Callable[..., Track],
    django_assert_num_queries: Callable[..., object],
) -> None:
    album: Album = make_album()
    for _ in range(5):
        episode_factory(album)
    etag = client.get(f"/feeds/album/{album.pk}.xml")["ETag"]
    with django_assert_num_queries(2):  # type: ignore[attr-defined]
        assert (
            client.get(f"/feeds/album/{album.pk}.xml", HTTP_IF_NONE_MATCH=etag).status_code == 304
        )


def test_polls_are_answered_from_cached_validators_until_the_album_changes(
    client: Client,
    settings: Any,
    episode_factory: Callable[..., Track],
    django_assert_num_queries: Callable[..., Any],
) -> None:
    settings.TING_FEED_STATE_TTL = 60
    cache.clear()
    album = make_album()
    episode_factory(album)
    etag = client.get(f"/feeds/album/{album.pk}.xml")["ETag"]
    with django_assert_num_queries(1):  # the album only
        assert (
            client.get(f"/feeds/album/{album.pk}.xml", HTTP_IF_NONE_MATCH=etag).status_code == 304
        )
    album.save()  # an edit moves updated_at: the cached validators no longer apply
    assert client.get(f"/feeds/album/{album.pk}.xml", HTTP_IF_NONE_MATCH=etag).status_code == 200
