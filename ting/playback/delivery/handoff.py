"""File bodies handed from a Django view to the ASGI app in front of Django, which sends them.

Django's ASGI handler is built for pages, not for pumping megabytes: it re-slices every chunk a
streaming response yields into 64 KiB messages, and a request keeps its thread-sensitive worker
thread until the last byte is out. Measured with 1,000 listeners (bench/stream.py), that put
the first bytes of most listeners ten seconds late.

So Django still does everything a byte request needs (middleware, access rules, the stream log,
metrics, headers), but its response carries no body: ``serve_file`` leaves the open file here
under a token named in a private header, and ``FileHandoff`` (wrapping Django in config/asgi.py)
strips the header, lets Django finish the request, then sends the bytes itself from the event
loop in large reads. A view only hands off when the scope says a ``FileHandoff`` is in front;
otherwise it streams through Django as before.
"""

from __future__ import annotations

import asyncio
import errno
import os
import secrets
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Final

from ting.playback.delivery.ranges import ByteRange

Scope = dict[str, Any]
Message = Mapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SCOPE_KEY: Final = "ting.file_handoff"
# The ASGI "Zero Copy Send" extension (ting/core/uvicorn_http.py implements it for uvicorn).
ZERO_COPY: Final = "http.response.zerocopysend"
HEADER: Final = "X-Ting-Handoff"
_HEADER_LOWER: Final = HEADER.lower().encode("latin-1")

MIN_CHUNK: Final = 64 * 1024
MAX_CHUNK: Final = 1024 * 1024
# A media element's first request is usually ``bytes=0-``. Starting small and at most doubling
# keeps a thousand listeners arriving together from each being pushed megabytes at loopback
# speed; a range of at most MAX_CHUNK is still read and sent in one go.
FIRST_CHUNK: Final = MIN_CHUNK
# Each read is sized to about this many seconds of what the client has been taking.
_CHUNK_SECONDS: Final = 0.25

# Reads the page cache cannot answer at once (RWF_NOWAIT said so) go to this pool, so a slow
# disk never stalls the event loop; close() waits for a read in flight.
_READ_POOL: Final = ThreadPoolExecutor(max_workers=16, thread_name_prefix="ting-pread")
_RWF_NOWAIT: int | None = getattr(os, "RWF_NOWAIT", None)

Segment = bytes | ByteRange


# Reads of at least _POOLED bytes (a player's range, a fast client's chunk) go into buffers of
# MAX_CHUNK kept for reuse: allocating and zeroing a fresh MiB for each was the event loop's
# largest cost a byte request (py-spy, bench/stream.py's 32 clients). The server may still be
# writing from a buffer after ``send`` returned, so one is reused only once nothing else refers
# to it: only memoryviews of it are handed out, and while any lives (or anything holds one) it
# counts as a reference to the bytearray.
_POOLED: Final = 256 * 1024
_POOL_SIZE: Final = 16
_pool: list[bytearray] = []
_UNREFERENCED: Final = 3


def _buffer(length: int) -> bytearray | memoryview:
    """A writable buffer of ``length`` bytes: a fresh bytearray, or a view of a pooled one."""
    if length < _POOLED or length > MAX_CHUNK:
        return bytearray(length)
    for candidate in _pool:
        # The pool's list, this loop and getrefcount's argument: nothing else.
        if sys.getrefcount(candidate) == _UNREFERENCED:
            return memoryview(candidate)[:length]
    if len(_pool) >= _POOL_SIZE:
        return bytearray(length)
    fresh = bytearray(MAX_CHUNK)
    _pool.append(fresh)
    return memoryview(fresh)[:length]


class FileChangedError(OSError):
    """The file became shorter while it was being sent; the response must be cut short."""


