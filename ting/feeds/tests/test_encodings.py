"""Chinese feeds in GB2312, GBK, Big5 and UTF-16, declared or not, read as the right text."""

from __future__ import annotations

import codecs

import pytest

from ting.feeds import parsing

FEED = """<?xml version="1.0" encoding="{declared}"?>
<rss version="2.0"><channel><title>{title}</title>
<item><title>第一集：{title}</title><guid>ep-1</guid>
<enclosure url="http://example.com/1.mp3" type="audio/mpeg" length="10"/></item>
</channel></rss>"""


@pytest.mark.parametrize(
    ("codec", "declared", "title"),
    [
        ("gb2312", "GB2312", "中文播客节目"),
        ("gbk", "GB2312", "镕基的喆话"),  # GBK characters under a GB2312 label, as in the wild
        ("gb18030", "GB18030", "中文播客节目"),
        ("big5", "Big5", "繁體中文廣播"),
        ("utf-16", "UTF-16", "中文播客节目"),
        ("utf-8", "UTF-8", "中文播客节目"),
    ],
)
def test_declared_encodings_are_honoured(codec: str, declared: str, title: str) -> None:
    body = FEED.format(declared=declared, title=title).encode(codec)
    feed = parsing.parse(body, url="http://example.com/feed.xml")
    assert feed.title == title
    assert feed.episodes[0]["title"] == f"第一集：{title}"


@pytest.mark.parametrize(
    ("codec", "title"),
    [
        ("gb18030", "这是一个关于科技与生活的中文播客节目"),
        ("big5", "這是一個關於科技與生活的繁體中文廣播節目"),
    ],
)
def test_undeclared_chinese_encodings_are_detected(codec: str, title: str) -> None:
    body = FEED.format(declared="x", title=title).replace(' encoding="x"', "").encode(codec)
    assert parsing.parse(body, url="http://example.com/f").title == title


def test_an_http_charset_is_used_when_the_document_says_nothing() -> None:
    body = FEED.format(declared="x", title="繁體中文").replace(' encoding="x"', "").encode("big5")
    assert parsing.parse(body, url="http://e/f", http_charset="big5").title == "繁體中文"


@pytest.mark.parametrize("bom", [codecs.BOM_UTF16_LE, b""])
def test_utf16_little_endian_with_or_without_bom_and_declaration(bom: bytes) -> None:
    text = FEED.format(declared="x", title="中文播客").replace(' encoding="x"', "")
    assert parsing.parse(bom + text.encode("utf-16-le"), url="http://e/f").title == "中文播客"


def test_utf8_with_bom() -> None:
    body = codecs.BOM_UTF8 + FEED.format(declared="UTF-8", title="中文").encode("utf-8")
    assert parsing.parse(body, url="http://e/f").title == "中文"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"<!DOCTYPE html><html><head><title>Shop</title></head></html>", "html"),
        (b'{"json": true}', "not_xml"),
        (b"<rss><channel><title>unclosed</channel>", "not_xml"),
        (b"<note><to>someone</to></note>", "not_a_feed"),
        (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><rss>&a;</rss>', "entities"),
    ],
)
def test_bad_documents_end_with_a_clear_reason(body: bytes, code: str) -> None:
    with pytest.raises(parsing.FeedInvalid) as invalid:
        parsing.parse(body, url="http://e/f")
    assert invalid.value.code == code
    assert str(invalid.value.message)
