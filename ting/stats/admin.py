"""The operator's view of counting: the raw log, the beacons and the daily aggregates, read-only.

Everything here is written by the request path (one INSERT) or by the counting task; editing or
deleting a row would make counts drift from what happened, so the admin only shows them. Hashes
of listeners' addresses and the daily salts behind them are never shown.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from ting.core.admin import ReadOnlyAdmin
from ting.stats.models import (
    CountingCursor,
    DailyClientStats,
    DailyReferrerStats,
    DailySalt,
    DailyTrackStats,
    DownloadWindow,
    ListenBeacon,
    LogFileCursor,
    StreamLog,
)


@admin.register(DailySalt)
class DailySaltAdmin(ReadOnlyAdmin[DailySalt]):
    list_display = ("day",)
    exclude = ("salt",)
    date_hierarchy = "day"
    ordering = ("-day",)


@admin.register(StreamLog)
class StreamLogAdmin(ReadOnlyAdmin[StreamLog]):
    list_display = (
        "at", "track_id", "format", "method", "status", "range_header", "bytes_planned", "size",
        "user_id", "user_agent",
    )  # fmt: skip
    list_filter = ("status", "format", "method", "at")
    search_fields = ("=track_id", "=user_id", "user_agent", "referrer")
    exclude = ("ip_hash", "ip_hash_prev")
    date_hierarchy = "at"
    ordering = ("-id",)
    show_full_result_count = False


@admin.register(ListenBeacon)
class ListenBeaconAdmin(ReadOnlyAdmin[ListenBeacon]):
    list_display = ("at", "track_id", "session", "user_id", "listened", "max_position", "duration")
    list_filter = ("at",)
    search_fields = ("=track_id", "=user_id", "=session")
    date_hierarchy = "at"
    ordering = ("-id",)
    show_full_result_count = False


@admin.register(LogFileCursor)
class LogFileCursorAdmin(ReadOnlyAdmin[LogFileCursor]):
    # Moved only by the ingest, in the same transaction as the rows it covers (ADR 0014).
    list_display = ("name", "inode", "offset")
    ordering = ("name",)


@admin.register(CountingCursor)
class CountingCursorAdmin(ReadOnlyAdmin[CountingCursor]):
    list_display = ("name", "last_id")
    search_fields = ("name",)


@admin.register(DownloadWindow)
class DownloadWindowAdmin(ReadOnlyAdmin[DownloadWindow]):
    # The key is derived from a listener's address hash: not shown.
    list_display = ("pk", "started_at", "last_at", "counted")
    list_filter = ("counted", "started_at")
    exclude = ("key",)
    date_hierarchy = "started_at"
    ordering = ("-started_at",)

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> DownloadWindow | None:
        window = super().get_object(request, object_id, from_field)
        if window is not None:
            # The page title shows str(window), which holds the key: keep only the track id.
            # Never saved: this admin has no change permission.
            window.key = f"{window.key.split(':', 1)[0]}:…"
        return window


@admin.register(DailyTrackStats)
class DailyTrackStatsAdmin(ReadOnlyAdmin[DailyTrackStats]):
    list_display = (
        "day", "track", "downloads", "plays", "listeners", "completions", "listened_seconds",
    )  # fmt: skip
    list_filter = ("day",)
    list_select_related = ("track",)
    search_fields = ("track__title", "=track__id")
    date_hierarchy = "day"
    ordering = ("-day", "track_id")


@admin.register(DailyClientStats)
class DailyClientStatsAdmin(ReadOnlyAdmin[DailyClientStats]):
    list_display = ("day", "track", "client", "downloads")
    list_filter = ("day", "client")
    list_select_related = ("track",)
    search_fields = ("track__title", "client")
    date_hierarchy = "day"
    ordering = ("-day", "track_id", "client")


@admin.register(DailyReferrerStats)
class DailyReferrerStatsAdmin(ReadOnlyAdmin[DailyReferrerStats]):
    list_display = ("day", "track", "host", "downloads")
    list_filter = ("day",)
    list_select_related = ("track",)
    search_fields = ("track__title", "host")
    date_hierarchy = "day"
    ordering = ("-day", "track_id", "host")
