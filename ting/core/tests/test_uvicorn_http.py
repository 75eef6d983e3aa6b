"""The zero-copy send of ting/core/uvicorn_http.py, through a real uvicorn on a loopback port.

uvicorn runs in this process (a thread with its own uvloop) so the app can record what the
server told it, and a counting wrapper around os.sendfile shows the bytes took that way.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from ting.core import uvicorn_http
from ting.core.uvicorn_http import ZERO_COPY, BoundedSendBufferProtocol

SIZE = 6 * 1024 * 1024


@dataclass
class App:
    """An ASGI app answering with zero-copy messages, as the request's query says."""

    path: Path
    scopes: list[dict[str, Any]] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    finished: threading.Event = field(default_factory=threading.Event)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        self.scopes.append(scope)
        query = dict(part.split("=") for part in scope["query_string"].decode().split("&") if part)
        pieces = [tuple(map(int, piece.split(":"))) for piece in query["pieces"].split(",")]
        length = sum(count for _, count in pieces) + int(query.get("extra", "0"))
        headers = [(b"content-type", b"application/octet-stream")]
        if query.get("chunked") != "1":
            headers.append((b"content-length", str(length).encode()))
        fd = os.open(self.path, os.O_RDONLY)
        try:
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            for index, (offset, count) in enumerate(pieces):
                await send(
                    {
                        "type": ZERO_COPY,
                        "file": fd,
                        "offset": offset,
                        "count": count,
                        "more_body": index < len(pieces) - 1,
                    }
                )
            if query.get("listen") == "1":
                self.events.append((await receive())["type"])
        except BaseException as error:
            self.errors.append(error)
            raise
        finally:
            os.close(fd)
            self.finished.set()


@pytest.fixture
def payload(tmp_path: Path) -> Path:
    path = tmp_path / "payload.bin"
    path.write_bytes(os.urandom(SIZE))
    return path


@pytest.fixture
def sendfile_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = os.sendfile

    def counting(out_fd: int, in_fd: int, offset: int | None, count: int) -> int:
        sent = real(out_fd, in_fd, offset, count)
        calls.append(sent)
        return sent

    # The server thread calls os.sendfile through the module it imported.
    monkeypatch.setattr(os, "sendfile", counting)
    return calls


@pytest.fixture
def server(payload: Path) -> Iterator[tuple[str, App]]:
    app = App(payload)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        loop="uvloop",
        http=BoundedSendBufferProtocol,
        lifespan="off",
        log_level="warning",
        access_log=False,
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not running.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        running.should_exit = True
        thread.join(timeout=10)


def test_the_extension_is_offered_and_the_bytes_go_by_sendfile(
    server: tuple[str, App], payload: Path, sendfile_calls: list[int]
) -> None:
    base, app = server
    pieces = [(5_000_000, 1_000_000), (0, 100_000), (123_457, 2_000_000)]
    query = ",".join(f"{offset}:{count}" for offset, count in pieces)
    response = httpx.get(f"{base}/?pieces={query}", timeout=10)
    data = payload.read_bytes()
    assert response.status_code == 200
    assert response.content == b"".join(data[o : o + c] for o, c in pieces)
    assert ZERO_COPY in app.scopes[0]["extensions"]
    assert sum(sendfile_calls) == 3_100_000
    assert not app.errors


def test_keep_alive_serves_the_next_request_on_the_same_connection(
    server: tuple[str, App], payload: Path, sendfile_calls: list[int]
) -> None:
    base, _ = server
    data = payload.read_bytes()
    with httpx.Client(base_url=base, timeout=10) as client:
        for offset in (0, 4096, SIZE - 10):
            response = client.get(f"/?pieces={offset}:10")
            assert response.content == data[offset : offset + 10]
    assert len(sendfile_calls) == 3


