"""One Range matrix, asked of serve_file in-process, under uvicorn, and of nginx (x-accel)."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from django.utils.http import http_date

SIZE: Final = 10_000
# Old enough that Last-Modified is a strong validator (RFC 9110 §8.8.2.2).
MTIME: Final = 1_700_000_000
BODY: Final = random.Random(9110).randbytes(SIZE)
FILES: Final = {"a.bin": BODY, "empty.bin": b""}


def write_media(root: Path) -> Path:
    for name, content in FILES.items():
        (root / name).write_bytes(content)
        os.utime(root / name, (MTIME, MTIME))
    return root


@dataclass(frozen=True)
class Case:
    name: str
    headers: dict[str, str]
    status: int
    ranges: tuple[tuple[int, int], ...] = ()
    file: str = "a.bin"
    method: str = "GET"
    # Where nginx answers otherwise, the status it gives and why (docs/adr/0004).
    nginx_status: int | None = None
    nginx_why: str = ""

    def request_headers(self, *, etag: str, last_modified: str) -> dict[str, str]:
        values = {"etag": etag, "last_modified": last_modified, "older": http_date(MTIME - 3600)}
        return {name: value.format(**values) for name, value in self.headers.items()}

    @property
    def content(self) -> bytes:
        return FILES[self.file]


_RFC = "nginx answers 416 to a malformed Range; RFC 9110 says ignore it and send 200"
_NINE = ",".join(f"{i * 100}-{i * 100 + 9}" for i in range(9))
_EIGHT = ",".join(f"{i * 100}-{i * 100 + 9}" for i in range(8))
_THOUSAND = ",".join(f"{i * 3}-{i * 3 + 1}" for i in range(1000))

CASES: Final = [
    Case("no range sends the whole file", {}, 200),
    Case("first hundred bytes", {"Range": "bytes=0-99"}, 206, ((0, 99),)),
    Case("open-ended range", {"Range": "bytes=100-"}, 206, ((100, SIZE - 1),)),
    Case("suffix range", {"Range": "bytes=-500"}, 206, ((SIZE - 500, SIZE - 1),)),
    Case("suffix longer than the file", {"Range": "bytes=-20000"}, 206, ((0, SIZE - 1),)),
    Case("end beyond size is clamped", {"Range": "bytes=9000-99999"}, 206, ((9000, SIZE - 1),)),
    Case("last byte", {"Range": "bytes=9999-9999"}, 206, ((SIZE - 1, SIZE - 1),)),
    Case("start at size is unsatisfiable", {"Range": "bytes=10000-"}, 416),
    Case("start beyond size is unsatisfiable", {"Range": "bytes=20000-30000"}, 416),
    Case("empty suffix is unsatisfiable", {"Range": "bytes=-0"}, 416),
    Case("reversed range is ignored", {"Range": "bytes=500-100"}, 200, nginx_status=416,
         nginx_why=_RFC),
    Case("non-numeric range is ignored", {"Range": "bytes=abc"}, 200, nginx_status=416,
         nginx_why=_RFC),
    Case("unknown unit is ignored", {"Range": "items=0-1"}, 200),
    Case("three-part range is ignored", {"Range": "bytes=1-2-3"}, 200, nginx_status=416,
         nginx_why=_RFC),
    Case("unit is case-insensitive", {"Range": "Bytes=0-9"}, 206, ((0, 9),)),
    Case("whitespace after the unit", {"Range": "bytes= 0-9"}, 206, ((0, 9),)),
    Case("two ranges give multipart", {"Range": "bytes=0-9, 20-29"}, 206, ((0, 9), (20, 29))),
    Case("eight ranges give eight parts", {"Range": f"bytes={_EIGHT}"}, 206,
         tuple((i * 100, i * 100 + 9) for i in range(8))),
    Case("nine ranges are over the cap", {"Range": f"bytes={_NINE}"}, 200),
    Case("a thousand ranges are over the cap", {"Range": f"bytes={_THOUSAND}"}, 200,
         nginx_status=400,
         nginx_why="nginx refuses a header line over 8 KiB (large_client_header_buffers)"),
    Case("overlapping ranges are coalesced", {"Range": "bytes=0-9,5-19"}, 206, ((0, 19),),
         nginx_status=206, nginx_why="nginx sends overlapping ranges as separate parts"),
    Case("if-range with the etag gives the range",
         {"Range": "bytes=0-99", "If-Range": "{etag}"}, 206, ((0, 99),)),
    Case("if-range with another etag gives the whole file",
         {"Range": "bytes=0-99", "If-Range": '"not-this-one"'}, 200),
    Case("if-range with a weak etag gives the whole file",
         {"Range": "bytes=0-99", "If-Range": "W/{etag}"}, 200),
    Case("if-range with the last-modified date gives the range",
         {"Range": "bytes=0-99", "If-Range": "{last_modified}"}, 206, ((0, 99),)),
    Case("if-range with an older date gives the whole file",
         {"Range": "bytes=0-99", "If-Range": "{older}"}, 200),
    Case("if-none-match with the etag is not modified", {"If-None-Match": "{etag}"}, 304),
    Case("if-none-match wins over range",
         {"If-None-Match": "{etag}", "Range": "bytes=0-9"}, 304),
    Case("if-modified-since last-modified is not modified",
         {"If-Modified-Since": "{last_modified}"}, 304),
    Case("if-modified-since an older date sends the file", {"If-Modified-Since": "{older}"}, 200),
    Case("if-match with another etag fails", {"If-Match": '"not-this-one"'}, 412),
    Case("head mirrors get", {}, 200, method="HEAD"),
    Case("head with a range mirrors get", {"Range": "bytes=0-99"}, 206, ((0, 99),),
         method="HEAD"),
    Case("empty file sends nothing", {}, 200, file="empty.bin"),
    Case("empty file ignores an open range", {"Range": "bytes=0-"}, 200, file="empty.bin"),
    Case("empty file ignores a suffix range", {"Range": "bytes=-5"}, 200, file="empty.bin"),
]  # fmt: skip


def parse_multipart(content_type: str, body: bytes) -> list[tuple[str, bytes]]:
    """(Content-Range, bytes) of each part of a multipart/byteranges body."""
    boundary = content_type.split("boundary=", 1)[1].encode()
    delimiter = b"\r\n--" + boundary
    assert body.endswith(delimiter + b"--\r\n"), body[-80:]
    parts = []
    for chunk in body[: -len(delimiter + b"--\r\n")].split(delimiter)[1:]:
        head, _, data = chunk.partition(b"\r\n\r\n")
        fields = dict(line.split(": ", 1) for line in head.decode("latin-1").split("\r\n") if line)
        parts.append((fields["Content-Range"], data))
    return parts


def check_answer(
    case: Case, *, status: int, headers: dict[str, str], body: bytes, etag: str
) -> None:
    """Assert an answer is what the case expects of serve_file (headers lower-cased)."""
    assert status == case.status, (case.name, status)
    size = len(case.content)
    if status in (200, 206, 304, 412, 416):
        assert headers.get("etag") == etag
    if status == 200:
        assert headers["content-length"] == str(size)
        assert headers["accept-ranges"] == "bytes"
        assert "content-range" not in headers
        assert body == (case.content if case.method == "GET" else b"")
    elif status == 206 and len(case.ranges) == 1:
        ((start, end),) = case.ranges
        assert headers["content-range"] == f"bytes {start}-{end}/{size}"
        assert headers["content-length"] == str(end - start + 1)
        assert body == (case.content[start : end + 1] if case.method == "GET" else b"")
    elif status == 206:
        assert headers["content-type"].startswith("multipart/byteranges; boundary=")
        assert headers["content-length"] == str(len(body))
        assert parse_multipart(headers["content-type"], body) == [
            (f"bytes {start}-{end}/{size}", case.content[start : end + 1])
            for start, end in case.ranges
        ]
    elif status == 416:
        assert headers["content-range"] == f"bytes */{size}"
        assert headers["content-length"] == "0"
        assert body == b""
    else:
        assert body == b""
