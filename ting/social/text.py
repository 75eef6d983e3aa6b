"""Comment text: counting as people see it, comparing across scripts, rendering inert."""

from __future__ import annotations

import hashlib
import unicodedata

import regex
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from ting.core.formatting import format_duration
from ting.core.script import Script, convert, to_simplified

MAX_GRAPHEMES = 300
# A grapheme may carry any number of combining marks ("zalgo"); the raw size needs a cap too.
# 12 code points covers a ZWJ family with skin tones (👩🏽‍👩🏽‍👦🏽‍👦🏽 is 11).
MAX_CODE_POINTS = MAX_GRAPHEMES * 12

_GRAPHEME = regex.compile(r"\X")
_SPACES = regex.compile(r"\s+")
# http(s) URLs end at whitespace, quotes, angle brackets, or CJK punctuation and full-width forms.
_URL = regex.compile(r"https?://[^\s<>\"'\u3000-\u303f\uff00-\uffef]+", regex.IGNORECASE)
_URL_TRAILING = ".,;:!?)]}'\""
# 12:34 or 1:02:03, not inside a longer run of digits and colons (a date, a ratio like 1:2:3:4).
_TIME_CODE = regex.compile(r"(?<![\d:])(?:(\d{1,2}):)?(\d{1,2}):([0-5]\d)(?![\d:])")


def grapheme_count(text: str) -> int:
    """Characters as a reader counts them (UAX #29): 👍🏽 and 👨‍👩‍👧‍👦 are one each."""
    return len(_GRAPHEME.findall(text))


def clean(text: str) -> str:
    """The body as stored: NFC, no control characters but newlines, at most one blank line."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = "".join(
        ch
        for ch in text
        if ch in "\n\t" or ch in "\u200d\u200c" or unicodedata.category(ch)[0] != "C"
    )
    text = regex.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def normalise(text: str) -> str:
    """The form words are compared in: Simplified, NFKC (full-width ＡＢ is AB), case-folded."""
    return to_simplified(unicodedata.normalize("NFKC", text)).casefold()


def body_key(text: str) -> str:
    """A short fingerprint of what a comment says, for duplicate detection."""
    squeezed = _SPACES.sub(" ", normalise(text)).strip()
    return hashlib.sha256(squeezed.encode()).hexdigest()


def _time_code_seconds(match: regex.Match[str]) -> int:
    hours = int(match.group(1) or 0)
    minutes, seconds = int(match.group(2)), int(match.group(3))
    if hours and minutes > 59:
        return -1
    return hours * 3600 + minutes * 60 + seconds


def _render_text(text: str, script: Script, track_id: int | None, duration: float | None) -> str:
    text = convert(text, script)
    if track_id is None:
        return str(escape(text))
    parts: list[str] = []
    last = 0
    for match in _TIME_CODE.finditer(text):
        seconds = _time_code_seconds(match)
        if seconds < 0 or (duration and seconds > duration):
            continue
        parts.append(escape(text[last : match.start()]))
        parts.append(
            format_html(
                '<a class="time-code" href="?t={}" data-seek="{}" data-track-id="{}"'
                ' title="{}">{}</a>',
                seconds,
                seconds,
                track_id,
                format_duration(seconds),
                match.group(0),
            )
        )
        last = match.end()
    parts.append(escape(text[last:]))
    return "".join(parts)


def render(
    text: str,
    *,
    script: Script = Script.ORIGINAL,
    track_id: int | None = None,
    duration: float | None = None,
) -> SafeString:
    """A comment as HTML: everything escaped, http(s) links and time codes made into links.

    Nothing the author typed becomes markup: each piece is escaped, and the only tags are the
    anchors built here (links carry rel="nofollow ugc noopener"). Chinese outside links is shown
    in the reader's script.
    """
    parts: list[str] = []
    last = 0
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_URL_TRAILING)
        end = match.start() + len(url)
        parts.append(_render_text(text[last : match.start()], script, track_id, duration))
        parts.append(
            format_html('<a href="{}" rel="nofollow ugc noopener" target="_blank">{}</a>', url, url)
        )
        last = end
    parts.append(_render_text(text[last:], script, track_id, duration))
    return mark_safe("".join(parts))  # noqa: S308 - every piece above was escaped or format_html'd
