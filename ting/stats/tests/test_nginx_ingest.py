"""nginx's stream log becomes the rows the app would have logged: once, whatever happens."""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.conf import settings
from django.db.models import Sum
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from ting.accounts.models import User
from ting.catalog.models import Anchor, Track
from ting.catalog.tests.factories import make_track
from ting.playback import selectors, signing
from ting.playback.tests.servers import (
    NGINX_REFERENCE_CONF,
    SignedNginx,
    flush_nginx_logs,
    signed_nginx,
)
from ting.stats.models import (
    CountingCursor,
    DailyTrackStats,
    DownloadWindow,
    LogFileCursor,
    StreamLog,
)
from ting.stats.nginxlog import ingest_nginx_log
from ting.stats.tests.factories import AUDIO, BROWSER, OVERCAST, count, with_audio

pytestmark = pytest.mark.django_db


@pytest.fixture
def track(anchor: Anchor) -> Track:
    return with_audio(make_track(album__anchor=anchor))


# --- against a real nginx ----------------------------------------------------------------------


@pytest.fixture
def nginx(settings: Settings, tmp_path: Path) -> Iterator[SignedNginx]:
    with signed_nginx(
        media_root=Path(settings.MEDIA_ROOT), secret=settings.TING_NGINX_SECRET, workdir=tmp_path
    ) as server:
        yield server


# What a listener's players send: a probe, ranges, a seek, a HEAD, a whole fetch, a podcast app.
REQUESTS: list[tuple[str, dict[str, str]]] = [
    ("GET", {"Range": "bytes=0-1", "User-Agent": BROWSER}),
    ("GET", {"Range": "bytes=0-", "User-Agent": BROWSER, "Referer": "https://example.com/a"}),
    ("GET", {"Range": "bytes=50000-", "User-Agent": BROWSER}),
    ("HEAD", {"User-Agent": OVERCAST}),
    ("GET", {"User-Agent": OVERCAST}),
    ("GET", {"Range": "bytes=999999999-", "User-Agent": BROWSER}),  # 416
    ("GET", {"Range": "bytes=10-20", "User-Agent": 'Mozilla/5.0 "quoted" \\ é'}),
]
COMPARED = (
    "track_id", "format", "method", "status", "ip_hash", "ip_hash_prev", "user_agent",
    "range_header", "bytes_planned", "size", "bitrate", "duration", "referrer", "user_id",
)  # fmt: skip


def _rows() -> list[dict[str, Any]]:
    return [model_to_dict(row, fields=COMPARED) for row in StreamLog.objects.order_by("id")]


def _in_app_mode(client: Client, track: Track) -> list[dict[str, Any]]:
    url = reverse("playback:stream", args=[track.pk, "aac64"])
    for method, headers in REQUESTS:
        response = client.generic(method, url, headers=headers)
        if response.streaming:
            b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return _rows()


def _through_nginx(nginx: SignedNginx, src: str) -> list[dict[str, Any]]:
    with httpx.Client(base_url=nginx.base_url) as http:
        # Header bytes as a client sends them; Django reads them as Latin-1.
        statuses = [
            http.request(
                method, src, headers={k.encode(): v.encode("latin-1") for k, v in headers.items()}
            ).status_code
            for method, headers in REQUESTS
        ]
    assert statuses == [206, 206, 206, 200, 200, 416, 206]
    flush_nginx_logs(nginx.pid, nginx.log, lines=len(REQUESTS))
    report = ingest_nginx_log(path=nginx.log)
    assert (report.rows, report.malformed) == (len(REQUESTS), 0)
    return _rows()


def _forget_counts() -> None:
    for model in (StreamLog, DailyTrackStats, DownloadWindow, CountingCursor):
        model.objects.all().delete()


