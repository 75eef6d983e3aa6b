"""Discovery writes: recommender features and the precomputed neighbour rows.

`neighbours_refresh` is the only writer of TrackNeighbour/AlbumNeighbour. It reads listed
tracks with their stored features, the listening signals, and calls the Django-free core
(`ting.discovery.recommend.compute`), the same code `bench/recommend_eval.py` grades.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.db import connection, transaction

from ting.catalog.models import Track
from ting.core.cache import DISCOVERY, cache_bump
from ting.discovery.models import AlbumNeighbour, SearchDocument, TrackNeighbour
from ting.discovery.recommend import (
    Interaction,
    Item,
    Neighbours,
    Params,
    compute,
    decode,
    encode,
    track_text,
)
from ting.playback.models import ListeningPosition

logger = logging.getLogger(__name__)

STORED_TRACK_NEIGHBOURS = 16  # serving shows 8 after dropping what the listener finished
STORED_ALBUM_NEIGHBOURS = 8
BATCH = 500


def features_fill(*, batch: int = BATCH) -> int:
    """Segment recommender terms for track documents that lack them (new or edited tracks)."""
    done = 0
    last = 0
    while True:
        # Keyset paging: each page starts after the last one. Asking for the first `batch`
        # unready documents again and again read every ready one before them (no index on
        # the flag): quadratic, most of the 100,000-track precomputation.
        docs = list(
            SearchDocument.objects.filter(
                kind=SearchDocument.Kind.TRACK, features_ready=False, pk__gt=last
            )
            .only("pk", "object_id")
            .order_by("pk")[:batch]
        )
        if not docs:
            return done
        last = docs[-1].pk
        tracks = (
            Track.objects.filter(pk__in=[d.object_id for d in docs])
            .select_related("album")
            .prefetch_related("album__tags")
            .only("pk", "title", "intro", "album__id")
        )
        by_id = {track.pk: track for track in tracks}
        for doc in docs:
            track = by_id.get(doc.object_id)
            text = (
                track_text(
                    title=track.title,
                    intro=track.intro,
                    tags=[tag.name for tag in track.album.tags.all()],
                )
                if track is not None
                else None
            )
            doc.features = encode(text) if text is not None else ""
            doc.features_ready = True
        SearchDocument.objects.bulk_update(docs, ["features", "features_ready"])
        done += len(docs)


def _items() -> list[Item]:
    features = dict(
        SearchDocument.objects.filter(kind=SearchDocument.Kind.TRACK).values_list(
            "object_id", "features"
        )
    )
    rows = Track.objects.listed().values_list(
        "pk", "album_id", "album__anchor_id", "album__category_id", "play_count", "published_at"
    )
    return [
        Item(
            track_id=pk,
            album_id=album_id,
            anchor_id=anchor_id,
            text=decode(features.get(pk, "")),
            category_id=category_id,
            plays=float(plays),
            published_at=published_at.timestamp() if published_at else 0.0,
        )
        for pk, album_id, anchor_id, category_id, plays, published_at in rows
    ]


def _interactions() -> Iterable[Interaction]:
    """Listening positions (started or finished) per signed-in listener, as they accrue."""
    rows = ListeningPosition.objects.values_list("user_id", "track_id", "finished").iterator()
    for user_id, track_id, finished in rows:
        yield Interaction(user_key=user_id, track_id=track_id, weight=2.0 if finished else 1.0)


@dataclass(frozen=True)
class RefreshResult:
    tracks: int
    albums: int
    seconds: float


def neighbours_refresh(
    *, album_ids: Iterable[int] | None = None, params: Params | None = None
) -> RefreshResult:
    """Recompute 猜你喜歡 rows (all, or for the tracks of the given albums) and store them."""
    features_fill()
    only = set(album_ids) if album_ids is not None else None
    if only is not None and not only:
        return RefreshResult(0, 0, 0.0)
    params = params or Params(k=STORED_TRACK_NEIGHBOURS, album_k=STORED_ALBUM_NEIGHBOURS)
    result = compute(_items(), interactions=_interactions(), params=params, only_albums=only)
    _store(result, only)
    return RefreshResult(len(result.tracks), len(result.albums), result.seconds)


@transaction.atomic
def _store(result: Neighbours, only: set[int] | None) -> None:
    if only is None:
        TrackNeighbour.objects.all().delete()
        AlbumNeighbour.objects.all().delete()
    else:
        TrackNeighbour.objects.filter(track__album_id__in=only).delete()
        AlbumNeighbour.objects.filter(album_id__in=only).delete()
    # Rendered 猜你喜歡 blocks are cached on this version (templatetags/discovery.py).
    transaction.on_commit(lambda: cache_bump(DISCOVERY))
    # Plain multi-row INSERTs: a full refresh writes 16 rows a track (1.6 million at 100,000
    # tracks), and building a model instance for each cost more than the computation.
    _insert_rows(
        TrackNeighbour._meta.db_table,
        "track_id",
        (
            (track_id, int(n.id), rank, float(n.score), n.reason.value, n.via)
            for track_id, neighbours in result.tracks.items()
            for rank, n in enumerate(neighbours)
        ),
    )
    _insert_rows(
        AlbumNeighbour._meta.db_table,
        "album_id",
        (
            (album_id, int(n.id), rank, float(n.score), n.reason.value, n.via)
            for album_id, neighbours in result.albums.items()
            for rank, n in enumerate(neighbours)
        ),
    )


def _insert_rows(table: str, owner: str, rows: Iterable[tuple[Any, ...]]) -> None:
    sql = (
        f"INSERT INTO {table} ({owner}, neighbour_id, rank, score, reason, via)"  # noqa: S608
        " VALUES (%s, %s, %s, %s, %s, %s)"
    )
    it = iter(rows)
    with connection.cursor() as cursor:
        while chunk := list(islice(it, 5000)):
            cursor.executemany(sql, chunk)
