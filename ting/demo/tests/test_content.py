"""The demo's text: enough of it, in the right scripts, clearly marked, with the 小米 trap."""

from __future__ import annotations

from collections import Counter

from ting.core.script import to_simplified
from ting.demo import services
from ting.demo.content import (
    ALBUMS,
    ANCHORS,
    CATEGORIES,
    DEMO_NOTE_HANS,
    DEMO_NOTE_HANT,
    QUICK_ALBUMS,
    anchor_spec,
)


def test_the_catalog_is_rich_enough_for_the_home_page() -> None:
    assert len(ALBUMS) == 12
    assert sum(len(album.tracks) for album in ALBUMS) >= 80
    assert 5 <= len(ANCHORS) <= 6
    assert sum(anchor.verified for anchor in ANCHORS) == 1
    assert {c.slug for c in CATEGORIES} == {
        "news", "tech", "business", "kids", "history", "language", "comedy",
    }  # fmt: skip
    assert len({c.position for c in CATEGORIES}) == len(CATEGORIES)
    assert {album.category for album in ALBUMS} == {c.slug for c in CATEGORIES}


def test_albums_mix_status_order_and_visibility() -> None:
    assert Counter(a.status for a in ALBUMS).keys() == {"serialising", "finished"}
    assert Counter(a.track_order for a in ALBUMS).keys() == {"asc", "desc"}
    assert Counter(a.visibility for a in ALBUMS) == {"public": 11, "unlisted": 1}
    assert len({a.key for a in ALBUMS}) == len({a.title for a in ALBUMS}) == len(ALBUMS)
    for album in ALBUMS:
        anchor_spec(album.anchor)
        titles = [track.title for track in album.tracks]
        assert len(set(titles)) == len(titles), album.title
        assert all(track.intro for track in album.tracks), album.title


def test_every_album_says_it_is_demo_content() -> None:
    for album in ALBUMS:
        note = DEMO_NOTE_HANT if album.traditional else DEMO_NOTE_HANS
        assert album.intro_html().endswith(note)
    assert all("演示" in anchor.bio or "示範" in anchor.bio for anchor in ANCHORS)


def test_one_anchor_writes_traditional_chinese_and_the_others_simplified() -> None:
    traditional = [anchor for anchor in ANCHORS if anchor.traditional]
    assert len(traditional) == 1
    for album in ALBUMS:
        assert album.traditional == anchor_spec(album.anchor).traditional
        texts = [album.title, album.intro, *(t.title + t.intro for t in album.tracks)]
        converted = [to_simplified(text) != text for text in texts]
        if album.traditional:
            assert sum(converted) >= len(texts) // 2, album.title
        else:
            assert not any(converted), album.title


def test_the_xiaomi_trap_is_there() -> None:
    """A car maker called 小米 in tech news, a girl called 小米 in children's stories."""
    tech_titles = [t.title for a in ALBUMS if a.category == "tech" for t in a.tracks]
    assert any("小米汽车" in title for title in tech_titles)
    kids = [a for a in ALBUMS if a.category == "kids" and "小米" in a.title]
    assert kids and "女孩" in kids[0].intro
    assert set(QUICK_ALBUMS) == {"tech-daily", "kids-xiaomi"}
    tech_daily = next(a for a in ALBUMS if a.key == "tech-daily")
    assert "小米汽车" in tech_daily.tracks[1].title  # inside the quick demo's two tracks


def test_tracks_are_mostly_short_with_a_few_long_ones() -> None:
    lengths = [
        services.track_seconds(album, i, track, quick=False)
        for album in ALBUMS
        for i, track in enumerate(album.tracks)
    ]
    short = [s for s in lengths if 20 <= s <= 60]
    long = [s for s in lengths if 120 <= s <= 180]
    assert len(short) + len(long) == len(lengths)
    assert 2 <= len(long) <= 5
    assert sum(lengths) < 60 * 60  # keeps the first `make run` within a few minutes


def test_publish_times_are_in_the_past_oldest_first() -> None:
    from django.utils import timezone

    now = timezone.now()
    for album in ALBUMS:
        times = services.publish_times(album, len(album.tracks), now)
        assert times == sorted(times)
        assert times[-1] < now
