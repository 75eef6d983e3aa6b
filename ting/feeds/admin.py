"""The operator's view of podcast feeds: private feed links (out) and imports (in).

A private feed link is a capability URL, so its token is never shown here; an operator can
revoke links (through the feeds service). Imports and their episodes are written by the import
tasks and shown read-only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ting.core.admin import ReadOnlyAdmin
from ting.core.errors import ApplicationError
from ting.feeds import services
from ting.feeds.models import FeedImport, FeedToken, ImportedEpisode


@admin.register(FeedToken)
class FeedTokenAdmin(ReadOnlyAdmin[FeedToken]):
    list_display = ("pk", "album", "label", "created_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), "created_at")
    list_select_related = ("album",)
    search_fields = ("album__title", "label")
    exclude = ("token",)
    date_hierarchy = "created_at"
    actions = ("revoke_links",)

    def has_revoke_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("feeds.change_feedtoken")

    @admin.action(description=_("Revoke the selected feed links"), permissions=["revoke"])
    def revoke_links(self, request: HttpRequest, queryset: QuerySet[FeedToken]) -> None:
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True).select_related("album"):
            try:
                services.feed_token_revoke(album=token.album, token_id=token.pk)
            except ApplicationError:
                continue  # revoked meanwhile
            revoked += 1
        message = ngettext(
            "%(count)d feed link was revoked.", "%(count)d feed links were revoked.", revoked
        )
        self.message_user(request, message % {"count": revoked}, messages.SUCCESS)


class ImportedEpisodeInline(admin.TabularInline[ImportedEpisode, FeedImport]):
    model = ImportedEpisode
    extra = 0
    can_delete = False
    fields = ("guid", "status", "published_at", "track", "message")
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(FeedImport)
class FeedImportAdmin(ReadOnlyAdmin[FeedImport]):
    list_display = (
        "url", "anchor", "album", "status", "episode_count", "last_synced_at", "resync", "message",
    )  # fmt: skip
    list_filter = ("status", "resync", "last_synced_at", "created_at")
    list_select_related = ("anchor", "album")
    search_fields = ("url", "anchor__display_name", "album__title")
    date_hierarchy = "created_at"
    inlines = (ImportedEpisodeInline,)


@admin.register(ImportedEpisode)
class ImportedEpisodeAdmin(ReadOnlyAdmin[ImportedEpisode]):
    list_display = ("guid", "feed_import", "status", "published_at", "track", "message")
    list_filter = ("status", "published_at", "created_at")
    list_select_related = ("feed_import", "track")
    search_fields = ("guid", "enclosure_url", "track__title", "feed_import__url")
    date_hierarchy = "created_at"
