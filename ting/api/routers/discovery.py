"""Search (the search page's own backend), 熱搜 and 猜你喜歡."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from ting.api import auth, present, selectors
from ting.api.errors import ErrorOut
from ting.api.models import Scope
from ting.api.schemas import HotOut, RecommendationOut, SearchOut
from ting.discovery import selectors as discovery
from ting.discovery.search import query as search_query

router = Router(tags=["discovery"])
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}


class ShelfQuery(Schema):
    limit: int = Field(8, ge=1, le=30)


@router.get("/search", response={200: SearchOut, **ERRORS}, auth=auth.public())
def search(request: HttpRequest, params: Query[selectors.SearchParams]) -> dict[str, Any]:
    """Tracks (paged) and, on the first page, the best albums and anchors. 繁體 and 简体
    queries find the same things."""
    results, cursor = selectors.search(params=params)
    return {
        "query": results.query,
        "terms": [t.text for t in results.terms],
        "tracks": [
            {
                "track": present.track(hit.track),
                "album": present.album_brief(hit.track.album),
                "snippet": "".join(text for text, _marked in hit.snippet.parts),
            }
            for hit in results.tracks
        ],
        "albums": [present.album_brief(a) for a in results.albums],
        "anchors": [{"id": a.pk, "display_name": a.display_name} for a in results.anchors],
        "next_cursor": cursor,
    }


@router.get("/search/hot", response={200: HotOut, **ERRORS}, auth=auth.public())
def hot_searches(request: HttpRequest) -> dict[str, Any]:
    """熱搜: what several different people searched for this week."""
    return {"queries": search_query.hot_searches()}


@router.get(
    "/me/recommendations",
    response={200: list[RecommendationOut], **ERRORS},
    auth=auth.scoped(Scope.READ),
)
def recommendations(request: HttpRequest, params: Query[ShelfQuery]) -> list[dict[str, Any]]:
    """猜你喜歡: tracks for the caller, each with why it was picked."""
    shelf = discovery.personal_shelf(user=auth.user_of(request), limit=params.limit)
    return [
        {
            "track": present.track(item.track),
            "album": present.album_brief(item.track.album),
            "reason": str(item.reason),
        }
        for item in shelf
    ]
