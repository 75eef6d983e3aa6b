"""Discovery's own tables: the search documents, the query log, and precomputed neighbours.

Search documents are written by the index service only; the full-text structures follow them
inside the database (FTS5 triggers on SQLite, a generated tsvector column on PostgreSQL; see
migrations/0001), so both backends read what one writer wrote.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ting.catalog.models import Album, Track


class SearchDocument(models.Model):
    class Kind(models.TextChoices):
        TRACK = "track", _("Track")
        ALBUM = "album", _("Album")
        ANCHOR = "anchor", _("Anchor")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    object_id = models.BigIntegerField()
    # Space-joined tokens of normalised text (ting.discovery.text), one column per field weight.
    title = models.TextField(blank=True)
    names = models.TextField(blank=True)  # tags, anchor name, album title
    intro = models.TextField(blank=True)
    transcript = models.TextField(blank=True)
    pinyin = models.TextField(blank=True)
    # Recommender terms (tracks), filled by the neighbours task the first time it needs them.
    features = models.TextField(blank=True)
    features_ready = models.BooleanField(default=False)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="searchdoc_one_per_object"),
            models.CheckConstraint(
                condition=models.Q(kind__in=["track", "album", "anchor"]),
                name="searchdoc_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"


class IndexWatermark(models.Model):
    """How far `sync_index` has read the catalog (updated_at, and published_at for schedules)."""

    name = models.CharField(max_length=20, unique=True)
    value = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.value:%Y-%m-%d %H:%M:%S}"


class SearchQuery(models.Model):
    """One search as typed, for 熱搜: the normalised text and a daily-salted client hash."""

    query = models.CharField(max_length=60)
    client = models.CharField(max_length=32)
    at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("search query")
        verbose_name_plural = _("search queries")
        indexes = [models.Index(fields=["at", "query"], name="searchquery_at_query")]

    def __str__(self) -> str:
        return self.query


class Reason(models.TextChoices):
    ALBUM = "album", _("More from this album")
    CATEGORY = "category", _("Same category")
    CO_LISTEN = "co_listen", _("Listened together")
    TOPIC = "topic", _("Similar topic")


class TrackNeighbour(models.Model):
    """A precomputed 猜你喜歡 row: serving is an indexed lookup, never a computation."""

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="+")
    neighbour = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField()
    reason = models.CharField(max_length=10, choices=Reason.choices)
    via = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("related track")
        verbose_name_plural = _("related tracks")
        constraints = [
            models.UniqueConstraint(fields=["track", "rank"], name="trackneighbour_rank_unique")
        ]

    def __str__(self) -> str:
        return f"{self.track_id} → {self.neighbour_id}"


class AlbumNeighbour(models.Model):
    album = models.ForeignKey(Album, on_delete=models.CASCADE, related_name="+")
    neighbour = models.ForeignKey(Album, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField()
    reason = models.CharField(max_length=10, choices=Reason.choices)
    via = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("related album")
        verbose_name_plural = _("related albums")
        constraints = [
            models.UniqueConstraint(fields=["album", "rank"], name="albumneighbour_rank_unique")
        ]

    def __str__(self) -> str:
        return f"{self.album_id} → {self.neighbour_id}"
