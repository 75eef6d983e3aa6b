"""Studio writes: what an anchor does to their own albums and tracks.

Creation and publishing are the catalog's (`album_create`, `track_create`, `track_publish`);
this module adds editing, covers, ordering and deletion. Callers have checked ownership.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ting.catalog.models import Album, Category, Track
from ting.catalog.services import (
    album_refresh_counts,
    catalog_changed,
    tags_get_or_create,
    track_publish,
)
from ting.core.errors import ApplicationError
from ting.core.sanitize import sanitize_rich_text
from ting.media.audio.cover import ProcessedCover
from ting.media.models import Rendition, Upload
from ting.media.uploads import upload_discard_bytes

COVER_SIDE = 1400


def split_tags(text: str) -> list[str]:
    """Tags as people type them: commas of any width, or 、, between names."""
    for separator in ("，", "、", "；", ";"):
        text = text.replace(separator, ",")
    return [name.strip() for name in text.split(",") if name.strip()]


@transaction.atomic
def album_update(
    *,
    album: Album,
    title: str,
    intro: str,
    category: Category | None,
    tags: Iterable[str],
    language: str,
    status: str,
    visibility: str,
    track_order: str,
) -> Album:
    album.title = title.strip()
    album.intro = sanitize_rich_text(intro)
    album.category = category
    album.language = language
    album.status = status
    album.visibility = visibility
    album.track_order = track_order
    album.save()
    catalog_changed()
    album.tags.set(tags_get_or_create(names=tags))
    return album


@transaction.atomic
def album_set_cover(*, album: Album, cover: ProcessedCover) -> Album:
    """Store the processed square JPEG under a random name; the old cover goes after commit."""
    old = album.cover.name or ""
    side = COVER_SIDE if COVER_SIDE in cover.jpeg else max(cover.jpeg)
    album.cover.save(f"{uuid.uuid4().hex}.jpg", ContentFile(cover.jpeg[side]), save=False)
    album.save(update_fields=["cover", "updated_at"])
    if old:
        transaction.on_commit(lambda: default_storage.delete(old))
    return album


@transaction.atomic
def album_delete(*, album: Album) -> None:
    """Delete an album with its tracks, audio files, cover and unfinished uploads."""
    names = [
        str(name)
        for name in Rendition.objects.filter(asset__track__album=album).values_list(
            "file", flat=True
        )
    ]
    names += [
        str(name)
        for name in Track.objects.filter(album=album, audio__isnull=False).values_list(
            "audio__original", flat=True
        )
    ]
    if album.cover.name:
        names.append(album.cover.name)
    upload_ids = list(Upload.objects.filter(album=album).values_list("pk", flat=True))
    album.delete()
    catalog_changed()

    def remove_files() -> None:
        for name in names:
            default_storage.delete(name)
        for upload_id in upload_ids:
            upload_discard_bytes(upload_id)

    transaction.on_commit(remove_files)


@transaction.atomic
def album_reorder_tracks(*, album: Album, track_ids: Sequence[int]) -> None:
    """Number the album's tracks 1…n in the given order, which must name each track once."""
    current = set(
        Track.objects.select_for_update().filter(album=album).values_list("pk", flat=True)
    )
    if len(track_ids) != len(current) or set(track_ids) != current:
        raise ApplicationError(
            _("The album changed while you were ordering it. Reload the page and try again."),
            code="stale_order",
        )
    tracks = [Track(pk=pk, position=index) for index, pk in enumerate(track_ids, start=1)]
    Track.objects.bulk_update(tracks, ["position"])
    Album.objects.filter(pk=album.pk).update(updated_at=timezone.now())


def track_order_after_move(*, track_ids: Sequence[int], track_id: int, offset: int) -> list[int]:
    """The order with one track moved `offset` places (clamped to the ends)."""
    order = list(track_ids)
    if track_id not in order:
        return order
    index = order.index(track_id)
    order.pop(index)
    order.insert(max(0, min(len(order), index + offset)), track_id)
    return order


@transaction.atomic
def track_update(
    *,
    track: Track,
    title: str,
    intro: str,
    position: int,
    visibility: str,
    explicit: bool,
    published_at: datetime | None,
) -> Track:
    """Edit a track. Moving it renumbers the album; a published one can be rescheduled."""
    track.title = title.strip()
    track.intro = sanitize_rich_text(intro)
    track.visibility = visibility
    track.explicit = explicit
    fields = ["title", "intro", "visibility", "explicit", "updated_at"]
    if track.status == Track.Status.PUBLISHED and published_at is not None:
        track.published_at = published_at
        fields.append("published_at")
    track.save(update_fields=fields)
    order = list(
        Track.objects.filter(album_id=track.album_id)
        .order_by("position", "pk")
        .values_list("pk", flat=True)
    )
    if order.index(track.pk) + 1 != position:
        moved = track_order_after_move(
            track_ids=order, track_id=track.pk, offset=position - 1 - order.index(track.pk)
        )
        album_reorder_tracks(album=track.album, track_ids=moved)
        track.refresh_from_db(fields=["position"])
    if "published_at" in fields:
        album_refresh_counts(album_id=track.album_id)
    catalog_changed()
    return track


def track_publish_or_schedule(*, track: Track, at: datetime | None) -> Track:
    """Publish now, or at `at` when it lies in the future (past times publish now)."""
    when = at if at is not None and at > timezone.now() else None
    return track_publish(track=track, at=when)
