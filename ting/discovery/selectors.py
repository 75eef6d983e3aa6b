"""猜你喜歡 reads: each is one indexed lookup of precomputed rows (plus one cold-start query).

Every item carries a short reason, already translated: 同屬科技 ("Also in %(category)s"),
聽過 X 的人也在聽 ("People who listened to %(title)s also listen to this"), "Similar topic".
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ting.accounts.models import User
from ting.catalog.models import Album, Track, Visibility
from ting.core.cache import CATALOG, cache_version
from ting.discovery.models import AlbumNeighbour, Reason, TrackNeighbour
from ting.playback.access import is_public
from ting.playback.models import ListeningPosition

PER_ALBUM = 2
PER_ANCHOR = 2


@dataclass(frozen=True)
class RelatedTrack:
    track: Track
    reason: str


@dataclass(frozen=True)
class RelatedAlbum:
    album: Album
    reason: str


# How many of a category's newest tracks the cold-start fallback ranks by plays.
FALLBACK_POOL = 64
# The ranked pool is shared by every track of a category; plays move it slowly, and catalog
# writes bump CATALOG's version, so a minute of staleness is the most a reader can see.
FALLBACK_TTL = 60


def _listed(prefix: str) -> Q:
    return Q(
        **{
            f"{prefix}status": Track.Status.PUBLISHED,
            f"{prefix}published_at__lte": timezone.now(),
            f"{prefix}visibility": Visibility.PUBLIC,
            f"{prefix}album__visibility": Visibility.PUBLIC,
        }
    )


def _reason(reason: str, track: Track, via_title: str | None = None) -> str:
    category = track.album.category
    if reason == Reason.CO_LISTEN and via_title:
        return _("People who listened to %(title)s also listen to this") % {"title": via_title}
    if reason == Reason.ALBUM:
        return _("More from this album")
    if reason == Reason.CATEGORY and category is not None:
        return _("Also in %(category)s") % {"category": category.name}
    return _("Similar topic")


def _diverse(tracks: Iterable[Track], limit: int) -> list[Track]:
    albums: Counter[int] = Counter()
    anchors: Counter[int] = Counter()
    out: list[Track] = []
    for track in tracks:
        if albums[track.album_id] >= PER_ALBUM or anchors[track.album.anchor_id] >= PER_ANCHOR:
            continue
        albums[track.album_id] += 1
        anchors[track.album.anchor_id] += 1
        out.append(track)
        if len(out) == limit:
            break
    return out


def _not_finished(user: User | None, field: str) -> Q:
    if user is None:
        return Q()
    finished = ListeningPosition.objects.filter(user=user, track=OuterRef(field), finished=True)
    return ~Q(Exists(finished))


def _popular(*, exclude_ids: Iterable[int], category_ids: Iterable[int]) -> QuerySet[Track]:
    tracks = Track.objects.listed().exclude(pk__in=list(exclude_ids))
    categories = list(category_ids)
    if categories:
        tracks = tracks.filter(album__category_id__in=categories)
    return tracks.select_related("album", "album__anchor", "album__category").order_by(
        "-play_count", "-published_at"
    )


def related_tracks(*, track: Track, user: User | None, limit: int = 8) -> list[RelatedTrack]:
    """The track page's 猜你喜歡: one query; popular in its category until rows exist."""
    rows = list(
        TrackNeighbour.objects.filter(track=track)
        .filter(_listed("neighbour__"), _not_finished(user, "neighbour_id"))
        .select_related(
            "neighbour",
            "neighbour__album",
            "neighbour__album__anchor",
            "neighbour__album__category",
        )
        .order_by("rank")[: limit * 2]
    )
    if rows:
        picked = _diverse((row.neighbour for row in rows), limit)
        reasons = {row.neighbour_id: row.reason for row in rows}
        return [RelatedTrack(t, _reason(reasons[t.pk], t, track.title)) for t in picked]
    category_id = track.album.category_id
    in_category = [category_id] if category_id else []
    key = _pool_key(category_id)
    pool: list[tuple[int, int, int]] | None = cache.get(key)
    loaded: dict[int, Track] = {}
    if pool is None:
        # Ordering a whole category by plays sorts every track in it (70 ms at 100k tracks on
        # SQLite); the newest few dozen come straight off the (status, published_at) index, and
        # ranking those by plays keeps the popularity-with-freshness prior.
        recent = list(
            _popular(exclude_ids=[], category_ids=in_category).order_by("-published_at")[
                : FALLBACK_POOL + 1
            ]
        )
        recent.sort(key=lambda t: (t.play_count, t.published_at), reverse=True)
        pool = [(t.pk, t.album_id, t.album.anchor_id) for t in recent]
        cache.set(key, pool, FALLBACK_TTL)
        loaded = {t.pk: t for t in recent}
    # The pool is the same for every track of a category, so it is cached and only the few
    # tracks shown are loaded; they are filtered again, so a stale pool can only show fewer
    # tracks, never one that has since become private or that this listener finished.
    ids = _diverse_ids([row for row in pool if row[0] != track.pk][:FALLBACK_POOL], 2 * limit)
    if not loaded or user is not None:
        # By id alone, then listed-ness checked on the rows: with listed()'s conditions in the
        # query SQLite walks the (status, published_at) index over the whole catalog instead
        # (130 ms at 100k tracks).
        candidates = Track.objects.filter(pk__in=ids).select_related(
            "album", "album__anchor", "album__category"
        )
        if user is not None:
            candidates = candidates.filter(_not_finished(user, "pk"))
        loaded = {
            t.pk: t
            for t in candidates
            if is_public(t) and t.album.category_id == category_id and t.pk != track.pk
        }
    picked = _diverse((loaded[pk] for pk in ids if pk in loaded), limit)
    return [RelatedTrack(t, _reason(Reason.CATEGORY, t)) for t in picked]


