"""API reads: the catalog's and playback's selectors, cut into keyset pages."""

from __future__ import annotations

from typing import Any, Literal

from django.db.models import QuerySet
from django.http import Http404
from ninja import Schema
from pydantic import Field

from ting.accounts.models import User
from ting.api import present
from ting.api.pagination import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    InvalidCursor,
    decode,
    encode,
    keyset_page,
)
from ting.catalog import selectors as catalog
from ting.catalog.models import Album, Anchor, Category, Track, Visibility
from ting.discovery.search import query as search_query
from ting.playback import selectors as playback
from ting.playback.models import ListeningPosition
from ting.social import rules
from ting.social import selectors as social
from ting.social.models import (
    Comment,
    Follow,
    ListenLater,
    Notification,
    Subscription,
    TrackLike,
)
from ting.social.presenters import prepare
from ting.social.targets import Target
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


def _int_cursor(cursor: str) -> int:
    value = decode(cursor, 1)[0]
    if not isinstance(value, int) or value < 1:
        raise InvalidCursor()
    return value


# --- comments ---------------------------------------------------------------------------------


def comment_target(*, track_id: int | None, album_id: int | None, user: User | None) -> Target:
    """The track or album comments hang on, if the caller may see it (else a 404)."""
    if track_id is not None:
        track = catalog.track_get_visible(track_id=track_id, user=user)
        return Target(track=track, album=None)
    return Target(track=None, album=catalog.album_get_visible(album_id=album_id or 0, user=user))


def comments(
    *, target: Target, user: User | None, sort: str, cursor: str | None, limit: int
) -> social.CommentPage:
    page = social.comment_page(
        track=target.track, album=target.album, user=user, sort=sort, cursor=cursor,
        per_page=limit,
    )  # fmt: skip
    prepare([*page.pinned, *page.comments], target, page.liked_ids)
    return page


def replies(
    *, comment_id: int, user: User | None, cursor: str | None, limit: int
) -> tuple[list[Comment], str | None]:
    parent = social.comment_get(comment_id=comment_id, user=user)
    after = _int_cursor(cursor) if cursor else None
    rows, next_after, liked = social.replies_page(
        parent=parent, user=user, after=after, per_page=limit
    )
    prepare(rows, Target.of(parent), liked)
    return rows, encode([next_after]) if next_after is not None else None


def comment_for_action(*, comment_id: int, user: User) -> Comment:
    """A comment the caller may act on: visible, or theirs to delete (else a 404)."""
    comment = social.comment_get(comment_id=comment_id, user=user)
    if comment.status != Comment.Status.VISIBLE and not rules.may_delete(comment, user):
        raise Http404
    return comment


# --- the listener's library -------------------------------------------------------------------


def _saved(rows: QuerySet[Any], *, user: User, page: PageParams) -> tuple[list[Any], str | None]:
    rows = rows.filter(user=user, track__in=Track.objects.visible_to(user)).select_related(
        "track__album__anchor"
    )
    return keyset_page(rows, order=("-created_at", "-pk"), cursor=page.cursor, limit=page.limit)


def liked_tracks(*, user: User, page: PageParams) -> tuple[list[TrackLike], str | None]:
    return _saved(TrackLike.objects.all(), user=user, page=page)


def later_tracks(*, user: User, page: PageParams) -> tuple[list[ListenLater], str | None]:
    return _saved(ListenLater.objects.all(), user=user, page=page)


def follows(*, user: User, page: PageParams) -> tuple[list[Follow], str | None]:
    rows = Follow.objects.filter(user=user).select_related("anchor")
    return keyset_page(rows, order=("-created_at", "-pk"), cursor=page.cursor, limit=page.limit)


def subscriptions(*, user: User, page: PageParams) -> tuple[list[Subscription], str | None]:
    """Newest subscription first; `new_count` on each (a stable order that cursors can walk)."""
    rows = social.subscription_rows(user=user).filter(album__in=Album.objects.visible_to(user))
    return keyset_page(rows, order=("-created_at", "-pk"), cursor=page.cursor, limit=page.limit)


def resume_point(*, user: User, track_id: int) -> dict[str, Any]:
    track = catalog.track_get_visible(track_id=track_id, user=user)
    row = ListeningPosition.objects.filter(user=user, track=track).first()
    return {
        "track_id": track.pk,
        "position": row.position if row else 0.0,
        "finished": row.finished if row else False,
        "updated_at": row.updated_at if row else None,
    }


def notifications(*, user: User, page: PageParams) -> tuple[list[Notification], str | None]:
    rows = Notification.objects.filter(user=user)
    return keyset_page(rows, order=("-created_at", "-pk"), cursor=page.cursor, limit=page.limit)


# --- discovery --------------------------------------------------------------------------------


class SearchParams(Schema):
    q: str = Field(
        min_length=1, max_length=search_query.MAX_QUERY,
        description="Words in 简体 or 繁體 (both find both), pinyin or Latin.",
    )  # fmt: skip
    category: str | None = Field(None, max_length=50, description="A category slug.")
    duration: Literal["short", "medium", "long"] | None = None
    date: Literal["week", "month", "year"] | None = None
    sort: Literal["relevance", "newest", "popular"] = "relevance"
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


SEARCH_MAX_PAGE = 500


def search(*, params: SearchParams) -> tuple[search_query.Results, str | None]:
    """The search page's own backend; the cursor carries the page number (ranked results have
    no stable keyset)."""
    category_id: int | None = None
    if params.category:
        category_id = (
            Category.objects.filter(slug=params.category).values_list("pk", flat=True).first()
        )
        if category_id is None:
            raise Http404
    page = _int_cursor(params.cursor) if params.cursor else 1
    if not 1 <= page <= SEARCH_MAX_PAGE:
        raise InvalidCursor()
    filters = search_query.Filters(
        category=category_id, duration=params.duration, date=params.date, sort=params.sort
    )
    results = search_query.search(params.q.strip(), filters, page=page, per_page=params.limit)
    cursor = encode([page + 1]) if results.has_next and page < SEARCH_MAX_PAGE else None
    return results, cursor