def test_ingested_rows_equal_what_the_app_logs_and_count_the_same(
    settings: Settings, nginx: SignedNginx, track: Track, client: Client
) -> None:
    settings.MEDIA_DELIVERY = "app"
    app_rows = _in_app_mode(client, track)
    count()
    app_downloads = DailyTrackStats.objects.aggregate(n=Sum("downloads"))["n"]
    _forget_counts()

    settings.MEDIA_DELIVERY = "nginx-signed"
    nginx_rows = _through_nginx(
        nginx, selectors.stream_url(track, "aac64", rendition=_rendition(track))
    )
    assert nginx_rows == app_rows
    count()
    assert DailyTrackStats.objects.aggregate(n=Sum("downloads"))["n"] == app_downloads == 2


def _rendition(track: Track) -> Any:
    from ting.media.models import Rendition

    return Rendition.objects.get(asset__track=track)


def test_a_signed_in_listener_is_recovered_from_the_token(
    settings: Settings, nginx: SignedNginx, track: Track, listener: User, client: Client
) -> None:
    settings.MEDIA_DELIVERY = "nginx-signed"
    client.force_login(listener)
    location = client.get(reverse("playback:stream", args=[track.pk, "aac64"]))["Location"]
    token = parse_qs(urlsplit(location).query)["l"][0]
    assert re.fullmatch("[0-9a-f]{16}", token) and int(token, 16) != listener.pk
    assert httpx.get(nginx.base_url + location, headers={"Range": "bytes=0-"}).status_code == 206
    flush_nginx_logs(nginx.pid, nginx.log, lines=1)
    ingest_nginx_log(path=nginx.log)
    assert StreamLog.objects.get().user_id == listener.pk


def test_refused_requests_are_not_logged_by_nginx(
    settings: Settings, nginx: SignedNginx, track: Track
) -> None:
    settings.MEDIA_DELIVERY = "nginx-signed"
    src = selectors.stream_url(track, "aac64", rendition=_rendition(track))
    assert httpx.get(nginx.base_url + src.replace("s=", "s=x")).status_code == 403
    assert httpx.get(nginx.base_url + src).status_code == 200
    flush_nginx_logs(nginx.pid, nginx.log, lines=1)
    assert nginx.log.read_bytes().count(b"\n") == 1


def test_the_log_format_is_the_one_the_ingest_reads() -> None:
    """Lines written below by `line()` have exactly the fields of the shipped log_format."""
    conf = NGINX_REFERENCE_CONF.read_text()
    shipped = re.search(r"log_format ting_stream escape=json\s+(.*?);", conf, re.DOTALL)
    assert shipped is not None
    fields = re.findall(r'"(\w+)":', shipped.group(1))
    assert fields == list(json.loads(line(track_id=1).decode()))


# --- the file: idempotent, rotation, garbage ---------------------------------------------------


def line(
    *, track_id: int, status: int = 206, range_header: str = "bytes=0-", at: float | None = None
) -> bytes:
    """A line as nginx's ting_stream format writes it."""
    fields = {
        "v": 1, "msec": f"{at or time.time():.3f}", "status": str(status), "method": "GET",
        "addr": "198.51.100.4", "track": str(track_id), "format": "aac64", "expires": "",
        "token": "", "range": range_header, "sent": "100", "ua": BROWSER, "referer": "",
    }  # fmt: skip
    return json.dumps(fields, separators=(",", ":")).encode() + b"\n"


def lines(track: Track, n: int, start: int = 0) -> bytes:
    return b"".join(
        line(track_id=track.pk, range_header=f"bytes={i}-") for i in range(start, start + n)
    )


def ranges_logged() -> list[str]:
    return sorted(
        StreamLog.objects.values_list("range_header", flat=True), key=lambda r: int(r[6:-1])
    )


def expected(n: int) -> list[str]:
    return [f"bytes={i}-" for i in range(n)]


@pytest.fixture
def log(tmp_path: Path) -> Path:
    return tmp_path / "stream.log"


def test_a_rerun_ingests_nothing_twice(log: Path, track: Track) -> None:
    log.write_bytes(lines(track, 5))
    assert ingest_nginx_log(path=log, batch=2).rows == 5
    assert ingest_nginx_log(path=log).rows == 0
    with log.open("ab") as out:
        out.write(lines(track, 3, start=5))
    assert ingest_nginx_log(path=log).rows == 3
    assert ranges_logged() == expected(8)
    cursor = LogFileCursor.objects.get()
    assert cursor.offset == log.stat().st_size


