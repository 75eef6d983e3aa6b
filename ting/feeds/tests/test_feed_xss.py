"""Markup in titles and intros stays inert: escaped text, sanitised HTML, never live script."""

from __future__ import annotations

import io
from collections.abc import Callable

import feedparser  # type: ignore[import-untyped]
import podcastparser  # type: ignore[import-untyped]
import pytest
from django.test import Client
from lxml import etree

from ting.catalog.models import Album, Track
from ting.catalog.tests.factories import make_album

pytestmark = pytest.mark.django_db
EVIL_TITLE = '</title><script>alert(1)</script>]]><x a="'


def test_markup_in_titles_and_intros_stays_inert(
    client: Client, episode_factory: Callable[..., Track]
) -> None:
    album: Album = make_album(title=EVIL_TITLE)
    # Written straight to the row, past the services' sanitiser: the feed must not trust it.
    Album.objects.filter(pk=album.pk).update(
        intro='<p>hi</p><img src=x onerror="alert(1)"><script>x()</script>]]>'
    )
    episode_factory(album, title=EVIL_TITLE, intro='<a href="javascript:alert(1)">x</a>')
    content = client.get(f"/feeds/album/{album.pk}.xml").content
    root = etree.fromstring(content)  # well-formed despite the payloads
    assert root.find("channel/title").text == EVIL_TITLE  # type: ignore[union-attr]
    assert root.find(".//script") is None
    assert b"onerror" not in content and b"javascript:" not in content and b"<script" not in content
    feed = podcastparser.parse("http://testserver/", io.BytesIO(content))
    assert feed["episodes"][0]["title"] == EVIL_TITLE
    parsed = feedparser.parse(content)
    assert not parsed.bozo
    assert "script" not in parsed.feed.subtitle and "onerror" not in parsed.feed.subtitle
