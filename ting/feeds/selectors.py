"""Feed reads: each feed page costs a fixed number of queries, whatever the album's length."""

from __future__ import annotations

import hashlib
import math
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db.models import BooleanField, Count, ExpressionWrapper, Max, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from ting.catalog.models import Album, Anchor, Track, Visibility
from ting.feeds.models import FeedImport, FeedToken, ImportedEpisode
from ting.media.models import AudioAsset, Rendition

# Podcasting 2.0 namespace: podcast:guid is UUIDv5 of the feed URL (no scheme, no trailing /).
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
# Signed enclosure URLs expire at a day boundary so one day's renders are byte-identical.
SIGNING_BUCKET = 24 * 3600


def podcast_guid(feed_url: str) -> str:
    bare = feed_url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


@dataclass(frozen=True, slots=True)
class FeedSource:
    """Which album, and through which door: the public URL or a private token."""

    album: Album
    token: FeedToken | None

    @property
    def private(self) -> bool:
        return self.token is not None


def feed_source_public(*, album_id: int) -> FeedSource:
    try:
        album = Album.objects.select_related("anchor__user", "category").get(
            pk=album_id, visibility=Visibility.PUBLIC
        )
    except Album.DoesNotExist:
        raise Http404 from None
    return FeedSource(album=album, token=None)


def feed_source_private(*, token: str) -> FeedSource:
    """A revoked or unknown token answers 404, like a feed that never existed."""
    try:
        feed_token = FeedToken.objects.select_related("album__anchor__user", "album__category").get(
            token=token, revoked_at__isnull=True
        )
    except FeedToken.DoesNotExist:
        raise Http404 from None
    return FeedSource(album=feed_token.album, token=feed_token)


def _tracks(source: FeedSource, now: datetime) -> QuerySet[Track]:
    """The tracks this feed carries: published, out now, and not private (public: public only)."""
    tracks = Track.objects.filter(
        album=source.album, status=Track.Status.PUBLISHED, published_at__lte=now
    )
    if source.private:
        return tracks.exclude(visibility=Visibility.PRIVATE)
    return tracks.filter(visibility=Visibility.PUBLIC)


@dataclass(frozen=True, slots=True)
class FeedState:
    """What a conditional GET needs, from one aggregate query over the album's tracks."""

    episode_count: int
    explicit: bool
    changed_at: datetime
    etag: str
    signing_epoch: int


def feed_state(*, source: FeedSource, host: str, now: datetime | None = None) -> FeedState:
    """Validators from the album, its anchor and its tracks' stamps.

    Renditions are not consulted: a track is published only once its audio is ready, and any
    edit of a track moves its `updated_at`. A track without an MP3 rendition (legacy rows) is
    counted but carries no item, which can leave the last page short; never wrong.
    """
    now = now or timezone.now()
    totals = _tracks(source, now).aggregate(
        count=Count("pk"),
        explicit=Count("pk", filter=Q(explicit=True)),
        tracks_changed=Max("updated_at"),
        published=Max("published_at"),
    )
    album = source.album
    stamps = [
        album.updated_at,
        album.anchor.updated_at,
        totals["tracks_changed"],
        totals["published"],
    ]
    changed_at = max(stamp for stamp in stamps if stamp is not None)
    # Private feeds carry signed URLs that expire; the signing day is part of their version.
    epoch = int(now.timestamp()) // SIGNING_BUCKET * SIGNING_BUCKET if source.private else 0
    version = "|".join(
        [
            host,
            str(album.pk),
            str(source.token.pk if source.token else ""),
            *(stamp.isoformat() if stamp else "" for stamp in stamps),
            str(totals["count"]),
            str(epoch),
            str(settings.TING_FEED_PAGE_SIZE),
        ]
    )
    return FeedState(
        episode_count=totals["count"],
        explicit=totals["explicit"] > 0,
        changed_at=changed_at,
        etag='W/"' + hashlib.sha256(version.encode()).hexdigest()[:32] + '"',
        signing_epoch=epoch,
    )


def feed_state_cached(
    *, source: FeedSource, host: str, use_cache: bool, version: object = None
) -> FeedState:
    """The validators, remembered for TING_FEED_STATE_TTL seconds for conditional polls.

    Podcast apps poll every few minutes; answering their 304 from the cache costs one indexed
    query (the album or token) instead of an aggregate over every track. `version` (the feed
    generations of ting.feeds.versions) ends it at the next save; other changes show within
    the TTL; a full GET always recomputes and refreshes the cached state.
    """
    ttl = settings.TING_FEED_STATE_TTL
    token = source.token.pk if source.token else 0
    stamp = source.album.updated_at.timestamp()
    key = f"ting:feed-state:{source.album.pk}:{token}:{host}:{stamp}:{version}"
    if use_cache and ttl:
        cached = cache.get(key)
        if isinstance(cached, FeedState):
            return cached
    state = feed_state(source=source, host=host)
    if ttl:
        cache.set(key, state, ttl)
    return state


def feed_page_count(state: FeedState) -> int:
    return max(1, math.ceil(state.episode_count / settings.TING_FEED_PAGE_SIZE))


@dataclass(frozen=True, slots=True)
class Episode:
    """One feed item's data: plain values, no model instances (1,000 of them must be cheap)."""

    track_id: int
    title: str
    intro: str
    position: int
    published_at: datetime
    explicit: bool
    visibility: str
    duration: float
    size: int
    has_chapters: bool
    imported_guid: str | None


