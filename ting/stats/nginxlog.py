"""nginx's stream log into ``stats_streamlog`` (MEDIA_DELIVERY=nginx-signed, ADR 0014).

nginx writes one JSON line per byte request it answered on a signed URL
(``log_format ting_stream`` in docs/deploy/nginx.conf). ``ingest_nginx_log`` turns each line
into the row the stream view would have written for the same request (ADR 0009) and appends
them in batches. Each batch commits together with a ``LogFileCursor`` (inode, byte offset,
first-line hash) after checking that the cursor has not moved, so a rerun, a crash or two
ingests at once never insert a line twice. A file rotated away (logrotate's rename, or
``copytruncate``) is finished from its rotated copy before the new file is read from its start.
A line that cannot be read is skipped, counted and logged; it never stops the ingest.

Addresses in the file are hashed here under the salts of the request's day and never stored;
the file holds them until it is rotated away (docs/deploy/README.md, "The stream log").
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, BinaryIO, Final

from django.db import connection, transaction

from ting.core.db import insert_sql
from ting.media.models import AudioAsset, Rendition
from ting.playback.signing import listener_from_token
from ting.stats.models import LogFileCursor, StreamLog
from ting.stats.privacy import ip_hashes
from ting.stats.streamlog import planned_bytes

log = logging.getLogger(__name__)

CURSOR_NAME: Final = "nginx-stream"
BATCH: Final = 5_000
# Longer than any line nginx writes for a request whose headers fit its buffers (8 KiB each);
# anything longer is not one of its lines.
MAX_LINE: Final = 64 * 1024
READ_SIZE: Final = 1024 * 1024
_MAX_TEXT: Final = 400
_FORMATS: Final = frozenset(Rendition.Format.values)
# What the stream view answers without logging (ADR 0009: refused requests are not counted).
_REFUSED: Final = frozenset({403, 404, 410})
# Rotated copies that are compressed cannot be the file being written; never opened.
_COMPRESSED: Final = (".gz", ".bz2", ".xz", ".zst")


class Malformed(ValueError):
    """A line that is not one nginx's ``ting_stream`` format writes."""


class CursorMoved(Exception):
    """Another ingest moved the cursor first; this batch is rolled back."""


@dataclass
class IngestReport:
    lines: int = 0
    rows: int = 0
    refused: int = 0
    malformed: int = 0
    unknown_renditions: int = 0
    rotated: bool = False
    lost_rotation: bool = False
    examples: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Line:
    """One parsed line: the request as nginx answered it."""

    at: datetime
    status: int
    method: str
    address: str
    track_id: int
    fmt: str
    user_id: int | None
    range_header: str
    user_agent: str
    referrer: str


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str):
        raise Malformed(f"{name} missing")
    return value


@functools.lru_cache(maxsize=4096)
def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def parse_line(raw: bytes) -> Line:
    """One log line; ``Malformed`` for anything else."""
    # nginx copies header bytes as they came (escape=json escapes only quotes, backslashes and
    # control characters); Django reads headers as Latin-1, so the same text comes out here.
    try:
        data = json.loads(raw.decode("latin-1"))
    except ValueError as error:
        raise Malformed("not JSON") from error
    if not isinstance(data, dict) or data.get("v") != 1:
        raise Malformed("not a ting_stream line")
    try:
        msec = float(_text(data, "msec"))
        status = int(_text(data, "status"))
        track_id = int(_text(data, "track"))
        expires_text = _text(data, "expires")
        at = datetime.fromtimestamp(msec, UTC)
    except (ValueError, OverflowError, OSError) as error:
        raise Malformed(str(error)) from error
    fmt = _text(data, "format")
    if fmt not in _FORMATS or not 100 <= status <= 599 or not 0 < track_id < 2**63:
        raise Malformed("format, status or track out of range")
    address = _text(data, "addr")
    if not _is_address(address):
        raise Malformed("addr is not an address")
    token = _text(data, "token")
    user_id = None
    if token:
        if not expires_text.isdigit() or len(expires_text) > 18:
            raise Malformed("token without a valid expiry")
        user_id = listener_from_token(token, expires=int(expires_text))
        if user_id is None:
            raise Malformed("listener token")
    return Line(
        at=at,
        status=status,
        method=_text(data, "method")[:8],
        address=address,
        track_id=track_id,
        fmt=fmt,
        user_id=user_id,
        range_header=_text(data, "range")[:_MAX_TEXT],
        user_agent=_text(data, "ua")[:_MAX_TEXT],
        referrer=_text(data, "referer")[:_MAX_TEXT],
    )