def test_a_slow_reader_gets_every_byte_in_order(
    server: tuple[str, App], payload: Path, sendfile_calls: list[int]
) -> None:
    base, _ = server
    # A small receive window, read slowly: the server's socket fills and its send waits until
    # the socket is writable again, many times.
    with _requested(base, f"pieces=0:{SIZE}", receive_buffer=32 * 1024) as client:
        received = bytearray()
        while len(received) < SIZE + 200:
            chunk = client.recv(64 * 1024)
            if not chunk:
                break
            received += chunk
            if len(received) < 512 * 1024:
                time.sleep(0.005)
            if received.find(b"\r\n\r\n") > 0 and len(received) >= _head(received) + SIZE:
                break
    head = _head(received)
    assert received[head:] == payload.read_bytes()
    assert len(sendfile_calls) > 1


def test_a_listener_that_leaves_ends_the_send_and_the_app_hears_of_it(
    server: tuple[str, App], sendfile_calls: list[int]
) -> None:
    base, app = server
    with _requested(base, f"pieces=0:{SIZE}&listen=1", receive_buffer=16 * 1024) as client:
        received = 0
        while received < 256 * 1024:
            received += len(client.recv(65536))
        # Closed with a reset, as a browser that seeks elsewhere may.
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    assert app.finished.wait(10), "the app's send never returned after the client left"
    assert app.events == ["http.disconnect"]
    assert not app.errors
    assert 0 < sum(sendfile_calls) < SIZE


def test_head_sends_headers_only(server: tuple[str, App], sendfile_calls: list[int]) -> None:
    base, _ = server
    response = httpx.head(f"{base}/?pieces=0:1000", timeout=10)
    assert response.status_code == 200
    assert response.headers["content-length"] == "1000"
    assert response.content == b""
    assert sendfile_calls == []


def test_without_content_length_the_bytes_are_chunked(
    server: tuple[str, App], payload: Path
) -> None:
    base, _ = server
    response = httpx.get(f"{base}/?pieces=10:5000,0:3&chunked=1", timeout=10)
    data = payload.read_bytes()
    assert response.headers["transfer-encoding"] == "chunked"
    assert response.content == data[10:5010] + data[:3]


def test_a_file_shorter_than_its_range_cuts_the_response_short(
    server: tuple[str, App],
) -> None:
    base, app = server
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(f"{base}/?pieces={SIZE - 100}:1000", timeout=10)
    assert app.finished.wait(10)
    assert [type(error) for error in app.errors] == [uvicorn_http.FileShrankError]


def test_more_than_content_length_is_refused(server: tuple[str, App]) -> None:
    base, app = server
    with pytest.raises(httpx.RemoteProtocolError):
        # Content-Length says 10 bytes fewer than the pieces hold.
        httpx.get(f"{base}/?pieces=0:100&extra=-10", timeout=10)
    assert app.finished.wait(10)
    assert [str(error) for error in app.errors] == ["Response content longer than Content-Length"]


@contextlib.contextmanager
def _requested(base: str, query: str, *, receive_buffer: int) -> Iterator[socket.socket]:
    """A raw connection with a small receive buffer that has sent ``GET /?query``."""
    with socket.socket() as client:
        client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        client.connect(("127.0.0.1", int(base.rsplit(":", 1)[1])))
        client.sendall(f"GET /?{query} HTTP/1.1\r\nHost: t\r\n\r\n".encode())
        yield client


def _head(received: bytes | bytearray) -> int:
    return received.index(b"\r\n\r\n") + 4


def test_waiting_for_a_writable_socket_ends_when_the_connection_is_lost() -> None:
    async def scenario() -> None:
        left, right = socket.socketpair()
        left.setblocking(False)
        loop = asyncio.get_running_loop()
        transport, _ = await loop.connect_accepted_socket(asyncio.Protocol, left)
        zero_copy = uvicorn_http._ZeroCopySocket(left.fileno(), transport)
        # Fill the socket so it is not writable.
        try:
            while True:
                left.send(b"x" * 65536)
        except BlockingIOError:
            pass
        waiting = asyncio.ensure_future(zero_copy.writable())
        await asyncio.sleep(0.05)
        assert not waiting.done()
        zero_copy.close()
        await asyncio.wait_for(waiting, 2)
        transport.close()
        right.close()

    asyncio.run(scenario())
