"""Importing a podcast: an album, its episodes' audio through the pipeline, GUIDs never twice."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from ting.catalog.models import Anchor, Track, Visibility
from ting.feeds import services
from ting.feeds.models import FeedImport, ImportedEpisode
from ting.feeds.tests.conftest import Site
from ting.media.audio.testing import sine, write_audio

pytestmark = pytest.mark.django_db(transaction=True)


def _item(n: int, base: str, *, guid: str | None = None) -> str:
    return f"""<item><title>第{n}集</title><guid>{guid or f"ep-{n}"}</guid>
      <description>&lt;p&gt;第{n}集的&lt;b&gt;简介&lt;/b&gt;&lt;/p&gt;</description>
      <pubDate>Mon, 0{n} Jun 2025 08:00:00 +0000</pubDate>
      <enclosure url="{base}/audio/{n}.mp3" type="audio/mpeg" length="1000"/></item>"""


def _feed(base: str, items: list[int]) -> bytes:
    body = "".join(_item(n, base) for n in items)
    return f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>
      <title>导入的播客</title><description>一档测试节目</description>{body}</channel></rss>""".encode()


@pytest.fixture
def mp3(tmp_path: Path) -> bytes:
    path = tmp_path / "tone.mp3"
    write_audio(path, sine(1.5, 44100, amplitude=0.1, channels=1, freq=440.0), 44100)
    return path.read_bytes()


def _sync(feed_import: FeedImport) -> FeedImport:
    synced = services.feed_import_sync(import_id=feed_import.pk)
    assert synced is not None
    services.imported_episodes_publish_ready()
    synced.refresh_from_db()
    return synced


def test_a_feed_becomes_a_private_album_with_published_tracks(
    site: Site, anchor: Anchor, mp3: bytes
) -> None:
    for n in (1, 2):
        site.add(f"/audio/{n}.mp3", mp3, Content_Type="audio/mpeg")
    url = site.add("/feed.xml", _feed(site.base, [2, 1]), Content_Type="application/rss+xml")
    feed_import = _sync(services.feed_import_start(anchor=anchor, url=url, enqueue=False))
    assert feed_import.status == FeedImport.Status.DONE, feed_import.message
    album = feed_import.album
    assert album is not None and album.title == "导入的播客"
    assert album.visibility == Visibility.PRIVATE
    tracks = list(Track.objects.filter(album=album).order_by("position"))
    assert [t.title for t in tracks] == ["第1集", "第2集"]  # oldest first
    assert all(t.status == Track.Status.PUBLISHED for t in tracks), [
        t.failure_reason for t in tracks
    ]
    assert tracks[0].published_at is not None and tracks[0].published_at.isoformat().startswith(
        "2025-06-01"
    )
    assert tracks[0].intro == "<p>第1集的<b>简介</b></p>"


def test_a_resync_imports_only_new_guids(site: Site, anchor: Anchor, mp3: bytes) -> None:
    for n in (1, 2, 3):
        site.add(f"/audio/{n}.mp3", mp3)
    url = site.add("/feed.xml", _feed(site.base, [1, 2]))
    feed_import = _sync(services.feed_import_start(anchor=anchor, url=url, enqueue=False))
    assert ImportedEpisode.objects.count() == 2
    _sync(feed_import)
    assert ImportedEpisode.objects.count() == 2
    assert Track.objects.filter(album=feed_import.album).count() == 2
    site.add("/feed.xml", _feed(site.base, [1, 2, 3]))
    _sync(feed_import)
    # podcastparser resolves a permalink GUID (isPermaLink defaults to true) against the feed.
    guids = sorted(
        g.rsplit("/", 1)[-1] for g in ImportedEpisode.objects.values_list("guid", flat=True)
    )
    assert guids == ["ep-1", "ep-2", "ep-3"]
    assert site.hits.count("/audio/1.mp3") == 1


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"<html><body>Our shop</body></html>", "web page"),
        (b"", "empty"),
        (b"not xml at all", "not return XML"),
    ],
)
def test_bad_feeds_fail_with_a_message_the_studio_shows(
    site: Site, anchor: Anchor, client: Client, body: bytes, words: str
) -> None:
    url = site.add("/bad", body)
    feed_import = _sync(services.feed_import_start(anchor=anchor, url=url, enqueue=False))
    assert feed_import.status == FeedImport.Status.FAILED
    assert words in feed_import.message
    client.force_login(anchor.user)
    page = client.get(f"/feeds/studio/import/{feed_import.pk}/?fragment=1")
    assert page.status_code == 200 and words in page.content.decode()


def test_a_feed_over_the_size_limit_fails_cleanly(
    site: Site, anchor: Anchor, settings: Any
) -> None:
    settings.TING_FEED_IMPORT_MAX_BYTES = 2048
    url = site.add("/huge.xml", b"<rss>" + b" " * 5000 + b"</rss>")
    feed_import = _sync(services.feed_import_start(anchor=anchor, url=url, enqueue=False))
    assert feed_import.status == FeedImport.Status.FAILED
    assert "larger than" in feed_import.message


def test_an_episode_whose_audio_is_missing_fails_alone(
    site: Site, anchor: Anchor, mp3: bytes
) -> None:
    site.add("/audio/1.mp3", mp3)
    url = site.add("/feed.xml", _feed(site.base, [1, 2]))  # /audio/2.mp3 is a 404
    feed_import = _sync(services.feed_import_start(anchor=anchor, url=url, enqueue=False))
    statuses = {
        g.rsplit("/", 1)[-1]: s for g, s in ImportedEpisode.objects.values_list("guid", "status")
    }
    assert statuses == {"ep-1": "done", "ep-2": "failed"}
    failed = Track.objects.get(album=feed_import.album, title="第2集")
    assert failed.status == Track.Status.FAILED and "404" in failed.failure_reason


def test_the_command_imports_a_feed_for_an_anchor(site: Site, anchor: Anchor, mp3: bytes) -> None:
    site.add("/audio/1.mp3", mp3)
    url = site.add("/feed.xml", _feed(site.base, [1]))
    out = io.StringIO()
    call_command("import_rss", url, "--anchor", anchor.user.username, stdout=out)
    assert "导入的播客" in out.getvalue()
    assert ImportedEpisode.objects.get().status == ImportedEpisode.Status.DONE


def test_the_studio_page_starts_an_import(
    client: Client, anchor: Anchor, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[int] = []
    monkeypatch.setattr(
        services, "feed_import_enqueue_sync", lambda *, feed_import: started.append(feed_import.pk)
    )
    client.force_login(anchor.user)
    response = client.post("/feeds/studio/import/", {"url": site.base + "/feed.xml"})
    feed_import = FeedImport.objects.get()
    assert response.status_code == 302 and started == [feed_import.pk]
