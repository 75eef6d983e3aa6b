"""The main pages run under the Content-Security-Policy without a single violation.

A policy the pages break fails silently in production (a button that does nothing, an unstyled
cover), so the browser reports every `securitypolicyviolation` event and console error here.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.harness import ConsoleLog, TingServer

pytestmark = pytest.mark.browser

ANCHOR_USERNAME = "hongxing"  # seeded by tests/browser/seed.py with the factories' password
PASSWORD = "correct horse battery staple"

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.fixture
def page(browser: Browser, ting_server: TingServer, console: ConsoleLog) -> Iterator[Page]:
    context = browser.new_context(base_url=ting_server.base_url, locale="en-US")
    context.set_default_timeout(10_000)
    context.add_init_script(RECORD_VIOLATIONS)
    page = console.watch(context.new_page())
    yield page
    context.close()


def visit(page: Page, path: str) -> list[str]:
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    assert "Content-Security-Policy" in {k.title(): v for k, v in response.headers.items()}
    page.wait_for_load_state("networkidle")
    return [f"{path}: {v}" for v in page.evaluate("() => window.__csp")]


def test_the_main_pages_cause_no_csp_violation(
    page: Page, ting_server: TingServer, console: ConsoleLog
) -> None:
    track_id = ting_server.audio_track_ids[0]
    violations: list[str] = []
    for path in (
        "/",
        f"/album/{ting_server.album_id}/",
        f"/anchor/{ting_server.anchor_id}/",
        f"/social/track/{ting_server.track_id}/comments/",
        "/search/?q=新闻",
        f"/embed/track/{track_id}",
        f"/embed/album/{ting_server.audio_album_id}",
    ):
        violations += visit(page, path)

    # The track page with the player running: the media, waveform and beacons load too.
    violations += visit(page, f"/track/{track_id}/")
    page.locator(".track-actions [data-play]").click()
    page.wait_for_timeout(1500)
    violations += [f"player: {v}" for v in page.evaluate("() => window.__csp")]

    # Typing in the search box runs the suggestions script.
    page.locator("#site-search-q").fill("新")
    page.wait_for_timeout(600)

    # The studio and its upload page, signed in through the real form.
    page.goto("/accounts/login/?next=/studio/")
    page.locator("#id_username").fill(ANCHOR_USERNAME)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(ting_server.url("/studio/"))
    violations += visit(page, "/studio/")
    violations += visit(page, f"/studio/albums/{ting_server.album_id}/")
    violations += visit(page, f"/stats/album/{ting_server.album_id}/")

    assert violations == []
    csp_errors = [e for e in console.errors if "Content Security Policy" in e]
    assert csp_errors == []


def test_a_page_that_breaks_the_policy_would_be_caught(page: Page) -> None:
    """The recorder works: an inline script injected into a page is reported as a violation."""
    visit(page, "/")
    page.evaluate(
        """() => { const s = document.createElement("script");
        s.textContent = "window.__ran = 1"; document.body.append(s); }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.__ran") is None
    assert any("script-src" in v for v in page.evaluate("() => window.__csp"))
