"""Reads for the player: what to play, from where, and where this listener stopped."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from ting.accounts.models import User
from ting.catalog.models import Track
from ting.core.script import convert, reader_script
from ting.media.models import AudioAsset, Rendition
from ting.playback import access, signing
from ting.playback.models import ListeningPosition

# Best first: the player takes the first its browser can play (Opus, else AAC, else MP3).
SOURCE_ORDER = [Rendition.Format.OPUS_32, Rendition.Format.AAC_64, Rendition.Format.MP3_128]


def rendition_for_stream(*, track_id: int, fmt: str) -> Rendition | None:
    return (
        Rendition.objects.select_related("asset__track__album__anchor")
        .filter(asset__track_id=track_id, format=fmt, asset__status=AudioAsset.Status.READY)
        .first()
    )


def renditions_in_source_order(*, asset_id: int) -> list[Rendition]:
    rows = {r.format: r for r in Rendition.objects.filter(asset_id=asset_id)}
    return [rows[fmt] for fmt in SOURCE_ORDER if fmt in rows]


def stream_url(track: Track, fmt: str) -> str:
    url = reverse("playback:stream", args=[track.pk, fmt])
    if access.is_public(track):
        return url
    return f"{url}?{signing.sign(track.pk, fmt)}"


def position_for(*, user: User | None, track_id: int) -> float:
    if user is None:
        return 0.0
    saved = (
        ListeningPosition.objects.filter(user=user, track_id=track_id, finished=False)
        .values_list("position", flat=True)
        .first()
    )
    return float(saved or 0.0)


def player_data(*, track: Track, user: User | None, next_track: Track | None) -> dict[str, Any]:
    """Everything the player needs for one track; the caller has checked visibility.

    `track` must come with album and anchor loaded. Costs one query (audio and renditions),
    plus one for the resume position of a signed-in listener.
    """
    script = reader_script()
    renditions = {
        r.format: r
        for r in Rendition.objects.select_related("asset").filter(
            asset__track=track, asset__status=AudioAsset.Status.READY
        )
    }
    asset = next(iter(renditions.values())).asset if renditions else None
    album = track.album
    return {
        "id": track.pk,
        "title": convert(track.title, script),
        "url": reverse("track", args=[track.pk]),
        "data_url": reverse("playback:player_data", args=[track.pk]),
        "album": {
            "id": album.pk,
            "title": convert(album.title, script),
            "url": reverse("album", args=[album.pk]),
        },
        "anchor": convert(album.anchor.display_name, script),
        "cover": album.cover.url if album.cover else "",
        "duration": track.duration or (asset.duration if asset else None),
        "sources": [
            {"format": fmt, "type": renditions[fmt].mime_type, "src": stream_url(track, fmt)}
            for fmt in SOURCE_ORDER
            if fmt in renditions
        ],
        "waveform": asset.waveform if asset else [],
        "chapters": (asset.tags.get("chapters", []) if asset else []),
        "next": (
            {"id": next_track.pk, "data": reverse("playback:player_data", args=[next_track.pk])}
            if next_track is not None
            else None
        ),
        "resume_at": position_for(user=user, track_id=track.pk),
    }
