"""Template filters for content: the reader's script, counts, durations, sanitised rich text."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from ting.core.formatting import format_count, format_duration
from ting.core.sanitize import sanitize_rich_text
from ting.core.script import convert, reader_script

register = template.Library()


@register.filter(name="script")
def script_filter(text: str | None) -> str:
    """Content in the reader's script (autoescaping still applies to the result)."""
    return convert(text or "", reader_script())


@register.filter(name="row_track")
def row_track_filter(row: Any, attr: str | None) -> Any:
    """The track a list row shows: the row itself, or its `attr` (a like's or a shelf's)."""
    return getattr(row, attr) if attr else row


@register.filter(name="rich")
def rich_filter(html: str | None) -> SafeString:
    """Stored rich text, sanitised again at render time so no write path can smuggle markup."""
    return mark_safe(sanitize_rich_text(convert(html or "", reader_script())))  # noqa: S308


@register.filter(name="cover_hue")
def cover_hue_filter(pk: int | None) -> int:
    """One of twelve hues for a cover without a picture (site.css .hue-0 … .hue-11).

    A class, not a style attribute: the Content-Security-Policy allows no inline styles.
    """
    return ((pk or 0) * 37 % 360) // 30


@register.filter(name="count")
def count_filter(value: int | None) -> str:
    return format_count(value or 0, translation.get_language() or "en")


@register.filter(name="duration")
def duration_filter(seconds: float | None) -> str:
    return format_duration(seconds)
