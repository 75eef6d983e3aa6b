"""The stream URL through `config.asgi` under uvicorn (StreamRoute + Handoff), over TCP.

The other stream tests use Django's test client, which never runs config/asgi.py; here a real
server on a scratch SQLite database answers, and the stream log it writes is read back.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from ting.playback.tests.servers import REPO_ROOT, uvicorn_server
from ting.stats.models import StreamLog

AUDIO = bytes(range(256)) * (96 * 1024)  # 24 MiB: a whole-file GET spans many reads

SEED = """
import hashlib, sys
from datetime import UTC, datetime, timedelta
import django
django.setup()
from ting.catalog.models import Track, Visibility
from ting.catalog.tests.factories import make_track
from ting.media.models import AudioAsset, Rendition
from ting.playback import signing
ids = []
for visibility in (Visibility.PUBLIC, Visibility.PRIVATE):
    track = make_track(
        status=Track.Status.PUBLISHED, visibility=visibility,
        published_at=datetime.now(UTC) - timedelta(days=1),
    )
    asset = AudioAsset.objects.create(
        track=track, key=f"audio/route/{track.pk}", original=f"audio/route/{track.pk}/o",
        status=AudioAsset.Status.READY, duration=600.0, waveform=[0.5],
    )
    Rendition.objects.create(
        asset=asset, format="aac64", file="audio/route/aac64.m4a", mime_type="audio/mp4",
        codec="aac", bitrate=64000, sample_rate=44100, channels=2, duration=600.0,
        size=int(sys.argv[1]), sha256=sys.argv[2],
    )
    ids.append(track.pk)
