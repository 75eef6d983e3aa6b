"""`{% track_rows %}` and `{% album_cards %}`: list markup written without the template engine."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.template import engines
from django.utils import translation

from ting.catalog.models import Album, Anchor, Track, Visibility
from ting.catalog.tests.factories import make_album, make_track
from ting.core.script import Script, reader_script, reset_reader_script, set_reader_script

pytestmark = pytest.mark.django_db


def rows(tracks: object, arguments: str = "", script: Script | None = None) -> str:
    return render("{% track_rows tracks " + arguments + " %}", tracks, script)


def cards(albums: object, arguments: str = "", script: Script | None = None) -> str:
    return render("{% album_cards tracks " + arguments + " %}", albums, script)


def render(tag: str, tracks: object, script: Script | None) -> str:
    template = engines["django"].from_string("{% load catalog %}" + tag)
    token = set_reader_script(script or reader_script())
    try:
        return template.render({"tracks": tracks})
    finally:
        reset_reader_script(token)


def test_a_row_links_the_track_and_plays_it_in_place(anchor: Anchor) -> None:
    track = make_track(album__anchor=anchor, title="晨间新闻", position=3, duration=224)
    html = rows([track], 'numbering="position"')
    assert f'<a class="track-title" href="/track/{track.pk}/">晨间新闻</a>' in html
    assert f'data-play data-track-id="{track.pk}"' in html
    assert 'aria-label="Play 晨间新闻"' in html
    assert '<span class="row-number">3</span>' in html
    assert '<span class="duration">03:44</span>' in html
    assert html.count('<li class="track-row">') == 1


def test_rows_count_on_from_the_page_start(anchor: Anchor) -> None:
    album = make_album(anchor=anchor)
    tracks = [make_track(album=album, position=10 + n) for n in range(2)]
    html = rows(tracks, "start=21")
    assert '<span class="row-number">21</span>' in html
    assert '<span class="row-number">22</span>' in html


def test_titles_are_escaped_and_shown_in_the_readers_script(anchor: Anchor) -> None:
    track = make_track(album__anchor=anchor, title='<script>alert("软件")</script>')
    html = rows([track], "show_album=True", script=Script.HANT_TW)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;軟體&quot;)&lt;/script&gt;" in html
    assert f'<a class="track-album" href="/album/{track.album_id}/">' in html


def test_a_track_that_is_not_public_says_so(anchor: Anchor) -> None:
    draft = make_track(album__anchor=anchor, status=Track.Status.DRAFT, published_at=None)
    unlisted = make_track(album__anchor=anchor, visibility=Visibility.UNLISTED)
    with translation.override("en"):
        html = rows([draft, unlisted])
    assert '<span class="badge warn">Draft</span>' in html
    assert "data-play" in html.split("</li>")[1]  # the unlisted one plays
    assert "data-play" not in html.split("</li>")[0]
    assert '<span class="badge">' in html.split("</li>")[1]


def test_rows_can_read_their_track_from_a_field(anchor: Anchor) -> None:
    @dataclass
    class Like:
        track: Track

    track = make_track(album__anchor=anchor, title="收藏的声音")
    assert "收藏的声音" in rows([Like(track)], 'attr="track"')


def test_counts_follow_the_language(anchor: Anchor) -> None:
    track = make_track(album__anchor=anchor, play_count=113_000)
    with translation.override("zh-hant"):
        assert "▶ 11.3萬" in rows([track])
    with translation.override("en"):
        assert "▶ 113K" in rows([track])


def test_an_album_card_links_the_album_under_its_anchors_name(anchor: Anchor) -> None:
    album = make_album(anchor=anchor, title="软件与人生", status=Album.Status.FINISHED)
    with translation.override("en"):
        html = cards([album], script=Script.HANT_TW)
    assert f'<a href="/album/{album.pk}/">' in html
    assert '<span class="album-card-title">軟體與人生</span>' in html
    assert f'<span class="album-card-meta">{anchor.display_name} · ' in html
    assert '<span class="badge">Finished</span>' in html
    assert f'cover-blank hue-{album.pk * 37 % 360 // 30}" aria-hidden="true">軟</span>' in html


def test_an_album_with_a_cover_shows_the_picture_and_escapes_titles(anchor: Anchor) -> None:
    album = make_album(anchor=anchor, title="<i>斜体</i>")
    album.cover.name = "covers/cover.jpg"
    html = cards([album])
    assert 'src="/media/covers/cover.jpg"' in html and "cover-blank" not in html
    assert "&lt;i&gt;斜体&lt;/i&gt;" in html and "<i>" not in html
    assert "badge" not in html  # still serialising


def test_cards_can_read_their_album_from_a_field(anchor: Anchor) -> None:
    @dataclass
    class Item:
        album: Album

    album = make_album(anchor=anchor, title="推荐的专辑")
    assert "推荐的专辑" in cards([Item(album)], 'attr="album"')
