"""The operator's view of discovery: the index, its watermarks, the query log and neighbours.

All of it is derived (the index service, the neighbours task, the search box write it), so the
admin shows it read-only. A logged query may be deleted (say, to drop an offensive one from the
trending list), and neighbours may be (the next refresh rebuilds them).
"""

from __future__ import annotations

from django.contrib import admin

from ting.core.admin import ReadOnlyAdmin
from ting.discovery.models import (
    AlbumNeighbour,
    IndexWatermark,
    SearchDocument,
    SearchQuery,
    TrackNeighbour,
)


@admin.register(SearchDocument)
class SearchDocumentAdmin(ReadOnlyAdmin[SearchDocument]):
    list_display = ("kind", "object_id", "title", "features_ready", "indexed_at")
    list_filter = ("kind", "features_ready", "indexed_at")
    search_fields = ("=object_id", "title", "names")
    date_hierarchy = "indexed_at"
    ordering = ("kind", "object_id")


@admin.register(IndexWatermark)
class IndexWatermarkAdmin(ReadOnlyAdmin[IndexWatermark]):
    list_display = ("name", "value")
    search_fields = ("name",)


@admin.register(SearchQuery)
class SearchQueryAdmin(ReadOnlyAdmin[SearchQuery]):
    deletable = True
    # `client` is a daily-salted hash of the searcher: not shown.
    list_display = ("query", "at")
    list_filter = ("at",)
    search_fields = ("query",)
    exclude = ("client",)
    date_hierarchy = "at"
    ordering = ("-at",)


@admin.register(TrackNeighbour)
class TrackNeighbourAdmin(ReadOnlyAdmin[TrackNeighbour]):
    deletable = True
    list_display = ("track", "rank", "neighbour", "reason", "score", "via")
    list_filter = ("reason",)
    list_select_related = ("track", "neighbour")
    search_fields = ("track__title", "neighbour__title", "=track__id")
    ordering = ("track_id", "rank")


@admin.register(AlbumNeighbour)
class AlbumNeighbourAdmin(ReadOnlyAdmin[AlbumNeighbour]):
    deletable = True
    list_display = ("album", "rank", "neighbour", "reason", "score", "via")
    list_filter = ("reason",)
    list_select_related = ("album", "neighbour")
    search_fields = ("album__title", "neighbour__title", "=album__id")
    ordering = ("album_id", "rank")
