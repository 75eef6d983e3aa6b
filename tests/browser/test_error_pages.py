"""Error pages in the browser: Ting's own layout and stylesheet, not the server's bare text."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.harness import ConsoleLog, TingServer

pytestmark = pytest.mark.browser


def test_a_missing_track_gets_the_styled_404_page(
    zh_hant_page: Page, ting_server: TingServer, console: ConsoleLog
) -> None:
    page = zh_hant_page
    response = page.goto(f"/track/{ting_server.track_id + 10_000}/")
    assert response is not None and response.status == 404

    # The site's stylesheet loaded and applies: header, the dashed empty-state box, the accent.
    rules = page.evaluate(
        "() => Array.from(document.styleSheets).reduce((n, s) => n + s.cssRules.length, 0)"
    )
    assert rules > 50
    mark = page.locator(".empty-mark")
    expect(mark).to_have_text("404")
    expect(mark).to_have_css("color", "rgb(228, 87, 46)")
    expect(page.locator(".empty-state.big")).to_have_css("border-top-style", "dashed")
    expect(page.locator(".site-header")).to_have_css("position", "sticky")
    expect(page.locator("header a.brand")).to_have_attribute("href", "/")
    expect(page.locator("main a.button")).to_have_attribute("href", "/")

    # Chromium reports the document's own 404 status on the console; nothing else may appear.
    unexpected = [e for e in console.errors if "status of 404" not in e]
    assert unexpected == []