def test_a_run_that_lost_the_race_rolls_its_batch_back(log: Path, track: Track) -> None:
    log.write_bytes(lines(track, 4))
    stale = LogFileCursor.objects.create(name="nginx-stream")
    ingest_nginx_log(path=log)
    # A second ingest that read the cursor before the first moved it: its batch must not land.
    from ting.stats import nginxlog

    with log.open("rb") as handle, pytest.raises(nginxlog.CursorMoved):
        nginxlog._ingest_file(
            stale, handle, inode=log.stat().st_ino, final=False, batch=100,
            report=nginxlog.IngestReport(),
        )  # fmt: skip
    assert StreamLog.objects.count() == 4


def test_a_half_written_line_waits_for_its_end(log: Path, track: Track) -> None:
    whole = lines(track, 2)
    log.write_bytes(whole[:-20])
    assert ingest_nginx_log(path=log).rows == 1
    with log.open("ab") as out:
        out.write(whole[-20:])
    report = ingest_nginx_log(path=log)
    assert (report.rows, report.malformed) == (1, 0)
    assert ranges_logged() == expected(2)


def test_logrotate_rename_finishes_the_old_file_first(log: Path, track: Track) -> None:
    log.write_bytes(lines(track, 3))
    ingest_nginx_log(path=log)
    with log.open("ab") as out:
        out.write(lines(track, 2, start=3))  # written after the last ingest, before the rotation
    log.rename(log.with_name("stream.log.1"))
    log.write_bytes(lines(track, 4, start=5))  # nginx reopened its log
    report = ingest_nginx_log(path=log)
    assert (report.rotated, report.lost_rotation, report.rows) == (True, False, 6)
    assert ranges_logged() == expected(9)
    assert ingest_nginx_log(path=log).rows == 0


def test_copytruncate_is_followed_through_the_copy(log: Path, track: Track) -> None:
    log.write_bytes(lines(track, 3))
    ingest_nginx_log(path=log)
    with log.open("ab") as out:
        out.write(lines(track, 2, start=3))
    shutil.copyfile(log, log.with_name("stream.log.1"))
    with log.open("r+b") as out:
        out.truncate(0)
    with log.open("ab") as out:
        out.write(lines(track, 6, start=5))  # longer than before: the size alone would not tell
    report = ingest_nginx_log(path=log)
    assert (report.rotated, report.rows) == (True, 8)
    assert ranges_logged() == expected(11)


def test_a_rotation_without_its_copy_is_reported_and_the_new_file_ingested(
    log: Path, track: Track
) -> None:
    log.write_bytes(lines(track, 2))
    ingest_nginx_log(path=log)
    log.unlink()
    log.write_bytes(lines(track, 3, start=2))
    report = ingest_nginx_log(path=log)
    assert (report.lost_rotation, report.rows) == (True, 3)


