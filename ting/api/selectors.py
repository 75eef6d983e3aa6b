"""API reads: the catalog's and playback's selectors, cut into keyset pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from ninja import Schema
from pydantic import Field

from ting.accounts.models import User
from ting.api import present
from ting.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, keyset_page
from ting.catalog import selectors as catalog
from ting.catalog.models import Album, Anchor, Category, Track, Visibility
from ting.playback import selectors as playback
from ting.playback.models import ListeningPosition
from ting.studio import selectors as studio_selectors


class PageParams(Schema):
    cursor: str | None = Field(
        None, max_length=500, description="From the last page's `next_cursor`."
    )
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


def albums_listed(*, category: str | None, page: PageParams) -> tuple[list[Album], str | None]:
    found: Category | None = None
    if category:
        found = Category.objects.filter(slug=category).first()
        if found is None:
            raise Http404
    albums = catalog.album_list_newest(category=found).filter(last_published_at__isnull=False)
    return keyset_page(
        albums, order=("-last_published_at", "-pk"), cursor=page.cursor, limit=page.limit
    )


def _tracks_visible_in(album: Album, user: User | None) -> QuerySet[Track]:
    tracks = Track.objects.filter(album=album)
    if user is None or album.anchor.user_id != user.pk:
        tracks = tracks.published().exclude(visibility=Visibility.PRIVATE)
    return tracks


def album_tracks(
    *, album_id: int, user: User | None, page: PageParams
) -> tuple[list[Track], str | None]:
    album = catalog.album_get_visible(album_id=album_id, user=user)
    return keyset_page(
        _tracks_visible_in(album, user),
        order=("position", "pk"),
        cursor=page.cursor,
        limit=page.limit,
    )


def track_detail(*, track_id: int, user: User | None) -> dict[str, Any]:
    track = catalog.track_get_visible(track_id=track_id, user=user)
    player = playback.player_data(track=track, user=user, next_track=None)
    return {
        **present.track(track),
        "album": present.album(track.album),
        "sources": [
            {"format": s["format"], "type": s["type"], "url": s["src"]} for s in player["sources"]
        ],
        "chapters": [c for c in player["chapters"] if isinstance(c, dict)],
    }


def anchor_albums(
    *, anchor_id: int, user: User | None, page: PageParams
) -> tuple[list[Album], str | None]:
    anchor = catalog.anchor_get(anchor_id=anchor_id)
    albums: QuerySet[Album]
    if user is not None and anchor.user_id == user.pk:
        albums = Album.objects.filter(anchor=anchor)
    else:
        albums = Album.objects.listed().filter(anchor=anchor)
    albums = albums.select_related("anchor", "category")
    return keyset_page(albums, order=("-pk",), cursor=page.cursor, limit=page.limit)


def history(*, user: User, page: PageParams) -> tuple[list[ListeningPosition], str | None]:
    """What the listener played, most recent first (tracks they may still open only)."""
    positions = ListeningPosition.objects.filter(
        user=user, track__in=Track.objects.visible_to(user)
    ).select_related("track")
    return keyset_page(
        positions, order=("-updated_at", "-pk"), cursor=page.cursor, limit=page.limit
    )


def studio_albums(*, anchor: Anchor, page: PageParams) -> tuple[list[Album], str | None]:
    albums = (
        Album.objects.filter(anchor=anchor)
        .select_related("anchor", "category")
        .prefetch_related("tags")
    )
    return keyset_page(albums, order=("-pk",), cursor=page.cursor, limit=page.limit)


def studio_album(*, anchor: Anchor, album_id: int) -> Album:
    """The anchor's own album (the studio's rule: anyone else's is a 404)."""
    return studio_selectors.album_get_owned(anchor=anchor, album_id=album_id)


def studio_tracks(
    *, anchor: Anchor, album_id: int, page: PageParams
) -> tuple[list[Track], str | None]:
    album = studio_album(anchor=anchor, album_id=album_id)
    return keyset_page(
        Track.objects.filter(album=album),
        order=("position", "pk"),
        cursor=page.cursor,
        limit=page.limit,
    )


def studio_track(*, anchor: Anchor, track_id: int) -> Track:
    try:
        return Track.objects.select_related("album").get(pk=track_id, album__anchor=anchor)
    except Track.DoesNotExist:
        raise Http404 from None
