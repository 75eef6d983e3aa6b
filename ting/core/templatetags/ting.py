"""Template filters and tags: the reader's script, counts, durations, rich text, page chrome."""

from __future__ import annotations

import functools
from typing import Any

from django import template
from django.dispatch import receiver
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.autoreload import file_changed
from django.utils.safestring import SafeString, mark_safe

from ting.core.formatting import format_count, format_duration
from ting.core.sanitize import sanitize_rich_text
from ting.core.script import Script, convert, reader_script

register = template.Library()


@register.filter(name="script")
def script_filter(text: str | None) -> str:
    """Content in the reader's script (autoescaping still applies to the result)."""
    return convert(text or "", reader_script())


@register.filter(name="rich")
def rich_filter(html: str | None) -> SafeString:
    """Stored rich text, sanitised again at render time so no write path can smuggle markup."""
    return mark_safe(_sanitized(html or "", reader_script()))  # noqa: S308


# An anchor's bio or an album's intro shows on every page of theirs; sanitising is a pure
# function of the text, so the latest few hundred results are kept (as OpenCC's are).
@functools.lru_cache(maxsize=512)
def _sanitized(html: str, script: Script) -> str:
    return sanitize_rich_text(convert(html, script))


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


# Rendered chrome by (template, place in it, language, script, URL prefix). Bounded: one entry
# per {% chrome %} block and language.
_chrome: dict[tuple[str, int, str, str, str], SafeString] = {}


class ChromeNode(template.Node):
    def __init__(self, nodelist: template.NodeList, origin: str, index: int):
        self.nodelist = nodelist
        self.place = (origin, index)

    def render(self, context: template.Context) -> SafeString:
        language = translation.get_language() or ""
        key = (*self.place, language, reader_script().value, get_script_prefix())
        html = _chrome.get(key)
        if html is None:
            # An empty context: a reader's variables (user, request, csrf_token) render as
            # nothing here, so they cannot leak into what the next reader is served.
            html = _chrome[key] = mark_safe(self.nodelist.render(context.new()))  # noqa: S308
        return html


@register.tag(name="chrome")
def chrome_tag(parser: template.base.Parser, token: template.base.Token) -> ChromeNode:
    """`{% chrome %}…{% endchrome %}`: page chrome that is the same for every reader of a
    language (labels, URLs, static links) is rendered once per process and language.

    The block sees none of the page's context; put only translations, `{% url %}` and
    `{% static %}` inside. The base layout's header, footer and player bar were ~1.5 ms of
    every page (docs/benchmarks.md, "Track page").
    """
    # Blocks are told apart by their order in the template, which parsing it again keeps.
    index = getattr(parser, "ting_chrome_blocks", 0)
    parser.ting_chrome_blocks = index + 1  # type: ignore[attr-defined]
    nodelist = parser.parse(("endchrome",))
    parser.delete_first_token()
    return ChromeNode(nodelist, parser.origin.name if parser.origin else "", index)


@receiver(file_changed)
def _forget_chrome(**kwargs: Any) -> None:
    """The development server reloads edited templates without restarting; so does chrome."""
    _chrome.clear()
