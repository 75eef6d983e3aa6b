"""The persistent player in a real Chromium: play, seek, speed, sleep timer, navigation, resume."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, Request, Route, expect

from tests.browser.harness import ConsoleLog, TingServer

pytestmark = pytest.mark.browser


def current_time(page: Page) -> float:
    return float(page.evaluate("window.tingPlayer.audio.currentTime"))


def paused(page: Page) -> bool:
    return bool(page.evaluate("window.tingPlayer.audio.paused"))


def start_playing(page: Page, server: TingServer, index: int = 0) -> None:
    page.goto(f"/track/{server.audio_track_ids[index]}/")
    page.locator(".track-actions [data-play]").click()
    page.wait_for_function("window.tingPlayer.audio.currentTime > 0.5", timeout=15_000)


def test_pressing_play_plays_the_track(zh_hant_page: Page, ting_server: TingServer) -> None:
    page = zh_hant_page
    start_playing(page, ting_server)
    expect(page.locator("#player")).to_be_visible()
    expect(page.locator("#player [data-bind=title]")).to_have_text("第1課")
    assert not paused(page)
    assert page.evaluate("window.tingPlayer.audio.preload") == "none"
    # Opus first when the browser can play it; the source is the public, stable stream URL.
    src = page.evaluate("window.tingPlayer.audio.currentSrc")
    assert re.search(rf"/stream/{ting_server.audio_track_ids[0]}/(opus32|aac64|mp3_128)$", src)


def test_clicking_the_waveform_seeks_with_a_range_request(
    zh_hant_page: Page, ting_server: TingServer
) -> None:
    page = zh_hant_page
    ranges: list[str] = []

    def on_request(request: Request) -> None:
        if "/stream/" in request.url:
            ranges.append(request.headers.get("range", ""))

    page.on("request", on_request)
    page.goto(f"/track/{ting_server.audio_track_ids[0]}/")
    # Then a slow line, so the seek target lies beyond what the browser has buffered (the page
    # itself loads at full speed: throttled, its scripts alone would outlast the timeout).
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 20, "downloadThroughput": 16_000, "uploadThroughput": 16_000},
    )
    page.locator(".track-actions [data-play]").click()
    page.wait_for_function("window.tingPlayer.audio.currentTime > 0.5", timeout=20_000)
    box = page.locator("#player .waveform canvas").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] / 2)
    page.wait_for_function("window.tingPlayer.audio.currentTime > 120", timeout=20_000)
    assert any(r.startswith("bytes=") and r != "bytes=0-" for r in ranges), ranges


def test_speed_changes_and_is_remembered_for_the_album(
    zh_hant_page: Page, ting_server: TingServer
) -> None:
    page = zh_hant_page
    start_playing(page, ting_server)
    page.locator("#player [data-bind=speed]").select_option("2")
    assert page.evaluate("window.tingPlayer.audio.playbackRate") == 2
    page.reload()
    page.wait_for_function("window.tingPlayer && window.tingPlayer.track !== null")
    assert page.evaluate("window.tingPlayer.audio.playbackRate") == 2
    expect(page.locator("#player [data-bind=speed]")).to_have_value("2")


def test_the_sleep_timer_pauses_when_its_time_is_up(
    zh_hant_page: Page, ting_server: TingServer
) -> None:
    page = zh_hant_page
    page.clock.install()
    start_playing(page, ting_server)
    page.locator("#player [data-bind=sleep]").select_option("15")
    expect(page.locator("#player [data-bind=sleep-status]")).not_to_be_empty()
    page.clock.run_for("14:00")
    assert not paused(page)
    page.clock.run_for("01:01")
    page.wait_for_function("window.tingPlayer.audio.paused", timeout=5_000)
    expect(page.locator("#player [data-bind=sleep]")).to_have_value("")


def test_audio_keeps_playing_while_the_listener_browses(
    zh_hant_page: Page, ting_server: TingServer, console: ConsoleLog
) -> None:
    page = zh_hant_page
    start_playing(page, ting_server)
    page.evaluate("window.__sameDocument = true")
    page.locator(".crumbs a").click()  # to the album page, through boosted navigation
    expect(page).to_have_url(re.compile(rf"/album/{ting_server.audio_album_id}/$"))
    before = current_time(page)
    page.wait_for_function(f"window.tingPlayer.audio.currentTime > {before + 1}", timeout=10_000)
    assert page.evaluate("window.__sameDocument") is True  # the document was never reloaded
    assert not paused(page)
    page.go_back()
    expect(page).to_have_url(re.compile(rf"/track/{ting_server.audio_track_ids[0]}/$"))
    assert not paused(page)
    assert console.errors == []


def test_a_reload_resumes_at_the_stored_second(zh_hant_page: Page, ting_server: TingServer) -> None:
    page = zh_hant_page
    start_playing(page, ting_server)
    page.evaluate("window.tingPlayer.seek(12)")
    page.wait_for_function("window.tingPlayer.audio.currentTime > 12.5", timeout=10_000)
    page.evaluate("window.tingPlayer.audio.pause()")
    stopped = current_time(page)
    page.reload()
    page.wait_for_function("window.tingPlayer && window.tingPlayer.track !== null")
    page.locator(".track-actions [data-play]").click()
    # play() starts at once; the stored second is applied when the metadata arrives.
    page.wait_for_function(
        f"!window.tingPlayer.audio.paused && window.tingPlayer.audio.currentTime >= {stopped - 1}",
        timeout=10_000,
    )


def test_autoplay_moves_on_to_the_next_track_in_album_order(
    zh_hant_page: Page, ting_server: TingServer
) -> None:
    page = zh_hant_page
    start_playing(page, ting_server)
    page.evaluate("window.tingPlayer.seek(window.tingPlayer.audio.duration - 1)")
    expect(page.locator("#player [data-bind=title]")).to_have_text("第2課", timeout=15_000)
    page.wait_for_function("window.tingPlayer.audio.currentTime > 0.3", timeout=10_000)


def test_share_copies_a_link_to_the_current_second(
    zh_hant_page: Page, ting_server: TingServer
) -> None:
    page = zh_hant_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    start_playing(page, ting_server)
    page.evaluate("window.tingPlayer.audio.pause()")
    page.evaluate("window.tingPlayer.seek(7)")
    page.locator("#player [data-action=share]").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.endswith(f"/track/{ting_server.audio_track_ids[0]}/?t=7")


def test_an_audio_url_that_stopped_working_is_replaced_and_playback_goes_on(
    zh_hant_page: Page, ting_server: TingServer
) -> None:
    """Signed URLs expire (MEDIA_DELIVERY=nginx-signed signs every track's): the player asks
    for fresh data when its audio URL fails, instead of going silent."""
    page = zh_hant_page
    events: list[str] = []

    def refuse_first(route: Route) -> None:
        if "refused" not in events:
            events.append("refused")
            route.fulfill(status=403, body="expired")
        else:
            route.continue_()

    def on_request(request: Request) -> None:
        if "/playback/track/" in request.url:
            events.append("data")

    page.route("**/stream/**", refuse_first)
    page.on("request", on_request)
    page.goto(f"/track/{ting_server.audio_track_ids[0]}/")
    page.locator(".track-actions [data-play]").click()
    page.wait_for_function("window.tingPlayer.audio.currentTime > 0.5", timeout=20_000)
    assert not paused(page)
    # The player's data was asked for again after the refusal, and the new URL played.
    assert "refused" in events and "data" in events[events.index("refused") :], events
