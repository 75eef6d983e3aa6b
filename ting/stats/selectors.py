"""Reads for the analytics pages: aggregates only, never the log (each a single query)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import F, Q, Sum
from django.shortcuts import get_object_or_404

from ting.accounts.models import User
from ting.catalog.models import Album, Anchor, Track
from ting.stats.counting.plays import REACH_STEPS
from ting.stats.models import DailyClientStats, DailyReferrerStats, DailyTrackStats


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose numbers: an anchor's, an album's or a track's, as a filter on the track."""

    kind: str
    title: str
    tracks: Q
    anchor: Anchor
    album: Album | None = None
    track: Track | None = None


@dataclass(slots=True)
class Day:
    day: date
    downloads: int = 0
    plays: int = 0
    listeners: int = 0
    completions: int = 0


@dataclass(slots=True)
class Totals:
    downloads: int = 0
    plays: int = 0
    listeners: int = 0
    completions: int = 0
    days: list[Day] = field(default_factory=list)

    @property
    def completion_rate(self) -> float | None:
        return self.completions / self.plays if self.plays else None


def anchor_scope(*, user: User) -> Scope:
    anchor = get_object_or_404(Anchor, user=user)
    return Scope("anchor", anchor.display_name, Q(track__album__anchor=anchor), anchor)


def album_scope(*, user: User, album_id: int) -> Scope:
    """The album if ``user`` owns it; 404 otherwise, so strangers learn nothing."""
    album = get_object_or_404(
        Album.objects.select_related("anchor"), pk=album_id, anchor__user=user
    )
    return Scope("album", album.title, Q(track__album=album), album.anchor, album=album)


def track_scope(*, user: User, track_id: int) -> Scope:
    track = get_object_or_404(
        Track.objects.select_related("album__anchor"), pk=track_id, album__anchor__user=user
    )
    anchor = track.album.anchor
    return Scope("track", track.title, Q(track=track), anchor, album=track.album, track=track)


def daily_totals(*, scope: Scope, period: Period) -> Totals:
    rows = {
        row["day"]: row
        for row in DailyTrackStats.objects.filter(
            scope.tracks, day__range=(period.start, period.end)
        )
        .values("day")
        .annotate(
            downloads_sum=Sum("downloads"),
            plays_sum=Sum("plays"),
            listeners_sum=Sum("listeners"),
            completions_sum=Sum("completions"),
        )
        .order_by("day")
    }
    totals = Totals()
    for day in period.days:
        row: Mapping[str, Any] = rows.get(day, {})
        entry = Day(
            day,
            row.get("downloads_sum") or 0,
            row.get("plays_sum") or 0,
            row.get("listeners_sum") or 0,
            row.get("completions_sum") or 0,
        )
        totals.days.append(entry)
        totals.downloads += entry.downloads
        totals.plays += entry.plays
        totals.listeners += entry.listeners
        totals.completions += entry.completions
    return totals


def top_tracks(*, scope: Scope, period: Period, limit: int = 10) -> list[dict[str, Any]]:
    return [
        dict(row)
        for row in DailyTrackStats.objects.filter(
            scope.tracks, day__range=(period.start, period.end)
        )
        .values("track_id", "track__title")
        .annotate(
            plays_sum=Sum("plays"),
            downloads_sum=Sum("downloads"),
            total=Sum(F("plays") + F("downloads")),
        )
        .order_by("-total", "track_id")[:limit]
    ]


def clients(*, scope: Scope, period: Period, limit: int = 12) -> list[dict[str, Any]]:
    return [
        dict(row)
        for row in DailyClientStats.objects.filter(
            scope.tracks, day__range=(period.start, period.end)
        )
        .values("client")
        .annotate(downloads_sum=Sum("downloads"))
        .order_by("-downloads_sum", "client")[:limit]
    ]


def referrers(*, scope: Scope, period: Period, limit: int = 12) -> list[dict[str, Any]]:
    return [
        dict(row)
        for row in DailyReferrerStats.objects.filter(
            scope.tracks, day__range=(period.start, period.end)
        )
        .values("host")
        .annotate(downloads_sum=Sum("downloads"))
        .order_by("-downloads_sum", "host")[:limit]
    ]


def reach(*, scope: Scope, period: Period) -> list[int]:
    """Plays reaching each 5% of the duration, summed over the period's days."""
    total = [0] * (REACH_STEPS + 1)
    for day_reach in DailyTrackStats.objects.filter(
        scope.tracks, day__range=(period.start, period.end)
    ).values_list("reach", flat=True):
        for step, plays in enumerate(day_reach or []):
            if step <= REACH_STEPS:
                total[step] += int(plays)
    return total
