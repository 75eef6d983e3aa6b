"""Writing the search index: one document builder, upserts, the watermark sync and rebuilds.

Catalog services are not ours to change, so publishing and editing reach the index through
`sync_index` (a periodic task): it reads what changed since a watermark (`updated_at`, and
`published_at` for scheduled tracks whose time came) and rewrites those documents. Only listed
content (public, published, in a public album) has a document; anything else loses its own.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import chain, islice
from multiprocessing.pool import AsyncResult, Pool
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from ting.catalog.models import Album, Anchor, Track
from ting.discovery.models import IndexWatermark, SearchDocument
from ting.discovery.search.backends import DocumentRow, backend, insert_documents
from ting.discovery.text import (
    INTRO_INDEX_CHARS,
    TRANSCRIPT_INDEX_CHARS,
    names_tokens,
    pinyin_tokens,
    plain_text,
    search_tokens,
)

logger = logging.getLogger(__name__)

Kind = SearchDocument.Kind
BATCH = 500
# Below this many tracks a rebuild takes seconds and a process pool would cost more than it saves.
PARALLEL_FROM = 5000
# Batches handed to the pool before the first result is awaited: enough to keep 8 workers busy.
AHEAD = 16
# Rows committed a little after the sync read the clock must not be skipped; re-indexing a
# few documents twice costs nothing.
OVERLAP = timedelta(seconds=60)


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


def document_row(source: Source) -> DocumentRow:
    return (
        source.kind,
        source.object_id,
        search_tokens(source.title),
        names_tokens(" ".join(source.names)),
        search_tokens(
            plain_text(source.intro), hmm=False, limit=INTRO_INDEX_CHARS, characters=False
        ),
        search_tokens(source.transcript, hmm=False, limit=TRANSCRIPT_INDEX_CHARS, characters=False),
        pinyin_tokens(*source.pinyin_of),
    )


def document_rows(sources: list[Source]) -> list[DocumentRow]:
    """Rows of a batch of sources; top-level so a process pool can run it."""
    return [document_row(source) for source in sources]


# --- reading the catalog: plain rows, not model instances (a rebuild reads every object) -----


def _album_tags(album_ids: Iterable[int]) -> dict[int, list[str]]:
    tags: dict[int, list[str]] = {}
    through = Album.tags.through.objects.filter(album_id__in=list(album_ids))
    for album_id, name in through.order_by("pk").values_list("album_id", "tag__name"):
        tags.setdefault(album_id, []).append(name)
    return tags


def track_sources(tracks: QuerySet[Track]) -> list[Source]:
    rows = list(
        tracks.values_list(
            "pk", "title", "intro", "album_id", "album__title", "album__anchor__display_name"
        )
    )
    tags = _album_tags({row[3] for row in rows})
    return [
        Source(
            kind=Kind.TRACK,
            object_id=pk,
            title=title,
            names=[album_title, anchor_name, *tags.get(album_id, ())],
            intro=intro,
            pinyin_of=[title, anchor_name],
        )
        for pk, title, intro, album_id, album_title, anchor_name in rows
    ]


def album_sources(albums: QuerySet[Album]) -> list[Source]:
    rows = list(albums.values_list("pk", "title", "intro", "anchor__display_name"))
    tags = _album_tags(row[0] for row in rows)
    return [
        Source(
            kind=Kind.ALBUM,
            object_id=pk,
            title=title,
            names=[anchor_name, *tags.get(pk, ())],
            intro=intro,
            pinyin_of=[title, anchor_name],
        )
        for pk, title, intro, anchor_name in rows
    ]


def anchor_sources(anchors: QuerySet[Anchor]) -> list[Source]:
    return [
        Source(kind=Kind.ANCHOR, object_id=pk, title=name, intro=bio, pinyin_of=[name])
        for pk, name, bio in anchors.values_list("pk", "display_name", "bio")
    ]


def listed_anchors() -> QuerySet[Anchor]:
    """Anchors with a listed album: the ones search may show."""
    return Anchor.objects.filter(Exists(Album.objects.listed().filter(anchor=OuterRef("pk"))))


_READERS: dict[str, tuple[Callable[[], QuerySet[Any]], Callable[[Any], list[Source]]]] = {
    Kind.TRACK: (Track.objects.listed, track_sources),
    Kind.ALBUM: (Album.objects.listed, album_sources),
    Kind.ANCHOR: (listed_anchors, anchor_sources),
}


# --- writing ----------------------------------------------------------------------------------


def _chunks(ids: Iterable[int], size: int = BATCH) -> Iterator[list[int]]:
    it = iter(ids)
    while chunk := list(islice(it, size)):
        yield chunk


def _write(kind: str, rows: list[DocumentRow], stale: set[int]) -> None:
    with transaction.atomic():
        SearchDocument.objects.filter(
            kind=kind, object_id__in=stale | {row[1] for row in rows}
        ).delete()
        insert_documents(rows)


def _index(kind: str, ids: Iterable[int]) -> int:
    listed, read = _READERS[kind]
    count = 0
    for chunk in _chunks(ids):
        rows = document_rows(read(listed().filter(pk__in=chunk)))
        _write(kind, rows, set(chunk) - {row[1] for row in rows})
        count += len(rows)
    return count


def index_tracks(track_ids: Iterable[int]) -> int:
    return _index(Kind.TRACK, track_ids)


def index_albums(album_ids: Iterable[int]) -> int:
    return _index(Kind.ALBUM, album_ids)


def index_anchors(anchor_ids: Iterable[int]) -> int:
    return _index(Kind.ANCHOR, anchor_ids)


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


def _source_batches(kind: str, batch: int) -> Iterator[list[Source]]:
    """Every listed object of a kind as Sources, least played first.

    Documents get their ids (the FTS5 rowids) in this order, so a broad query's matches read
    newest-id first come most played first, then whatever was indexed since the rebuild: the
    order in which relevance reads a few thousand of them (`query.SCAN`). The ids are read
    once in that order; each page is read by id with the listed filter (with the filter in
    the ordering query, SQLite drives from the (status, published_at) index instead).
    """
    listed, read = _READERS[kind]
    model = listed().model
    order = list(model._default_manager.order_by("play_count", "pk").values_list("pk", flat=True))
    for ids in _chunks(order, batch):
        if sources := read(listed().filter(pk__in=ids)):
            position = {pk: i for i, pk in enumerate(ids)}
            sources.sort(key=lambda source: position[source.object_id])
            yield sources


def _built(batches: Iterable[list[Source]], pool: Pool | None) -> Iterator[list[DocumentRow]]:
    """Documents of each batch, in order. Batches are read here, in the caller's thread (the
    database connection is per thread), and segmented in the pool a few batches ahead."""
    if pool is None:
        yield from map(document_rows, batches)
        return
    ahead: deque[AsyncResult[list[DocumentRow]]] = deque()
    for sources in batches:
        ahead.append(pool.apply_async(document_rows, (sources,)))
        if len(ahead) > AHEAD:
            yield ahead.popleft().get()
    while ahead:
        yield ahead.popleft().get()


def _counted(
    kind: str, batches: Iterable[list[DocumentRow]], counts: dict[str, int]
) -> Iterator[list[DocumentRow]]:
    for rows in batches:
        counts[kind] = counts.get(kind, 0) + len(rows)
        yield rows


def _pool(workers: int | None) -> Pool | None:
    """Processes to segment in: segmenting is CPU-bound and Python holds one core per process."""
    if workers is None:
        workers = min(os.cpu_count() or 1, 8)
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    # fork: the workers inherit the loaded dictionary and never touch the database connection.
    return multiprocessing.get_context("fork").Pool(workers)


def rebuild(*, batch: int = BATCH, workers: int | None = None) -> tuple[int, int, int]:
    """Every document from scratch (`ting reindex`); documents of gone objects are dropped.

    Readers see the old index until the new one is complete, and a failure (or a kill) at any
    point leaves the old one; running it again starts over (the backend's `rebuild`). Large
    catalogs segment in `workers` processes (default: one a core) while the main process
    writes; small ones are not worth starting a pool for. Must not run inside a transaction.
    """
    started = timezone.now()
    if workers is None and Track.objects.listed().count() < PARALLEL_FROM:
        workers = 1
    pool = _pool(workers)
    counts: dict[str, int] = {}
    try:
        # Tracks last: a track search reads matches newest id first (query.SCAN), so the
        # few album and anchor documents must not come before them.
        backend().rebuild(
            chain.from_iterable(
                _counted(kind, _built(_source_batches(kind, batch), pool), counts)
                for kind in (Kind.ANCHOR, Kind.ALBUM, Kind.TRACK)
            )
        )
    finally:
        if pool:
            pool.close()
            pool.join()
    # Edits made while the rebuild read the catalog went to the old documents: the next sync
    # writes them again. A crash before this line leaves the older watermark, which re-reads
    # more, never less.
    IndexWatermark.objects.update_or_create(name="catalog", defaults={"value": started})
    return counts.get(Kind.TRACK, 0), counts.get(Kind.ALBUM, 0), counts.get(Kind.ANCHOR, 0)
