"""Unlisted and private albums have no public feed; revocable private links serve them."""

from __future__ import annotations

import io
from collections.abc import Callable
from urllib.parse import urlsplit

import podcastparser  # type: ignore[import-untyped]
import pytest
from django.test import Client

from ting.catalog.models import Album, Anchor, Track, Visibility
from ting.catalog.tests.factories import make_album
from ting.feeds.models import FeedToken
from ting.feeds.services import feed_token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_album(anchor: Anchor, episode_factory: Callable[..., Track]) -> Album:
    album = make_album(anchor=anchor, visibility=Visibility.PRIVATE)
    episode_factory(album, title="会员专享")
    episode_factory(album, title="只给自己", visibility=Visibility.PRIVATE)
    return album


def test_a_private_album_has_no_public_feed(client: Client, private_album: Album) -> None:
    assert client.get(f"/feeds/album/{private_album.pk}.xml").status_code == 404


def test_a_private_link_serves_the_album_with_signed_enclosures(
    client: Client, private_album: Album
) -> None:
    token = feed_token_create(album=private_album)
    response = client.get(f"/feeds/private/{token.token}.xml")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("private")
    feed = podcastparser.parse("http://testserver/", io.BytesIO(response.content))
    assert [e["title"] for e in feed["episodes"]] == ["会员专享"]
    enclosure = urlsplit(feed["episodes"][0]["enclosures"][0]["url"])
    assert "sig=" in enclosure.query and "exp=" in enclosure.query


def test_a_revoked_link_answers_404(client: Client, anchor: Anchor, private_album: Album) -> None:
    token = feed_token_create(album=private_album)
    client.force_login(anchor.user)
    client.post(f"/feeds/studio/albums/{private_album.pk}/links/{token.pk}/revoke/")
    assert FeedToken.objects.get(pk=token.pk).revoked_at is not None
    client.logout()
    assert client.get(f"/feeds/private/{token.token}.xml").status_code == 404


def test_the_anchor_makes_links_in_the_studio_and_strangers_cannot(
    client: Client, anchor: Anchor, stranger: object, private_album: Album
) -> None:
    client.force_login(stranger)  # type: ignore[arg-type]
    assert client.post(f"/feeds/studio/albums/{private_album.pk}/links/").status_code in (302, 404)
    assert not FeedToken.objects.exists()
    client.force_login(anchor.user)
    client.post(f"/feeds/studio/albums/{private_album.pk}/links/", {"label": "会员"})
    token = FeedToken.objects.get()
    page = client.get(f"/feeds/studio/albums/{private_album.pk}/?fragment=1")
    assert token.token in page.content.decode()
