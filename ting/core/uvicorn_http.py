"""uvicorn's httptools protocol with a bounded kernel send buffer and zero-copy file bodies.

Bounded send buffer: on loopback (nginx in front, or a test client) Linux autotunes a socket's
send buffer to the 4 MiB maximum within the first writes, so every listener of a long audio
file was handed 3.7 MB the moment it connected: with 1,000 listeners arriving in two seconds
that is 3.7 GB copied into the kernel before most of them had their first byte (bench/stream.py,
docs/benchmarks.md "Streaming"). A player reads at its bitrate; a few hundred KiB queued per
connection is plenty, and it bounds kernel memory per listener. nginx's ``listen ... sndbuf=``
does the same.

Zero-copy: the ASGI "Zero Copy Send" extension (``http.response.zerocopysend``): an app may
send ``{"type": "http.response.zerocopysend", "file": fd, "offset": n, "count": n,
"more_body": bool}`` and the bytes go from the file to the socket with ``os.sendfile``, never
through Python. Reading a 1 MiB range into a buffer and writing it out again was most of what a
byte request cost the event loop next to nginx, which uses sendfile (bench/stream.py,
bench/support/stream_profile.py). uvicorn does not implement the extension, so this protocol
does, for the requests it parses: the message is checked and counted against Content-Length
like a body message, the headers still queued in the transport go first, and when the socket
is full the send waits until it is writable again (through a duplicate of its descriptor, as
the event loop refuses to watch one a transport owns).

Used by ``ting serve`` and the test servers through ``ting.core.cli.UVICORN_SPEED``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

from ting.core.env import env_int

# setsockopt(SO_SNDBUF) asks for this much; Linux doubles it for bookkeeping. 0 leaves the
# kernel's autotuning alone. Read when uvicorn imports this module, before Django's settings:
# a bad value stops start-up with a message naming the variable, as settings do.
SEND_BUFFER: Final = env_int("TING_SEND_BUFFER", 256 * 1024, minimum=0)

ZERO_COPY: Final = "http.response.zerocopysend"
# Where the kernel has no sendfile (not Linux/macOS/BSD) the extension is not offered.
ZERO_COPY_AVAILABLE: Final = hasattr(os, "sendfile")

Message = Mapping[str, Any]
# uvicorn types its send over its own message TypedDicts; this one takes any mapping.
Sender = Callable[[Any], Awaitable[None]]


class BoundedSendBufferProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        self._zero_copy: _ZeroCopySocket | None = None
        if sock is not None:
            if SEND_BUFFER > 0:
                # Some transports' sockets refuse the option; then there is nothing to bound.
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
            if ZERO_COPY_AVAILABLE and sock.family in (socket.AF_INET, socket.AF_INET6):
                self._zero_copy = _ZeroCopySocket(sock.fileno(), transport)
        super().connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._zero_copy is not None:
            self._zero_copy.close()
        super().connection_lost(exc)

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        cycle = self.cycle
        # The cycle just made for this request (an upgrade makes none); its ASGI task has not
        # run yet, so the app sees the extension and the send below.
        if self._zero_copy is None or cycle is None or cycle.scope is not self.scope:
            return
        self.scope.setdefault("extensions", {})[ZERO_COPY] = {}
        cycle.send = _ZeroCopySend(cycle, self._zero_copy, cycle.send)  # type: ignore[method-assign]


class _ZeroCopySocket:
    """The connection's socket as sendfile sees it, and a way to wait until it is writable."""

    def __init__(self, fd: int, transport: asyncio.Transport) -> None:
        self.fd = fd
        self.transport = transport
        self._watch: int | None = None
        self._ready: asyncio.Future[None] | None = None

    async def writable(self) -> None:
        """Wait until the socket takes bytes again, or the connection is lost."""
        loop = asyncio.get_running_loop()
        if self._watch is None:
            self._watch = os.dup(self.fd)
        watch = self._watch
        self._ready = ready = loop.create_future()
        loop.add_writer(watch, _settle, ready)
        try:
            await ready
        finally:
            self._ready = None
            if self._watch == watch:
                loop.remove_writer(watch)

    def close(self) -> None:
        """On connection loss: wake a waiting send (it then sees the transport closing)."""
        watch, self._watch = self._watch, None
        if watch is None:
            return
        ready = self._ready
        if ready is not None:
            ready.get_loop().remove_writer(watch)
            _settle(ready)
        os.close(watch)


def _settle(ready: asyncio.Future[None]) -> None:
    if not ready.done():
        ready.set_result(None)


class _ZeroCopySend:
    """A cycle's ``send`` that also takes zero-copy messages (see the module doc)."""

    def __init__(self, cycle: RequestResponseCycle, sock: _ZeroCopySocket, send: Sender) -> None:
        self.cycle = cycle
        self.sock = sock
        self.send = send

    async def __call__(self, message: Message) -> None:
        if message["type"] != ZERO_COPY:
            await self.send(message)
            return
        cycle = self.cycle
        more = bool(message.get("more_body", False))
        if (
            cycle.disconnected
            or cycle.response_complete
            or not cycle.response_started
            or cycle.scope["method"] == "HEAD"
        ):
            # uvicorn's answers for a body message: dropped after a disconnect, an error out of
            # turn, nothing for HEAD.
            await self.send({"type": "http.response.body", "body": b"", "more_body": more})
            return
        if cycle.chunked_encoding:
            # Chunk framing around the bytes: read them and let uvicorn frame them.
            data = _read(message)
            await self.send({"type": "http.response.body", "body": data, "more_body": more})
            return
        if cycle.flow.write_paused:
            await cycle.flow.drain()
        fd, offset, count = _file(message)
        if count > cycle.expected_content_length:
            raise RuntimeError("Response content longer than Content-Length")
        transport = self.sock.transport
        if transport.get_write_buffer_size() > 0:
            # The status line and headers (or an earlier body) are still queued and must go
            # first. uvloop queues every write and sends them at the end of the loop's turn,
            # so one turn is usually enough; a full socket is waited for.
            await asyncio.sleep(0)
        while transport.get_write_buffer_size() > 0 and not transport.is_closing():
            await self.sock.writable()
        sent = 0
        while sent < count and not transport.is_closing():
            try:
                done = os.sendfile(self.sock.fd, fd, offset + sent, count - sent)
            except BlockingIOError:
                await self.sock.writable()
                continue
            except (BrokenPipeError, ConnectionResetError):
                break
            if done == 0:
                # The file is shorter than the response says: cut the response short.
                transport.close()
                raise FileShrankError("file shrank while being sent")
            sent += done
            cycle.expected_content_length -= done
        if sent < count:
            # The client left (or the server is closing the connection): as uvicorn's
            # connection_lost does, so that the app's receive() says so and later sends are
            # dropped.
            transport.close()
            cycle.disconnected = True
            cycle.message_event.set()
            return
        # Completion (and the Content-Length check) as for a body message.
        await self.send({"type": "http.response.body", "body": b"", "more_body": more})


class FileShrankError(OSError):
    """A zero-copy send found the file shorter than its range."""


def _file(message: Message) -> tuple[int, int, int]:
    target = message["file"]
    fd = target if isinstance(target, int) else target.fileno()
    offset = message.get("offset")
    count = message.get("count")
    if offset is None:
        offset = os.lseek(fd, 0, os.SEEK_CUR)
    if count is None:
        count = os.fstat(fd).st_size - offset
    return fd, int(offset), int(count)


def _read(message: Message) -> bytes:
    fd, offset, count = _file(message)
    return os.pread(fd, count, offset)
