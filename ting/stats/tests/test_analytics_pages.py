"""Anchors' analytics under /stats/: their own numbers only, CSV export, pinned query counts."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from ting.accounts.models import User
from ting.catalog.models import Anchor, Track
from ting.catalog.tests.factories import make_track
from ting.stats.models import DailyClientStats, DailyReferrerStats, DailyTrackStats

pytestmark = pytest.mark.django_db
PERIOD = "?start=2025-03-01&end=2025-03-07"


@pytest.fixture
def track(anchor: Anchor) -> Track:
    track = make_track(album__anchor=anchor, title="第一集")
    reach = [4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1]
    DailyTrackStats.objects.create(
        track=track, day=date(2025, 3, 3), downloads=7, plays=4, listeners=5, completions=1,
        reach=reach,
    )  # fmt: skip
    DailyTrackStats.objects.create(track=track, day=date(2025, 3, 5), downloads=2, plays=1)
    DailyClientStats.objects.create(track=track, day=date(2025, 3, 3), client="小宇宙", downloads=5)
    DailyReferrerStats.objects.create(
        track=track, day=date(2025, 3, 3), host="example.com", downloads=3
    )
    return track


@pytest.fixture
def owner(client: Client, anchor: Anchor) -> Client:
    client.force_login(anchor.user)
    return client


def urls(track: Track) -> list[str]:
    return [
        reverse("stats:anchor"),
        reverse("stats:album", args=[track.album_id]),
        reverse("stats:track", args=[track.pk]),
    ]


def test_an_anchor_sees_their_numbers(owner: Client, track: Track) -> None:
    for url in urls(track):
        page = owner.get(url + PERIOD)
        assert page.status_code == 200
        text = page.content.decode()
        assert "<svg" in text and "小宇宙" in text and "example.com" in text
        assert page.context["totals"].plays == 5
        assert page.context["totals"].downloads == 9


def test_the_track_page_draws_the_drop_off_curve(owner: Client, track: Track) -> None:
    page = owner.get(reverse("stats:track", args=[track.pk]) + PERIOD)
    assert page.context["reach"][0] == 4 and page.context["reach"][20] == 1
    assert page.content.decode().count("<svg") == 2


def test_a_stranger_gets_404_for_another_anchor_s_analytics(
    client: Client, track: Track, stranger: User
) -> None:
    client.force_login(stranger)
    for url in urls(track):
        assert client.get(url).status_code == 404
        assert client.get(url + "export.csv").status_code == 404


def test_signed_out_visitors_are_sent_to_log_in(client: Client, track: Track) -> None:
    response = client.get(reverse("stats:track", args=[track.pk]))
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


def test_the_csv_export_has_one_row_per_day(owner: Client, track: Track) -> None:
    response = owner.get(reverse("stats:track_csv", args=[track.pk]) + PERIOD)
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().splitlines() == [
        "day,downloads,plays,listeners,completions",
        "2025-03-01,0,0,0,0",
        "2025-03-02,0,0,0,0",
        "2025-03-03,7,4,5,1",
        "2025-03-04,0,0,0,0",
        "2025-03-05,2,1,0,0",
        "2025-03-06,0,0,0,0",
        "2025-03-07,0,0,0,0",
    ]


@pytest.mark.parametrize(
    "query", ["?start=2025-03-09&end=2025-03-01", "?start=2020-01-01&end=2025-01-01", "?start=x"]
)
def test_bad_date_ranges_are_refused_with_a_reason(owner: Client, track: Track, query: str) -> None:
    assert owner.get(reverse("stats:anchor") + query).status_code == 400
    assert owner.get(reverse("stats:anchor_csv") + query).status_code == 400


@pytest.mark.parametrize(("page", "queries"), [("anchor", 8), ("album", 8), ("track", 8)])
def test_query_counts_are_pinned(
    owner: Client,
    track: Track,
    anchor: Anchor,
    django_assert_num_queries: DjangoAssertNumQueries,
    page: str,
    queries: int,
) -> None:
    # Session, user, the scope, four aggregates, and base.html's unread-notification count.
    for n in range(5):  # more tracks must not mean more queries
        make_track(album=track.album, title=f"更多{n}")
    url = {k: u for k, u in zip(["anchor", "album", "track"], urls(track), strict=True)}[page]
    with django_assert_num_queries(queries):
        owner.get(url + PERIOD)
