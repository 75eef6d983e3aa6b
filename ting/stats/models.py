"""Counting: the append-only stream log and player beacons, and the aggregates built from them.

The log and the beacons are written on request paths with one INSERT each and never updated;
everything else here is written only by the counting task (docs/counting.md).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ting.catalog.models import Track


class DailySalt(models.Model):
    """A random salt per day for hashing IP addresses; deleted two days later (forgetting)."""

    day = models.DateField(unique=True)
    salt = models.BinaryField(max_length=32)

    def __str__(self) -> str:
        return f"salt of {self.day}"


class StreamLog(models.Model):
    """One row per authorised byte request (the redirecting request in x-accel/redirect modes).

    No foreign keys: an INSERT checks nothing, and the log outlives deleted tracks.
    """

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField()
    track_id = models.BigIntegerField()
    format = models.CharField(max_length=10)
    method = models.CharField(max_length=8)
    status = models.PositiveSmallIntegerField()
    # HMAC of the (IPv6 /64-truncated) address under today's salt, and under yesterday's so
    # that a 24-hour window can follow one listener across midnight.
    ip_hash = models.CharField(max_length=32)
    ip_hash_prev = models.CharField(max_length=32, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    range_header = models.CharField(max_length=400, blank=True)
    bytes_planned = models.BigIntegerField()
    size = models.BigIntegerField()
    bitrate = models.PositiveIntegerField()
    duration = models.FloatField()
    referrer = models.CharField(max_length=400, blank=True)
    user_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("stream log row")
        verbose_name_plural = _("stream log")

    def __str__(self) -> str:
        return f"{self.method} track {self.track_id}/{self.format} {self.status}"


class ListenBeacon(models.Model):
    """A progress report from the web player: cumulative seconds listened in one page load."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField()
    track_id = models.BigIntegerField()
    session = models.CharField(max_length=64)
    user_id = models.BigIntegerField(null=True, blank=True)
    listened = models.FloatField()
    max_position = models.FloatField()
    duration = models.FloatField()

    class Meta:
        verbose_name = _("listening beacon")
        verbose_name_plural = _("listening beacons")
        indexes = [models.Index(fields=["track_id", "at"], name="beacon_track_at")]

    def __str__(self) -> str:
        return f"{self.session} listened {self.listened:.0f}s of track {self.track_id}"


class CountingCursor(models.Model):
    """How far the counting task has read a source (by id); advanced with the counts it made."""

    name = models.CharField(max_length=20, unique=True)
    last_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} at {self.last_id}"


class LogFileCursor(models.Model):
    """How far a web server's log file has been ingested into the stream log (ADR 0014).

    ``inode`` and ``head`` (SHA-256 of the file's first line) tell the file apart from the one
    that replaces it at the same path after logrotate; ``offset`` is the byte after the last
    line ingested. Moved in the same transaction as the rows it covers.
    """

    name = models.CharField(max_length=40, unique=True)
    inode = models.BigIntegerField(default=0)
    offset = models.BigIntegerField(default=0)
    head = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.offset} of inode {self.inode}"


class DownloadWindow(models.Model):
    """An open counting window of one listener (IP + user agent) for one episode.

    ``covered`` maps a rendition format to its requested byte ranges, reassembled, until the
    window counts; a window is deleted once no later request can fall into it.
    """

    key = models.CharField(max_length=80, unique=True)
    started_at = models.DateTimeField()
    last_at = models.DateTimeField()
    counted = models.BooleanField(default=False)
    covered = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"window {self.key} from {self.started_at}"


class DailyTrackStats(models.Model):
    """Counts for one track on one day (in ``TING_COUNTING_TIME_ZONE``)."""

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="daily_stats")
    day = models.DateField()
    downloads = models.PositiveIntegerField(default=0)
    plays = models.PositiveIntegerField(default=0)
    listeners = models.PositiveIntegerField(default=0)
    completions = models.PositiveIntegerField(default=0)
    listened_seconds = models.FloatField(default=0)
    # reach[k]: plays whose furthest position reached k × 5% of the duration (k = 0..20).
    reach = models.JSONField(default=list)

    class Meta:
        verbose_name = _("daily track counts")
        verbose_name_plural = _("daily track counts")
        constraints = [
            models.UniqueConstraint(fields=["track", "day"], name="daily_track_stats_unique")
        ]
        indexes = [models.Index(fields=["day", "track"], name="daily_track_stats_day")]

    def __str__(self) -> str:
        return f"track {self.track_id} on {self.day}"


class DailyClientStats(models.Model):
    """Downloads per track, day and client (a podcast app or a browser, from the user agent)."""

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    client = models.CharField(max_length=40)
    downloads = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["track", "day", "client"], name="daily_client_stats_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.client}: track {self.track_id} on {self.day}"


class DailyReferrerStats(models.Model):
    """Downloads per track, day and referring host ("" when the request named none)."""

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    host = models.CharField(max_length=255, blank=True)
    downloads = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["track", "day", "host"], name="daily_referrer_stats_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.host or '-'}: track {self.track_id} on {self.day}"
