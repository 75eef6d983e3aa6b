"""Comments on tracks and albums: read, post, reply, like, delete one's own, report."""

from __future__ import annotations

from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from pydantic import Field

from ting.api import auth, present, selectors
from ting.api.errors import ErrorOut
from ting.api.models import Scope
from ting.api.schemas import CommentIn, CommentPage, CommentPosted, DoneOut, ReplyPage, ReportIn
from ting.core.errors import ApplicationError
from ting.social import ratelimit
from ting.social.errors import RateLimited
from ting.social.models import Comment
from ting.social.presenters import prepare
from ting.social.services import comments as services
from ting.social.targets import Target

router = Router(tags=["comments"])
ERRORS: dict[int, Any] = {
    400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut,
    429: ErrorOut,
}  # fmt: skip
WRITE = auth.scoped(Scope.WRITE)


class CommentQuery(selectors.PageParams):
    sort: Literal["new", "top"] = Field("new", description="Newest first, or most liked.")


def _page(request: HttpRequest, target: Target, params: CommentQuery) -> dict[str, Any]:
    page = selectors.comments(
        target=target, user=auth.principal_of(request).user, sort=params.sort,
        cursor=params.cursor, limit=params.limit,
    )  # fmt: skip
    return {
        "pinned": [present.comment(c) for c in page.pinned],
        "items": [present.comment(c) for c in page.comments],
        "next_cursor": page.next_cursor,
    }


def _post(request: HttpRequest, target: Target, payload: CommentIn) -> Status[dict[str, Any]]:
    user = auth.user_of(request)
    # The site's own limit on commenting, per account: a token is no way around it.
    wait = ratelimit.hit(scope="comment-user", key=str(user.pk), limit=settings.TING_COMMENT_RATE)
    if wait is not None:
        raise RateLimited(
            _("You are commenting too fast. Please wait %(seconds)d seconds and try again.")
            % {"seconds": wait},
            retry_after=wait,
        )
    parent = None
    if payload.parent_id is not None:
        parent = Comment.objects.select_related("parent").filter(pk=payload.parent_id).first()
        if parent is None:
            raise ApplicationError(_("That comment is no longer there."), code="parent_gone")
    comment = services.comment_post(
        author=user, body=payload.body, track=target.track, album=target.album, parent=parent
    )
    prepare([comment], target, set())
    held = comment.status == Comment.Status.HELD
    return Status(201, {"comment": present.reply(comment), "held": held})


@router.get(
    "/tracks/{track_id}/comments", response={200: CommentPage, **ERRORS}, auth=auth.public()
)
def list_track_comments(
    request: HttpRequest, track_id: int, params: Query[CommentQuery]
) -> dict[str, Any]:
    """Top-level comments with their first replies; pinned ones come first on the first page."""
    user = auth.principal_of(request).user
    target = selectors.comment_target(track_id=track_id, album_id=None, user=user)
    return _page(request, target, params)


@router.post("/tracks/{track_id}/comments", response={201: CommentPosted, **ERRORS}, auth=WRITE)
def post_track_comment(
    request: HttpRequest, track_id: int, payload: CommentIn
) -> Status[dict[str, Any]]:
    """Comment on a track, or reply (`parent_id`). Timestamps like 03:15 become seek links."""
    user = auth.user_of(request)
    target = selectors.comment_target(track_id=track_id, album_id=None, user=user)
    return _post(request, target, payload)


@router.get(
    "/albums/{album_id}/comments", response={200: CommentPage, **ERRORS}, auth=auth.public()
)
def list_album_comments(
    request: HttpRequest, album_id: int, params: Query[CommentQuery]
) -> dict[str, Any]:
    user = auth.principal_of(request).user
    target = selectors.comment_target(track_id=None, album_id=album_id, user=user)
    return _page(request, target, params)


@router.post("/albums/{album_id}/comments", response={201: CommentPosted, **ERRORS}, auth=WRITE)
def post_album_comment(
    request: HttpRequest, album_id: int, payload: CommentIn
) -> Status[dict[str, Any]]:
    user = auth.user_of(request)
    target = selectors.comment_target(track_id=None, album_id=album_id, user=user)
    return _post(request, target, payload)


@router.get(
    "/comments/{comment_id}/replies", response={200: ReplyPage, **ERRORS}, auth=auth.public()
)
def list_replies(
    request: HttpRequest, comment_id: int, params: Query[selectors.PageParams]
) -> dict[str, Any]:
    """A comment's replies, oldest first."""
    rows, cursor = selectors.replies(
        comment_id=comment_id, user=auth.principal_of(request).user, cursor=params.cursor,
        limit=params.limit,
    )  # fmt: skip
    return {"items": [present.reply(r) for r in rows], "next_cursor": cursor}


@router.put("/comments/{comment_id}/like", response={200: DoneOut, **ERRORS}, auth=WRITE)
def like_comment(request: HttpRequest, comment_id: int) -> dict[str, Any]:
    """Like a comment; liking twice counts once."""
    user = auth.user_of(request)
    services.comment_like(
        comment=selectors.comment_for_action(comment_id=comment_id, user=user), user=user
    )
    return {"ok": True}


@router.delete("/comments/{comment_id}/like", response={200: DoneOut, **ERRORS}, auth=WRITE)
def unlike_comment(request: HttpRequest, comment_id: int) -> dict[str, Any]:
    user = auth.user_of(request)
    services.comment_unlike(
        comment=selectors.comment_for_action(comment_id=comment_id, user=user), user=user
    )
    return {"ok": True}


@router.delete("/comments/{comment_id}", response={200: DoneOut, **ERRORS}, auth=WRITE)
def delete_comment(request: HttpRequest, comment_id: int) -> dict[str, Any]:
    """Delete one's own comment (the anchor may delete any on their tracks)."""
    user = auth.user_of(request)
    services.comment_delete(
        comment=selectors.comment_for_action(comment_id=comment_id, user=user), by=user
    )
    return {"ok": True}


@router.post("/comments/{comment_id}/reports", response={200: DoneOut, **ERRORS}, auth=WRITE)
def report_comment(request: HttpRequest, comment_id: int, payload: ReportIn) -> dict[str, Any]:
    """Ask staff to look at a comment; reporting twice keeps the first report."""
    user = auth.user_of(request)
    services.comment_report(
        comment=selectors.comment_for_action(comment_id=comment_id, user=user),
        reporter=user, reason=payload.reason, note=payload.note,
    )  # fmt: skip
    return {"ok": True}
