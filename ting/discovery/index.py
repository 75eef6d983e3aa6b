"""Writing the search index: one document builder, upserts, the watermark sync and rebuilds.

Catalog services are not ours to change, so publishing and editing reach the index through
`sync_index` (a periodic task): it reads what changed since a watermark (`updated_at`, and
`published_at` for scheduled tracks whose time came) and rewrites those documents. Only listed
content (public, published, in a public album) has a document; anything else loses its own.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from ting.catalog.models import Album, Anchor, Track
from ting.discovery.models import IndexWatermark, SearchDocument
from ting.discovery.text import (
    INTRO_INDEX_CHARS,
    names_tokens,
    pinyin_tokens,
    plain_text,
    search_tokens,
)

logger = logging.getLogger(__name__)

Kind = SearchDocument.Kind
BATCH = 500
# Rows committed a little after the sync read the clock must not be skipped; re-indexing a
# few documents twice costs nothing.
OVERLAP = timedelta(seconds=60)
FIELDS = ["title", "names", "intro", "transcript", "pinyin", "features", "features_ready"]


@dataclass(frozen=True)
class Source:
    """The text of one catalog object, before segmentation (the builder's only input)."""

    kind: str
    object_id: int
    title: str
    names: Sequence[str] = ()
    intro: str = ""
    transcript: str = ""
    pinyin_of: Sequence[str] = ()


def build_document(source: Source) -> SearchDocument:
    """Normalised, segmented, space-joined tokens per weighted field (ting.discovery.text)."""
    return SearchDocument(
        kind=source.kind,
        object_id=source.object_id,
        title=search_tokens(source.title),
        names=names_tokens(" ".join(source.names)),
        intro=search_tokens(plain_text(source.intro), hmm=False, limit=INTRO_INDEX_CHARS),
        transcript=search_tokens(source.transcript, hmm=False, limit=4000),
        pinyin=pinyin_tokens(*source.pinyin_of),
        features="",
        features_ready=False,
    )


def _tag_names(album: Album) -> list[str]:
    return [tag.name for tag in album.tags.all()]


def track_source(track: Track) -> Source:
    album = track.album
    anchor = album.anchor
    return Source(
        kind=Kind.TRACK,
        object_id=track.pk,
        title=track.title,
        names=[album.title, anchor.display_name, *_tag_names(album)],
        intro=track.intro,
        pinyin_of=[track.title, anchor.display_name],
    )


def album_source(album: Album) -> Source:
    return Source(
        kind=Kind.ALBUM,
        object_id=album.pk,
        title=album.title,
        names=[album.anchor.display_name, *_tag_names(album)],
        intro=album.intro,
        pinyin_of=[album.title, album.anchor.display_name],
    )


def anchor_source(anchor: Anchor) -> Source:
    return Source(
        kind=Kind.ANCHOR,
        object_id=anchor.pk,
        title=anchor.display_name,
        intro=anchor.bio,
        pinyin_of=[anchor.display_name],
    )


def listed_anchors() -> QuerySet[Anchor]:
    """Anchors with a listed album: the ones search may show."""
    return Anchor.objects.filter(Exists(Album.objects.listed().filter(anchor=OuterRef("pk"))))


def _chunks(ids: Iterable[int], size: int = BATCH) -> Iterator[list[int]]:
    it = iter(ids)
    while chunk := list(islice(it, size)):
        yield chunk


def _write(kind: str, documents: list[SearchDocument], stale: set[int]) -> None:
    with transaction.atomic():
        if stale:
            SearchDocument.objects.filter(kind=kind, object_id__in=stale).delete()
        if documents:
            SearchDocument.objects.bulk_create(
                documents,
                update_conflicts=True,
                unique_fields=["kind", "object_id"],
                update_fields=FIELDS,
            )


def index_tracks(track_ids: Iterable[int]) -> int:
    count = 0
    for chunk in _chunks(track_ids):
        tracks = list(
            Track.objects.listed()
            .filter(pk__in=chunk)
            .select_related("album", "album__anchor")
            .prefetch_related("album__tags")
        )
        documents = [build_document(track_source(track)) for track in tracks]
        _write(Kind.TRACK, documents, set(chunk) - {track.pk for track in tracks})
        count += len(documents)
    return count


def index_albums(album_ids: Iterable[int]) -> int:
    count = 0
    for chunk in _chunks(album_ids):
        albums = list(
            Album.objects.listed()
            .filter(pk__in=chunk)
            .select_related("anchor")
            .prefetch_related("tags")
        )
        documents = [build_document(album_source(album)) for album in albums]
        _write(Kind.ALBUM, documents, set(chunk) - {album.pk for album in albums})
        count += len(documents)
    return count


def index_anchors(anchor_ids: Iterable[int]) -> int:
    count = 0
    for chunk in _chunks(anchor_ids):
        anchors = list(listed_anchors().filter(pk__in=chunk))
        documents = [build_document(anchor_source(anchor)) for anchor in anchors]
        _write(Kind.ANCHOR, documents, set(chunk) - {anchor.pk for anchor in anchors})
        count += len(documents)
    return count


@dataclass(frozen=True)
class SyncResult:
    tracks: int
    albums: int
    anchors: int
    changed_album_ids: frozenset[int]


def sync_index(*, now: datetime | None = None) -> SyncResult:
    """Re-index what changed since the watermark; returns the albums whose tracks changed."""
    now = now or timezone.now()
    mark = IndexWatermark.objects.filter(name="catalog").first()
    since = mark.value - OVERLAP if mark else datetime(1970, 1, 1, tzinfo=UTC)
    anchor_ids = set(Anchor.objects.filter(updated_at__gt=since).values_list("pk", flat=True))
    album_ids = set(
        Album.objects.filter(Q(updated_at__gt=since) | Q(anchor_id__in=anchor_ids)).values_list(
            "pk", flat=True
        )
    )
    track_rows = Track.objects.filter(
        Q(updated_at__gt=since)
        | Q(published_at__gt=since, published_at__lte=now)
        | Q(album_id__in=album_ids)
    ).values_list("pk", "album_id")
    track_ids: set[int] = set()
    touched_albums: set[int] = set()
    for track_id, album_id in track_rows:
        track_ids.add(track_id)
        touched_albums.add(album_id)
    # An album becomes listed when its first track comes out, and its anchor with it.
    album_ids |= touched_albums
    anchor_ids |= set(Album.objects.filter(pk__in=album_ids).values_list("anchor_id", flat=True))
    result = SyncResult(
        tracks=index_tracks(sorted(track_ids)),
        albums=index_albums(sorted(album_ids)),
        anchors=index_anchors(sorted(anchor_ids)),
        changed_album_ids=frozenset(touched_albums),
    )
    IndexWatermark.objects.update_or_create(name="catalog", defaults={"value": now})
    return result


def rebuild(*, batch: int = BATCH) -> tuple[int, int, int]:
    """Every document from scratch (`ting reindex`); documents of gone objects are dropped."""
    started = timezone.now()
    SearchDocument.objects.all().delete()
    tracks = index_tracks(Track.objects.listed().order_by("pk").values_list("pk", flat=True))
    albums = index_albums(Album.objects.listed().order_by("pk").values_list("pk", flat=True))
    anchors = index_anchors(listed_anchors().order_by("pk").values_list("pk", flat=True))
    IndexWatermark.objects.update_or_create(name="catalog", defaults={"value": started})
    return tracks, albums, anchors
