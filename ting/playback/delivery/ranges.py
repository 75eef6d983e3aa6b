"""Range and If-Range evaluation (RFC 9110 §14), as pure functions.

Policy, decided in docs/adr/0004-byte-delivery.md:

- No header, an unknown unit, or any syntax error (including a reversed ``b-a``) makes the
  whole header ignored: the caller answers 200 with the full representation. RFC 9110
  §14.2 lets a server ignore Range, and ignoring is always safe for a client.
- A representation of zero bytes ignores Range too: no range of it can be satisfied, and a
  416 for ``bytes=0-`` (what every media element sends first) would make an empty file look
  broken instead of empty.
- At most ``MAX_RANGES`` range-specs; more and the header is ignored (200 full), which is
  what nginx's ``max_ranges`` does. Specs are sorted and overlapping or adjacent ones are
  coalesced in O(n log n) (RFC 9110 §14.1.1 allows it; Starlette's quadratic merge was a
  DoS), so the parts never overlap and never add up to more than the file.
- Several ranges left after coalescing are answered with ``multipart/byteranges``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from django.utils.http import parse_etags, parse_http_date_safe

MAX_RANGES: Final = 8

# Python refuses to parse integers of more than 4,300 digits, and 18 digits already exceed
# any file; longer numbers stand for "larger than any size" instead of being parsed.
_MAX_DIGITS: Final = 18
_HUGE: Final = 10**18


@dataclass(frozen=True, slots=True)
class ByteRange:
    """An inclusive byte range, as in ``Content-Range: bytes start-end/size``."""

    start: int
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1


@dataclass(frozen=True, slots=True)
class FullContent:
    """Answer 200 with the whole representation."""


@dataclass(frozen=True, slots=True)
class PartialContent:
    """Answer 206 with these sorted, disjoint, non-adjacent ranges (at least one)."""

    ranges: tuple[ByteRange, ...]


@dataclass(frozen=True, slots=True)
class Unsatisfiable:
    """Answer 416 with ``Content-Range: bytes */size``."""


RangeResult = FullContent | PartialContent | Unsatisfiable

FULL: Final = FullContent()
UNSATISFIABLE: Final = Unsatisfiable()


class _Malformed(Exception):
    pass


def parse_range(header: str | None, size: int) -> RangeResult:
    """Decide how to answer a ``Range`` header for a representation of ``size`` bytes."""
    if not header or size <= 0:
        return FULL
    unit, sep, range_set = header.partition("=")
    if not sep or unit.strip().lower() != "bytes":
        return FULL
    # Counting commas first bounds the work before anything is split or parsed.
    if range_set.count(",") >= MAX_RANGES * 4:
        return FULL
    # RFC 9110 §5.6.1.2: recipients accept empty list elements and whitespace around commas.
    specs = [spec.strip() for spec in range_set.split(",")]
    specs = [spec for spec in specs if spec]
    if not specs or len(specs) > MAX_RANGES:
        return FULL
    try:
        parsed = [_parse_spec(spec, size) for spec in specs]
    except _Malformed:
        return FULL
    satisfiable = [byte_range for byte_range in parsed if byte_range is not None]
    if not satisfiable:
        return UNSATISFIABLE
    return PartialContent(coalesce(satisfiable))


def _parse_spec(spec: str, size: int) -> ByteRange | None:
    """One range-spec to a clamped range, None when it cannot be satisfied."""
    first, dash, last = spec.partition("-")
    if not dash:
        raise _Malformed
    if not first:
        suffix_length = _parse_int(last)
        # A suffix of zero bytes selects nothing (RFC 9110 §14.1.1).
        if suffix_length == 0:
            return None
        return ByteRange(max(size - suffix_length, 0), size - 1)
    start = _parse_int(first)
    end = _parse_int(last) if last else None
    if end is not None and end < start:
        raise _Malformed
    if start >= size:
        return None
    return ByteRange(start, size - 1 if end is None else min(end, size - 1))


def _parse_int(digits: str) -> int:
    # isdigit() alone would accept "²" and other non-ASCII digits.
    if not digits or not digits.isascii() or not digits.isdigit():
        raise _Malformed
    if len(digits) > _MAX_DIGITS:
        return _HUGE
    return int(digits)


def coalesce(ranges: list[ByteRange]) -> tuple[ByteRange, ...]:
    """Merge overlapping and adjacent ranges after one sort: O(n log n), never quadratic."""
    merged: list[ByteRange] = []
    for byte_range in sorted(ranges, key=lambda r: r.start):
        if merged and byte_range.start <= merged[-1].end + 1:
            last = merged[-1]
            merged[-1] = ByteRange(last.start, max(last.end, byte_range.end))
        else:
            merged.append(byte_range)
    return tuple(merged)


def if_range_matches(
    if_range: str | None,
    *,
    etag: str | None,
    last_modified: int | None,
    last_modified_is_strong: bool = True,
) -> bool:
    """Whether a Range request may be answered partially (RFC 9110 §13.1.5).

    ``etag`` is the quoted current entity-tag; ``last_modified`` is the Last-Modified time in
    whole seconds since the epoch. A Range without If-Range always may.
    """
    if if_range is None:
        return True
    value = if_range.strip()
    if value.startswith(('"', "W/")):
        # Only a strong comparison counts: a weak tag never matches, not even itself.
        return etag is not None and not etag.startswith("W/") and value == etag
    if last_modified is None or not last_modified_is_strong:
        return False
    # Exact equality, not "not modified since": a date is a validator here, not an order.
    return parse_http_date_safe(value) == last_modified


def none_match(if_none_match: str, etag: str) -> bool:
    """Whether ``If-None-Match`` fails for ``etag`` (weak comparison, RFC 9110 §13.1.2)."""
    tags = parse_etags(if_none_match)
    if tags == ["*"]:
        return False
    return _opaque(etag) not in {_opaque(tag) for tag in tags}


def match_fails(if_match: str, etag: str) -> bool:
    """Whether ``If-Match`` fails for ``etag`` (strong comparison, RFC 9110 §13.1.1)."""
    tags = parse_etags(if_match)
    if tags == ["*"]:
        return False
    return etag.startswith("W/") or etag not in tags


def _opaque(tag: str) -> str:
    return tag.removeprefix("W/")


def conditional_status(
    *,
    method: str,
    if_match: str | None,
    if_unmodified_since: str | None,
    if_none_match: str | None,
    if_modified_since: str | None,
    etag: str,
    last_modified: int,
) -> int | None:
    """412, 304 or None (go on), evaluating preconditions in RFC 9110 §13.2.2 order."""
    if if_match is not None:
        if match_fails(if_match, etag):
            return 412
    elif if_unmodified_since is not None:
        since = parse_http_date_safe(if_unmodified_since)
        if since is not None and last_modified > since:
            return 412
    safe = method in ("GET", "HEAD")
    if if_none_match is not None:
        if not none_match(if_none_match, etag):
            return 304 if safe else 412
    elif if_modified_since is not None and safe:
        since = parse_http_date_safe(if_modified_since)
        if since is not None and last_modified <= since:
            return 304
    return None
