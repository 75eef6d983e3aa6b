"""A listener comments in Chromium: emoji, the live N/300 counter, the limit, reply, like, pin."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.harness import ConsoleLog, TingServer, screenshot

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"  # the factories' password (tests/browser/seed.py)


def _context(browser: Browser, server: TingServer) -> BrowserContext:
    context = browser.new_context(base_url=server.base_url, locale="en-GB")
    context.set_default_timeout(10_000)
    context.add_cookies([{"name": "ting_language", "value": "en", "url": server.base_url}])
    return context


@pytest.fixture
def contexts(browser: Browser, ting_server: TingServer) -> Iterator[list[BrowserContext]]:
    made: list[BrowserContext] = []
    yield made
    for context in made:
        context.close()


def _signed_in(
    contexts: list[BrowserContext], browser: Browser, server: TingServer, console: ConsoleLog,
    username: str, path: str,
) -> Page:  # fmt: skip
    context = _context(browser, server)
    contexts.append(context)
    page = console.watch(context.new_page())
    page.goto(f"/accounts/login/?next={path}")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(path.split("#")[0])))
    return page


def test_a_listener_comments_replies_likes_and_the_anchor_pins(
    browser: Browser, ting_server: TingServer, console: ConsoleLog,
    contexts: list[BrowserContext],
) -> None:  # fmt: skip
    track_path = f"/track/{ting_server.track_id}/"
    key = f"track-{ting_server.track_id}"

    anonymous = _context(browser, ting_server)
    contexts.append(anonymous)
    stranger = console.watch(anonymous.new_page())
    stranger.goto(track_path)
    expect(stranger.locator(".comments-empty")).to_contain_text("Be the first")
    stranger.locator("[data-comment-login]").click()
    stranger.wait_for_url(re.compile(r"/accounts/login/\?next=.*%23comments"))

    page = _signed_in(contexts, browser, ting_server, console, "tingfan", track_path)
    box = page.locator(f"#comment-body-{key}")
    counter = page.locator(f"#comment-form-{key} [data-counter]")
    post = page.locator(f"#comment-form-{key} button[type=submit]")

    box.fill("好听")
    page.locator("[data-emoji-toggle]").click()
    page.locator('[data-emoji="👍🏽"]').click()
    page.locator('[data-emoji="👨‍👩‍👧‍👦"]').click()
    expect(box).to_have_value("好听👍🏽👨‍👩‍👧‍👦")
    expect(counter).to_have_text("4/300")  # a skin tone and a ZWJ family are one each

    box.fill("聽" * 300)
    expect(counter).to_have_text("300/300")
    expect(post).to_be_enabled()
    box.press("End")
    box.type("!")
    expect(counter).to_have_text("301/300")
    expect(counter).to_have_class(re.compile("is-over"))
    expect(post).to_be_disabled()

    box.fill("01:23 这里最精彩 👍🏽")  # the seeded track lasts 03:44
    post.click()
    comment = page.locator(".comment", has_text="这里最精彩").first
    expect(comment).to_be_visible()
    expect(box).to_have_value("")
    expect(comment.locator("a.time-code")).to_have_attribute("data-seek", "83")

    comment.get_by_role("button", name="Reply").click()
    reply_box = comment.locator(".reply-form textarea")
    reply_box.fill("补充：1:02 也不错")
    comment.locator(".reply-form button[type=submit]").click()
    thread = page.locator(".comment", has_text="这里最精彩").first
    expect(thread.locator(".comment.is-reply")).to_contain_text("补充")

    like = thread.locator(".comment-actions .like-button").first
    like.click()
    like = page.locator(".comment", has_text="这里最精彩").first.locator(".like-button").first
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(like).to_contain_text("1")

    anchor = _signed_in(contexts, browser, ting_server, console, "hongxing", track_path)
    target = anchor.locator(".comment", has_text="这里最精彩").first
    target.get_by_role("button", name="Pin").click()
    expect(anchor.locator(".comment.is-pinned")).to_contain_text("这里最精彩")
    expect(anchor.locator(".comment.is-pinned .pin-badge")).to_have_text("Pinned")

    page.reload()
    expect(page.locator(".comment.is-pinned")).to_contain_text("这里最精彩")
    expect(page.locator(".bell-count")).to_have_text("1")  # "The anchor pinned your comment"
    page.locator(".comment.is-pinned").scroll_into_view_if_needed()
    screenshot(page, "social-comments")
    assert console.errors == []
