"""FACTS.md's worked example: Mon 22:00, Tue 03:00, Tue 22:15, Wed 23:15 from one IP + UA."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pytest_django.fixtures import Settings

from ting.catalog.models import Anchor, Track
from ting.catalog.tests.factories import make_track
from ting.stats.counting.run import counting_run
from ting.stats.models import DailyTrackStats
from ting.stats.tests.factories import count, log_request, utc

pytestmark = pytest.mark.django_db

REQUESTS = ["2025-03-03 22:00", "2025-03-04 03:00", "2025-03-04 22:15", "2025-03-05 23:15"]


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        ("calendar-day", [1, 1, 0, 1]),
        ("first-touch-24h", [1, 0, 1, 1]),
        ("last-touch-24h", [1, 0, 0, 1]),
    ],
)
def test_the_worked_example_counts_as_the_guidelines_say(
    settings: Settings, anchor: Anchor, window: str, expected: list[int]
) -> None:
    settings.TING_DOWNLOAD_WINDOW = window
    track = make_track(album__anchor=anchor)
    logged = [log_request(track, at) for at in REQUESTS]

    report = count()

    assert report.downloads == sum(expected)
    per_day: dict[date, int] = {}
    for row, counted in zip(logged, expected, strict=True):
        per_day[row.at.date()] = per_day.get(row.at.date(), 0) + counted
    counted_days = DailyTrackStats.objects.filter(track=track, downloads__gt=0)
    assert dict(counted_days.values_list("day", "downloads")) == {
        day: n for day, n in per_day.items() if n
    }


@pytest.mark.parametrize("window", ["calendar-day", "first-touch-24h", "last-touch-24h"])
def test_each_run_sees_one_request_and_still_counts_the_example(
    settings: Settings, anchor: Anchor, window: str
) -> None:
    """Windows carry over between runs: counting after every request gives the same total."""
    settings.TING_DOWNLOAD_WINDOW = window
    track: Track = make_track(album__anchor=anchor)
    total = 0
    for at in REQUESTS:
        log_request(track, at)
        total += counting_run(now=utc(at) + timedelta(minutes=2)).downloads
    assert total == {"calendar-day": 3, "first-touch-24h": 3, "last-touch-24h": 2}[window]
