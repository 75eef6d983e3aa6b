"""Serve a file from local disk with Range, If-Range and conditional GET (RFC 9110).

Under ASGI with ``FileHandoff`` in front (config/asgi.py), the response Django sees has headers
only and the open file goes to ``FileHandoff``, which sends it from the event loop after Django
is done (handoff.py says why). Under a plain Django ASGI app the body is an async iterator, and
under WSGI (and Django's sync test client) a plain iterator. Either way a thousand slow
listeners cost a thousand coroutines or sockets, not a thousand threads.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import stat
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import Final

from django.core.handlers.asgi import ASGIRequest
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotAllowed,
    StreamingHttpResponse,
)
from django.utils.http import content_disposition_header, http_date, quote_etag

from ting.playback.delivery.handoff import (
    FIRST_CHUNK,
    MAX_CHUNK,
    FileBody,
    FileChangedError,
    Segment,
    handoff_for,
    next_chunk,
)
from ting.playback.delivery.handoff import (
    HEADER as HANDOFF_HEADER,
)
from ting.playback.delivery.ranges import (
    ByteRange,
    FullContent,
    PartialContent,
    Unsatisfiable,
    conditional_status,
    if_range_matches,
    parse_range,
)

# Renditions are written once under a fresh key and never change, so a client may keep them
# for a year. Private by default: a shared cache must not hand a private track to a stranger.
CACHE_IMMUTABLE_PRIVATE: Final = "private, max-age=31536000, immutable"
CACHE_IMMUTABLE_PUBLIC: Final = "public, max-age=31536000, immutable"


def file_etag(st: os.stat_result) -> str:
    """A strong ETag that changes whenever the file is replaced or rewritten."""
    return f'"{st.st_size:x}-{st.st_mtime_ns:x}-{st.st_ino:x}"'


def serve_file(
    request: HttpRequest,
    *,
    path: Path,
    content_type: str,
    etag: str | None = None,
    filename: str | None = None,
    as_attachment: bool = False,
    cache_control: str = CACHE_IMMUTABLE_PRIVATE,
) -> HttpResponseBase:
    """Answer GET or HEAD for ``path``: 200, 206, 304, 412 or 416. Raises Http404."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as error:
        raise Http404("no such file") from error
    try:
        # fstat on the open descriptor: headers and bytes describe the same file even if the
        # path is replaced meanwhile.
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Http404("not a regular file")
        response = _respond(
            request,
            fd=fd,
            st=st,
            content_type=content_type,
            etag=quote_etag(etag) if etag else file_etag(st),
            filename=filename,
            as_attachment=as_attachment,
            cache_control=cache_control,
        )
    except BaseException:
        os.close(fd)
        raise
    if not response.streaming and not response.has_header(HANDOFF_HEADER):
        os.close(fd)
    return response


