from ting.core.sanitize import plain_text_to_html, sanitize_rich_text


def test_it_drops_scripts_and_event_handlers() -> None:
    html = sanitize_rich_text(
        '<p onclick="x()">hi<script>alert(1)</script></p><img src=x onerror=alert(1)>'
    )
    assert "script" not in html
    assert "onclick" not in html
    assert "onerror" not in html
    assert "<p>hi</p>" in html


def test_it_keeps_safe_links_and_refuses_javascript_urls() -> None:
    html = sanitize_rich_text(
        '<a href="https://example.com">ok</a><a href="javascript:alert(1)">x</a>'
    )
    assert 'href="https://example.com"' in html
    assert "javascript:" not in html
    assert 'rel="nofollow noopener noreferrer ugc"' in html


def test_it_turns_plain_text_into_escaped_paragraphs() -> None:
    assert plain_text_to_html("a <b>\n\nsecond") == "<p>a &lt;b&gt;</p><p>second</p>"
