"""Rich text (intros, bios) through nh3's allow-list; everything else is escaped by templates."""

from __future__ import annotations

import nh3

_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "blockquote", "ul", "ol", "li",
    "h3", "h4", "a", "code", "pre", "hr",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}}
_URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_rich_text(html: str) -> str:
    """Keep the formatting a writer needs; drop scripts, styles, events and foreign schemes."""
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="nofollow noopener noreferrer ugc",
        strip_comments=True,
    )


def plain_text_to_html(text: str) -> str:
    """Paragraphs from plain text (imported feeds, tags), escaped first, then sanitised."""
    from django.utils.html import escape

    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    body = "".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    return sanitize_rich_text(body)
