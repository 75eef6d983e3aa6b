"""IAB v2.2/v2.3 downloads from stream-log rows, as pure functions over plain values.

A request that survives filtering joins its listener's open window for the episode (or opens
one); a window counts one download the moment the bytes requested in it, reassembled per file,
cover the header plus one minute of audio (a whole 200 GET always does).
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Final, Literal
from urllib.parse import urlsplit

from ting.playback.delivery.ranges import FullContent, PartialContent, parse_range
from ting.stats.agents import classify, is_bot

WindowMode = Literal["calendar-day", "first-touch-24h", "last-touch-24h"]
WINDOW_MODES: Final[tuple[WindowMode, ...]] = ("calendar-day", "first-touch-24h", "last-touch-24h")
DAY: Final = timedelta(hours=24)
ONE_MINUTE: Final = 60.0
# Players probe with `bytes=0-1` (or `0-0`) before the real requests: a probe never counts.
PROBE_BYTES: Final = 2

Interval = list[int]  # [first, last], inclusive; JSON-friendly


@dataclass(frozen=True, slots=True)
class LogRow:
    """The stream-log columns counting reads, in the order ``StreamLog`` values() gives them."""

    id: int
    at: datetime
    track_id: int
    format: str
    method: str
    status: int
    ip_hash: str
    ip_hash_prev: str
    user_agent: str
    range_header: str
    size: int
    bitrate: int
    duration: float
    referrer: str


@dataclass(slots=True)
class Window:
    started_at: datetime
    last_at: datetime
    counted: bool = False
    covered: dict[str, list[Interval]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Download:
    track_id: int
    day: date
    client: str
    host: str
    log_id: int


def needed_bytes(*, size: int, bitrate: int, duration: float) -> int:
    """Header plus one minute of audio; the whole file when it lasts a minute or less.

    The header is what the file holds beyond its audio at the rendition's bitrate (tags,
    cover art, container overhead), so a file with a large cover needs that much more.
    """
    if duration <= ONE_MINUTE or bitrate <= 0:
        return size
    bytes_per_second = bitrate / 8
    header = max(0.0, size - bytes_per_second * duration)
    return min(size, math.ceil(header + bytes_per_second * ONE_MINUTE))


def requested_ranges(row: LogRow) -> list[Interval] | None:
    """The byte ranges a countable request asked for; None when it cannot count at all."""
    if row.method != "GET" or row.status == 304 or row.status >= 400:
        return None
    if row.size <= 0 or is_bot(row.user_agent):
        return None
    decision = parse_range(row.range_header or None, row.size)
    if isinstance(decision, FullContent):
        return [[0, row.size - 1]]
    if not isinstance(decision, PartialContent):
        return None
    ranges = [[r.start, r.end] for r in decision.ranges]
    if ranges == [[0, ranges[0][1]]] and ranges[0][1] < PROBE_BYTES:
        return None
    return ranges


def add_ranges(covered: list[Interval], ranges: Iterable[Interval]) -> list[Interval]:
    """Union of sorted disjoint intervals with more intervals; adjacent ones merge."""
    merged: list[Interval] = []
    for first, last in sorted([*covered, *ranges]):
        if merged and first <= merged[-1][1] + 1:
            if last > merged[-1][1]:
                merged[-1][1] = last
        else:
            merged.append([first, last])
    return merged


def covered_bytes(covered: list[Interval]) -> int:
    return sum(last - first + 1 for first, last in covered)


@functools.lru_cache(maxsize=8192)
def _agent_digest(user_agent: str) -> str:
    return hashlib.blake2b(user_agent.encode(), digest_size=8).hexdigest()


def listener_key(track_id: int, user_agent: str, ip_hash: str) -> str:
    """One listener (IP + user agent) of one episode; short enough to index."""
    return f"{track_id}:{ip_hash}:{_agent_digest(user_agent)}"


def same_window(window: Window, at: datetime, mode: WindowMode, zone: tzinfo) -> bool:
    if mode == "calendar-day":
        return at.astimezone(zone).date() == window.started_at.astimezone(zone).date()
    if mode == "first-touch-24h":
        return at - window.started_at < DAY
    return at - window.last_at < DAY


def expired(window: Window, horizon: datetime, mode: WindowMode, zone: tzinfo) -> bool:
    """Whether no request at or after ``horizon`` can still join the window."""
    return not same_window(window, horizon, mode, zone)


def referrer_host(referrer: str) -> str:
    try:
        return (urlsplit(referrer).hostname or "")[:255]
    except ValueError:
        return ""


def count_downloads(
    rows: Iterable[LogRow],
    windows: dict[str, Window],
    *,
    mode: WindowMode,
    zone: tzinfo,
) -> Iterator[Download]:
    """Feed rows in log order through the listeners' windows (updated in place).

    ``windows`` must hold the open windows of every key the rows may meet, under both their
    current and previous-day key; a window found under the previous day's key moves over.
    """
    for row in rows:
        ranges = requested_ranges(row)
        if ranges is None:
            continue
        key = listener_key(row.track_id, row.user_agent, row.ip_hash)
        window = windows.get(key)
        if window is None and row.ip_hash_prev:
            window = windows.pop(listener_key(row.track_id, row.user_agent, row.ip_hash_prev), None)
        if window is not None and same_window(window, row.at, mode, zone):
            window.last_at = max(window.last_at, row.at)
        else:
            window = Window(started_at=row.at, last_at=row.at)
        windows[key] = window
        if window.counted:
            continue
        covered = add_ranges(window.covered.get(row.format, []), ranges)
        need = needed_bytes(size=row.size, bitrate=row.bitrate, duration=row.duration)
        if covered_bytes(covered) >= need:
            window.counted = True
            window.covered = {}
            yield Download(
                track_id=row.track_id,
                day=row.at.astimezone(zone).date(),
                client=classify(row.user_agent)[0],
                host=referrer_host(row.referrer),
                log_id=row.id,
            )
        else:
            window.covered[row.format] = covered