_EPISODE_FIELDS = (
    "asset__track_id", "asset__track__title", "asset__track__intro", "asset__track__position",
    "asset__track__published_at", "asset__track__explicit", "asset__track__visibility",
    "duration", "size", "has_chapters", "asset__track__imported_episode__guid",
)  # fmt: skip


def feed_episodes_page(
    *, source: FeedSource, page: int, now: datetime | None = None
) -> list[Episode]:
    """One page of episodes: each track's MP3 rendition and import origin, in one query."""
    per_page = settings.TING_FEED_PAGE_SIZE
    if source.album.track_order == Album.TrackOrder.ASCENDING:
        order = ("asset__track__position", "asset__track__pk")
    else:
        order = ("-asset__track__published_at", "-asset__track__pk")
    renditions = Rendition.objects.filter(
        asset__track__in=_tracks(source, now or timezone.now()),
        format=Rendition.Format.MP3_128,
        asset__status=AudioAsset.Status.READY,
    ).order_by(*order)
    # Whether chapters exist, decided by the database: decoding every asset's tags JSON in
    # Python cost a fifth of a 1,000-episode render.
    renditions = renditions.annotate(
        has_chapters=ExpressionWrapper(
            Q(asset__tags__chapters__0__isnull=False), output_field=BooleanField()
        )
    )
    start = (page - 1) * per_page
    return [
        Episode(
            track_id=row[0],
            title=row[1],
            intro=row[2],
            position=row[3],
            published_at=row[4],
            explicit=row[5],
            visibility=row[6],
            duration=row[7],
            size=row[8],
            has_chapters=bool(row[9]),
            imported_guid=row[10],
        )
        for row in renditions.values_list(*_EPISODE_FIELDS)[start : start + per_page]
    ]


def album_keywords(*, album: Album) -> list[str]:
    return list(album.tags.values_list("name", flat=True))


def track_chapters(*, track_id: int, token: str | None) -> list[dict[str, object]]:
    """A track's chapters for anyone who may open the track, or holds its album's feed token."""
    visible = Track.objects.visible_to(None).filter(pk=track_id)
    if token:
        visible = Track.objects.filter(
            pk=track_id,
            status=Track.Status.PUBLISHED,
            published_at__lte=timezone.now(),
            album__feed_tokens__token=token,
            album__feed_tokens__revoked_at__isnull=True,
        ).exclude(visibility=Visibility.PRIVATE)
    tags = visible.values_list("audio__tags", flat=True).first()
    if tags is None:
        raise Http404
    chapters = tags.get("chapters", []) if isinstance(tags, dict) else []
    return [c for c in chapters if isinstance(c, dict)]


def anchor_listed_albums(*, anchor_id: int) -> tuple[Anchor, list[Album]]:
    try:
        anchor = Anchor.objects.get(pk=anchor_id)
    except Anchor.DoesNotExist:
        raise Http404 from None
    albums = list(
        Album.objects.listed().filter(anchor=anchor).order_by("-last_published_at", "-pk")
    )
    return anchor, albums


def album_feed_tokens(*, album: Album) -> list[FeedToken]:
    return list(FeedToken.objects.filter(album=album, revoked_at__isnull=True).order_by("-pk"))


def feed_import_get(*, import_id: int, anchor: Anchor) -> FeedImport:
    try:
        return FeedImport.objects.select_related("album").get(pk=import_id, anchor=anchor)
    except FeedImport.DoesNotExist:
        raise Http404 from None


def feed_import_progress(*, feed_import: FeedImport) -> dict[str, int]:
    counts = dict(
        ImportedEpisode.objects.filter(feed_import=feed_import)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {status: int(counts.get(status, 0)) for status in ImportedEpisode.Status.values}


def feed_imports_for(*, anchor: Anchor) -> list[FeedImport]:
    return list(FeedImport.objects.filter(anchor=anchor).select_related("album").order_by("-pk"))


def _id_pattern(name: str, converter: str) -> re.Pattern[str]:
    path = reverse(name, args=["987654321"])
    prefix, suffix = path.split("987654321", 1)
    return re.compile(f"^{re.escape(prefix)}({converter}){re.escape(suffix)}$")


def albums_for_feed_urls(*, urls: list[str], hosts: set[str]) -> dict[str, Album]:
    """Which of these feed URLs are ours (public, or private links not revoked), and their albums.

    Two queries whatever the number of URLs. `hosts` are the names this site answers to; a
    feed URL on another host is not ours even if its path looks like one.
    """
    public, private = (
        _id_pattern("feeds:album", r"\d{1,18}"),
        _id_pattern("feeds:private_album", r"[^/]{1,100}"),
    )
    by_album: dict[str, int] = {}
    by_token: dict[str, str] = {}
    for url in urls:
        parts = urlsplit(url)
        if (parts.hostname or "").lower() not in hosts:
            continue
        if found := public.match(parts.path):
            by_album[url] = int(found.group(1))
        elif found := private.match(parts.path):
            by_token[url] = found.group(1)
    albums = (
        Album.objects.select_related("anchor").in_bulk({*by_album.values()}) if by_album else {}
    )
    tokens = (
        {
            t.token: t.album
            for t in FeedToken.objects.select_related("album__anchor").filter(
                token__in=set(by_token.values()), revoked_at__isnull=True
            )
        }
        if by_token
        else {}
    )
    out = {url: albums[pk] for url, pk in by_album.items() if pk in albums}
    out |= {url: tokens[token] for url, token in by_token.items() if token in tokens}
    return out
