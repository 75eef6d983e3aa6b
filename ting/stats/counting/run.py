"""The counting task's work: read new log rows and beacons by id, write counts, move cursors.

Each chunk commits its counts together with its cursor, after checking that the cursor has not
moved since it was read (a second worker running at the same time makes no count twice: its
chunk rolls back). Reading and computing happen outside the transaction so the write lock that
the stream log's INSERTs wait on is held only for the short writing phase.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, Final, TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from ting.catalog.models import Album, Anchor, Track
from ting.stats.counting.downloads import (
    DAY,
    WINDOW_MODES,
    Download,
    LogRow,
    Window,
    WindowMode,
    count_downloads,
    expired,
    listener_key,
)
from ting.stats.counting.plays import Beacon, count_day
from ting.stats.models import (
    CountingCursor,
    DailyClientStats,
    DailyReferrerStats,
    DailyTrackStats,
    DownloadWindow,
    ListenBeacon,
    StreamLog,
)
from ting.stats.privacy import salts_forget

log = logging.getLogger(__name__)

# Rows younger than this are left for the next run: a transaction that took an id earlier may
# not have committed yet (PostgreSQL sequences), and an id watermark would skip it for good.
SETTLE: Final = timedelta(seconds=60)
# How much older than the rows before it a row may be (ids and clocks disagree a little).
SKEW: Final = timedelta(minutes=5)
CHUNK: Final = 50_000
IN_BATCH: Final = 500
LOG_FIELDS: Final = (
    "id", "at", "track_id", "format", "method", "status", "ip_hash", "ip_hash_prev",
    "user_agent", "range_header", "size", "bitrate", "duration", "referrer",
)  # fmt: skip

T = TypeVar("T")


class CursorMoved(Exception):
    """Another run counted these rows first; this chunk's work is thrown away."""


@dataclass
class RunReport:
    log_rows: int = 0
    downloads: int = 0
    beacons: int = 0
    track_days: int = 0
    tracks_updated: int = 0


def _batches(items: Sequence[T], size: int = IN_BATCH) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def window_mode() -> WindowMode:
    mode = settings.TING_DOWNLOAD_WINDOW
    for known in WINDOW_MODES:
        if mode == known:
            return known
    raise ValueError(f"unknown TING_DOWNLOAD_WINDOW {mode!r}")


def _zone() -> tzinfo:
    return ZoneInfo(settings.TING_COUNTING_TIME_ZONE)


def _cursor(name: str) -> int:
    cursor, _ = CountingCursor.objects.get_or_create(name=name)
    return cursor.last_id


def _advance(name: str, *, old: int, new: int) -> None:
    if not CountingCursor.objects.filter(name=name, last_id=old).update(last_id=new):
        raise CursorMoved(name)


def counting_run(*, now: datetime | None = None, chunk: int = CHUNK) -> RunReport:
    """Count everything logged up to a minute ago; safe to run again at any time."""
    now = now or timezone.now()
    cutoff = now - SETTLE
    report = RunReport()
    touched: set[int] = set()
    try:
        _count_log(cutoff=cutoff, chunk=chunk, report=report, touched=touched)
        _count_beacons(cutoff=cutoff, chunk=chunk, report=report, touched=touched)
    except CursorMoved as moved:
        log.info("counting: %s cursor moved under this run; the other run counts", moved)
    report.tracks_updated = play_counts_refresh(track_ids=touched)
    salts_forget(today=now.date())
    return report


# --- downloads ---------------------------------------------------------------------------------


