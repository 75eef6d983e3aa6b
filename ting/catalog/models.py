"""The catalog: anchors (主播) publish tracks (聲音) in albums (專輯) filed under categories."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from ting.core.models import TimestampedModel

if TYPE_CHECKING:
    from ting.accounts.models import User


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    UNLISTED = "unlisted", _("Unlisted (anyone with the link)")
    PRIVATE = "private", _("Private (only me)")


class Category(models.Model):
    slug = models.SlugField(unique=True)
    name_zh_hans = models.CharField(_("name (Simplified Chinese)"), max_length=40)
    name_zh_hant = models.CharField(_("name (Traditional Chinese)"), max_length=40)
    name_en = models.CharField(_("name (English)"), max_length=60)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        language = translation.get_language() or "zh-hans"
        if language.startswith("en"):
            return self.name_en
        if language.startswith("zh-hant"):
            return self.name_zh_hant
        return self.name_zh_hans


class Tag(models.Model):
    """A free label. `key` is the Simplified, lower-cased form so 科技 and 科技 are one tag."""

    name = models.CharField(max_length=30)
    key = models.CharField(max_length=30, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class Anchor(TimestampedModel):
    """The public face of a creator account: one per user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="anchor"
    )
    display_name = models.CharField(_("display name"), max_length=60)
    avatar = models.ImageField(_("avatar"), upload_to="avatars/", blank=True)
    bio = models.TextField(_("bio"), blank=True, help_text=_("Rich text; links are allowed."))
    verified = models.BooleanField(_("verified"), default=False)
    # Aggregates kept by the counting and social apps; pages read these, never the raw logs.
    follower_count = models.PositiveIntegerField(default=0)
    play_count = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("anchor")
        verbose_name_plural = _("anchors")

    def __str__(self) -> str:
        return self.display_name


class AlbumQuerySet(models.QuerySet["Album"]):
    def listed(self) -> AlbumQuerySet:
        """Albums strangers may find in lists: public, with a track out now (not scheduled)."""
        out_now = Track.objects.published().filter(album=models.OuterRef("pk"))
        return self.filter(visibility=Visibility.PUBLIC).filter(models.Exists(out_now))

    def visible_to(self, user: User | None) -> AlbumQuerySet:
        """Albums a person may open by URL: public or unlisted, or their own."""
        visible = Q(visibility__in=[Visibility.PUBLIC, Visibility.UNLISTED])
        if user is not None and user.is_authenticated:
            visible |= Q(anchor__user=user)
        return self.filter(visible)


class Album(TimestampedModel):
    class Status(models.TextChoices):
        SERIALISING = "serialising", _("Serialising")
        FINISHED = "finished", _("Finished")

    class TrackOrder(models.TextChoices):
        ASCENDING = "asc", _("Oldest first")
        DESCENDING = "desc", _("Newest first")

    class Language(models.TextChoices):
        CHINESE = "zh", _("Chinese")
        CANTONESE = "yue", _("Cantonese")
        ENGLISH = "en", _("English")
        OTHER = "other", _("Other")

    anchor = models.ForeignKey(Anchor, on_delete=models.CASCADE, related_name="albums")
    title = models.CharField(_("title"), max_length=120)
    intro = models.TextField(_("intro"), blank=True)
    cover = models.ImageField(_("cover"), upload_to="covers/", blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="albums"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="albums")
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.CHINESE
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SERIALISING
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    track_order = models.CharField(
        _("track order"), max_length=4, choices=TrackOrder.choices, default=TrackOrder.ASCENDING
    )
    # Kept by services on publish so lists need no COUNT per album.
    published_track_count = models.PositiveIntegerField(default=0)
    last_published_at = models.DateTimeField(null=True, blank=True)
    play_count = models.PositiveBigIntegerField(default=0)

    objects = AlbumQuerySet.as_manager()

    class Meta:
        verbose_name = _("album")
        verbose_name_plural = _("albums")
        indexes = [
            models.Index(fields=["visibility", "-last_published_at"], name="album_listed_newest"),
            models.Index(fields=["visibility", "-play_count"], name="album_listed_popular"),
            models.Index(fields=["category", "visibility", "-last_published_at"],
                         name="album_category_newest"),
        ]  # fmt: skip
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["serialising", "finished"]), name="album_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=["public", "unlisted", "private"]),
                name="album_visibility_valid",
            ),
            models.CheckConstraint(
                condition=Q(track_order__in=["asc", "desc"]), name="album_track_order_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class TrackQuerySet(models.QuerySet["Track"]):
    def published(self) -> TrackQuerySet:
        """Published and past its publish time (a scheduled track stays hidden until then)."""
        return self.filter(status=Track.Status.PUBLISHED, published_at__lte=timezone.now())

    def listed(self) -> TrackQuerySet:
        """Tracks strangers may find in lists: published, public, in a public album."""
        return self.published().filter(
            visibility=Visibility.PUBLIC, album__visibility=Visibility.PUBLIC
        )

    def visible_to(self, user: User | None) -> TrackQuerySet:
        """Tracks a person may open by URL: published and not private, or their own."""
        visible = Q(
            status=Track.Status.PUBLISHED,
            published_at__lte=timezone.now(),
            visibility__in=[Visibility.PUBLIC, Visibility.UNLISTED],
            album__visibility__in=[Visibility.PUBLIC, Visibility.UNLISTED],
        )
        if user is not None and user.is_authenticated:
            visible |= Q(album__anchor__user=user)
        return self.filter(visible)


class Track(TimestampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PROCESSING = "processing", _("Processing")
        READY = "ready", _("Ready to publish")
        PUBLISHED = "published", _("Published")
        FAILED = "failed", _("Failed")

    album = models.ForeignKey(Album, on_delete=models.CASCADE, related_name="tracks")
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("intro"), blank=True)
    position = models.PositiveIntegerField(_("order number"), default=1)
    duration = models.FloatField(_("duration (seconds)"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    published_at = models.DateTimeField(
        _("publish time"), null=True, blank=True,
        help_text=_("A time in the future schedules the track."),
    )  # fmt: skip
    explicit = models.BooleanField(_("explicit"), default=False)
    failure_reason = models.TextField(blank=True)
    play_count = models.PositiveBigIntegerField(default=0)

    objects = TrackQuerySet.as_manager()

    class Meta:
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        indexes = [
            models.Index(fields=["album", "position"], name="track_album_position"),
            models.Index(fields=["album", "status", "published_at"], name="track_album_published"),
            models.Index(fields=["status", "-published_at"], name="track_status_published"),
            models.Index(fields=["-play_count"], name="track_popular"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "processing", "ready", "published", "failed"]),
                name="track_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="track_published_has_time",
            ),
            models.CheckConstraint(
                condition=Q(duration__isnull=True) | Q(duration__gte=0),
                name="track_duration_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=["public", "unlisted", "private"]),
                name="track_visibility_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title