def fallback_pool_ids(*, category_id: int | None) -> frozenset[int] | None:
    """The tracks in a category's cached cold-start ranking; None when none is cached."""
    pool: list[tuple[int, int, int]] | None = cache.get(_pool_key(category_id))
    return None if pool is None else frozenset(pk for pk, _album, _anchor in pool)


def _pool_key(category_id: int | None) -> str:
    return f"discovery:fallback-pool:{category_id or 0}:{cache_version(CATALOG)}"


def _diverse_ids(pool: Iterable[tuple[int, int, int]], limit: int) -> list[int]:
    """_diverse over (track id, album id, anchor id) rows, before any track is loaded."""
    albums: Counter[int] = Counter()
    anchors: Counter[int] = Counter()
    out: list[int] = []
    for pk, album_id, anchor_id in pool:
        if albums[album_id] >= PER_ALBUM or anchors[anchor_id] >= PER_ANCHOR:
            continue
        albums[album_id] += 1
        anchors[anchor_id] += 1
        out.append(pk)
        if len(out) == limit:
            break
    return out


def related_albums(*, album: Album, limit: int = 6) -> list[RelatedAlbum]:
    rows = (
        AlbumNeighbour.objects.filter(album=album)
        .filter(
            neighbour__visibility=Visibility.PUBLIC,
            neighbour__published_track_count__gt=0,
        )
        .select_related("neighbour", "neighbour__anchor", "neighbour__category")
        .order_by("rank")[:limit]
    )
    out = []
    for row in rows:
        category = row.neighbour.category
        if row.reason == Reason.CATEGORY and category is not None:
            reason = _("Also in %(category)s") % {"category": category.name}
        else:
            reason = _("Similar topic")
        out.append(RelatedAlbum(row.neighbour, reason))
    return out


def personal_shelf(*, user: User, limit: int = 8) -> list[RelatedTrack]:
    """Home for a signed-in listener: neighbours of what they played lately, nothing they
    started or finished; cold start: popular in the categories they played, else popular."""
    recent = ListeningPosition.objects.filter(user=user).order_by("-updated_at")[:20]
    heard = ListeningPosition.objects.filter(user=user, track=OuterRef("neighbour_id"))
    rows = list(
        TrackNeighbour.objects.filter(track_id__in=recent.values("track_id"))
        .filter(_listed("neighbour__"), ~Exists(heard))
        .select_related(
            "track",
            "neighbour",
            "neighbour__album",
            "neighbour__album__anchor",
            "neighbour__album__category",
        )
        .order_by("rank")[:200]
    )
    if rows:
        score: dict[int, float] = defaultdict(float)
        best: dict[int, TrackNeighbour] = {}
        for row in rows:
            score[row.neighbour_id] += row.score
            if row.neighbour_id not in best or row.score > best[row.neighbour_id].score:
                best[row.neighbour_id] = row
        ordered = sorted(best.values(), key=lambda r: (-score[r.neighbour_id], r.neighbour_id))
        picked = _diverse((row.neighbour for row in ordered), limit)
        return [
            RelatedTrack(
                t,
                _("Because you listened to %(title)s") % {"title": best[t.pk].track.title},
            )
            for t in picked
        ]
    played = ListeningPosition.objects.filter(user=user)
    categories = Track.objects.filter(pk__in=played.values("track_id")).values("album__category_id")
    candidates = _popular(exclude_ids=[], category_ids=[]).exclude(
        Exists(ListeningPosition.objects.filter(user=user, track=OuterRef("pk")))
    )
    in_categories = candidates.filter(album__category_id__in=categories)
    picked = _diverse(in_categories[: limit * 4], limit) or _diverse(candidates[: limit * 4], limit)
    return [RelatedTrack(t, _("Popular on Ting")) for t in picked]