def _count_log(*, cutoff: datetime, chunk: int, report: RunReport, touched: set[int]) -> None:
    mode = window_mode()
    zone = _zone()
    windows: dict[str, Window] = {}
    while True:
        start = _cursor("downloads")
        rows = [
            LogRow(*values)
            for values in StreamLog.objects.filter(id__gt=start, at__lte=cutoff)
            .order_by("id")
            .values_list(*LOG_FIELDS)[:chunk]
        ]
        if not rows:
            break
        current = _load_windows(rows, windows)
        downloads = list(count_downloads(rows, windows, mode=mode, zone=zone))
        horizon = cutoff - SKEW
        gone = {key for key, window in windows.items() if expired(window, horizon, mode, zone)}
        for key in gone:
            del windows[key]
        with transaction.atomic():
            _advance("downloads", old=start, new=rows[-1].id)
            # Stale copies (a window moved to today's key, an expired one) may stay behind:
            # a later request finds today's key first, and expired windows never match.
            _save_windows({key: windows[key] for key in current if key in windows})
            touched |= _add_downloads(downloads)
        report.log_rows += len(rows)
        report.downloads += len(downloads)
        if len(rows) < chunk:
            break
    # Windows nobody came back to; any of them would have closed a day after its last request.
    DownloadWindow.objects.filter(last_at__lt=cutoff - SKEW - 2 * DAY).delete()


def _load_windows(rows: list[LogRow], windows: dict[str, Window]) -> set[str]:
    """Read the stored windows the rows may meet into ``windows``.

    Returns the rows' own (current-day) keys: the windows this chunk may change.
    """
    current: set[str] = set()
    keys: set[str] = set()
    for row in rows:
        key = listener_key(row.track_id, row.user_agent, row.ip_hash)
        current.add(key)
        keys.add(key)
        if row.ip_hash_prev:
            keys.add(listener_key(row.track_id, row.user_agent, row.ip_hash_prev))
    for batch in _batches(sorted(keys - set(windows))):
        for key, started_at, last_at, counted, covered in DownloadWindow.objects.filter(
            key__in=batch
        ).values_list("key", "started_at", "last_at", "counted", "covered"):
            windows[key] = Window(started_at, last_at, counted, covered)
    return current


def _save_windows(windows: dict[str, Window]) -> None:
    DownloadWindow.objects.bulk_create(
        [
            DownloadWindow(
                key=key,
                started_at=w.started_at,
                last_at=w.last_at,
                counted=w.counted,
                covered=w.covered,
            )
            for key, w in windows.items()
        ],
        batch_size=IN_BATCH,
        update_conflicts=True,
        unique_fields=["key"],
        update_fields=["started_at", "last_at", "counted", "covered"],
    )


def _existing_tracks(track_ids: Iterable[int]) -> set[int]:
    wanted = sorted(set(track_ids))
    found: set[int] = set()
    for batch in _batches(wanted):
        found.update(Track.objects.filter(pk__in=batch).values_list("pk", flat=True))
    return found


def _increment(model: type[models.Model], counts: Counter[tuple[Any, ...]], *keys: str) -> None:
    """Add ``counts`` to the ``downloads`` of the rows named by ``keys``.

    Read, then upsert the sums: the caller holds the downloads cursor's row lock (see
    ``_advance``), so no other writer of ``downloads`` can interleave; one statement per batch
    instead of one UPDATE per row.
    """
    manager = model._default_manager
    pending = dict(counts)
    by_track: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for key in pending:
        by_track[key[0]].append(key)
    track_ids = sorted(by_track)
    for batch in _batches(track_ids):
        days = [key[1] for track_id in batch for key in by_track[track_id]]
        existing = manager.filter(
            track_id__in=batch, day__gte=min(days), day__lte=max(days)
        ).values_list(*keys, "downloads")
        for *key, downloads in existing:
            if tuple(key) in pending:
                pending[tuple(key)] += downloads
    manager.bulk_create(
        [model(**dict(zip(keys, key, strict=True)), downloads=n) for key, n in pending.items()],
        batch_size=IN_BATCH,
        update_conflicts=True,
        unique_fields=[key.removesuffix("_id") for key in keys],
        update_fields=["downloads"],
    )


def _add_downloads(downloads: list[Download]) -> set[int]:
    live = _existing_tracks(d.track_id for d in downloads)
    kept = [d for d in downloads if d.track_id in live]
    _increment(DailyTrackStats, Counter((d.track_id, d.day) for d in kept), "track_id", "day")
    _increment(
        DailyClientStats,
        Counter((d.track_id, d.day, d.client) for d in kept),
        "track_id", "day", "client",
    )  # fmt: skip
    _increment(
        DailyReferrerStats,
        Counter((d.track_id, d.day, d.host) for d in kept),
        "track_id", "day", "host",
    )  # fmt: skip
    return {d.track_id for d in kept}