class FileBody:
    """An open descriptor and what to send from it; whoever sends it closes it."""

    def __init__(self, fd: int, segments: Sequence[Segment]) -> None:
        self._fd: int | None = fd
        self.segments = segments
        self._reading: Future[bytes] | None = None

    def close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        reading = self._reading
        if reading is not None and not reading.done():
            # A cancelled await does not stop the thread: closing now could let it read from
            # whatever file reuses the descriptor number.
            reading.add_done_callback(lambda _: os.close(fd))
        else:
            os.close(fd)

    def descriptor(self) -> int:
        if self._fd is None:
            raise ValueError("response body already closed")
        return self._fd

    async def read(self, length: int, offset: int) -> bytes | bytearray | memoryview:
        """Up to ``length`` bytes at ``offset``: from the page cache on the event loop when it
        holds them (no thread hop), else on the read pool."""
        global _RWF_NOWAIT
        fd = self.descriptor()
        if _RWF_NOWAIT is not None:
            buffer: bytearray | memoryview = _buffer(length)
            try:
                got = os.preadv(fd, [buffer], offset, _RWF_NOWAIT)
            except BlockingIOError:
                got = -1
            except OSError as error:
                if error.errno not in (errno.EOPNOTSUPP, errno.EINVAL):
                    raise
                _RWF_NOWAIT = None  # this kernel or file system cannot; stop asking
                got = -1
            if got == length:
                return buffer
            if got > 0:
                return buffer[:got]
            if got == 0:
                return b""
        self._reading = _READ_POOL.submit(os.pread, fd, length, offset)
        return await asyncio.wrap_future(self._reading)

    async def send(self, send: Send, receive: Receive, *, zero_copy: bool = False) -> None:
        """Send every segment as ``http.response.body`` messages, the last with no more_body.

        With ``zero_copy`` (the server offers the ASGI zero-copy send extension, see
        ``zero_copy_for``) file ranges go as ``http.response.zerocopysend`` messages instead:
        the server sends them from the descriptor with sendfile, and nothing is read here.
        """
        loop = asyncio.get_running_loop()
        hang_up: asyncio.Task[None] | None = None
        began, sent = loop.time(), 0
        try:
            last = len(self.segments) - 1
            for index, segment in enumerate(self.segments):
                if isinstance(segment, bytes):
                    await _body(send, segment, more=index < last)
                    continue
                offset, end = segment.start, segment.end + 1
                chunk = end - offset if end - offset <= MAX_CHUNK else FIRST_CHUNK
                while offset < end:
                    if offset > segment.start or index > 0:
                        # uvicorn drops what is sent to a closed connection without a word;
                        # only receive() says the client left, so watch it from the second
                        # message on (a one-message range needs no watcher).
                        if hang_up is None:
                            hang_up = loop.create_task(_hung_up(receive))
                        elif hang_up.done():
                            return
                    if zero_copy:
                        length = min(chunk, end - offset)
                        await send(
                            {
                                "type": ZERO_COPY,
                                "file": self.descriptor(),
                                "offset": offset,
                                "count": length,
                                "more_body": offset + length < end or index < last,
                            }
                        )
                        offset += length
                        sent += length
                        chunk = next_chunk(length, sent, loop.time() - began)
                        continue
                    data = await self.read(min(chunk, end - offset), offset)
                    if not data:
                        raise FileChangedError("file shrank while being sent")
                    offset += len(data)
                    sent += len(data)
                    await _body(send, data, more=offset < end or index < last)
                    # Sending waits while the client's buffers are full, so a slow listener
                    # gets small reads and holds kilobytes in memory, not a MiB for minutes.
                    chunk = next_chunk(len(data), sent, loop.time() - began)
            if last < 0:
                await _body(send, b"", more=False)
        finally:
            if hang_up is not None:
                hang_up.cancel()
            self.close()


async def _body(send: Send, data: bytes | bytearray | memoryview, *, more: bool) -> None:
    await send({"type": "http.response.body", "body": data, "more_body": more})


async def _hung_up(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


def next_chunk(last: int, sent: int, elapsed: float) -> int:
    """The next read for a long body, after ``sent`` bytes in ``elapsed`` seconds.

    Kernel and server buffers swallow the first few hundred KiB of even the slowest listener
    at once, so early on a fast send says nothing; the client's rate is judged over the whole
    response, and only once it has run a while. Growing by doubling at most, a fast client
    still reaches MAX_CHUNK within a second; a listener at 64 kb/s stays at MIN_CHUNK (measured:
    when chunks doubled on every quick send, each of 1,000 listeners arriving together was
    read 2 MB ahead and the last ones waited seconds for their first byte).
    """
    if elapsed < _CHUNK_SECONDS:
        return last
    wanted = int(sent / elapsed * _CHUNK_SECONDS)
    return max(MIN_CHUNK, min(MAX_CHUNK, 2 * last, wanted))


class Handoff:
    """The bodies one request's views left for ``FileHandoff``, by token."""

    def __init__(self) -> None:
        self.pending: dict[str, FileBody] = {}

    def attach(self, headers: dict[str, str], body: FileBody) -> None:
        token = secrets.token_hex(8)
        self.pending[token] = body
        headers[HEADER] = token

    def claim(self, token: bytes) -> FileBody | None:
        return self.pending.pop(token.decode("latin-1"), None)

    def close(self) -> None:
        for body in self.pending.values():
            body.close()
        self.pending.clear()


def zero_copy_for(scope: Scope) -> bool:
    """Whether the server takes ``http.response.zerocopysend`` messages for this request."""
    return ZERO_COPY in (scope.get("extensions") or {})


def handoff_for(scope: Scope | None) -> Handoff | None:
    """The request's Handoff when a ``FileHandoff`` runs in front of Django, else None."""
    if scope is None:
        return None
    handoff = scope.get(SCOPE_KEY)
    return handoff if isinstance(handoff, Handoff) else None


class FileHandoff:
    """ASGI middleware: sends the file bodies that views behind it hand off (see module doc)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        handoff = Handoff()
        scope[SCOPE_KEY] = handoff
        claimed: FileBody | None = None

        async def relay(message: Message) -> None:
            nonlocal claimed
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                for position, (name, value) in enumerate(headers):
                    if name.lower() == _HEADER_LOWER:
                        claimed = handoff.claim(value)
                        del headers[position]
                        message = {**message, "headers": headers}
                        break
            elif claimed is not None:
                # Django's empty body for a handed-off response; the file follows.
                return
            await send(message)

        try:
            await self.app(scope, receive, relay)
            if claimed is not None:
                body, claimed = claimed, None
                await body.send(send, receive, zero_copy=zero_copy_for(scope))
        finally:
            if claimed is not None:
                claimed.close()
            handoff.close()
