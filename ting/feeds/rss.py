"""RSS 2.0 with the itunes and podcast namespaces, built by lxml (never by string pasting).

Input is plain data (`Channel`, `Item`) so the XML rules live apart from the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime

from lxml import etree

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
NSMAP = {"itunes": ITUNES, "podcast": PODCAST, "atom": ATOM, "content": CONTENT}


@dataclass(frozen=True, slots=True)
class Item:
    guid: str
    title: str
    link: str
    description_html: str
    published_at: datetime
    enclosure_url: str
    enclosure_length: int
    enclosure_type: str
    duration: int
    episode: int
    explicit: bool
    chapters_url: str = ""


@dataclass(frozen=True, slots=True)
class Channel:
    title: str
    link: str
    self_url: str
    description_html: str
    language: str
    author: str
    owner_name: str
    owner_email: str
    podcast_guid: str
    person_name: str
    person_href: str
    person_img: str
    image_url: str
    category: tuple[str, str | None] | None
    explicit: bool
    serial: bool
    complete: bool
    keywords: list[str]
    last_build: datetime | None
    paging: dict[str, str] = field(default_factory=dict)  # rel → URL (RFC 5005)


def _sub(
    parent: etree._Element, tag: str, text: str | None = None, **attrib: str
) -> etree._Element:
    element = etree.SubElement(parent, tag, attrib)
    if text is not None:
        element.text = text
    return element


def _html(parent: etree._Element, tag: str, html: str) -> None:
    # Sanitised HTML goes in CDATA, as podcast apps expect; "]]>" cannot be in CDATA, so such
    # text (nh3 escapes ">" in text, so only a crafted edge case) is written escaped instead.
    element = etree.SubElement(parent, tag)
    element.text = etree.CDATA(html) if "]]>" not in html else html


def _yes_no(value: bool) -> str:
    return "true" if value else "false"


def render(channel: Channel, items: list[Item]) -> bytes:
    rss = etree.Element("rss", {"version": "2.0"}, nsmap=NSMAP)
    ch = _sub(rss, "channel")
    _sub(ch, "title", channel.title)
    _sub(ch, "link", channel.link)
    _html(ch, "description", channel.description_html)
    if channel.language:
        _sub(ch, "language", channel.language)
    _sub(ch, "generator", "Ting")
    if channel.last_build is not None:
        _sub(ch, "lastBuildDate", format_datetime(channel.last_build, usegmt=True))
    _sub(ch, f"{{{ATOM}}}link", href=channel.self_url, rel="self", type="application/rss+xml")
    for rel, href in channel.paging.items():
        _sub(ch, f"{{{ATOM}}}link", href=href, rel=rel, type="application/rss+xml")
    if channel.image_url:
        image = _sub(ch, "image")
        _sub(image, "url", channel.image_url)
        _sub(image, "title", channel.title)
        _sub(image, "link", channel.link)
        _sub(ch, f"{{{ITUNES}}}image", href=channel.image_url)
    _sub(ch, f"{{{ITUNES}}}author", channel.author)
    owner = _sub(ch, f"{{{ITUNES}}}owner")
    _sub(owner, f"{{{ITUNES}}}name", channel.owner_name)
    if channel.owner_email:
        _sub(owner, f"{{{ITUNES}}}email", channel.owner_email)
    if channel.category is not None:
        top, sub = channel.category
        element = _sub(ch, f"{{{ITUNES}}}category", text=top)
        if sub:
            _sub(element, f"{{{ITUNES}}}category", text=sub)
    _sub(ch, f"{{{ITUNES}}}explicit", _yes_no(channel.explicit))
    _sub(ch, f"{{{ITUNES}}}type", "serial" if channel.serial else "episodic")
    if channel.complete:
        _sub(ch, f"{{{ITUNES}}}complete", "Yes")
    if channel.keywords:
        _sub(ch, f"{{{ITUNES}}}keywords", ",".join(channel.keywords))
    _sub(ch, f"{{{PODCAST}}}guid", channel.podcast_guid)
    locked = {"owner": channel.owner_email} if channel.owner_email else {}
    _sub(ch, f"{{{PODCAST}}}locked", "yes", **locked)
    person = {"role": "host", "href": channel.person_href}
    if channel.person_img:
        person["img"] = channel.person_img
    _sub(ch, f"{{{PODCAST}}}person", channel.person_name, **person)
    for item in items:
        _item(ch, item)
    return bytes(etree.tostring(rss, xml_declaration=True, encoding="UTF-8"))


_T_ITEM, _T_TITLE, _T_LINK, _T_GUID, _T_PUBDATE = "item", "title", "link", "guid", "pubDate"
_T_DESCRIPTION, _T_ENCLOSURE = "description", "enclosure"
_T_IT_TITLE, _T_IT_DURATION = f"{{{ITUNES}}}title", f"{{{ITUNES}}}duration"
_T_IT_EPISODE, _T_IT_TYPE = f"{{{ITUNES}}}episode", f"{{{ITUNES}}}episodeType"
_T_IT_EXPLICIT, _T_P_EPISODE = f"{{{ITUNES}}}explicit", f"{{{PODCAST}}}episode"
_T_P_CHAPTERS = f"{{{PODCAST}}}chapters"
_NO_PERMALINK = {"isPermaLink": "false"}


def _item(channel: etree._Element, item: Item) -> None:
    # The hot loop of a 1,000-episode feed: plain SubElement calls, tag names computed once.
    sub = etree.SubElement
    it = sub(channel, _T_ITEM)
    sub(it, _T_TITLE).text = item.title
    sub(it, _T_IT_TITLE).text = item.title
    sub(it, _T_LINK).text = item.link
    sub(it, _T_GUID, _NO_PERMALINK).text = item.guid
    sub(it, _T_PUBDATE).text = format_datetime(item.published_at, usegmt=True)
    _html(it, _T_DESCRIPTION, item.description_html)
    sub(it, _T_ENCLOSURE, {"url": item.enclosure_url, "length": str(item.enclosure_length),
                           "type": item.enclosure_type})  # fmt: skip
    sub(it, _T_IT_DURATION).text = str(item.duration)
    sub(it, _T_IT_EPISODE).text = str(item.episode)
    sub(it, _T_IT_TYPE).text = "full"
    sub(it, _T_IT_EXPLICIT).text = _yes_no(item.explicit)
    sub(it, _T_P_EPISODE).text = str(item.episode)
    if item.chapters_url:
        sub(it, _T_P_CHAPTERS, {"url": item.chapters_url, "type": "application/json+chapters"})