def _renditions(lines: list[Line]) -> dict[tuple[int, str], tuple[int, int, float]]:
    """(size, bitrate, duration) of the ready renditions these lines name: one query."""
    track_ids = sorted({line.track_id for line in lines})
    found: dict[tuple[int, str], tuple[int, int, float]] = {}
    for start in range(0, len(track_ids), 500):
        rows = Rendition.objects.filter(
            asset__track_id__in=track_ids[start : start + 500],
            asset__status=AudioAsset.Status.READY,
        ).values_list("asset__track_id", "format", "size", "bitrate", "duration")
        for track_id, fmt, size, bitrate, duration in rows:
            found[(track_id, fmt)] = (size, bitrate, duration)
    return found


# Columns in the order ``log_rows`` gives values; the INSERT names them so.
COLUMNS: Final = (
    "at", "track_id", "format", "method", "status", "ip_hash", "ip_hash_prev", "user_agent",
    "range_header", "bytes_planned", "size", "bitrate", "duration", "referrer", "user_id",
)  # fmt: skip


def log_rows(lines: list[Line], report: IngestReport) -> list[tuple[Any, ...]]:
    """The stream-log rows for ``lines`` (values in ``COLUMNS`` order), as
    ``ting.stats.streamlog`` builds them in the app."""
    renditions = _renditions(lines)
    hashes: dict[tuple[str, date], tuple[str, str]] = {}
    rows = []
    # Oldest first: the counting task reads by id up to a time, so ids must follow time.
    for line in sorted(lines, key=lambda line: line.at):
        known = renditions.get((line.track_id, line.fmt))
        if known is None:
            # The track went away since (counting ignores it then); keep the request anyway.
            report.unknown_renditions += 1
            known = (0, 0, 0.0)
        size, bitrate, duration = known
        # A listener's player asks for many ranges from one address: hash it once a batch.
        day = line.at.date()
        pair = hashes.get((line.address, day))
        if pair is None:
            pair = hashes[(line.address, day)] = ip_hashes(line.address, day)
        planned = planned_bytes(
            method=line.method, status=line.status, range_header=line.range_header, size=size
        )
        rows.append(
            (
                line.at, line.track_id, line.fmt, line.method, line.status, *pair,
                line.user_agent, line.range_header, planned, size, bitrate, duration,
                line.referrer, line.user_id,
            )
        )  # fmt: skip
    return rows