print(ids[0], ids[1], signing.sign(ids[1], "aac64"))
"""


@dataclass(frozen=True)
class Ting:
    base_url: str
    pid: int
    public: str
    private: str
    signed_query: str
    database: Path


@pytest.fixture(scope="module")
def ting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ting]:
    data = tmp_path_factory.mktemp("ting-route")
    (data / "media" / "audio" / "route").mkdir(parents=True)
    (data / "media" / "audio" / "route" / "aac64.m4a").write_bytes(AUDIO)
    env = {
        "TING_ENV": "test",
        "TING_DATA_DIR": str(data),
        "DATABASE_URL": f"sqlite:///{data / 'ting.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "MEDIA_DELIVERY": "app",
        "TASKS_BACKEND": "db",
    }
    run_env = {**os.environ, **env}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=REPO_ROOT,
                   env=run_env, check=True)  # fmt: skip
    seeded = subprocess.run(
        [sys.executable, "-c", SEED, str(len(AUDIO)), hashlib.sha256(AUDIO).hexdigest()],
        cwd=REPO_ROOT, env=run_env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    public, private, query = seeded.stdout.split()
    with uvicorn_server(
        media_root=data / "media", log_dir=data, app="config.asgi:application", extra_env=env
    ) as (port, pid):
        yield Ting(
            f"http://127.0.0.1:{port}",
            pid,
            f"/stream/{public}/aac64",
            f"/stream/{private}/aac64",
            query,
            data / "ting.sqlite3",
        )


def _logged(ting: Ting) -> list[tuple[str, int, str]]:
    with sqlite3.connect(ting.database) as db:
        rows = db.execute(
            f"SELECT method, status, range_header FROM {StreamLog._meta.db_table} ORDER BY id"  # noqa: S608
        ).fetchall()
    return [(str(method), int(status), str(range_header)) for method, status, range_header in rows]


def test_a_range_is_answered_with_django_headers_and_logged(ting: Ting) -> None:
    before = len(_logged(ting))
    response = httpx.get(ting.base_url + ting.public, headers={"Range": "bytes=1000-1999"})
    assert response.status_code == 206
    assert response.content == AUDIO[1000:2000]
    assert response.headers["content-range"] == f"bytes 1000-1999/{len(AUDIO)}"
    assert response.headers["content-length"] == "1000"
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["etag"]
    # What the middleware stack adds reaches the client; the handoff header does not.
    assert len(response.headers["x-request-id"]) == 32
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "x-ting-handoff" not in response.headers
    assert _logged(ting)[before:] == [("GET", 206, "bytes=1000-1999")]


def test_a_whole_file_and_head(ting: Ting) -> None:
    response = httpx.get(ting.base_url + ting.public)
    assert response.status_code == 200
    assert response.content == AUDIO
    head = httpx.head(ting.base_url + ting.public)
    assert head.status_code == 200
    assert head.headers["content-length"] == str(len(AUDIO))
    assert head.content == b""


def test_unsatisfiable_and_if_range(ting: Ting) -> None:
    response = httpx.get(ting.base_url + ting.public, headers={"Range": f"bytes={len(AUDIO)}-"})
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{len(AUDIO)}"
    stale = httpx.get(
        ting.base_url + ting.public, headers={"Range": "bytes=0-9", "If-Range": '"other"'}
    )
    assert stale.status_code == 200
    assert len(stale.content) == len(AUDIO)


def test_private_tracks_need_their_signature(ting: Ting) -> None:
    assert httpx.get(ting.base_url + ting.private).status_code == 404
    tampered = ting.signed_query[:-1] + ("0" if ting.signed_query[-1] != "0" else "1")
    forbidden = httpx.get(f"{ting.base_url}{ting.private}?{tampered}")
    assert forbidden.status_code == 403
    assert AUDIO[:100] not in forbidden.content
    signed = httpx.get(
        f"{ting.base_url}{ting.private}?{ting.signed_query}", headers={"Range": "bytes=0-99"}
    )
    assert signed.status_code == 206
    assert signed.content == AUDIO[:100]


def test_a_missing_track_is_a_page_404(ting: Ting) -> None:
    response = httpx.get(ting.base_url + "/stream/999999/aac64")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")


def _descriptors(pid: int) -> int:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return sum(sum(1 for _ in Path(f"/proc/{p}/fd").iterdir()) for p in [pid, *children])


def test_listeners_that_hang_up_leave_no_open_files(ting: Ting) -> None:
    httpx.get(ting.base_url + ting.public, headers={"Range": "bytes=0-9"})
    baseline = _descriptors(ting.pid)
    host, port = ting.base_url.removeprefix("http://").split(":")
    for _ in range(10):
        with socket.create_connection((host, int(port))) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
            sock.sendall(f"GET {ting.public} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            received = 0
            while received < 256 * 1024:
                data = sock.recv(64 * 1024)
                assert data, "the server closed the connection before sending 256 KiB"
                received += len(data)
    deadline = time.monotonic() + 10
    while _descriptors(ting.pid) > baseline and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _descriptors(ting.pid) <= baseline


def test_pages_still_go_through_django_asgi_on_reused_threads(ting: Ting) -> None:
    track_id = ting.public.split("/")[2]
    with httpx.Client(base_url=ting.base_url) as client:
        for _ in range(3):
            page = client.get(f"/track/{track_id}/")
            assert page.status_code == 200
            assert len(page.headers["x-request-id"]) == 32
            assert "content-security-policy" in page.headers


def _read_response(sock: socket.socket) -> tuple[bytes, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, body = data.split(b"\r\n\r\n", 1)
    length = int(re.search(rb"(?i)content-length: *(\d+)", head)[1])  # type: ignore[index]
    while len(body) < length:
        chunk = sock.recv(1 << 20)
        assert chunk, "the server closed the connection early"
        body += chunk
    return head, body


def test_ranges_read_while_others_wait_to_be_sent_get_their_own_bytes(ting: Ting) -> None:
    # Large reads go into pooled buffers (handoff.py). Clients that do not read yet leave the
    # server holding the rest of their 1 MiB ranges while it reads the next ones; each must
    # still get its own bytes. Odd offsets: no two ranges of the 256-byte pattern look alike.
    host, port = ting.base_url.removeprefix("http://").split(":")
    spans = [(first, first + 1024 * 1024) for first in range(1, 20_000_000, 1_250_003)]
    sockets = []
    try:
        for first, last in spans:
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024)
            sock.connect((host, int(port)))
            sock.sendall(
                f"GET {ting.public} HTTP/1.1\r\nHost: {host}\r\n"
                f"Range: bytes={first}-{last - 1}\r\n\r\n".encode()
            )
            sockets.append(sock)
            time.sleep(0.05)
        for (first, last), sock in zip(spans, sockets, strict=True):
            head, body = _read_response(sock)
            assert head.startswith(b"HTTP/1.1 206")
            assert body == AUDIO[first:last]
    finally:
        for sock in sockets:
            sock.close()
