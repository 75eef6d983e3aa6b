"""Reading podcast feeds as real podcast apps do: gPodder's podcastparser on defused XML.

Chinese feeds arrive in GB2312, GBK, Big5 and UTF-16, declared or not. expat knows none of the
multi-byte Chinese codecs, so the bytes are decoded here (BOM, XML declaration, HTTP charset,
then detection) and handed to the parser as UTF-8 with the declaration removed.
"""

from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass
from typing import Any
from xml.sax import SAXException

import charset_normalizer
import podcastparser  # type: ignore[import-untyped]
from defusedxml import DefusedXmlException
from defusedxml import sax as defused_sax
from django.utils.translation import gettext as _

from ting.core.errors import ApplicationError

_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")
_DECLARATION_TEXT = re.compile(r"^\s*<\?xml[^>]*\?>")
_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]
# Labels feeds use for codecs that have a superset Python knows; GBK text is often called GB2312.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "big5": "big5hkscs",
    "cp950": "big5hkscs",
    "x-big5": "big5hkscs",
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "utf-16": "utf-16",
    "unicode": "utf-16",
}
_ROOTS = {"rss", "feed", "rdf:RDF", "RDF"}


class FeedInvalid(ApplicationError):
    """The document is not a podcast feed we can read; the message says what it is instead."""


def _normalise(label: str) -> str | None:
    label = label.strip().strip("\"'").lower()
    label = _SUPERSETS.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def encoding_candidates(body: bytes, http_charset: str | None) -> list[str]:
    """Encodings to try, most trustworthy first."""
    candidates: list[str] = []
    for bom, name in _BOMS:
        if body.startswith(bom):
            candidates.append(name)
            break
    head = body[:400]
    # UTF-16 without a BOM: "<?" as two-byte units.
    if head.startswith(b"<\x00?\x00"):
        candidates.append("utf-16-le")
    elif head.startswith(b"\x00<\x00?"):
        candidates.append("utf-16-be")
    else:
        match = _DECLARATION.match(head.lstrip(codecs.BOM_UTF8))
        if match and (declared := _normalise(match.group(1).decode("ascii"))):
            candidates.append(declared)
    if http_charset and (from_http := _normalise(http_charset)):
        candidates.append(from_http)
    best = charset_normalizer.from_bytes(body[:200_000]).best()
    if best is not None and (detected := _normalise(best.encoding)):
        candidates.append(detected)
    candidates.append("utf-8")
    # UTF-16 named without byte order: the BOM decides, and Python's "utf-16" reads it.
    return list(dict.fromkeys("utf-16" if c == "utf_16" else c for c in candidates))


def decode(body: bytes, http_charset: str | None = None) -> str:
    for name in encoding_candidates(body, http_charset):
        try:
            text = body.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        return text.lstrip("\ufeff")
    return body.decode("utf-8", errors="replace")


class _Handler(podcastparser.PodcastHandler):  # type: ignore[misc]
    """podcastparser's handler, remembering the root element to tell feeds from other XML."""

    root: str | None = None

    def startElement(self, name: str, attrs: Any) -> None:
        if self.root is None:
            self.root = name
        super().startElement(name, attrs)


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    data: dict[str, Any]

    @property
    def title(self) -> str:
        return str(self.data.get("title") or "").strip()

    @property
    def episodes(self) -> list[dict[str, Any]]:
        return list(self.data.get("episodes") or [])


def _looks_like_html(text: str) -> bool:
    head = text[:2000].lstrip().lower()
    head = re.sub(r"^(<!--.*?-->\s*)+", "", head, flags=re.S)
    return head.startswith(("<!doctype html", "<html", "<head", "<body"))


def parse(body: bytes, *, url: str, http_charset: str | None = None) -> ParsedFeed:
    if not body.strip():
        raise FeedInvalid(_("The address returned nothing: the feed is empty."), code="empty")
    text = decode(body, http_charset)
    if _looks_like_html(text):
        raise FeedInvalid(
            _(
                "This address is a web page, not a podcast feed. "
                "Look on that page for its RSS link."
            ),
            code="html",
        )
    if not text.lstrip().startswith("<"):
        raise FeedInvalid(
            _("This address does not return XML, so it is not a podcast feed."), code="not_xml"
        )
    utf8 = _DECLARATION_TEXT.sub("", text, count=1).encode("utf-8")
    handler = _Handler(url, 0)
    try:
        defused_sax.parse(io.BytesIO(utf8), handler, forbid_dtd=False)
    except DefusedXmlException:
        raise FeedInvalid(
            _("The feed uses XML entities, which Ting refuses for safety."), code="entities"
        ) from None
    except (SAXException, ValueError) as exc:
        if handler.root is not None and handler.root not in _ROOTS:
            raise _not_a_feed(handler.root) from None
        raise FeedInvalid(
            _("The feed is not well-formed XML (%(reason)s).") % {"reason": str(exc)[:200]},
            code="not_xml",
        ) from None
    if handler.root not in _ROOTS:
        raise _not_a_feed(str(handler.root))
    return ParsedFeed(handler.data)


def _not_a_feed(root: str) -> FeedInvalid:
    return FeedInvalid(
        _("This XML document is not an RSS or Atom feed (it starts with <%(root)s>).")
        % {"root": root},
        code="not_a_feed",
    )
