"""The stream view appends exactly one log row per request, in every mode, and updates nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.fixtures import Settings

from ting.accounts.models import User
from ting.catalog.models import Anchor, Track
from ting.catalog.tests.factories import make_track
from ting.stats.models import DailySalt, StreamLog
from ting.stats.privacy import normalise_ip
from ting.stats.tests.factories import AUDIO, BROWSER, with_audio

pytestmark = pytest.mark.django_db


@pytest.fixture
def track(anchor: Anchor) -> Track:
    return with_audio(make_track(album__anchor=anchor))


def get(client: Client, track: Track, **headers: str) -> Any:
    response = client.get(reverse("playback:stream", args=[track.pk, "aac64"]), headers=headers)
    if response.streaming:
        b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return response


def test_each_stream_request_appends_one_row_and_updates_nothing(
    client: Client, track: Track
) -> None:
    get(client, track)  # the day's salt is made on the first request of the day
    with CaptureQueriesContext(connection) as queries:
        response = get(client, track, Range="bytes=100-199", User_Agent=BROWSER)
    assert response.status_code == 206
    assert StreamLog.objects.count() == 2
    sql = [q["sql"].upper() for q in queries.captured_queries]
    assert sum(s.startswith("INSERT") for s in sql) == 1
    assert not [s for s in sql if s.startswith(("UPDATE", "DELETE"))]
    row = StreamLog.objects.latest("id")
    assert (row.track_id, row.format, row.method, row.status) == (track.pk, "aac64", "GET", 206)
    assert (row.range_header, row.bytes_planned, row.size) == ("bytes=100-199", 100, len(AUDIO))
    assert row.user_agent == BROWSER
    assert row.user_id is None


def test_the_row_holds_a_hash_not_the_address(client: Client, track: Track) -> None:
    get(client, track, X_Forwarded_For="198.51.100.4")
    row = StreamLog.objects.get()
    assert len(row.ip_hash) == 32
    assert "127.0.0.1" not in row.ip_hash
    assert DailySalt.objects.count() == 1


def test_ipv6_addresses_are_hashed_by_their_64_prefix() -> None:
    assert normalise_ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == "2001:db8:1:2::"
    assert normalise_ip("::ffff:198.51.100.4") == "198.51.100.4"
    assert normalise_ip("198.51.100.4") == "198.51.100.4"


def test_the_proxy_address_is_taken_from_x_forwarded_for_when_configured(
    client: Client, track: Track, settings: Settings
) -> None:
    settings.TING_PROXY_HOPS = 1
    get(client, track, X_Forwarded_For="198.51.100.4")
    get(client, track, X_Forwarded_For="198.51.100.5")
    assert StreamLog.objects.values("ip_hash").distinct().count() == 2


def test_head_requests_signed_in_users_and_long_headers_are_logged_as_sent(
    client: Client, track: Track, listener: User
) -> None:
    client.force_login(listener)
    client.head(
        reverse("playback:stream", args=[track.pk, "aac64"]),
        headers={"User-Agent": "x" * 1000, "Referer": "https://example.com/" + "p" * 900},
    )
    row = StreamLog.objects.get()
    assert (row.method, row.bytes_planned, row.user_id) == ("HEAD", 0, listener.pk)
    assert len(row.user_agent) == 400 and len(row.referrer) == 400


@pytest.mark.parametrize("mode", ["x-accel", "redirect"])
def test_the_authorising_request_is_logged_in_every_delivery_mode(
    client: Client, track: Track, settings: Settings, mode: str
) -> None:
    settings.MEDIA_DELIVERY = mode
    response = get(client, track, Range="bytes=0-")
    assert response.status_code in (200, 302)
    row = StreamLog.objects.get()
    assert (row.status, row.bytes_planned) == (response.status_code, len(AUDIO))


def test_refused_requests_are_not_logged(client: Client, anchor: Anchor) -> None:
    hidden = with_audio(make_track(album__anchor=anchor, visibility="private"))
    assert get(client, hidden).status_code == 404
    assert not StreamLog.objects.exists()


def test_logging_can_be_turned_off(client: Client, track: Track, settings: Settings) -> None:
    settings.TING_STREAM_LOGGER = ""
    assert get(client, track).status_code == 200
    assert not StreamLog.objects.exists()


def test_a_failing_log_never_fails_the_stream(
    client: Client, track: Track, settings: Settings
) -> None:
    settings.TING_STREAM_LOGGER = "ting.stats.tests.test_stream_log.broken_logger"
    assert get(client, track).status_code == 200


def broken_logger(event: object) -> None:
    raise RuntimeError("disk full")


@pytest.mark.django_db(transaction=True)
def test_the_log_row_commits_without_flush_and_leaves_the_connection_durable(
    client: Client, anchor: Anchor
) -> None:
    track = with_audio(make_track(album__anchor=anchor))
    with CaptureQueriesContext(connection) as queries:
        assert get(client, track).status_code == 200
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    log_insert = [sql for sql in inserts if StreamLog._meta.db_table in sql]
    assert len(log_insert) == 1
    assert StreamLog.objects.count() == 1
    if connection.vendor == "postgresql":
        # One statement, one round trip; the relaxed commit ended with its own transaction.
        assert "set_config('synchronous_commit', 'off', true)" in log_insert[0]
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone() == ("on",)
