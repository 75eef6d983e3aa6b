"""Catalog reads: what anyone may see, and what the signed-in caller may see of their own."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from pydantic import Field

from ting.api import auth, present, selectors
from ting.api.errors import ErrorOut
from ting.api.schemas import AlbumOut, AlbumPage, AnchorOut, CategoryOut, TrackDetailOut, TrackPage
from ting.catalog import selectors as catalog

router = Router(tags=["catalog"], auth=auth.public())
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}


class PageQuery(selectors.PageParams):
    pass


class AlbumQuery(selectors.PageParams):
    category: str | None = Field(None, max_length=50, description="A category slug.")


@router.get("/categories", response={200: list[CategoryOut], **ERRORS})
def list_categories(request: HttpRequest) -> list[dict[str, Any]]:
    """Every category, in display order."""
    return [present.category(c) for c in catalog.category_list()]


@router.get("/albums", response={200: AlbumPage, **ERRORS})
def list_albums(request: HttpRequest, params: Query[AlbumQuery]) -> dict[str, Any]:
    """Listed albums (public, with a track out), newest first."""
    albums, cursor = selectors.albums_listed(category=params.category, page=params)
    return {"items": [present.album(a) for a in albums], "next_cursor": cursor}


@router.get("/albums/{album_id}", response={200: AlbumOut, **ERRORS})
def get_album(request: HttpRequest, album_id: int) -> dict[str, Any]:
    """An album the caller may open: public or unlisted, or their own."""
    return present.album(
        catalog.album_get_visible(album_id=album_id, user=auth.principal_of(request).user)
    )


@router.get("/albums/{album_id}/tracks", response={200: TrackPage, **ERRORS})
def list_album_tracks(
    request: HttpRequest, album_id: int, params: Query[PageQuery]
) -> dict[str, Any]:
    """The album's tracks the caller may see, in album order."""
    tracks, cursor = selectors.album_tracks(
        album_id=album_id, user=auth.principal_of(request).user, page=params
    )
    return {"items": [present.track(t) for t in tracks], "next_cursor": cursor}


@router.get("/tracks/{track_id}", response={200: TrackDetailOut, **ERRORS})
def get_track(request: HttpRequest, track_id: int) -> dict[str, Any]:
    """A track with its stream URLs (signed for unlisted ones) and chapters."""
    return selectors.track_detail(track_id=track_id, user=auth.principal_of(request).user)


@router.get("/anchors/{anchor_id}", response={200: AnchorOut, **ERRORS})
def get_anchor(request: HttpRequest, anchor_id: int) -> dict[str, Any]:
    return present.anchor(catalog.anchor_get(anchor_id=anchor_id))


@router.get("/anchors/{anchor_id}/albums", response={200: AlbumPage, **ERRORS})
def list_anchor_albums(
    request: HttpRequest, anchor_id: int, params: Query[PageQuery]
) -> dict[str, Any]:
    """The anchor's listed albums (all of them, for the anchor themself)."""
    albums, cursor = selectors.anchor_albums(
        anchor_id=anchor_id, user=auth.principal_of(request).user, page=params
    )
    return {"items": [present.album(a) for a in albums], "next_cursor": cursor}
