"""The counting task: idempotent, incremental, and the only writer of the counts pages show."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ting.catalog.models import Anchor, Track
from ting.catalog.tests.factories import make_album, make_track
from ting.stats.counting.run import CursorMoved, _advance
from ting.stats.models import CountingCursor, DailyTrackStats
from ting.stats.tasks import count_streams
from ting.stats.tests.factories import BROWSER, beacon, count, log_request

pytestmark = pytest.mark.django_db


def test_running_again_counts_nothing_twice(anchor: Anchor) -> None:
    track = make_track(album__anchor=anchor)
    log_request(track, "2025-03-04 10:00")
    log_request(track, "2025-03-04 10:00", ua=BROWSER)
    beacon(track, "2025-03-04 10:00", listened=0)
    beacon(track, "2025-03-04 10:00:40", listened=40)
    first = count()
    second = count()
    assert (first.downloads, second.downloads, second.log_rows, second.beacons) == (2, 0, 0, 0)
    row = DailyTrackStats.objects.get(track=track)
    assert (row.downloads, row.plays) == (2, 1)


def test_a_small_chunk_size_gives_the_same_counts(anchor: Anchor) -> None:
    track = make_track(album__anchor=anchor)
    for n in range(7):
        log_request(track, f"2025-03-04 10:0{n}", ip=f"198.51.100.{n % 3}")
    assert count(chunk=2).downloads == 3


def test_play_counts_on_track_album_and_anchor_are_the_totals(anchor: Anchor) -> None:
    album = make_album(anchor=anchor)
    one, two = make_track(album=album), make_track(album=album)
    other: Track = make_track(album__anchor=anchor)
    for track, listeners in [(one, 3), (two, 2), (other, 1)]:
        for n in range(listeners):
            log_request(track, "2025-03-04 10:00", ip=f"198.51.100.{n}")
    with CaptureQueriesContext(connection) as queries:
        count()
    for track, expected in [(one, 3), (two, 2), (other, 1)]:
        track.refresh_from_db()
        assert track.play_count == expected
    album.refresh_from_db()
    anchor.refresh_from_db()
    assert (album.play_count, anchor.play_count) == (5, 6)
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    catalog = [sql for sql in updates if "catalog_" in sql.split("SET")[0]]
    assert len(catalog) == 3  # one UPDATE each for tracks, albums and anchors, values in SQL
    assert all("SELECT" in sql for sql in catalog)


def test_a_run_that_lost_the_race_rolls_back(anchor: Anchor) -> None:
    CountingCursor.objects.create(name="downloads", last_id=5)
    with pytest.raises(CursorMoved):
        _advance("downloads", old=4, new=9)
    assert CountingCursor.objects.get(name="downloads").last_id == 5


def test_the_task_runs_the_count(anchor: Anchor) -> None:
    track = make_track(album__anchor=anchor)
    log_request(track, "2025-03-04 10:00")
    count_streams.enqueue()  # the immediate backend in tests
    assert DailyTrackStats.objects.get(track=track).downloads == 1
