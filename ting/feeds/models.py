"""Podcast feeds: private feed tokens (out) and feed imports with their episodes (in)."""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ting.catalog.models import Album, Anchor, Track
from ting.core.models import TimestampedModel


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class FeedToken(TimestampedModel):
    """A revocable secret feed URL for an unlisted or private album.

    The token is kept in clear: it is a capability URL the anchor copies into a podcast app and
    may need to see again (like Apple's and Spotify's private feeds), not a login secret.
    """

    album = models.ForeignKey(Album, on_delete=models.CASCADE, related_name="feed_tokens")
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    label = models.CharField(_("label"), max_length=60, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("private feed link")
        verbose_name_plural = _("private feed links")

    def __str__(self) -> str:
        return f"feed token {self.pk} of album {self.album_id}"


class FeedImport(TimestampedModel):
    """A podcast imported from its RSS URL into one of an anchor's albums, re-synced later."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        FETCHING = "fetching", _("Reading the feed")
        IMPORTING = "importing", _("Importing episodes")
        DONE = "done", _("Up to date")
        FAILED = "failed", _("Failed")

    anchor = models.ForeignKey(Anchor, on_delete=models.CASCADE, related_name="feed_imports")
    album = models.OneToOneField(
        Album, on_delete=models.SET_NULL, null=True, blank=True, related_name="feed_import"
    )
    url = models.URLField(_("feed URL"), max_length=1000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    message = models.TextField(blank=True)
    episode_count = models.PositiveIntegerField(default=0)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    # Conditional re-fetch: what the origin said last time.
    etag = models.CharField(max_length=200, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    resync = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("feed import")
        verbose_name_plural = _("feed imports")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "fetching", "importing", "done", "failed"]),
                name="feed_import_status_valid",
            )
        ]

    def __str__(self) -> str:
        return self.url


class ImportedEpisode(TimestampedModel):
    """One episode of an imported feed, keyed by its GUID so a re-sync never imports it twice."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DOWNLOADING = "downloading", _("Downloading")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    feed_import = models.ForeignKey(FeedImport, on_delete=models.CASCADE, related_name="episodes")
    guid = models.CharField(max_length=500)
    track = models.OneToOneField(
        Track, on_delete=models.SET_NULL, null=True, blank=True, related_name="imported_episode"
    )
    enclosure_url = models.URLField(max_length=2000)
    published_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    message = models.TextField(blank=True)

    class Meta:
        verbose_name = _("imported episode")
        verbose_name_plural = _("imported episodes")
        constraints = [
            models.UniqueConstraint(fields=["feed_import", "guid"], name="imported_episode_once"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "downloading", "done", "failed"]),
                name="imported_episode_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.guid
