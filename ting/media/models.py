"""Audio behind a track: the untouched original, what we measured, and the renditions we serve."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ting.catalog.models import Album, Anchor, Track
from ting.core.models import TimestampedModel


class AudioAsset(TimestampedModel):
    """One per track. Its status machine is PENDING → PROCESSING → READY, or FAILED."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Queued")
        PROCESSING = "processing", _("Processing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class Stage(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        PROBING = "probing", _("Checking the file")
        MEASURING = "measuring", _("Measuring loudness")
        ENCODING = "encoding", _("Making the listening versions")
        STORING = "storing", _("Saving")
        DONE = "done", _("Done")

    track = models.OneToOneField(Track, on_delete=models.CASCADE, related_name="audio")
    # Opaque storage folder; nothing is ever stored under a name the uploader chose.
    key = models.CharField(max_length=64, unique=True)
    original = models.FileField(max_length=255)
    original_filename = models.CharField(max_length=255, blank=True)
    original_size = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    failure_code = models.CharField(max_length=40, blank=True)
    # The code's message is rendered in each reader's language from these (ting/media/failures.py);
    # failure_message is the same text in the server's language, for the admin and the logs.
    failure_params = models.JSONField(default=dict, blank=True)
    failure_message = models.TextField(blank=True)
    # What decoding found (never what the header or extension claimed).
    container = models.CharField(max_length=40, blank=True)
    codec = models.CharField(max_length=40, blank=True)
    sample_rate = models.PositiveIntegerField(null=True, blank=True)
    channels = models.PositiveSmallIntegerField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True)
    bit_rate = models.PositiveIntegerField(null=True, blank=True)
    # EBU R128 measurement of the original.
    loudness_lufs = models.FloatField(null=True, blank=True)
    loudness_range_lu = models.FloatField(null=True, blank=True)
    true_peak_dbtp = models.FloatField(null=True, blank=True)
    waveform = models.JSONField(default=list, blank=True)
    tags = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("audio")
        verbose_name_plural = _("audio")
        indexes = [models.Index(fields=["status", "claimed_at"], name="asset_status_claimed")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "processing", "ready", "failed"]),
                name="asset_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"audio of track {self.track_id}"


class Rendition(TimestampedModel):
    """A normalised encoding of an asset, the bytes listeners receive."""

    class Format(models.TextChoices):
        OPUS_32 = "opus32", _("Opus 32 kb/s (low data)")
        AAC_64 = "aac64", _("AAC 64 kb/s (web)")
        MP3_128 = "mp3_128", _("MP3 128 kb/s (podcast apps)")

    asset = models.ForeignKey(AudioAsset, on_delete=models.CASCADE, related_name="renditions")
    format = models.CharField(max_length=10, choices=Format.choices)
    file = models.FileField(max_length=255)
    mime_type = models.CharField(max_length=40)
    codec = models.CharField(max_length=20)
    bitrate = models.PositiveIntegerField()
    sample_rate = models.PositiveIntegerField()
    channels = models.PositiveSmallIntegerField()
    duration = models.FloatField()
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    loudness_lufs = models.FloatField(null=True, blank=True)
    true_peak_dbtp = models.FloatField(null=True, blank=True)
    # When the file last hashed to `sha256`; the verify task checks the longest-unchecked first.
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("rendition")
        verbose_name_plural = _("renditions")
        indexes = [models.Index(fields=["verified_at"], name="rendition_verified")]
        constraints = [
            models.UniqueConstraint(fields=["asset", "format"], name="rendition_one_per_format"),
            models.CheckConstraint(
                condition=Q(format__in=["opus32", "aac64", "mp3_128"]),
                name="rendition_format_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_format_display()} of track {self.asset.track_id}"


class Upload(TimestampedModel):
    """A resumable upload in flight: bytes go to `MEDIA_ROOT/uploads/<id>.part` (STORAGE=s3:
    one object per chunk under `uploads/<id>/`) until complete.

    RECEIVING → COMPLETE (a track and its audio asset exist) or FAILED (the .part is gone).
    `filename` is shown to the anchor only; nothing is stored under it.
    """

    class Status(models.TextChoices):
        RECEIVING = "receiving", _("Receiving")
        COMPLETE = "complete", _("Complete")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    anchor = models.ForeignKey(Anchor, on_delete=models.CASCADE, related_name="uploads")
    album = models.ForeignKey(Album, on_delete=models.CASCADE, related_name="uploads")
    filename = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    offset = models.PositiveBigIntegerField(default=0)
    # The browser's File.lastModified (ms since the epoch): part of the client's resume key.
    last_modified = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVING)
    track = models.OneToOneField(
        Track, on_delete=models.SET_NULL, null=True, blank=True, related_name="upload"
    )
    failure_message = models.TextField(blank=True)

    class Meta:
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")
        indexes = [models.Index(fields=["status", "updated_at"], name="upload_status_updated")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["receiving", "complete", "failed"]),
                name="upload_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(offset__lte=F("size")), name="upload_offset_in_size"
            ),
        ]

    def __str__(self) -> str:
        return f"upload {self.pk} ({self.offset}/{self.size})"
