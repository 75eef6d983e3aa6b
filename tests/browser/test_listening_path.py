"""A listener's path through the real app in Chromium: home → album → track, then English."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser import seed
from tests.browser.harness import ConsoleLog, TingServer, screenshot
from ting.core.script import Script, convert

pytestmark = pytest.mark.browser

TRACK_TITLE_HANT = "洩密小米汽車保密拍攝內容"  # OpenCC s2twp: Taiwan standard writes 洩


def hant(text: str) -> str:
    return convert(text, Script.HANT_TW)


def paragraphs(html: str) -> list[str]:
    """The visible text of each paragraph of stored rich text."""
    return [re.sub(r"<[^>]+>", "", p) for p in re.findall(r"<p>(.*?)</p>", html)]


def test_a_reader_of_traditional_chinese_finds_a_track_and_switches_to_english(
    zh_hant_page: Page, ting_server: TingServer, console: ConsoleLog
) -> None:
    page = zh_hant_page
    track_url = ting_server.url(f"/track/{ting_server.track_id}/")

    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hant")
    album_link = page.get_by_role("link", name=hant(seed.ALBUM_TITLE)).first
    expect(album_link).to_be_visible()
    expect(page.locator(".category-strip")).to_contain_text("新聞")
    screenshot(page, "home")

    album_link.click()
    page.wait_for_url(ting_server.url(f"/album/{ting_server.album_id}/"))
    expect(page.locator("h1")).to_have_text(hant(seed.ALBUM_TITLE))
    expect(page.locator(".album-head .meta").first).to_contain_text(seed.ANCHOR_NAME)
    screenshot(page, "album")

    page.locator(".track-list").get_by_role("link", name=TRACK_TITLE_HANT).click()
    page.wait_for_url(track_url)
    expect(page.locator("h1")).to_have_text(TRACK_TITLE_HANT)
    expect(page).to_have_title(re.compile(f"^{TRACK_TITLE_HANT}"))
    expect(page.locator(".track-facts .duration")).to_have_text("03:44")
    intro = page.locator(".intro .rich")
    expect(intro).to_contain_text("近日，網路上出現了")
    for paragraph in paragraphs(seed.TRACK_INTRO):
        expect(intro).to_contain_text(hant(paragraph))
    expect(intro.locator("strong")).to_have_text(hant("相关信息并不属实"))
    card = page.locator("aside.anchor-card")
    expect(card).to_be_visible()
    expect(card.locator(".anchor-name")).to_contain_text(seed.ANCHOR_NAME)
    expect(card.locator(".anchor-bio")).to_contain_text(hant(paragraphs(seed.ANCHOR_BIO)[0]))
    expect(card.locator(".anchor-stats")).to_contain_text("11.3萬")
    expect(card.get_by_role("link", name=re.compile(seed.ANCHOR_NAME))).to_have_attribute(
        "href", f"/anchor/{ting_server.anchor_id}/"
    )
    screenshot(page, "track")

    # The header's <select> posts to /i18n/setlang/ on change; the reader lands where they were.
    with page.expect_navigation():
        page.locator("#lang-select").select_option("en")
    assert page.url == track_url
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#lang-select")).to_have_value("en")
    expect(page.locator(".main-nav").get_by_role("link", name="Home")).to_be_visible()
    expect(page.locator(".header-tools").get_by_role("link", name="Log in")).to_be_visible()
    # English readers see Chinese content as its anchor wrote it.
    expect(page.locator("h1")).to_have_text(seed.TRACK_TITLE)
    expect(page.locator(".track-facts .duration")).to_have_text("03:44")

    assert console.errors == []


def test_the_track_page_fits_a_phone_screen(
    phone_page: Page, ting_server: TingServer, console: ConsoleLog
) -> None:
    page = phone_page
    response = page.goto(f"/track/{ting_server.track_id}/")
    assert response is not None and response.status == 200
    expect(page.locator("h1")).to_have_text(TRACK_TITLE_HANT)
    expect(page.locator("aside.anchor-card")).to_be_visible()
    widths = page.evaluate(
        "() => ({scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["inner"] == 375
    assert widths["scroll"] <= widths["inner"], f"horizontal overflow on a phone: {widths}"
    screenshot(page, "track-phone")
    assert console.errors == []
