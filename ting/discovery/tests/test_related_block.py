"""The track page's 猜你喜歡 block for anonymous readers: shared per category, never stale."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ting.catalog.models import Track
from ting.catalog.tests.factories import make_album, make_anchor, make_category, make_track
from ting.discovery import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def category_tracks(monkeypatch: pytest.MonkeyPatch) -> list[Track]:
    """18 tracks of one category, newest first; the cold-start ranking holds the newest 4."""
    monkeypatch.setattr(selectors, "FALLBACK_POOL", 3)
    category = make_category(slug="history")
    now = timezone.now()
    tracks = []
    for a in range(6):
        album = make_album(anchor=make_anchor(), category=category, title=f"历史专辑{a}")
        for n in range(3):
            hours = 1 + a * 3 + n
            tracks.append(
                make_track(album=album, title=f"历史{a}-{n}", play_count=100 - hours,
                           published_at=now - timedelta(hours=hours))
            )  # fmt: skip
    return tracks


def block(html: str) -> str:
    start = html.find('<section class="related"')
    return html[start : html.index("</section>", start)] if start >= 0 else ""


def page(client: Client, track: Track) -> str:
    return client.get(reverse("track", args=[track.pk])).content.decode()


def test_a_track_outside_the_ranking_gets_the_shared_block_in_four_queries(
    client: Client, category_tracks: list[Track], django_assert_num_queries: Any
) -> None:
    page(client, category_tracks[-1])  # fills the category's block
    outsider = category_tracks[-2]
    # The track with album and anchor; the album strip; the audio; "has it its own rows?".
    with django_assert_num_queries(4):
        shown = block(page(client, outsider))
    expected = selectors.related_tracks(track=outsider, user=None)
    assert expected and shown.count('class="related-item"') == len(expected)
    for item in expected:
        assert f'href="/track/{item.track.pk}/"' in shown


def test_a_track_in_the_ranking_never_recommends_itself(
    client: Client, category_tracks: list[Track]
) -> None:
    page(client, category_tracks[-1])
    newest = category_tracks[0]
    assert f'href="/track/{category_tracks[1].pk}/"' in block(page(client, category_tracks[-1]))
    own = block(page(client, newest))
    assert own and f'href="/track/{newest.pk}/"' not in own


def test_a_renamed_track_shows_its_new_title_in_the_shared_block_at_once(
    client: Client, category_tracks: list[Track], django_capture_on_commit_callbacks: Any
) -> None:
    from ting.studio.services import track_update

    newest = category_tracks[0]
    assert newest.title in block(page(client, category_tracks[-1]))
    with django_capture_on_commit_callbacks(execute=True):
        track_update(
            track=newest, title="改过的标题", intro=newest.intro, position=newest.position,
            visibility="public", explicit=False, published_at=newest.published_at,
        )  # fmt: skip
    shown = block(page(client, category_tracks[-2]))
    assert "改过的标题" in shown and "历史0-0" not in shown
