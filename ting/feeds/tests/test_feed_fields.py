"""Every field a podcast app reads, through gPodder's and feedparser's parsers, matches."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import feedparser  # type: ignore[import-untyped]
import podcastparser  # type: ignore[import-untyped]
import pytest
from django.test import Client
from lxml import etree

from ting.catalog.models import Album, Anchor, Track
from ting.catalog.tests.factories import make_album, make_category
from ting.feeds.selectors import podcast_guid

pytestmark = pytest.mark.django_db
NS = {
    "podcast": "https://podcastindex.org/namespace/1.0",
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "atom": "http://www.w3.org/2005/Atom",
}


@pytest.fixture
def album(anchor: Anchor, episode_factory: Callable[..., Track]) -> Album:
    anchor.user.email = "host@example.com"
    anchor.user.save()
    album = make_album(
        anchor=anchor,
        title="科技早知道",
        intro="<p>每周<strong>科技</strong>新闻。</p>",
        category=make_category(slug="tech", name_en="Tech"),
    )
    episode_factory(
        album,
        title="第1期",
        position=1,
        explicit=True,
        size=1_234_567,
        published_at=datetime(2026, 1, 5, 8, 0, tzinfo=UTC),
        chapters=[{"start": 0.0, "end": 60.0, "title": "开场"}],
    )
    episode_factory(
        album, title="第2期", position=2, published_at=datetime(2026, 1, 12, 8, 0, tzinfo=UTC)
    )
    return album


def test_podcastparser_reads_every_field_as_the_album_holds_it(
    client: Client, album: Album
) -> None:
    response = client.get(f"/feeds/album/{album.pk}.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    feed = podcastparser.parse(
        f"http://testserver/feeds/album/{album.pk}.xml", io.BytesIO(response.content)
    )
    assert feed["title"] == "科技早知道"
    assert feed["description"] == "<p>每周<strong>科技</strong>新闻。</p>"
    assert feed["link"] == f"http://testserver/album/{album.pk}/"
    assert feed["type"] == "serial"
    episodes = {e["title"]: e for e in feed["episodes"]}
    tracks = {t.title: t for t in Track.objects.filter(album=album).select_related("audio")}
    assert set(episodes) == set(tracks)
    for title, episode in episodes.items():
        track = tracks[title]
        rendition = track.audio.renditions.get()
        assert episode["guid"] == f"ting:track:{track.pk}"
        assert episode["number"] == track.position
        assert episode["published"] == int(track.published_at.timestamp())  # type: ignore[union-attr]
        assert episode["total_time"] == 225
        assert episode["explicit"] is track.explicit
        [enclosure] = episode["enclosures"]
        assert enclosure["url"] == f"http://testserver/stream/{track.pk}/mp3_128"
        assert enclosure["file_size"] == rendition.size
        assert enclosure["mime_type"] == "audio/mpeg"
    # podcastparser 0.6 knows the podcast namespace only by its old GitHub URL, so its tags
    # (chapters, person) are checked with lxml in the test below.


def test_feedparser_reads_the_same_feed_without_complaint(client: Client, album: Album) -> None:
    parsed: Any = feedparser.parse(client.get(f"/feeds/album/{album.pk}.xml").content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == "科技早知道"
    assert parsed.feed.author_detail.email == "host@example.com"
    # itunes:explicit is "true" (Apple's current spec); feedparser 6 knows only yes/clean.
    assert parsed.feed.itunes_explicit is None
    assert parsed.feed.language == "zh"
    assert [t["term"] for t in parsed.feed.tags] == ["Technology"]
    assert [e.title for e in parsed.entries] == ["第1期", "第2期"]
    assert parsed.entries[0].enclosures[0]["length"] == "1234567"
    assert parsed.entries[0].id.startswith("ting:track:")


def test_podcast_namespace_tags_name_the_show_and_its_host(client: Client, album: Album) -> None:
    root = etree.fromstring(client.get(f"/feeds/album/{album.pk}.xml").content)
    channel = root.find("channel")
    assert channel is not None
    assert channel.findtext("podcast:guid", namespaces=NS) == podcast_guid(
        f"http://testserver/feeds/album/{album.pk}.xml"
    )
    locked = channel.find("podcast:locked", NS)
    assert locked is not None and locked.text == "yes" and locked.get("owner") == "host@example.com"
    person = channel.find("podcast:person", NS)
    assert person is not None and person.text == album.anchor.display_name
    assert channel.findtext("itunes:episode", namespaces=NS) is None
    assert [e.text for e in channel.iterfind("item/podcast:episode", NS)] == ["1", "2"]
    chapters = [e.get("url") for e in channel.iterfind("item/podcast:chapters", NS)]
    first = Track.objects.get(album=album, position=1)
    assert chapters == [f"http://testserver/feeds/track/{first.pk}/chapters.json"]


def test_podcast_guid_follows_the_namespace_spec_example() -> None:
    # The namespace's own example (podcastindex.org/namespace/1.0#guid).
    assert (
        podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml/")
        == "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    )


def test_chapters_document_lists_the_tracks_chapters(client: Client, album: Album) -> None:
    track = Track.objects.get(album=album, title="第1期")
    response = client.get(f"/feeds/track/{track.pk}/chapters.json")
    assert response["Content-Type"] == "application/json+chapters"
    assert response.json() == {
        "version": "1.2.0",
        "chapters": [{"startTime": 0.0, "endTime": 60.0, "title": "开场"}],
    }


def test_an_episode_without_mp3_audio_is_left_out(client: Client, album: Album) -> None:
    Track.objects.create(
        album=album,
        title="还没处理好",
        status=Track.Status.PUBLISHED,
        published_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    feed = podcastparser.parse(
        "http://testserver/x", io.BytesIO(client.get(f"/feeds/album/{album.pk}.xml").content)
    )
    assert "还没处理好" not in [e["title"] for e in feed["episodes"]]


def test_the_anchors_opml_lists_their_public_albums(client: Client, album: Album) -> None:
    make_album(anchor=album.anchor, title="草稿专辑")  # no tracks: not listed
    response = client.get(f"/feeds/anchor/{album.anchor.pk}.opml")
    outlines = etree.fromstring(response.content).findall("body/outline")
    assert [(o.get("text"), o.get("xmlUrl")) for o in outlines] == [
        ("科技早知道", f"http://testserver/feeds/album/{album.pk}.xml")
    ]
