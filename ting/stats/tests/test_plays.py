"""Plays come from real listening reported by the player, never from page views or fetches."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from ting.catalog.models import Anchor, Track
from ting.catalog.tests.factories import make_track
from ting.stats.models import DailyTrackStats
from ting.stats.tests.factories import beacon, count, utc

pytestmark = pytest.mark.django_db


@pytest.fixture
def track(anchor: Anchor) -> Track:
    return make_track(album__anchor=anchor, duration=200.0)


def stats(track: Track) -> DailyTrackStats:
    return DailyTrackStats.objects.get(track=track)


def listen(track: Track, seconds: int, *, session: str = "session-aaaa", **fields: object) -> None:
    """Beacons as the player sends them: at the start, then every 15 s of playing at 1×."""
    start = utc("2025-03-04 10:00")
    for at in [*range(0, seconds, 15), seconds]:
        beacon(track, start + timedelta(seconds=at), session=session, listened=at, **fields)  # type: ignore[arg-type]


def test_thirty_seconds_of_listening_is_a_play(track: Track) -> None:
    listen(track, 30)
    count()
    assert (stats(track).plays, stats(track).listeners) == (1, 1)
    track.refresh_from_db()
    assert track.play_count == 1


def test_less_than_thirty_seconds_is_a_listener_but_no_play(track: Track) -> None:
    listen(track, 25)
    count()
    assert (stats(track).plays, stats(track).listeners) == (0, 1)


def test_a_short_track_needs_half_its_duration(anchor: Anchor) -> None:
    short = make_track(album__anchor=anchor, duration=20.0)
    listen(short, 9)
    count()
    assert stats(short).plays == 0
    listen(short, 10, session="session-bbbb")
    count()
    assert stats(short).plays == 1


def test_opening_the_page_is_not_a_play(client: Client, track: Track) -> None:
    assert client.get(reverse("track", args=[track.pk])).status_code == 200
    count()
    assert not DailyTrackStats.objects.filter(track=track, plays__gt=0).exists()


def test_a_script_claiming_listening_in_one_beacon_is_not_a_play(track: Track) -> None:
    beacon(track, "2025-03-04 10:00", listened=3600, position=200)
    count()
    assert stats(track).plays == 0


def test_one_listener_plays_once_a_day_however_often(track: Track, listener: object) -> None:
    for n in range(3):  # three page loads, each listened through
        listen(track, 60, session=f"session-{n:04d}", user_id=listener.pk)  # type: ignore[attr-defined]
    count()
    assert stats(track).plays == 1


def test_anonymous_visits_are_separate_listeners(track: Track) -> None:
    listen(track, 40, session="session-aaaa")
    listen(track, 40, session="session-bbbb")
    count()
    assert stats(track).plays == 2


def test_completion_and_drop_off_come_from_the_furthest_position(track: Track) -> None:
    listen(track, 200, session="session-full", position=200)
    listen(track, 60, session="session-part", position=60)  # 30% of 200 s
    count()
    row = stats(track)
    assert (row.plays, row.completions) == (2, 1)
    assert row.reach[0] == 2 and row.reach[6] == 2 and row.reach[7] == 1 and row.reach[20] == 1
