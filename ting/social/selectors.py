"""Social reads. Lists use keyset cursors or a fixed number of queries per page."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import Coalesce, Greatest, RowNumber
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ting.accounts.models import User
from ting.catalog.models import Album, Anchor, Track, Visibility
from ting.playback.models import ListeningPosition
from ting.social.models import (
    Comment,
    CommentLike,
    CommentReport,
    Follow,
    ListenLater,
    Notification,
    Subscription,
    TrackLike,
)

if TYPE_CHECKING:
    pass

SORTS = ("new", "top")
REPLY_PREVIEW = 2  # as Ximalaya shows under a comment
COMMENT_PAGE_SIZE = 20


# --- cursors -----------------------------------------------------------------------------------


def _encode_cursor(sort: str, comment: Comment) -> str:
    key: Any = comment.like_count if sort == "top" else comment.created_at.isoformat()
    raw = json.dumps([key, comment.pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(sort: str, cursor: str | None) -> tuple[Any, int] | None:
    """The (sort key, id) a page continues after; a damaged cursor starts from the top."""
    if not cursor:
        return None
    try:
        key, pk = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        pk = int(pk)
        if sort == "top":
            return int(key), pk
        moment = parse_datetime(str(key))
        return (moment, pk) if moment is not None else None
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        return None


# --- comments ----------------------------------------------------------------------------------


@dataclass
class CommentPage:
    pinned: list[Comment]
    comments: list[Comment]
    next_cursor: str | None
    sort: str
    liked_ids: set[int] = field(default_factory=set)


def _with_authors(comments: QuerySet[Comment]) -> QuerySet[Comment]:
    return comments.select_related("author", "author__anchor")


def _top_level(*, track: Track | None, album: Album | None) -> QuerySet[Comment]:
    target = Q(track=track) if track is not None else Q(album=album)
    return Comment.objects.filter(target, parent__isnull=True, status=Comment.Status.VISIBLE)


def comment_page(
    *,
    track: Track | None = None,
    album: Album | None = None,
    user: User | None,
    sort: str | None = None,
    cursor: str | None = None,
    per_page: int = COMMENT_PAGE_SIZE,
) -> CommentPage:
    """One page of top-level comments with their first replies.

    Queries: pinned then the page (the first page), or the cursor's ties then the rest (later
    pages); the page's reply previews; the viewer's likes among them when signed in. The same
    count for 3 comments or 3 million, and each list query is one index seek.
    """
    sort = sort if sort in SORTS else "new"
    after = _decode_cursor(sort, cursor)
    keys = ("-like_count", "-id") if sort == "top" else ("-created_at", "-id")
    pinned: list[Comment] = []
    if after is None:
        pinned = list(
            _with_authors(
                _top_level(track=track, album=album).filter(pinned_at__isnull=False)
            ).order_by("-pinned_at")[:3]
        )
    comments = _with_authors(_top_level(track=track, album=album).filter(pinned_at__isnull=True))
    if after is None:
        rows = list(comments.order_by(*keys)[: per_page + 1])
    else:
        # Two index seeks instead of one `(key, id) < (k, i)`: SQLite ranges a row value on its
        # first column only, so a page deep inside a run of equal keys (most comments have 0
        # likes) would step over every row of the run before it. Ties first, then the rest.
        field = "like_count" if sort == "top" else "created_at"
        key, last_id = after
        rows = list(comments.filter(**{field: key}, id__lt=last_id).order_by("-id")[: per_page + 1])
        if len(rows) <= per_page:
            rest = comments.filter(**{f"{field}__lt": key}).order_by(*keys)
            rows += list(rest[: per_page + 1 - len(rows)])
    next_cursor = _encode_cursor(sort, rows[per_page - 1]) if len(rows) > per_page else None
    page = CommentPage(pinned=pinned, comments=rows[:per_page], next_cursor=next_cursor, sort=sort)
    _attach_replies([*page.pinned, *page.comments])
    if user is not None:
        page.liked_ids = _liked_ids(user, [*page.pinned, *page.comments])
    return page


def _attach_replies(comments: list[Comment]) -> None:
    """Each comment's first replies as `preview_replies`, in one query for the whole page."""
    with_replies = [c.pk for c in comments if c.reply_count]
    by_parent: dict[int, list[Comment]] = {}
    if with_replies:
        rank = Window(RowNumber(), partition_by=F("parent_id"), order_by=[F("created_at"), F("id")])
        replies = (
            _with_authors(
                Comment.objects.filter(parent_id__in=with_replies, status=Comment.Status.VISIBLE)
            )
            .annotate(rank=rank)
            .filter(rank__lte=REPLY_PREVIEW)
            .order_by("created_at", "id")
        )
        for reply in replies:
            by_parent.setdefault(reply.parent_id or 0, []).append(reply)
    for comment in comments:
        comment.preview_replies = by_parent.get(comment.pk, [])  # type: ignore[attr-defined]


