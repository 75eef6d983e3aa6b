from __future__ import annotations

import pytest
from django.utils.http import http_date

from ting.playback.delivery.ranges import (
    FULL,
    MAX_RANGES,
    UNSATISFIABLE,
    ByteRange,
    PartialContent,
    RangeResult,
    coalesce,
    conditional_status,
    if_range_matches,
    parse_range,
)


def partial(*spans: tuple[int, int]) -> PartialContent:
    return PartialContent(tuple(ByteRange(start, end) for start, end in spans))


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        (None, 100, FULL),
        ("", 100, FULL),
        ("bytes=0-9", 100, partial((0, 9))),
        ("bytes=10-", 100, partial((10, 99))),
        ("bytes=-10", 100, partial((90, 99))),
        ("bytes=-1000", 100, partial((0, 99))),
        ("bytes=0-1000", 100, partial((0, 99))),
        ("bytes=99-99", 100, partial((99, 99))),
        ("bytes=100-", 100, UNSATISFIABLE),
        ("bytes=100-200", 100, UNSATISFIABLE),
        ("bytes=-0", 100, UNSATISFIABLE),
        ("bytes=-0,100-", 100, UNSATISFIABLE),
        ("bytes=9-0", 100, FULL),
        ("bytes=abc", 100, FULL),
        ("bytes=1-2-3", 100, FULL),
        ("bytes=-", 100, FULL),
        ("bytes=", 100, FULL),
        ("bytes=,", 100, FULL),
        ("bytes=0-9,x", 100, FULL),
        ("bytes=0 -9", 100, FULL),
        ("bytes=+1-2", 100, FULL),
        ("bytes=²-9", 100, FULL),
        ("items=0-1", 100, FULL),
        ("bytes", 100, FULL),
        ("BYTES=0-9", 100, partial((0, 9))),
        (" bytes = 0-9 ", 100, partial((0, 9))),
        ("bytes=0-9 , 20-29", 100, partial((0, 9), (20, 29))),
        ("bytes=0-9,,20-29", 100, partial((0, 9), (20, 29))),
        ("bytes=20-29,0-9", 100, partial((0, 9), (20, 29))),
        ("bytes=0-9,10-19", 100, partial((0, 19))),
        ("bytes=0-9,5-19,-5", 100, partial((0, 19), (95, 99))),
        ("bytes=0-9,200-300", 100, partial((0, 9))),
        ("bytes=0-0", 0, FULL),
        ("bytes=5-", 0, FULL),
        ("bytes=0-" + "9" * 5000, 100, partial((0, 99))),
        ("bytes=" + "9" * 5000 + "-", 100, UNSATISFIABLE),
        ("bytes=-" + "9" * 5000, 100, partial((0, 99))),
    ],
)
def test_parse_range_answers_each_header_as_rfc_9110_says(
    header: str | None, size: int, expected: RangeResult
) -> None:
    assert parse_range(header, size) == expected


def test_it_serves_up_to_the_cap_of_ranges() -> None:
    header = "bytes=" + ",".join(f"{i * 10}-{i * 10}" for i in range(MAX_RANGES))
    result = parse_range(header, 1000)
    assert isinstance(result, PartialContent)
    assert len(result.ranges) == MAX_RANGES


@pytest.mark.parametrize("count", [MAX_RANGES + 1, 1000, 100_000])
def test_it_ignores_a_range_header_over_the_cap(count: int) -> None:
    header = "bytes=" + ",".join(f"{i}-{i}" for i in range(count))
    assert parse_range(header, 10**9) == FULL


def test_coalesce_merges_overlapping_and_adjacent_ranges_in_one_pass() -> None:
    ranges = [ByteRange(50, 60), ByteRange(0, 10), ByteRange(11, 20), ByteRange(55, 70)]
    assert coalesce(ranges) == (ByteRange(0, 20), ByteRange(50, 70))


def test_coalesce_of_many_nested_ranges_is_one_range() -> None:
    ranges = [ByteRange(i, 100_000 - i) for i in range(50_000)]
    assert coalesce(ranges) == (ByteRange(0, 100_000),)


ETAG = '"abc"'
LAST_MODIFIED = 1_700_000_000


@pytest.mark.parametrize(
    ("if_range", "matches"),
    [
        (None, True),
        ('"abc"', True),
        ('"abd"', False),
        ('W/"abc"', False),
        (http_date(LAST_MODIFIED), True),
        (http_date(LAST_MODIFIED - 1), False),
        (http_date(LAST_MODIFIED + 1), False),
        ("not a date", False),
    ],
)
def test_if_range_matches_only_a_strong_etag_or_the_exact_date(
    if_range: str | None, matches: bool
) -> None:
    assert if_range_matches(if_range, etag=ETAG, last_modified=LAST_MODIFIED) is matches


def test_if_range_never_matches_a_weak_current_etag() -> None:
    assert not if_range_matches('W/"abc"', etag='W/"abc"', last_modified=None)


def test_if_range_date_does_not_match_a_last_modified_that_is_weak() -> None:
    date = http_date(LAST_MODIFIED)
    assert not if_range_matches(
        date, etag=ETAG, last_modified=LAST_MODIFIED, last_modified_is_strong=False
    )


def status(method: str = "GET", **headers: str) -> int | None:
    return conditional_status(
        method=method,
        if_match=headers.get("if_match"),
        if_unmodified_since=headers.get("if_unmodified_since"),
        if_none_match=headers.get("if_none_match"),
        if_modified_since=headers.get("if_modified_since"),
        etag=ETAG,
        last_modified=LAST_MODIFIED,
    )


def test_conditional_status_is_none_without_preconditions() -> None:
    assert status() is None


@pytest.mark.parametrize("tags", ['"abc"', 'W/"abc"', '"x", "abc"', "*"])
def test_if_none_match_compares_weakly_and_answers_304(tags: str) -> None:
    assert status(if_none_match=tags) == 304
    assert status("HEAD", if_none_match=tags) == 304


def test_if_none_match_with_other_tags_goes_on() -> None:
    assert status(if_none_match='"x", W/"y"') is None


def test_if_none_match_overrides_if_modified_since() -> None:
    assert status(if_none_match='"x"', if_modified_since=http_date(LAST_MODIFIED)) is None


def test_if_modified_since_answers_304_unless_modified_later() -> None:
    assert status(if_modified_since=http_date(LAST_MODIFIED)) == 304
    assert status(if_modified_since=http_date(LAST_MODIFIED - 1)) is None
    assert status(if_modified_since="garbage") is None


def test_if_match_compares_strongly_and_answers_412() -> None:
    assert status(if_match='"abc"') is None
    assert status(if_match="*") is None
    assert status(if_match='W/"abc"') == 412
    assert status(if_match='"x"') == 412


def test_if_unmodified_since_answers_412_when_modified_later() -> None:
    assert status(if_unmodified_since=http_date(LAST_MODIFIED - 1)) == 412
    assert status(if_unmodified_since=http_date(LAST_MODIFIED)) is None