# --- plays -------------------------------------------------------------------------------------


def _count_beacons(*, cutoff: datetime, chunk: int, report: RunReport, touched: set[int]) -> None:
    zone = _zone()
    while True:
        start = _cursor("plays")
        new = list(
            ListenBeacon.objects.filter(id__gt=start, at__lte=cutoff)
            .order_by("id")
            .values_list("id", "track_id", "at")[:chunk]
        )
        if not new:
            return
        days = {(track_id, at.astimezone(zone).date()) for _, track_id, at in new}
        live = _existing_tracks(track_id for track_id, _ in days)
        days = {(track_id, day) for track_id, day in days if track_id in live}
        counted = {pair: _day_counts(*pair, zone=zone) for pair in sorted(days)}
        with transaction.atomic():
            _advance("plays", old=start, new=new[-1][0])
            _replace_play_counts(counted)
        report.beacons += len(new)
        report.track_days += len(counted)
        touched |= {track_id for track_id, _ in counted}
        if len(new) < chunk:
            return


def _day_counts(track_id: int, day: date, *, zone: tzinfo) -> dict[str, Any]:
    """Recount a whole track-day from its beacons: replaying it gives the same numbers."""
    begin = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    beacons = [
        Beacon(*values)
        for values in ListenBeacon.objects.filter(
            track_id=track_id, at__gte=begin, at__lt=begin + timedelta(days=1)
        ).values_list("at", "session", "user_id", "listened", "max_position", "duration")
    ]
    duration = Track.objects.filter(pk=track_id).values_list("duration", flat=True).first()
    counts = count_day(beacons, duration=duration)
    return {
        "plays": counts.plays,
        "listeners": counts.listeners,
        "completions": counts.completions,
        "listened_seconds": counts.listened_seconds,
        "reach": counts.reach,
    }


def _replace_play_counts(counted: dict[tuple[int, date], dict[str, Any]]) -> None:
    DailyTrackStats.objects.bulk_create(
        [
            DailyTrackStats(track_id=track_id, day=day, **values)
            for (track_id, day), values in counted.items()
        ],
        batch_size=IN_BATCH,
        update_conflicts=True,
        unique_fields=["track", "day"],
        update_fields=["plays", "listeners", "completions", "listened_seconds", "reach"],
    )


# --- the numbers pages show --------------------------------------------------------------------


def play_counts_refresh(*, track_ids: Iterable[int]) -> int:
    """Set play_count = downloads + plays on the tracks, and the sums on albums and anchors.

    One UPDATE per batch, each row's value computed by the database (a Subquery): no
    read-modify-save, so a concurrent writer never loses an increment.
    """
    ids = sorted(set(track_ids))
    updated = 0
    album_ids: set[int] = set()
    for batch in _batches(ids):
        totals = (
            DailyTrackStats.objects.filter(track=OuterRef("pk"))
            .values("track")
            .annotate(total=Sum(F("downloads") + F("plays")))
            .values("total")
        )
        updated += Track.objects.filter(pk__in=batch).update(
            play_count=Coalesce(Subquery(totals), Value(0))
        )
        album_ids.update(Track.objects.filter(pk__in=batch).values_list("album_id", flat=True))
    anchor_ids: set[int] = set()
    for album_batch in _batches(sorted(album_ids)):
        track_sums = (
            Track.objects.filter(album=OuterRef("pk"))
            .values("album")
            .annotate(total=Sum("play_count"))
            .values("total")
        )
        Album.objects.filter(pk__in=album_batch).update(
            play_count=Coalesce(Subquery(track_sums), Value(0))
        )
        anchor_ids.update(
            Album.objects.filter(pk__in=album_batch).values_list("anchor_id", flat=True)
        )
    for anchor_batch in _batches(sorted(anchor_ids)):
        album_sums = (
            Album.objects.filter(anchor=OuterRef("pk"))
            .values("anchor")
            .annotate(total=Sum("play_count"))
            .values("total")
        )
        Anchor.objects.filter(pk__in=anchor_batch).update(
            play_count=Coalesce(Subquery(album_sums), Value(0))
        )
    return updated