def _liked_ids(user: User, comments: list[Comment]) -> set[int]:
    ids = [c.pk for c in comments]
    for c in comments:
        ids.extend(r.pk for r in getattr(c, "preview_replies", []))
    if not ids:
        return set()
    return set(
        CommentLike.objects.filter(user=user, comment_id__in=ids).values_list(
            "comment_id", flat=True
        )
    )


def replies_page(
    *, parent: Comment, user: User | None, after: int | None = None, per_page: int = 50
) -> tuple[list[Comment], int | None, set[int]]:
    """Replies oldest first after reply id `after`; (replies, next id, ids the viewer liked)."""
    replies = Comment.objects.filter(parent=parent, status=Comment.Status.VISIBLE)
    if after is not None:
        last = Comment.objects.filter(pk=after, parent=parent).values("created_at").first()
        if last is not None:
            at = last["created_at"]
            replies = replies.filter(Q(created_at__gt=at) | Q(created_at=at, id__gt=after))
    rows = list(_with_authors(replies).order_by("created_at", "id")[: per_page + 1])
    next_after = rows[per_page - 1].pk if len(rows) > per_page else None
    rows = rows[:per_page]
    liked = _liked_ids(user, rows) if user is not None else set()
    return rows, next_after, liked


def comment_get(*, comment_id: int, user: User | None) -> Comment:
    """A comment whose track or album this person may see; anything else is a 404."""
    comment = (
        Comment.objects.select_related(
            "author", "author__anchor", "parent", "track__album__anchor", "album__anchor"
        )
        .filter(pk=comment_id)
        .first()
    )
    if comment is None:
        raise Http404
    if comment.track is not None:
        visible = Track.objects.visible_to(user).filter(comments=comment).exists()
    else:
        visible = Album.objects.visible_to(user).filter(comments=comment).exists()
    if not visible:
        raise Http404
    return comment


# --- the listener's library ----------------------------------------------------------------------


def _page(queryset: QuerySet[Any], page: str | None) -> Page[Any]:
    return Paginator(queryset, settings.TING_PAGE_SIZE).get_page(page)


def liked_tracks(*, user: User, page: str | None) -> Page[TrackLike]:
    likes = TrackLike.objects.filter(user=user).select_related("track__album__anchor")
    return _page(likes.order_by("-created_at", "-pk"), page)


def later_tracks(*, user: User, page: str | None) -> Page[ListenLater]:
    later = ListenLater.objects.filter(user=user).select_related("track__album__anchor")
    return _page(later.order_by("-created_at", "-pk"), page)


def followed_anchors(*, user: User, page: str | None) -> Page[Follow]:
    follows = Follow.objects.filter(user=user).select_related("anchor")
    return _page(follows.order_by("-created_at", "-pk"), page)


def subscriptions_with_news(*, user: User, page: str | None) -> Page[Subscription]:
    """Subscriptions with `new_count`: tracks out since the listener last opened or played it."""
    rows = subscription_rows(user=user)
    # new_count is annotated in subscription_rows; the stubs cannot see across the call.
    return _page(rows.order_by("-new_count", "-created_at", "-pk"), page)  # type: ignore[misc]


