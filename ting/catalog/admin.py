"""The operator's view of the catalog.

Aggregates (counts, last publish time) are kept by services and shown read-only here; a track's
status changes only through services (the publish action), so the admin cannot break the
status machine or the album's counts. Rich text saved here is sanitised like any other write.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ting.catalog import services
from ting.catalog.models import Album, Anchor, Category, Tag, Track
from ting.core.formatting import format_duration
from ting.core.sanitize import sanitize_rich_text
from ting.core.script import to_simplified

_TIMESTAMPS = ("created_at", "updated_at")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ("slug", "name_zh_hans", "name_zh_hant", "name_en", "position")
    list_display_links = ("slug",)
    list_editable = ("position",)
    search_fields = ("slug", "name_zh_hans", "name_zh_hant", "name_en")
    prepopulated_fields = {"slug": ("name_en",)}
    ordering = ("position", "slug")


class TagAdminForm(forms.ModelForm[Tag]):
    """The key comes from the name as services derive it: one tag in either script."""

    class Meta:
        model = Tag
        fields = ("name",)

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip().lstrip("#")
        key = to_simplified(name).casefold()
        if Tag.objects.filter(key=key).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("This tag exists already under another spelling."))
        self.instance.key = key
        return name


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin[Tag]):
    form = TagAdminForm
    list_display = ("name", "key", "album_count")
    search_fields = ("name", "key")
    readonly_fields = ("key",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tag]:
        return super().get_queryset(request).annotate(album_count=Count("albums"))

    @admin.display(description=_("albums"), ordering="album_count")
    def album_count(self, tag: Tag) -> int:
        return int(getattr(tag, "album_count", 0))


@admin.register(Anchor)
class AnchorAdmin(admin.ModelAdmin[Anchor]):
    list_display = (
        "display_name", "user", "verified", "follower_count", "play_count", "created_at",
        "bio_excerpt",
    )  # fmt: skip
    list_filter = ("verified", "created_at")
    list_select_related = ("user",)
    search_fields = ("display_name", "user__username", "user__email")
    autocomplete_fields = ("user",)
    readonly_fields = ("follower_count", "play_count", "bio_preview", *_TIMESTAMPS)
    date_hierarchy = "created_at"

    @admin.display(description=_("bio"))
    def bio_excerpt(self, anchor: Anchor) -> str:
        # Plain text of the sanitised bio; the admin escapes what a str returns.
        return Truncator(strip_tags(sanitize_rich_text(anchor.bio))).chars(60)

    @admin.display(description=_("bio as shown"))
    def bio_preview(self, anchor: Anchor) -> SafeString:
        return mark_safe(sanitize_rich_text(anchor.bio))  # noqa: S308 (nh3 allow-list output)

    def save_model(self, request: HttpRequest, obj: Anchor, form: Any, change: bool) -> None:
        obj.bio = sanitize_rich_text(obj.bio)
        super().save_model(request, obj, form, change)


@admin.register(Album)
class AlbumAdmin(admin.ModelAdmin[Album]):
    list_display = (
        "title", "anchor", "category", "status", "visibility", "published_track_count",
        "last_published_at",
    )  # fmt: skip
    list_filter = ("status", "visibility", "language", "category")
    list_select_related = ("anchor", "category")
    search_fields = ("title", "anchor__display_name")
    autocomplete_fields = ("anchor", "category")
    filter_horizontal = ("tags",)
    date_hierarchy = "created_at"
    readonly_fields = ("published_track_count", "last_published_at", "play_count", *_TIMESTAMPS)

    def save_model(self, request: HttpRequest, obj: Album, form: Any, change: bool) -> None:
        obj.intro = sanitize_rich_text(obj.intro)
        super().save_model(request, obj, form, change)


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin[Track]):
    list_display = (
        "title", "album", "position", "status", "visibility", "published_at", "duration_display",
        "play_count",
    )  # fmt: skip
    list_filter = ("status", "visibility", "explicit")
    list_select_related = ("album",)
    search_fields = ("title", "album__title")
    autocomplete_fields = ("album",)
    date_hierarchy = "published_at"
    readonly_fields = (
        "status", "published_at", "duration", "failure_reason", "play_count", *_TIMESTAMPS,
    )  # fmt: skip
    actions = ("publish_ready_tracks",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A track starts as an upload (audio first, then a READY track), never as a bare row.
        return False

    @admin.display(description=_("duration"), ordering="duration")
    def duration_display(self, track: Track) -> str:
        return format_duration(track.duration)

    @admin.action(
        description=_("Publish the selected tracks that are ready"), permissions=["change"]
    )
    def publish_ready_tracks(self, request: HttpRequest, queryset: QuerySet[Track]) -> None:
        published = 0
        skipped = 0
        for track in queryset.order_by("pk"):
            try:
                services.track_publish(track=track)
            except services.TrackNotReady:
                skipped += 1
            else:
                published += 1
        if published:
            message = ngettext(
                "%(count)d track was published.", "%(count)d tracks were published.", published
            )
            self.message_user(request, message % {"count": published}, messages.SUCCESS)
        if skipped:
            message = ngettext(
                "%(count)d track was left as it was: only a ready track can be published.",
                "%(count)d tracks were left as they were: only ready tracks can be published.",
                skipped,
            )
            self.message_user(request, message % {"count": skipped}, messages.WARNING)

    def save_model(self, request: HttpRequest, obj: Track, form: Any, change: bool) -> None:
        obj.intro = sanitize_rich_text(obj.intro)
        super().save_model(request, obj, form, change)
        moved_from = form.initial.get("album") if change else None
        if moved_from is not None and moved_from != obj.album_id:
            # Moving a track changes what both albums count as published.
            services.album_refresh_counts(album_id=moved_from)
            services.album_refresh_counts(album_id=obj.album_id)

    def delete_model(self, request: HttpRequest, obj: Track) -> None:
        album_id = obj.album_id
        super().delete_model(request, obj)
        services.album_refresh_counts(album_id=album_id)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Track]) -> None:
        album_ids = set(queryset.values_list("album_id", flat=True))
        super().delete_queryset(request, queryset)
        for album_id in album_ids:
            services.album_refresh_counts(album_id=album_id)
