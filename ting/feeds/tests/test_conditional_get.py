"""Podcast apps poll feeds: an unchanged feed answers 304 from its validators, cheaply."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from ting.catalog.models import Album, Track, Visibility
from ting.catalog.tests.factories import make_album
from ting.feeds.services import feed_token_create, feed_token_revoke

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
    with django_assert_num_queries(0):  # decided from the cache, before any database work
        assert (
            client.get(f"/feeds/album/{album.pk}.xml", HTTP_IF_NONE_MATCH=etag).status_code == 304
        )
    album.save()  # an edit bumps the album's feed generation: the cached validators are stale
    assert client.get(f"/feeds/album/{album.pk}.xml", HTTP_IF_NONE_MATCH=etag).status_code == 200


@pytest.fixture
def cached(settings: Any) -> None:
    settings.TING_FEED_STATE_TTL = 60
    settings.TING_FEED_BODY_TTL = 3600
    cache.clear()


@pytest.mark.usefixtures("cached")
def test_a_track_or_anchor_edit_ends_the_cached_304s_at_once(
    client: Client, episode_factory: Callable[..., Track]
) -> None:
    album = make_album()
    track = episode_factory(album)
    url = f"/feeds/album/{album.pk}.xml"
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    track.title = "改过的标题"
    track.save()
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and "改过的标题" in changed.content.decode()
    etag = changed["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    album.anchor.display_name = "新名字"
    album.anchor.save()
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


@pytest.mark.usefixtures("cached")
def test_a_revoked_private_link_gets_404_not_a_cached_304(
    client: Client, episode_factory: Callable[..., Track]
) -> None:
    album = make_album(visibility=Visibility.UNLISTED)
    episode_factory(album)
    token = feed_token_create(album=album)
    url = f"/feeds/private/{token.token}.xml"
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    feed_token_revoke(album=album, token_id=token.pk)
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 404


@pytest.mark.usefixtures("cached")
def test_the_rendered_body_is_reused_until_the_feed_changes(
    client: Client,
    episode_factory: Callable[..., Track],
    django_assert_num_queries: Callable[..., Any],
) -> None:
    album = make_album()
    for _ in range(3):
        episode_factory(album)
    url = f"/feeds/album/{album.pk}.xml"
    first = client.get(url)
    with django_assert_num_queries(2):  # the album and the validators' aggregate
        again = client.get(url)
    assert again.content == first.content and again["ETag"] == first["ETag"]
    episode_factory(album, position=9, title="新的一期")
    fresh = client.get(url)
    assert "新的一期" in fresh.content.decode() and fresh["ETag"] != first["ETag"]