def test_garbage_is_skipped_and_reported_never_fatal(log: Path, track: Track) -> None:
    good = lines(track, 3)
    garbage = [
        b"not json at all\n",
        b"\x00\xff\xfe binary \x80\n",
        b'{"v":2}\n',
        b"[1,2,3]\n",
        line(track_id=track.pk).replace(b'"198.51.100.4"', b'"not-an-ip"'),
        line(track_id=track.pk).replace(b'"aac64"', b'"wav"'),
        line(track_id=track.pk).replace(b'"token":""', b'"token":"zzzz"'),
        line(track_id=track.pk).replace(b'"status":"206"', b'"status":"abc"'),
        b'{"v":1,"msec":"1e400"}\n',
        b"x" * 200_000 + b"\n",
        b"\n",
    ]
    log.write_bytes(good[: len(good) // 3] + b"".join(garbage) + good[len(good) // 3 :])
    report = ingest_nginx_log(path=log)
    assert (report.rows, report.malformed) == (3, len(garbage))
    assert report.examples


def test_refused_and_missing_lines_are_not_logged(log: Path, track: Track) -> None:
    log.write_bytes(
        line(track_id=track.pk, status=403) + line(track_id=track.pk, status=404) + lines(track, 1)
    )
    report = ingest_nginx_log(path=log)
    assert (report.refused, report.rows) == (2, 1)


def test_addresses_are_hashed_with_the_salts_of_the_requests_day(log: Path, track: Track) -> None:
    log.write_bytes(line(track_id=track.pk))
    ingest_nginx_log(path=log)
    row = StreamLog.objects.get()
    assert len(row.ip_hash) == 32 and "198.51" not in row.ip_hash
    assert row.bytes_planned == len(AUDIO) and row.size == len(AUDIO)


def test_the_ingest_task_reads_the_configured_file(
    settings: Settings, log: Path, track: Track
) -> None:
    from ting.stats.tasks import ingest_nginx_log as task

    settings.TING_NGINX_STREAM_LOG = str(log)
    log.write_bytes(lines(track, 2))
    task.call()
    assert StreamLog.objects.count() == 2
    assert str(settings.TING_NGINX_STREAM_LOG) == str(log)


def test_a_missing_file_is_nothing_to_do(log: Path) -> None:
    assert ingest_nginx_log(path=log).lines == 0


def test_the_token_signature_is_bound_to_the_url(track: Track) -> None:
    url = signing.nginx_url(
        key="audio/a/b.m4a", track_id=track.pk, fmt="aac64", user_id=7, now=0, ttl=60
    )
    assert url.startswith(
        f"{settings.TING_NGINX_SIGNED_PREFIX}{track.pk}/aac64/audio/a/b.m4a?e=60&s="
    )


def test_a_stream_log_in_a_missing_folder_is_a_warning(settings: Settings, tmp_path: Path) -> None:
    from ting.stats.checks import nginx_stream_log

    settings.MEDIA_DELIVERY = "nginx-signed"
    settings.TING_NGINX_STREAM_LOG = str(tmp_path / "nowhere" / "stream.log")
    assert [message.id for message in nginx_stream_log()] == ["stats.W001"]
    settings.TING_NGINX_STREAM_LOG = str(tmp_path / "stream.log")
    assert nginx_stream_log() == []


CRASH_TRIGGER = {
    "sqlite": [
        "CREATE TRIGGER ting_test_crash BEFORE INSERT ON stats_streamlog "
        "WHEN NEW.range_header = 'bytes=5-' BEGIN SELECT RAISE(ABORT, 'disk gone'); END",
    ],
    "postgresql": [
        "CREATE FUNCTION ting_test_crash() RETURNS trigger AS $$ BEGIN "
        "IF NEW.range_header = 'bytes=5-' THEN RAISE EXCEPTION 'disk gone'; END IF; "
        "RETURN NEW; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER ting_test_crash BEFORE INSERT ON stats_streamlog FOR EACH ROW "
        "EXECUTE FUNCTION ting_test_crash()",
    ],
}


def test_a_batch_that_fails_in_the_database_leaves_no_row_and_no_progress(
    log: Path, track: Track
) -> None:
    from django.db import DatabaseError, connection

    if connection.vendor not in CRASH_TRIGGER:
        pytest.skip(f"no crash trigger written for {connection.vendor}")
    log.write_bytes(lines(track, 10))
    with connection.cursor() as cursor:
        for statement in CRASH_TRIGGER[connection.vendor]:
            cursor.execute(statement)
    # Batches of four: the first commits, the second fails on its second row.
    with pytest.raises(DatabaseError):
        ingest_nginx_log(path=log, batch=4)
    assert ranges_logged() == expected(4)
    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TRIGGER ting_test_crash"
            + (" ON stats_streamlog" if connection.vendor == "postgresql" else "")
        )
    assert ingest_nginx_log(path=log, batch=4).rows == 6
    assert ranges_logged() == expected(10)
