"""OPML 2.0 outlines: an anchor's podcasts out, a listener's subscriptions in."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import format_datetime
from xml.etree import ElementTree

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as defused_tree
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from ting.catalog.models import Album, Anchor
from ting.core.errors import ApplicationError
from ting.feeds import parsing


def _outline(*, title: str, albums: list[Album], absolute: Callable[[str], str]) -> bytes:
    """OPML 2.0 of albums' public feeds, the list every podcast app imports."""
    root = etree.Element("opml", {"version": "2.0"})
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    etree.SubElement(head, "dateCreated").text = format_datetime(timezone.now(), usegmt=True)
    body = etree.SubElement(root, "body")
    for album in albums:
        etree.SubElement(
            body,
            "outline",
            {
                "type": "rss",
                "text": album.title,
                "title": album.title,
                "xmlUrl": absolute(reverse("feeds:album", args=[album.pk])),
                "htmlUrl": absolute(reverse("album", args=[album.pk])),
            },
        )
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def anchor_outline(*, anchor: Anchor, albums: list[Album], absolute: Callable[[str], str]) -> bytes:
    return _outline(title=anchor.display_name, albums=albums, absolute=absolute)


def subscriptions_outline(*, albums: list[Album], absolute: Callable[[str], str]) -> bytes:
    """A listener's subscriptions as OPML, for any podcast app: the albums' public feeds."""
    return _outline(title="Ting", albums=albums, absolute=absolute)


# --- reading other apps' OPML -------------------------------------------------------------------

MAX_OPML_BYTES = 2 * 1024 * 1024
MAX_OUTLINES = 2_000
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


class OpmlInvalid(ApplicationError):
    """The upload is not an OPML file we can read; the message says what to do instead."""


@dataclass(frozen=True, slots=True)
class OutlineFeed:
    url: str
    title: str


def read_subscriptions(data: bytes) -> list[OutlineFeed]:
    """The podcast feeds an OPML file lists, in order, each once.

    Parsed by defusedxml with DTDs refused (no external entities, no billion laughs: OPML needs
    no DTD); the encoding comes from the BOM, the declaration or detection (GBK, Big5,
    UTF-16), as for feeds.
    """
    if len(data) > MAX_OPML_BYTES:
        raise OpmlInvalid(
            _("This file is %(size)d KB; an OPML file can be at most %(limit)d KB.")
            % {"size": len(data) // 1024, "limit": MAX_OPML_BYTES // 1024},
            code="too_large",
        )
    if not data.strip():
        raise OpmlInvalid(_("The file is empty. Export your subscriptions again."), code="empty")
    # The declared encoding has been applied by decode(); the parser must not apply it again.
    text = _DECLARATION.sub("", parsing.decode(data), count=1)
    try:
        root = defused_tree.fromstring(text, forbid_dtd=True)
    except DefusedXmlException:
        raise OpmlInvalid(
            _("This file declares a DTD or entities, which OPML never needs, so it was not read."),
            code="unsafe",
        ) from None
    except ElementTree.ParseError as error:
        raise OpmlInvalid(
            _("This is not a well-formed OPML file (%(error)s). Export it again from your app.")
            % {"error": str(error)},
            code="malformed",
        ) from None
    if root.tag.lower() != "opml":
        raise OpmlInvalid(
            _("This file is XML but not OPML. Choose the OPML export of your podcast app."),
            code="not_opml",
        )
    feeds: dict[str, OutlineFeed] = {}
    for count, outline in enumerate(root.iter("outline"), start=1):
        if count > MAX_OUTLINES:
            raise OpmlInvalid(
                _("This file lists more than %(limit)d entries. Split it into smaller files.")
                % {"limit": MAX_OUTLINES},
                code="too_many",
            )
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if not url.lower().startswith(("http://", "https://")) or len(url) > 1000:
            continue  # a folder, or no feed address we could ever fetch
        title = (outline.get("title") or outline.get("text") or url).strip()[:200]
        feeds.setdefault(url, OutlineFeed(url=url, title=title))
    if not feeds:
        raise OpmlInvalid(_("This OPML file lists no podcast feeds."), code="no_feeds")
    return list(feeds.values())
