"""The caller's library: liked tracks, listen later, followed anchors, subscribed albums, resume
points and notifications. PUT adds, DELETE removes; both are safe to repeat."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Query, Router, UploadedFile

from ting.api import auth, present, selectors, services
from ting.api.errors import ErrorOut
from ting.api.models import Scope
from ting.api.schemas import (
    CountOut,
    DoneOut,
    FollowPage,
    NotificationOut,
    NotificationPage,
    OpmlImportOut,
    SavedTrackPage,
    SubscriptionPage,
)
from ting.catalog import selectors as catalog
from ting.catalog.models import Anchor
from ting.feeds import opml
from ting.social import selectors as social
from ting.social.services import library, notifications

router = Router(tags=["library"])
ERRORS: dict[int, Any] = {
    400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut,
}  # fmt: skip
READ, WRITE = auth.scoped(Scope.READ), auth.scoped(Scope.WRITE)
Page = Query[selectors.PageParams]


@router.get("/me/likes", response={200: SavedTrackPage, **ERRORS}, auth=READ)
def list_likes(request: HttpRequest, params: Page) -> dict[str, Any]:
    """Tracks the caller liked, most recent first."""
    rows, cursor = selectors.liked_tracks(user=auth.user_of(request), page=params)
    return {
        "items": [present.saved_track(r.track, r.created_at) for r in rows],
        "next_cursor": cursor,
    }


@router.put("/me/likes/{track_id}", response={200: DoneOut, **ERRORS}, auth=WRITE)
def like_track(request: HttpRequest, track_id: int) -> dict[str, Any]:
    user = auth.user_of(request)
    library.track_like(user=user, track=catalog.track_get_visible(track_id=track_id, user=user))
    return {"ok": True}


@router.delete("/me/likes/{track_id}", response={200: DoneOut, **ERRORS}, auth=WRITE)
def unlike_track(request: HttpRequest, track_id: int) -> dict[str, Any]:
    user = auth.user_of(request)
    library.track_unlike(user=user, track=catalog.track_get_visible(track_id=track_id, user=user))
    return {"ok": True}


@router.get("/me/later", response={200: SavedTrackPage, **ERRORS}, auth=READ)
def list_later(request: HttpRequest, params: Page) -> dict[str, Any]:
    """Tracks saved to listen later, most recent first."""
    rows, cursor = selectors.later_tracks(user=auth.user_of(request), page=params)
    return {
        "items": [present.saved_track(r.track, r.created_at) for r in rows],
        "next_cursor": cursor,
    }


@router.put("/me/later/{track_id}", response={200: DoneOut, **ERRORS}, auth=WRITE)
def add_later(request: HttpRequest, track_id: int) -> dict[str, Any]:
    user = auth.user_of(request)
    library.later_add(user=user, track=catalog.track_get_visible(track_id=track_id, user=user))
    return {"ok": True}


@router.delete("/me/later/{track_id}", response={200: DoneOut, **ERRORS}, auth=WRITE)
def remove_later(request: HttpRequest, track_id: int) -> dict[str, Any]:
    user = auth.user_of(request)
    library.later_remove(user=user, track=catalog.track_get_visible(track_id=track_id, user=user))
    return {"ok": True}


@router.get("/me/follows", response={200: FollowPage, **ERRORS}, auth=READ)
def list_follows(request: HttpRequest, params: Page) -> dict[str, Any]:
    """Anchors the caller follows, most recent first."""
    rows, cursor = selectors.follows(user=auth.user_of(request), page=params)
    items = [
        {"anchor": {"id": f.anchor.pk, "display_name": f.anchor.display_name},
         "followed_at": f.created_at}
        for f in rows
    ]  # fmt: skip
    return {"items": items, "next_cursor": cursor}


@router.put("/me/follows/{anchor_id}", response={200: DoneOut, **ERRORS}, auth=WRITE)
def follow_anchor(request: HttpRequest, anchor_id: int) -> dict[str, Any]:
    library.anchor_follow(
        user=auth.user_of(request), anchor=catalog.anchor_get(anchor_id=anchor_id)
    )
    return {"ok": True}


@router.delete("/me/follows/{anchor_id}", response={200: DoneOut, **ERRORS}, auth=WRITE)
def unfollow_anchor(request: HttpRequest, anchor_id: int) -> dict[str, Any]:
    library.anchor_unfollow(
        user=auth.user_of(request), anchor=catalog.anchor_get(anchor_id=anchor_id)
    )
    return {"ok": True}


@router.get("/me/subscriptions", response={200: SubscriptionPage, **ERRORS}, auth=READ)
def list_subscriptions(request: HttpRequest, params: Page) -> dict[str, Any]:
    """Subscribed albums, most recent first, each with how many tracks are new to the caller."""
    rows, cursor = selectors.subscriptions(user=auth.user_of(request), page=params)
    items = [
        {"album": present.album_brief(s.album), "new_count": s.new_count,  # type: ignore[attr-defined]
         "subscribed_at": s.created_at}
        for s in rows
    ]  # fmt: skip
    return {"items": items, "next_cursor": cursor}


@router.put("/me/subscriptions/{album_id}", response={200: DoneOut, **ERRORS}, auth=WRITE)
def subscribe(request: HttpRequest, album_id: int) -> dict[str, Any]:
    user = auth.user_of(request)
    album = catalog.album_get_visible(album_id=album_id, user=user)
    library.album_subscribe(user=user, album=album)
    return {"ok": True}


@router.delete("/me/subscriptions/{album_id}", response={200: DoneOut, **ERRORS}, auth=WRITE)
def unsubscribe(request: HttpRequest, album_id: int) -> dict[str, Any]:
    user = auth.user_of(request)
    album = catalog.album_get_visible(album_id=album_id, user=user)
    library.album_unsubscribe(user=user, album=album)
    return {"ok": True}


@router.post("/me/subscriptions/{album_id}/seen", response={200: DoneOut, **ERRORS}, auth=WRITE)
def mark_subscription_seen(request: HttpRequest, album_id: int) -> dict[str, Any]:
    """The caller opened the album: what is out now no longer counts as new."""
    user = auth.user_of(request)
    album = catalog.album_get_visible(album_id=album_id, user=user)
    library.subscription_seen(user=user, album=album)
    return {"ok": True}


@router.get("/me/notifications", response={200: NotificationPage, **ERRORS}, auth=READ)
def list_notifications(request: HttpRequest, params: Page) -> dict[str, Any]:
    """Newest first, with the number still unread."""
    user = auth.user_of(request)
    rows, cursor = selectors.notifications(user=user, page=params)
    return {
        "items": [present.notification(n) for n in rows],
        "unread": social.unread_count(user=user),
        "next_cursor": cursor,
    }


@router.post(
    "/me/notifications/{notification_id}/read",
    response={200: NotificationOut, **ERRORS},
    auth=WRITE,
)
def read_notification(request: HttpRequest, notification_id: int) -> dict[str, Any]:
    found = notifications.notification_open(
        user=auth.user_of(request), notification_id=notification_id
    )
    if found is None:
        raise Http404
    found.read_at = found.read_at or timezone.now()
    return present.notification(found)


@router.post("/me/notifications/read", response={200: CountOut, **ERRORS}, auth=WRITE)
def read_all_notifications(request: HttpRequest) -> dict[str, Any]:
    """Mark every notification read; answers how many were unread."""
    return {"count": notifications.notifications_mark_all_read(user=auth.user_of(request))}


OPML_CONTENT = {"text/x-opml": {"schema": {"type": "string"}}}


@router.get(
    "/me/opml",
    response={401: ErrorOut, 403: ErrorOut, 429: ErrorOut},
    auth=READ,
    openapi_extra={"responses": {200: {"description": "OPML 2.0", "content": OPML_CONTENT}}},
)
def export_subscriptions(request: HttpRequest) -> HttpResponse:
    """The caller's subscriptions as OPML, for any podcast app (albums with a public feed)."""
    body = services.subscriptions_export(
        user=auth.user_of(request), absolute=request.build_absolute_uri
    )
    response = HttpResponse(body, content_type="text/x-opml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ting-subscriptions.opml"'
    return response


@router.post("/me/opml", response={200: OpmlImportOut, **ERRORS}, auth=WRITE)
def import_subscriptions(request: HttpRequest, file: File[UploadedFile]) -> dict[str, Any]:
    """Subscribe to the Ting albums an OPML file (from any podcast app) lists; say what became
    of the others. At most 2 MB and 2,000 entries; files with a DTD are refused."""
    user = auth.user_of(request)
    data = file.read(opml.MAX_OPML_BYTES + 1)  # one byte over is enough to refuse it
    result = services.subscriptions_import(
        user=user, data=data, hosts=services.site_hosts(request.get_host())
    )
    return present.opml_import(result, may_import=Anchor.objects.filter(user=user).exists())
