"""Reads for the player: what to play, from where, and where this listener stopped."""

from __future__ import annotations

import functools
from typing import Any

from django.db import connection
from django.db.models import Field, Model
from django.db.models.base import ModelState
from django.urls import reverse

from ting.accounts.models import User
from ting.catalog.models import Album, Anchor, Track
from ting.core.script import convert, reader_script
from ting.media.models import AudioAsset, Rendition
from ting.playback import access, signing
from ting.playback.models import ListeningPosition

# Best first: the player takes the first its browser can play (Opus, else AAC, else MP3).
SOURCE_ORDER = [Rendition.Format.OPUS_32, Rendition.Format.AAC_64, Rendition.Format.MP3_128]


def rendition_for_stream(*, track_id: int, fmt: str) -> Rendition | None:
    """The ready rendition with its asset, track, album and anchor loaded, or None.

    Every byte request asks this, so it runs one SQL statement built once per process: building
    the same select_related query through the ORM cost more CPU than the rest of the request
    (1.6 of 4.5 ms measured in-process). Same rows as
    ``Rendition.objects.select_related("asset__track__album__anchor").filter(...).first()``,
    with only the ``STREAM_FIELDS`` the stream view reads loaded (the others are deferred, as
    ``only()`` leaves them): making five whole model instances, and converting the dates of
    all of them, was a fifth of a byte request's CPU on its thread.
    """
    sql, loads, converters = _stream_query(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [track_id, fmt, AudioAsset.Status.READY])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for index, column, functions in converters:
        for convert_value in functions:
            values[index] = convert_value(values[index], column, connection)
    instances: list[Model] = []
    start = 0
    for model, attnames in loads:
        instances.append(_loaded(model, attnames, values[start : start + len(attnames)]))
        start += len(attnames)
    rendition, asset, track, album, anchor = instances
    assert isinstance(rendition, Rendition) and isinstance(asset, AudioAsset)
    assert isinstance(track, Track) and isinstance(album, Album) and isinstance(anchor, Anchor)
    # What select_related leaves in each instance's relation cache.
    album._state.fields_cache["anchor"] = anchor
    track._state.fields_cache["album"] = album
    asset._state.fields_cache["track"] = track
    rendition._state.fields_cache["asset"] = asset
    return rendition


def _loaded(model: type[Model], attnames: list[str], values: list[Any]) -> Model:
    """An instance as ``Model.from_db`` makes it with the other fields deferred, without
    ``__init__``: its per-field loop and the pre_init/post_init signals it sends (none of these
    models has a receiver) were a tenth of a byte request's CPU on its thread for five
    instances. Unloaded fields are absent from ``__dict__``, which is what deferred means to
    the ORM (reading one queries it, and the stream tests pin that none is read)."""
    instance = model.__new__(model)
    instance.__dict__.update(zip(attnames, values, strict=True))
    state = ModelState()
    state.adding = False
    state.db = connection.alias
    instance._state = state
    return instance


# What the stream view, its access rules, the delivery and the stream log read of each row
# (primary and foreign keys included). A field missing here costs a query when read; the
# stream tests pin the query count.
STREAM_FIELDS: dict[type[Model], tuple[str, ...]] = {
    Rendition: (
        "id", "asset", "format", "file", "mime_type", "size", "sha256", "bitrate", "duration",
    ),
    AudioAsset: ("id", "track", "status"),
    Track: ("id", "album", "status", "visibility", "published_at"),
    Album: ("id", "anchor", "visibility"),
    Anchor: ("id", "user"),
}  # fmt: skip

Converter = tuple[int, Any, list[Any]]
# A model and the attnames of its loaded fields, in the query's column order.
Load = tuple[type[Model], list[str]]


@functools.cache
def _stream_query(vendor: str) -> tuple[str, tuple[Load, ...], list[Converter]]:
    """The SQL, each model with where its loaded columns go, and the value converters the ORM
    would apply (dates on SQLite, …), built once per database vendor."""
    models: tuple[type[Model], ...] = (Rendition, AudioAsset, Track, Album, Anchor)
    quote = connection.ops.quote_name
    aliases = ("r", "s", "t", "b", "n")
    loaded = {
        model: [f for f in model._meta.concrete_fields if f.name in STREAM_FIELDS[model]]
        for model in models
    }
    fields = [
        (alias, field)
        for model, alias in zip(models, aliases, strict=True)
        for field in loaded[model]
    ]
    loads = tuple((model, [field.attname for field in loaded[model]]) for model in models)
    columns = ", ".join(f"{alias}.{quote(str(field.column))}" for alias, field in fields)
    converters: list[Converter] = []
    for index, (alias, field) in enumerate(fields):
        col = field.get_col(alias)
        functions = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if functions:
            converters.append((index, col, functions))

    def table(model: type[Model]) -> str:
        return quote(model._meta.db_table)

    def column(model: type[Model], name: str) -> str:
        field = model._meta.get_field(name)
        assert isinstance(field, Field)
        return quote(str(field.column))

    # Only quoted names from the models' metadata go into the text; values are parameters.
    clauses = [
        ("SELECT", columns),
        ("FROM", f"{table(Rendition)} r"),
        ("JOIN", f"{table(AudioAsset)} s ON s.{quote('id')} = r.{column(Rendition, 'asset')}"),
        ("JOIN", f"{table(Track)} t ON t.{quote('id')} = s.{column(AudioAsset, 'track')}"),
        ("JOIN", f"{table(Album)} b ON b.{quote('id')} = t.{column(Track, 'album')}"),
        ("JOIN", f"{table(Anchor)} n ON n.{quote('id')} = b.{column(Album, 'anchor')}"),
        ("WHERE", f"s.{column(AudioAsset, 'track')} = %s"),
        ("AND", f"r.{column(Rendition, 'format')} = %s"),
        ("AND", f"s.{column(AudioAsset, 'status')} = %s"),
        ("ORDER BY", f"r.{quote('id')} LIMIT 1"),
    ]
    sql = " ".join(f"{keyword} {text}" for keyword, text in clauses)
    return sql, loads, converters


def renditions_in_source_order(*, asset_id: int) -> list[Rendition]:
    rows = {r.format: r for r in Rendition.objects.filter(asset_id=asset_id)}
    return [rows[fmt] for fmt in SOURCE_ORDER if fmt in rows]


def stream_url(
    track: Track, fmt: str, *, rendition: Rendition | None = None, user: User | None = None
) -> str:
    """Where the player fetches a rendition: nginx's signed URL of the file when nginx checks
    this track (MEDIA_DELIVERY=nginx-signed), else the stream view, signed unless public."""
    if rendition is not None and access.nginx_signs(track):
        try:
            return signing.nginx_url(
                key=rendition.file.name or "",
                track_id=track.pk,
                fmt=fmt,
                user_id=user.pk if user is not None else None,
            )
        except ValueError:
            pass  # a key nginx's location would not match; the stream view still serves it
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
            {
                "format": fmt,
                "type": renditions[fmt].mime_type,
                "src": stream_url(track, fmt, rendition=renditions[fmt], user=user),
            }
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
