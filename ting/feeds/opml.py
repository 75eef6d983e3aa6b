"""OPML 2.0 outlines: an anchor's podcasts out, a listener's subscriptions in."""

from __future__ import annotations

from collections.abc import Callable
from email.utils import format_datetime

from django.urls import reverse
from django.utils import timezone
from lxml import etree

from ting.catalog.models import Album, Anchor


def anchor_outline(*, anchor: Anchor, albums: list[Album], absolute: Callable[[str], str]) -> bytes:
    root = etree.Element("opml", {"version": "2.0"})
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = anchor.display_name
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
