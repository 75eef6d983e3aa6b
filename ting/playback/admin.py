"""The operator's view of where listeners stopped: looked at, never edited (the player writes)."""

from __future__ import annotations

from django.contrib import admin

from ting.core.admin import ReadOnlyAdmin
from ting.playback.models import ListeningPosition


@admin.register(ListeningPosition)
class ListeningPositionAdmin(ReadOnlyAdmin[ListeningPosition]):
    # Forgetting a position costs the listener only a resume point.
    deletable = True
    list_display = ("user", "track", "position", "finished", "updated_at")
    list_filter = ("finished", "updated_at")
    list_select_related = ("user", "track")
    search_fields = ("user__username", "track__title")
    date_hierarchy = "updated_at"
    raw_id_fields = ("user", "track")
