"""serve_file under a real ASGI server (uvicorn in a subprocess), spoken to over TCP."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx
import pytest
from django.utils.http import http_date

from ting.playback.delivery.responses import file_etag
from ting.playback.tests.conftest import Server
from ting.playback.tests.matrix import CASES, MTIME, Case, check_answer


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_uvicorn_answers_the_range_matrix(case: Case, uvicorn_app: Server) -> None:
    etag = file_etag((uvicorn_app.media_root / case.file).stat())
    headers = case.request_headers(etag=etag, last_modified=http_date(MTIME))
    response = httpx.request(
        case.method, f"{uvicorn_app.base_url}/app/{case.file}", headers=headers
    )
    check_answer(
        case,
        status=response.status_code,
        headers=dict(response.headers),
        body=response.content,
        etag=etag,
    )


def test_uvicorn_streams_a_long_file_exactly(uvicorn_app: Server) -> None:
    expected = (uvicorn_app.media_root / "long.bin").read_bytes()
    response = httpx.get(f"{uvicorn_app.base_url}/app/long.bin")
    assert response.status_code == 200
    assert response.content == expected
    response = httpx.get(
        f"{uvicorn_app.base_url}/app/long.bin", headers={"Range": "bytes=1000000-4999999"}
    )
    assert response.status_code == 206
    assert response.content == expected[1_000_000:5_000_000]


def _descriptors(pid: int) -> int:
    return sum(1 for _ in Path(f"/proc/{pid}/fd").iterdir())


def _hang_up_midway(base_url: str) -> None:
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        # A small receive buffer, so the server is still sending when the client goes away.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        sock.sendall(b"GET /app/long.bin HTTP/1.1\r\nHost: test\r\n\r\n")
        received = 0
        while received < 256 * 1024:
            received += len(sock.recv(64 * 1024))


def test_clients_that_hang_up_midstream_leave_the_server_healthy(uvicorn_app: Server) -> None:
    httpx.get(f"{uvicorn_app.base_url}/app/a.bin")  # warm the server up
    baseline = _descriptors(uvicorn_app.pid)
    for _ in range(20):
        _hang_up_midway(uvicorn_app.base_url)
    # Each abandoned stream closes its file once the server notices the hang-up.
    deadline = time.monotonic() + 10
    while _descriptors(uvicorn_app.pid) > baseline and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _descriptors(uvicorn_app.pid) <= baseline
    response = httpx.get(f"{uvicorn_app.base_url}/app/a.bin", headers={"Range": "bytes=-10"})
    assert response.status_code == 206
    assert response.content == (uvicorn_app.media_root / "a.bin").read_bytes()[-10:]


def test_without_file_handoff_django_streams_the_file_itself(
    session_media: Path, tmp_path: Path
) -> None:
    from ting.playback.tests.servers import uvicorn_server

    app = "ting.playback.tests.asgi_app:plain_application"
    expected = (session_media / "long.bin").read_bytes()
    with uvicorn_server(media_root=session_media, log_dir=tmp_path, app=app) as (port, _):
        whole = httpx.get(f"http://127.0.0.1:{port}/app/long.bin")
        part = httpx.get(f"http://127.0.0.1:{port}/app/long.bin", headers={"Range": "bytes=5-9"})
    assert whole.status_code == 200
    assert whole.content == expected
    assert part.status_code == 206
    assert part.content == expected[5:10]