def subscription_rows(*, user: User) -> QuerySet[Subscription]:
    """The listener's subscriptions, unordered, each annotated with `new_count` (one query)."""
    now = timezone.now()
    last_played = (
        ListeningPosition.objects.filter(user=user, track__album=OuterRef("album"))
        .order_by("-updated_at")
        .values("updated_at")[:1]
    )
    new_tracks = (
        Track.objects.filter(
            album=OuterRef("album"),
            status=Track.Status.PUBLISHED,
            published_at__lte=now,
            published_at__gt=OuterRef("seen_at"),
        )
        .exclude(visibility=Visibility.PRIVATE)
        .order_by()
        .values("album")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Subscription.objects.filter(user=user)
        .select_related("album__anchor")
        .annotate(
            seen_at=Greatest(F("last_seen_at"), Coalesce(Subquery(last_played), F("last_seen_at")))
        )
        .annotate(new_count=Coalesce(Subquery(new_tracks), 0))
    )


def history(*, user: User, page: str | None) -> Page[ListeningPosition]:
    positions = ListeningPosition.objects.filter(user=user).select_related("track__album")
    return _page(positions.order_by("-updated_at", "-pk"), page)


def continue_listening(*, user: User, limit: int = 8) -> list[ListeningPosition]:
    """Unfinished tracks the listener started, newest first, that they may still play."""
    positions = (
        ListeningPosition.objects.filter(user=user, finished=False, position__gt=0)
        .filter(track__in=Track.objects.visible_to(user))
        .select_related("track__album")
        .order_by("-updated_at", "-pk")[:limit]
    )
    rows = list(positions)
    for row in rows:
        duration = row.track.duration or 0
        row.percent = min(100, round(100 * row.position / duration)) if duration else 0  # type: ignore[attr-defined]
    return rows


def notifications(*, user: User, page: str | None) -> Page[Notification]:
    rows = Notification.objects.filter(user=user).select_related(
        "track", "actor", "comment", "comment__track"
    )
    return _page(rows.order_by("-created_at", "-pk"), page)


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


@dataclass(frozen=True)
class TrackState:
    liked: bool
    later: bool


def track_state(*, user: User, track: Track) -> TrackState:
    """Whether the listener liked the track and saved it for later, in one query."""
    flags = (
        Track.objects.filter(pk=track.pk)
        .annotate(
            liked=Exists(TrackLike.objects.filter(user=user, track=OuterRef("pk"))),
            later=Exists(ListenLater.objects.filter(user=user, track=OuterRef("pk"))),
        )
        .values("liked", "later")
        .first()
    )
    if flags is None:
        return TrackState(liked=False, later=False)
    return TrackState(liked=bool(flags["liked"]), later=bool(flags["later"]))


def is_following(*, user: User, anchor: Anchor) -> bool:
    return Follow.objects.filter(user=user, anchor=anchor).exists()


def subscription_for(*, user: User, album: Album) -> Subscription | None:
    return Subscription.objects.filter(user=user, album=album).first()


# --- moderation ----------------------------------------------------------------------------------


def moderation_queue(*, limit: int = 50) -> list[Comment]:
    """Comments with open reports or held for review, oldest concern first, with their context."""
    open_reports = CommentReport.objects.filter(resolved_at__isnull=True)
    comments = (
        Comment.objects.filter(
            Q(status=Comment.Status.HELD)
            | Q(pk__in=open_reports.values("comment_id"), status=Comment.Status.VISIBLE)
        )
        .select_related("author", "track__album__anchor", "album__anchor")
        .annotate(open_reports=Count("reports", filter=Q(reports__resolved_at__isnull=True)))
        .order_by("created_at", "pk")[:limit]
    )
    rows: list[Comment] = list(comments)
    reports: dict[int, list[CommentReport]] = {}
    for report in open_reports.filter(comment__in=rows).select_related("reporter"):
        reports.setdefault(report.comment_id, []).append(report)
    for row in rows:
        row.open_report_list = reports.get(row.pk, [])  # type: ignore[attr-defined]
    return rows