def _respond(
    request: HttpRequest,
    *,
    fd: int,
    st: os.stat_result,
    content_type: str,
    etag: str,
    filename: str | None,
    as_attachment: bool,
    cache_control: str,
) -> HttpResponseBase:
    size = st.st_size
    last_modified = int(st.st_mtime)
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": etag,
        "Last-Modified": http_date(last_modified),
        "Cache-Control": cache_control,
    }
    if filename is not None:
        disposition = content_disposition_header(as_attachment, filename)
        if disposition:
            headers["Content-Disposition"] = disposition

    status = conditional_status(
        method=request.method or "GET",
        if_match=request.headers.get("If-Match"),
        if_unmodified_since=request.headers.get("If-Unmodified-Since"),
        if_none_match=request.headers.get("If-None-Match"),
        if_modified_since=request.headers.get("If-Modified-Since"),
        etag=etag,
        last_modified=last_modified,
    )
    if status == 304:
        # RFC 9110 §8.6: Content-Length on a 304, if any, is that of the 200. Setting it here
        # also stops CommonMiddleware from adding a wrong "0".
        return _empty(304, {**headers, "Content-Length": str(size)})
    if status == 412:
        return _empty(412, {**headers, "Content-Length": "0"})

    # RFC 9110 §8.8.2.2: a Last-Modified within a second of now may hide a second write, so it
    # is only a weak validator and must not satisfy If-Range.
    date_is_strong = time.time() - st.st_mtime >= 1
    decision = parse_range(request.headers.get("Range"), size)
    if not isinstance(decision, FullContent) and not if_range_matches(
        request.headers.get("If-Range"),
        etag=etag,
        last_modified=last_modified,
        last_modified_is_strong=date_is_strong,
    ):
        decision = FullContent()

    segments: Sequence[Segment]
    if isinstance(decision, Unsatisfiable):
        return _empty(416, {**headers, "Content-Range": f"bytes */{size}", "Content-Length": "0"})
    if isinstance(decision, PartialContent) and len(decision.ranges) == 1:
        (only,) = decision.ranges
        status = 206
        headers["Content-Range"] = f"bytes {only.start}-{only.end}/{size}"
        headers["Content-Type"] = content_type
        segments = [only]
    elif isinstance(decision, PartialContent):
        status = 206
        boundary = secrets.token_hex(12)
        headers["Content-Type"] = f"multipart/byteranges; boundary={boundary}"
        segments = _multipart_segments(decision.ranges, boundary, content_type, size)
    else:
        status = 200
        headers["Content-Type"] = content_type
        segments = [ByteRange(0, size - 1)] if size else []
    headers["Content-Length"] = str(
        sum(len(s) if isinstance(s, bytes) else s.length for s in segments)
    )

    if request.method == "HEAD":
        return _empty(status, headers)
    handoff = handoff_for(getattr(request, "scope", None))
    if handoff is not None:
        # The descriptor now belongs to the handoff, which closes it however the request ends.
        handoff.attach(headers, FileBody(fd, segments))
        return _empty(status, headers)
    body: _SyncFileBody | _AsyncFileBody
    if isinstance(request, ASGIRequest):
        body = _AsyncFileBody(fd, segments)
    else:
        body = _SyncFileBody(fd, segments)
    response = StreamingHttpResponse(body, status=status)
    for name, value in headers.items():
        response[name] = value
    return response


def _empty(status: int, headers: dict[str, str]) -> HttpResponse:
    response = HttpResponse(status=status, content_type=headers.get("Content-Type"))
    for name, value in headers.items():
        response[name] = value
    if status == 304:
        # A 304 describes the cached 200, whose Content-Type the client already has.
        del response["Content-Type"]
    return response


def _multipart_segments(
    ranges: Sequence[ByteRange], boundary: str, content_type: str, size: int
) -> list[Segment]:
    """RFC 9110 §14.6 multipart/byteranges, as header bytes and file spans."""
    segments: list[Segment] = []
    for byte_range in ranges:
        part_head = (
            f"\r\n--{boundary}\r\n"
            f"Content-Type: {content_type}\r\n"
            f"Content-Range: bytes {byte_range.start}-{byte_range.end}/{size}\r\n\r\n"
        )
        segments += [part_head.encode("latin-1"), byte_range]
    segments.append(f"\r\n--{boundary}--\r\n".encode("latin-1"))
    return segments


class _SyncFileBody(FileBody):
    """Under WSGI and the sync test client: plain reads, Django iterates."""

    def __iter__(self) -> Iterator[bytes]:
        try:
            for segment in self.segments:
                if isinstance(segment, bytes):
                    yield segment
                    continue
                offset, end = segment.start, segment.end + 1
                while offset < end:
                    data = os.pread(self.descriptor(), min(MAX_CHUNK, end - offset), offset)
                    if not data:
                        raise FileChangedError("file shrank while being sent")
                    offset += len(data)
                    yield data
        finally:
            self.close()


class _AsyncFileBody(FileBody):
    """Under a plain Django ASGI app (no FileHandoff in front): Django iterates."""

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[bytes]:
        loop = asyncio.get_running_loop()
        began, sent = loop.time(), 0
        try:
            for segment in self.segments:
                if isinstance(segment, bytes):
                    yield segment
                    continue
                offset, end = segment.start, segment.end + 1
                chunk = end - offset if end - offset <= MAX_CHUNK else FIRST_CHUNK
                while offset < end:
                    data = bytes(await self.read(min(chunk, end - offset), offset))
                    if not data:
                        raise FileChangedError("file shrank while being sent")
                    offset += len(data)
                    sent += len(data)
                    yield data
                    chunk = next_chunk(len(data), sent, loop.time() - began)
        finally:
            self.close()
