"""The caller's own listening: who they are, their history and resume positions."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from ting.api import auth, present, selectors
from ting.api.errors import ErrorOut
from ting.api.models import Scope
from ting.api.schemas import MeOut, PositionIn, PositionOut, PositionPage, ResumeOut
from ting.catalog import selectors as catalog
from ting.catalog.models import Anchor
from ting.playback import services as playback
from ting.playback.models import ListeningPosition

router = Router(tags=["me"])
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}


@router.get("/me", response={200: MeOut, **ERRORS}, auth=auth.scoped(Scope.READ))
def get_me(request: HttpRequest) -> dict[str, Any]:
    """Who the token or session belongs to, and what it may do."""
    user, principal = auth.user_of(request), auth.principal_of(request)
    anchor_id = Anchor.objects.filter(user=user).values_list("pk", flat=True).first()
    return {
        "id": user.pk,
        "username": user.username,
        "anchor_id": anchor_id,
        "scopes": sorted(principal.scopes),
    }


@router.get("/me/history", response={200: PositionPage, **ERRORS}, auth=auth.scoped(Scope.READ))
def list_history(request: HttpRequest, params: Query[selectors.PageParams]) -> dict[str, Any]:
    """Tracks the caller listened to, with where they stopped; most recent first."""
    positions, cursor = selectors.history(user=auth.user_of(request), page=params)
    return {"items": [present.position(p) for p in positions], "next_cursor": cursor}


@router.get(
    "/me/positions/{track_id}", response={200: ResumeOut, **ERRORS}, auth=auth.scoped(Scope.READ)
)
def get_position(request: HttpRequest, track_id: int) -> dict[str, Any]:
    """Where the caller stopped in a track (0 when never played): resume from here."""
    return selectors.resume_point(user=auth.user_of(request), track_id=track_id)


@router.put(
    "/me/positions/{track_id}", response={200: PositionOut, **ERRORS}, auth=auth.scoped(Scope.WRITE)
)
def put_position(request: HttpRequest, track_id: int, payload: PositionIn) -> dict[str, Any]:
    """Remember where the caller is in a track (resume on any device)."""
    user = auth.user_of(request)
    track = catalog.track_get_visible(track_id=track_id, user=user)
    playback.position_save(
        user=user, track=track, position=payload.position, finished=payload.finished
    )
    return present.position(
        ListeningPosition.objects.select_related("track").get(user=user, track=track)
    )
