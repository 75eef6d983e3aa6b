"""The operator's view of audio: what processing made of each upload, and a way to retry.

Assets and renditions are written by the processing pipeline only; the admin shows them and
offers one write, "reprocess", which goes through the service's conditional requeue.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ting.core.admin import ReadOnlyAdmin
from ting.core.formatting import format_duration
from ting.media import services
from ting.media.models import AudioAsset, Rendition, Upload


class RenditionInline(admin.TabularInline[Rendition, AudioAsset]):
    model = Rendition
    extra = 0
    can_delete = False
    fields = ("format", "codec", "bitrate", "duration", "size", "loudness_lufs", "true_peak_dbtp")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AudioAsset)
class AudioAssetAdmin(admin.ModelAdmin[AudioAsset]):
    list_display = (
        "track", "status", "stage", "attempts", "duration_display", "loudness_lufs",
        "loudness_range_lu", "true_peak_dbtp", "failure_message", "created_at",
    )  # fmt: skip
    list_filter = ("status", "stage", "failure_code", "created_at")
    list_select_related = ("track",)
    search_fields = ("track__title", "original_filename", "key", "failure_code")
    date_hierarchy = "created_at"
    raw_id_fields = ("track",)
    exclude = ("waveform",)
    inlines = (RenditionInline,)
    actions = ("reprocess_failed",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # An asset starts as an upload's original, stored and queued by the media service.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Its files and its track's status hang on it; a track is deleted, not its audio.
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The pipeline owns every column; "change" permission is only for the action.
        return [field.name for field in AudioAsset._meta.fields if field.name != "waveform"]

    @admin.display(description=_("duration"), ordering="duration")
    def duration_display(self, asset: AudioAsset) -> str:
        return format_duration(asset.duration)

    @admin.action(description=_("Reprocess the selected failed audio"), permissions=["change"])
    def reprocess_failed(self, request: HttpRequest, queryset: QuerySet[AudioAsset]) -> None:
        ids = list(queryset.order_by("pk").values_list("pk", flat=True))
        requeued = sum(services.asset_requeue(asset_id=asset_id) for asset_id in ids)
        skipped = len(ids) - requeued
        if requeued:
            message = ngettext(
                "%(count)d file was queued for processing again.",
                "%(count)d files were queued for processing again.",
                requeued,
            )
            self.message_user(request, message % {"count": requeued}, messages.SUCCESS)
        if skipped:
            message = ngettext(
                "%(count)d file was left as it was: only failed audio can be reprocessed.",
                "%(count)d files were left as they were: only failed audio can be reprocessed.",
                skipped,
            )
            self.message_user(request, message % {"count": skipped}, messages.WARNING)


@admin.register(Rendition)
class RenditionAdmin(ReadOnlyAdmin[Rendition]):
    list_display = (
        "asset", "format", "codec", "bitrate", "duration", "size", "loudness_lufs",
        "true_peak_dbtp", "created_at",
    )  # fmt: skip
    list_filter = ("format", "created_at")
    list_select_related = ("asset",)
    search_fields = ("asset__track__title", "=sha256")
    date_hierarchy = "created_at"


@admin.register(Upload)
class UploadAdmin(ReadOnlyAdmin[Upload]):
    list_display = (
        "filename", "anchor", "album", "status", "progress", "track", "failure_message",
        "updated_at",
    )  # fmt: skip
    list_filter = ("status", "created_at", "updated_at")
    list_select_related = ("anchor", "album", "track")
    search_fields = ("filename", "anchor__display_name", "album__title", "track__title")
    date_hierarchy = "created_at"

    @admin.display(description=_("received"))
    def progress(self, upload: Upload) -> str:
        percent = 100 * upload.offset / upload.size if upload.size else 100
        return f"{percent:.0f}% ({upload.offset}/{upload.size})"
