"""Catalog lists rendered in Python: a page's lists are its costliest template loops.

`{% track_rows %}` and `{% album_cards %}` write the same markup the row and card templates
did, at a fraction of the cost: the template engine spent ~0.3 ms a row resolving variables,
reversing URLs and translating the same labels again (docs/benchmarks.md, "Track page"); an
anchor's page lists all of their albums, a card each.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from html import escape
from typing import Any

from django import template
from django.urls import get_script_prefix, reverse
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from ting.catalog.models import Album, Track
from ting.core.formatting import format_count, format_duration
from ting.core.script import convert, reader_script
from ting.core.templatetags.ting import cover_hue_filter

register = template.Library()

# Any id: its decimal form is cut out of the reversed URL, so each URL is reversed once.
_ID = 987654321


@functools.cache
def _url_around_id(name: str, script_prefix: str) -> tuple[str, str]:
    """The URL of `name` before and after its one id argument (fixed for a prefix)."""
    before, _, after = reverse(name, args=[_ID]).partition(str(_ID))
    return before, after


@functools.cache
def _url(name: str, script_prefix: str) -> str:
    return reverse(name)


@register.simple_tag
def track_rows(
    rows: Iterable[Any],
    *,
    numbering: str = "counter",
    start: int | str | None = None,
    show_album: bool = False,
    attr: str = "",
) -> SafeString:
    """`<li>` rows for a track list: `numbering` "position" or "counter" (from `start`, 1 by
    default); `show_album` adds the album's title; `attr` reads each row's track from a field
    (a like's or a shelf's `track`)."""
    script = reader_script()
    language = translation.get_language() or "en"
    play = escape(gettext("Play"))
    how = escape(gettext("Plays and downloads: how we count"))
    prefix = get_script_prefix()
    counting = escape(_url("stats:counting", prefix))
    track_before, track_after = _url_around_id("track", prefix)
    album_before, album_after = _url_around_id("album", prefix)
    first = int(start or 1)
    html: list[str] = []
    for index, row in enumerate(rows):
        track: Track = getattr(row, attr) if attr else row
        title = escape(convert(track.title or "", script))
        number = track.position if numbering == "position" else first + index
        published = track.status == Track.Status.PUBLISHED
        if published:
            position = (
                f'<button type="button" class="row-play" data-play data-track-id="{track.pk}" '
                f'aria-pressed="false" aria-label="{play} {title}"><span class="row-number">'
                f'{number}</span><span class="row-icon" aria-hidden="true">▶</span></button>'
            )
        else:
            position = str(number)
        album = (
            f'<a class="track-album" href="{album_before}{track.album_id}{album_after}">'
            f"{escape(convert(track.album.title or '', script))}</a>"
            if show_album
            else ""
        )
        if not published:
            badge = f'<span class="badge warn">{escape(str(track.get_status_display()))}</span>'
        elif track.visibility != "public":
            badge = f'<span class="badge">{escape(str(track.get_visibility_display()))}</span>'
        else:
            badge = ""
        when = ""
        if track.published_at is not None:
            local = timezone.localtime(track.published_at)
            when = (
                f'<time datetime="{date_format(local, "c")}">{date_format(local, "Y-m-d")}</time>'
            )
        html.append(
            f'<li class="track-row">\n  <span class="track-pos">{position}</span>\n'
            f'  <a class="track-title" href="{track_before}{track.pk}{track_after}">{title}</a>\n'
            f"  {album}\n  {badge}\n"
            f'  <span class="track-meta"><a class="count" href="{counting}" title="{how}">▶ '
            f"{format_count(track.play_count or 0, language)}</a> "
            f'<span class="duration">{format_duration(track.duration)}</span> {when}</span>\n'
            "</li>\n"
        )
    html.append("\n")
    return mark_safe("".join(html))  # noqa: S308 (every interpolated text is escaped above)


@register.simple_tag
def album_cards(albums: Iterable[Any], *, attr: str = "") -> SafeString:
    """`<li>` album cards (cover, title, anchor, finished badge) for an album grid; `attr`
    reads each card's album from a field (a 猜你喜歡 item's `album`)."""
    script = reader_script()
    finished = escape(gettext("Finished"))
    before, after = _url_around_id("album", get_script_prefix())
    html: list[str] = []
    for item in albums:
        album: Album = getattr(item, attr) if attr else item
        title = convert(album.title or "", script)
        anchor = album.anchor
        meta = escape(convert(anchor.display_name or "", script)) if anchor else ""
        if album.status == Album.Status.FINISHED:
            meta += f' · <span class="badge">{finished}</span>'
        html.append(
            f'<li class="album-card">\n  <a href="{before}{album.pk}{after}">\n'
            f"    {cover(album, 'card')}\n\n"
            f'    <span class="album-card-title">{escape(title)}</span>\n  </a>\n'
            f'  <span class="album-card-meta">{meta}</span>\n</li>\n'
        )
    return mark_safe("".join(html))  # noqa: S308 (every interpolated text is escaped above)


def cover(album: Album, size: str) -> str:
    """An album's cover picture, or its first character on one of twelve hues."""
    if album.cover:
        return (
            f'<img class="cover cover-{size}" src="{escape(album.cover.url)}" alt="" '
            'loading="lazy" width="320" height="320">'
        )
    first = escape(convert(album.title or "", reader_script())[:1])
    return (
        f'<span class="cover cover-{size} cover-blank hue-{cover_hue_filter(album.pk)}" '
        f'aria-hidden="true">{first}</span>'
    )
