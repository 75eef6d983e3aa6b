"""IAB filtering and range reassembly: what counts as a download, and what never does."""

from __future__ import annotations

import pytest
from pytest_django.fixtures import Settings

from ting.catalog.models import Anchor, Track
from ting.catalog.tests.factories import make_track
from ting.stats.models import DailyClientStats, DailyTrackStats, StreamLog
from ting.stats.privacy import hash_ip
from ting.stats.tests.factories import (
    BROWSER,
    HEADER,
    ONE_MINUTE,
    OVERCAST,
    SIZE,
    count,
    log_request,
)

pytestmark = pytest.mark.django_db

AT = "2025-03-04 10:00"


@pytest.fixture
def track(anchor: Anchor) -> Track:
    return make_track(album__anchor=anchor)


def downloads(track: Track) -> int:
    return sum(DailyTrackStats.objects.filter(track=track).values_list("downloads", flat=True))


def test_a_whole_file_get_counts_once(track: Track) -> None:
    log_request(track, AT)
    count()
    assert downloads(track) == 1


def test_a_seek_heavy_session_of_many_ranges_counts_once(track: Track) -> None:
    step = 256 * 1024
    for n in range(40):  # a listener skipping around, 256 KiB at a time
        first = (n * 7919 * step) % (SIZE - step)
        log_request(
            track, f"2025-03-04 10:{n:02d}", range_header=f"bytes={first}-{first + step - 1}"
        )
    count()
    assert downloads(track) == 1


def test_ranges_count_only_once_they_cover_header_and_a_minute(track: Track) -> None:
    need = HEADER + ONE_MINUTE
    log_request(track, "2025-03-04 10:00", range_header=f"bytes=0-{need // 2}")
    log_request(track, "2025-03-04 10:01", range_header=f"bytes={need // 4}-{need - 2}")
    count()
    assert downloads(track) == 0  # one byte short, and the overlap is not counted twice
    log_request(track, "2025-03-04 10:02", range_header=f"bytes={need - 1}-{need - 1}")
    count()
    assert downloads(track) == 1


def test_the_last_100_kb_of_a_long_file_is_not_a_download(track: Track) -> None:
    """Castopod counts the whole file for any range request; a seek to the end is no listen."""
    log_request(track, AT, range_header="bytes=-102400")
    count()
    assert downloads(track) == 0


def test_two_user_agents_behind_one_ip_are_two_listeners(track: Track) -> None:
    log_request(track, AT, ua=BROWSER)
    log_request(track, AT, ua=OVERCAST)
    count()
    assert downloads(track) == 2
    clients = dict(DailyClientStats.objects.values_list("client", "downloads"))
    assert clients == {"Chrome": 1, "Overcast": 1}


@pytest.mark.parametrize(
    "request_fields",
    [
        {"ua": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"},
        {"ua": "curl/8.5.0"},
        {"ua": "Overcast/1.0 Podcast Sync (123 subscribers; feed-id=456789; +http://overcast.fm/)"},
        {"ua": "iTMS"},
        {"ua": ""},
        {"ua": "atc/1.0 watchOS/10.4 model/Watch6,2 hwp/t8301 build/21T216 (6; dt:265)"},
        {"method": "HEAD"},
        {"status": 304},
        {"status": 416, "range_header": f"bytes={SIZE}-"},
        {"range_header": "bytes=0-1"},
    ],
    ids=[
        "googlebot",
        "curl",
        "overcast-feed-sync",
        "itms",
        "no-ua",
        "apple-watch",
        "head",
        "not-modified",
        "unsatisfiable",
        "probe",
    ],
)
def test_filtered_requests_count_zero(track: Track, request_fields: dict[str, object]) -> None:
    for minute in range(3):  # even repeated
        log_request(track, f"2025-03-04 10:0{minute}", **request_fields)  # type: ignore[arg-type]
    count()
    assert downloads(track) == 0


def test_a_file_under_a_minute_counts_only_when_fetched_whole(track: Track) -> None:
    short = {"size": 400_000, "duration": 50.0}
    log_request(track, "2025-03-04 10:00", range_header="bytes=0-399998", **short)  # type: ignore[arg-type]
    count()
    assert downloads(track) == 0
    log_request(track, "2025-03-04 10:01", range_header="bytes=399999-399999", **short)  # type: ignore[arg-type]
    count()
    assert downloads(track) == 1


def test_reload_spam_from_one_listener_counts_once(track: Track) -> None:
    for second in range(50):
        log_request(track, f"2025-03-04 10:00:{second:02d}", ua=BROWSER, range_header="bytes=0-")
    count()
    assert downloads(track) == 1


def test_a_listener_is_followed_across_midnight_when_salts_rotate(
    settings: Settings, track: Track
) -> None:
    settings.TING_DOWNLOAD_WINDOW = "first-touch-24h"
    monday, tuesday = b"m" * 32, b"t" * 32
    ip = "2001:db8:1:2:aaaa::1"
    first = log_request(track, "2025-03-03 22:00")
    second = log_request(track, "2025-03-04 03:00")
    StreamLog.objects.filter(pk=first.pk).update(ip_hash=hash_ip(ip, monday), ip_hash_prev="")
    StreamLog.objects.filter(pk=second.pk).update(
        # Another address in the same /64: one household.
        ip_hash=hash_ip("2001:db8:1:2:bbbb::9", tuesday),
        ip_hash_prev=hash_ip(ip, monday),
    )
    count()
    assert downloads(track) == 1
