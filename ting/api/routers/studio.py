"""Studio operations for the caller's own albums: the studio's services, through tokens."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import timedelta
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.params import functions as param_functions
from pydantic import Field

from ting.api import auth, present, selectors, services
from ting.api.errors import ErrorOut
from ting.api.models import Scope
from ting.api.schemas import (
    AnalyticsOut,
    PublishIn,
    StudioAlbumIn,
    StudioAlbumOut,
    StudioAlbumPage,
    StudioAlbumPatch,
    StudioTrackOut,
    StudioTrackPage,
    StudioTrackPatch,
    UploadIn,
    UploadOut,
)
from ting.media import uploads
from ting.stats import selectors as stats
from ting.studio import services as studio

router = Router(tags=["studio"], auth=auth.scoped(Scope.STUDIO))
ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
    507: ErrorOut,
}
CHUNK_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


def _anchor(request: HttpRequest) -> Any:
    return auth.principal_of(request).anchor()


def _album_out(album: Any) -> dict[str, Any]:
    return present.studio_album(album, [t.name for t in album.tags.all()])


class DaysQuery(Schema):
    days: int = Field(28, ge=1, le=366)


@router.get("/studio/albums", response={200: StudioAlbumPage, **ERRORS})
def list_studio_albums(request: HttpRequest, params: Query[selectors.PageParams]) -> dict[str, Any]:
    """All of the caller's albums, drafts and private ones included; newest first."""
    albums, cursor = selectors.studio_albums(anchor=_anchor(request), page=params)
    return {"items": [_album_out(a) for a in albums], "next_cursor": cursor}


@router.post("/studio/albums", response={201: StudioAlbumOut, **ERRORS})
def create_album(request: HttpRequest, payload: StudioAlbumIn) -> Status[dict[str, Any]]:
    album = services.studio_album_create(anchor=_anchor(request), data=payload)
    return Status(201, _album_out(selectors.studio_album(anchor=album.anchor, album_id=album.pk)))


@router.get("/studio/albums/{album_id}", response={200: StudioAlbumOut, **ERRORS})
def get_studio_album(request: HttpRequest, album_id: int) -> dict[str, Any]:
    return _album_out(selectors.studio_album(anchor=_anchor(request), album_id=album_id))


@router.patch("/studio/albums/{album_id}", response={200: StudioAlbumOut, **ERRORS})
def update_album(request: HttpRequest, album_id: int, payload: StudioAlbumPatch) -> dict[str, Any]:
    """Change the fields sent; the others keep their values."""
    album = selectors.studio_album(anchor=_anchor(request), album_id=album_id)
    services.studio_album_update(album=album, data=payload)
    return _album_out(selectors.studio_album(anchor=album.anchor, album_id=album.pk))


@router.get("/studio/albums/{album_id}/tracks", response={200: StudioTrackPage, **ERRORS})
def list_studio_tracks(
    request: HttpRequest, album_id: int, params: Query[selectors.PageParams]
) -> dict[str, Any]:
    tracks, cursor = selectors.studio_tracks(
        anchor=_anchor(request), album_id=album_id, page=params
    )
    return {"items": [present.studio_track(t) for t in tracks], "next_cursor": cursor}


@router.patch("/studio/tracks/{track_id}", response={200: StudioTrackOut, **ERRORS})
def update_track(request: HttpRequest, track_id: int, payload: StudioTrackPatch) -> dict[str, Any]:
    track = selectors.studio_track(anchor=_anchor(request), track_id=track_id)
    return present.studio_track(services.studio_track_update(track=track, data=payload))


@router.post("/studio/tracks/{track_id}/publish", response={200: StudioTrackOut, **ERRORS})
def publish_track(request: HttpRequest, track_id: int, payload: PublishIn) -> dict[str, Any]:
    """Publish a ready track now, or schedule it for `at`."""
    track = selectors.studio_track(anchor=_anchor(request), track_id=track_id)
    return present.studio_track(studio.track_publish_or_schedule(track=track, at=payload.at))


@router.post("/studio/uploads", response={201: UploadOut, **ERRORS})
def create_upload(request: HttpRequest, payload: UploadIn) -> Status[dict[str, Any]]:
    """Reserve room for a file; then PATCH its bytes in chunks (resumable)."""
    anchor = _anchor(request)
    album = selectors.studio_album(anchor=anchor, album_id=payload.album_id)
    upload = uploads.upload_create(
        anchor=anchor,
        album=album,
        filename=payload.filename,
        size=payload.size,
        last_modified=payload.last_modified,
    )
    return Status(201, present.upload(upload))


@router.get("/studio/uploads/{upload_id}", response={200: UploadOut, **ERRORS})
def get_upload(request: HttpRequest, upload_id: uuid.UUID) -> dict[str, Any]:
    """Where an upload stands: continue from `offset`."""
    return present.upload(uploads.upload_get(upload_id=upload_id, anchor=_anchor(request)))


@router.patch(
    "/studio/uploads/{upload_id}", response={200: UploadOut, **ERRORS}, openapi_extra=CHUNK_BODY
)
def append_upload(
    request: HttpRequest,
    upload_id: uuid.UUID,
    upload_offset: Annotated[int, param_functions.Header(alias="Upload-Offset", ge=0)],
) -> dict[str, Any]:
    """Send the next chunk (raw bytes) at `Upload-Offset`; the last one starts processing."""
    upload = uploads.upload_get(upload_id=upload_id, anchor=_anchor(request))
    length = int(request.META.get("CONTENT_LENGTH") or 0) or None
    return present.upload(
        uploads.upload_append(upload=upload, offset=upload_offset, body=request, length=length)
    )


@router.delete("/studio/uploads/{upload_id}", response={204: None, **ERRORS})
def cancel_upload(request: HttpRequest, upload_id: uuid.UUID) -> HttpResponse:
    uploads.upload_cancel(upload=uploads.upload_get(upload_id=upload_id, anchor=_anchor(request)))
    return HttpResponse(status=204)


@router.get("/studio/analytics", response={200: AnalyticsOut, **ERRORS})
def get_analytics(request: HttpRequest, params: Query[DaysQuery]) -> dict[str, Any]:
    """Downloads (IAB), plays, listeners and completions of all the caller's tracks, per day."""
    end = timezone.localdate()
    period = stats.Period(start=end - timedelta(days=params.days - 1), end=end)
    totals = stats.daily_totals(scope=stats.anchor_scope(user=auth.user_of(request)), period=period)
    return {
        "start": period.start,
        "end": period.end,
        "downloads": totals.downloads,
        "plays": totals.plays,
        "listeners": totals.listeners,
        "completions": totals.completions,
        "days": [asdict(day) for day in totals.days],
    }
