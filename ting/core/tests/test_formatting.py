import pytest

from ting.core.formatting import format_count, format_duration


@pytest.mark.parametrize(
    ("count", "language", "expected"),
    [
        (962, "zh-hant", "962"),
        (113_000, "zh-hant", "11.3萬"),
        (2_134_000, "zh-hant", "213.4萬"),
        (113_000, "zh-hans", "11.3万"),
        (210_000_000, "zh-hans", "2.1亿"),
        (210_000_000, "zh-hant", "2.1億"),
        (10_000, "zh-hans", "1万"),
        (99_999_999, "zh-hans", "9999.9万"),
        (113_000, "en", "113K"),
        (2_134_000, "en", "2.1M"),
        (962, "en", "962"),
        (-5, "en", "0"),
    ],
)
def test_it_formats_counts_the_way_each_reader_writes_them(
    count: int, language: str, expected: str
) -> None:
    assert format_count(count, language) == expected


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(224, "03:44"), (3723, "1:02:03"), (59.9, "00:59"), (0, "00:00"), (None, "--:--")],
)
def test_it_formats_durations_like_the_seed_page(seconds: float | None, expected: str) -> None:
    assert format_duration(seconds) == expected
