"""Catalog reads: each returns what its page needs in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404

from ting.accounts.models import User
from ting.catalog.models import Album, Anchor, Category, Track, Visibility

TRACK_SORTS = {"asc": ("position", "pk"), "desc": ("-position", "-pk")}


def _viewer(user: User | None) -> User | None:
    return user if user is not None and user.is_authenticated else None


def category_list() -> list[Category]:
    return list(Category.objects.all())


def category_get(*, slug: str) -> Category:
    try:
        return Category.objects.get(slug=slug)
    except Category.DoesNotExist:
        raise Http404 from None


def album_list_newest(*, category: Category | None = None) -> QuerySet[Album]:
    albums = Album.objects.listed().select_related("anchor", "category")
    if category is not None:
        albums = albums.filter(category=category)
    return albums.order_by("-last_published_at", "-pk")


def album_list_popular(*, category: Category | None = None) -> QuerySet[Album]:
    return album_list_newest(category=category).order_by("-play_count", "-last_published_at")


def track_list_newest() -> QuerySet[Track]:
    return (
        Track.objects.listed()
        .select_related("album", "album__anchor")
        .order_by("-published_at", "-pk")
    )


def track_list_popular() -> QuerySet[Track]:
    return track_list_newest().order_by("-play_count", "-published_at")


@dataclass(frozen=True)
class HomePage:
    categories: list[Category]
    newest_albums: list[Album]
    popular_albums: list[Album]
    newest_tracks: list[Track]


def home_page() -> HomePage:
    return HomePage(
        categories=category_list(),
        newest_albums=list(album_list_newest()[:12]),
        popular_albums=list(album_list_popular()[:6]),
        newest_tracks=list(track_list_newest()[:10]),
    )


def album_get_visible(*, album_id: int, user: User | None) -> Album:
    """The album if this person may open it; drafts and private ones 404 like missing ones."""
    try:
        return (
            Album.objects.visible_to(_viewer(user))
            .select_related("anchor", "category")
            .get(pk=album_id)
        )
    except Album.DoesNotExist:
        raise Http404 from None


def album_tracks_page(
    *, album: Album, user: User | None, sort: str | None, page: int | str | None, per_page: int
) -> tuple[Page[Track], str]:
    """A page of the album's tracks that this person may see, in the album's or asked order."""
    order = sort if sort in TRACK_SORTS else album.track_order
    viewer = _viewer(user)
    tracks = Track.objects.filter(album=album)
    if viewer is None or album.anchor.user_id != viewer.pk:
        tracks = tracks.published().exclude(visibility=Visibility.PRIVATE)
    paginator = Paginator(tracks.order_by(*TRACK_SORTS[order]), per_page)
    return paginator.get_page(page), order


def anchor_get(*, anchor_id: int) -> Anchor:
    try:
        return Anchor.objects.select_related("user").get(pk=anchor_id)
    except Anchor.DoesNotExist:
        raise Http404 from None


def anchor_albums(*, anchor: Anchor, user: User | None) -> list[Album]:
    viewer = _viewer(user)
    if viewer is not None and anchor.user_id == viewer.pk:
        albums = Album.objects.filter(anchor=anchor)
    else:
        albums = Album.objects.listed().filter(anchor=anchor)
    return list(albums.select_related("anchor", "category").order_by("-last_published_at", "-pk"))


def anchor_tracks_page(*, anchor: Anchor, page: int | str | None, per_page: int) -> Page[Track]:
    tracks = (
        Track.objects.listed()
        .filter(album__anchor=anchor)
        .select_related("album")
        .order_by("-published_at", "-pk")
    )
    return Paginator(tracks, per_page).get_page(page)


def track_get_visible(*, track_id: int, user: User | None) -> Track:
    """The track if this person may open it; others get the same 404 as a missing track."""
    try:
        return (
            Track.objects.visible_to(_viewer(user))
            .select_related("album", "album__anchor", "album__category")
            .get(pk=track_id)
        )
    except Track.DoesNotExist:
        raise Http404 from None


def track_album_neighbours(*, track: Track, limit: int = 8) -> list[Track]:
    """Other listed tracks of the same album after this one, for the track page's album strip.

    `track` comes with its album: `listed()` would join the album again for its visibility.
    """
    if track.album.visibility != Visibility.PUBLIC:
        return []
    return list(
        Track.objects.published()
        .filter(album_id=track.album_id, visibility=Visibility.PUBLIC, position__gt=track.position)
        .defer("intro", "failure_reason")
        .order_by("position", "pk")[:limit]
    )
