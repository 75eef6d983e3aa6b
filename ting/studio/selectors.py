"""Studio reads: an anchor's own albums and tracks, with what the dashboard shows about each."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404

from ting.catalog.models import Album, Anchor, Category, Track
from ting.media.models import Upload
from ting.media.uploads import anchor_storage_used


@dataclass(frozen=True)
class Dashboard:
    albums: list[Album]
    storage_used: int
    storage_quota: int

    @property
    def storage_percent(self) -> int:
        if self.storage_quota <= 0:
            return 100
        return min(100, round(100 * self.storage_used / self.storage_quota))


def dashboard(*, anchor: Anchor) -> Dashboard:
    """Every album of the anchor with its tracks and their audio: a fixed number of queries."""
    albums = list(
        Album.objects.filter(anchor=anchor)
        .select_related("category")
        .prefetch_related(
            Prefetch(
                "tracks", queryset=Track.objects.select_related("audio").order_by("position", "pk")
            )
        )
        .order_by("-updated_at", "-pk")
    )
    return Dashboard(
        albums=albums,
        storage_used=anchor_storage_used(anchor=anchor),
        storage_quota=settings.TING_ANCHOR_QUOTA_BYTES,
    )


def album_get_owned(*, anchor: Anchor, album_id: int) -> Album:
    """The anchor's own album; somebody else's answers 404 like a missing one."""
    try:
        return (
            Album.objects.select_related("anchor", "category")
            .prefetch_related("tags")
            .get(pk=album_id, anchor=anchor)
        )
    except Album.DoesNotExist:
        raise Http404 from None


def album_tracks(*, album: Album) -> list[Track]:
    return list(
        Track.objects.filter(album=album).select_related("audio").order_by("position", "pk")
    )


def track_get_owned(*, anchor: Anchor, track_id: int) -> Track:
    try:
        return Track.objects.select_related("album", "album__anchor").get(
            pk=track_id, album__anchor=anchor
        )
    except Track.DoesNotExist:
        raise Http404 from None


def track_with_audio(*, anchor: Anchor, track_id: int) -> Track:
    try:
        return Track.objects.select_related("album", "audio").get(pk=track_id, album__anchor=anchor)
    except Track.DoesNotExist:
        raise Http404 from None


def category_choices() -> list[Category]:
    return list(Category.objects.all())


def track_title_suggestion(*, track: Track) -> str:
    """The title in the file's tags, offered while the track is still named after its file."""
    asset = getattr(track, "audio", None)
    tagged = str(asset.tags.get("title", "")).strip() if asset is not None else ""
    if not tagged or tagged == track.title:
        return ""
    filename = Upload.objects.filter(track=track).values_list("filename", flat=True).first()
    if filename is None:
        return ""
    stem = filename.rsplit(".", 1)[0]
    if track.title not in (filename, stem, stem.replace("_", " ").strip()):
        return ""
    return tagged[:200]


def track_chapters(*, track: Track) -> list[dict[str, object]]:
    asset = getattr(track, "audio", None)
    chapters = asset.tags.get("chapters", []) if asset is not None else []
    return [c for c in chapters if isinstance(c, dict)]