def _insert(rows: list[tuple[Any, ...]]) -> None:
    """One executemany: the ORM's bulk_create spent most of the ingest's time building SQL."""
    if not rows:
        return
    sql = insert_sql(StreamLog, COLUMNS)
    adapt = connection.ops.adapt_datetimefield_value  # aware UTC datetimes from parse_line
    params = [(adapt(row[0]), *row[1:]) for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


# --- reading the file --------------------------------------------------------------------------


def _head(handle: BinaryIO) -> str:
    """SHA-256 of the first line, or "" while the file has no complete line.

    Read with pread: the handle's position belongs to the reader of its lines.
    """
    start = os.pread(handle.fileno(), MAX_LINE + 1, 0)
    newline = start.find(b"\n")
    if newline < 0:
        return ""
    return hashlib.sha256(start[: newline + 1]).hexdigest()


def _lines(handle: BinaryIO, offset: int, *, final: bool) -> Iterator[tuple[bytes | None, int]]:
    """(line, offset after it) for each complete line from ``offset``; None for one too long.

    A last line without its newline is left for the next run, unless the file is ``final`` (a
    rotated copy nobody writes to any more): then it is reported as malformed.
    """
    handle.seek(offset)
    pending = b""
    position = offset
    skipping = False
    while True:
        block = handle.read(READ_SIZE)
        if not block:
            break
        pending += block
        *complete, pending = pending.split(b"\n")
        for raw in complete:
            position += len(raw) + 1
            if skipping:
                skipping = False
                yield None, position
            elif len(raw) > MAX_LINE:
                yield None, position
            else:
                yield raw, position
        if len(pending) > MAX_LINE:
            # A line that never ends: drop what we have and the rest of it up to its newline.
            position += len(pending)
            pending = b""
            skipping = True
    if final and (pending or skipping):
        yield None, position + len(pending)


def _advance(cursor: LogFileCursor, *, inode: int, offset: int, head: str) -> None:
    moved = LogFileCursor.objects.filter(
        pk=cursor.pk, inode=cursor.inode, offset=cursor.offset, head=cursor.head
    ).update(inode=inode, offset=offset, head=head)
    if not moved:
        raise CursorMoved(cursor.name)
    cursor.inode, cursor.offset, cursor.head = inode, offset, head


def _ingest_file(
    cursor: LogFileCursor,
    handle: BinaryIO,
    *,
    inode: int,
    final: bool,
    batch: int,
    report: IngestReport,
) -> None:
    parsed: list[Line] = []
    pending = 0
    for raw, end in _lines(handle, cursor.offset, final=final):
        report.lines += 1
        pending += 1
        try:
            if raw is None:
                raise Malformed("line too long or cut off")
            line = parse_line(raw)
        except Malformed as error:
            report.malformed += 1
            if len(report.examples) < 5:
                report.examples.append(f"{error}: {(raw or b'')[:120]!r}")
        else:
            if line.status in _REFUSED:
                report.refused += 1
            else:
                parsed.append(line)
        if pending >= batch:
            _commit(cursor, handle, inode=inode, end=end, lines=parsed, report=report)
            parsed, pending = [], 0
    if pending:
        _commit(cursor, handle, inode=inode, end=end, lines=parsed, report=report)


def _commit(
    cursor: LogFileCursor,
    handle: BinaryIO,
    *,
    inode: int,
    end: int,
    lines: list[Line],
    report: IngestReport,
) -> None:
    """The rows of ``lines`` and the cursor moved past them, in one transaction."""
    rows = log_rows(lines, report)
    # Known once a line is complete, which it is by now: the first batch of a file sets it.
    head = cursor.head or _head(handle)
    with transaction.atomic():
        _advance(cursor, inode=inode, offset=end, head=head)
        _insert(rows)
    report.rows += len(rows)


def _predecessor(path: Path, cursor: LogFileCursor) -> Path | None:
    """The rotated copy of the file the cursor points into: same inode, else same first line."""
    siblings = [
        candidate
        for candidate in path.parent.glob(f"{path.name}?*")
        if candidate.name[len(path.name)] in ".-_" and not candidate.name.endswith(_COMPRESSED)
    ]
    for candidate in siblings:
        if candidate.stat().st_ino == cursor.inode:
            return candidate
    if cursor.head:
        for candidate in siblings:
            with candidate.open("rb") as handle:
                if _head(handle) == cursor.head:
                    return candidate
    return None


def ingest_nginx_log(*, path: Path, name: str = CURSOR_NAME, batch: int = BATCH) -> IngestReport:
    """Move every complete line of ``path`` not yet ingested into the stream log."""
    report = IngestReport()
    cursor, _ = LogFileCursor.objects.get_or_create(name=name)
    try:
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            return report  # nothing logged yet, or between logrotate's rename and nginx's reopen
        with handle:
            stat = os.fstat(handle.fileno())
            same = (
                stat.st_ino == cursor.inode
                and stat.st_size >= cursor.offset
                and (not cursor.head or _head(handle) == cursor.head)
            )
            if cursor.inode and not same:
                report.rotated = True
                _finish_rotated(path, cursor, batch=batch, report=report)
                _advance(cursor, inode=stat.st_ino, offset=0, head="")
            elif not cursor.inode:
                _advance(cursor, inode=stat.st_ino, offset=0, head="")
            _ingest_file(cursor, handle, inode=stat.st_ino, final=False, batch=batch, report=report)
    except CursorMoved:
        log.info("stream-log ingest: another run moved the cursor; it ingests the rest")
    if report.malformed:
        log.warning(
            "stream-log ingest skipped %d malformed line(s) of %s, e.g. %s",
            report.malformed, path, "; ".join(report.examples),
        )  # fmt: skip
    return report


def _finish_rotated(path: Path, cursor: LogFileCursor, *, batch: int, report: IngestReport) -> None:
    old = _predecessor(path, cursor)
    if old is None:
        report.lost_rotation = True
        log.error(
            "stream-log ingest: %s was rotated and its old lines (after byte %d) are not in a "
            "rotated copy beside it; those requests are not counted",
            path, cursor.offset,
        )  # fmt: skip
        return
    with old.open("rb") as handle:
        if os.fstat(handle.fileno()).st_size < cursor.offset:
            report.lost_rotation = True
            log.error("stream-log ingest: %s is shorter than what was read of it", old)
            return
        _ingest_file(cursor, handle, inode=cursor.inode, final=True, batch=batch, report=report)
