"""Numbers and durations as Chinese and English readers expect them (the seed: 11.3萬, 03:44)."""

from __future__ import annotations

import math

# (threshold, zh-Hans unit, zh-Hant unit); 萬/億 are the Chinese myriad units.
_ZH_UNITS = ((100_000_000, "亿", "億"), (10_000, "万", "萬"))
_EN_UNITS = ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K"))


def _one_decimal(value: float) -> str:
    # Truncate rather than round so 99,999,999 never shows as 10000.0万.
    truncated = math.floor(value * 10) / 10
    text = f"{truncated:.1f}"
    return text.removesuffix(".0")


def format_count(count: int, language: str) -> str:
    """A play or follower count: 962, 11.3萬 / 11.3万, 113.4K."""
    count = max(0, int(count))
    language = language.lower()
    if language.startswith("zh"):
        hant = language.startswith("zh-hant") or language in {"zh-tw", "zh-hk", "zh-mo"}
        for threshold, hans_unit, hant_unit in _ZH_UNITS:
            if count >= threshold:
                return _one_decimal(count / threshold) + (hant_unit if hant else hans_unit)
        return str(count)
    for threshold, unit in _EN_UNITS:
        if count >= threshold:
            return _one_decimal(count / threshold) + unit
    return f"{count:,}"


def format_duration(seconds: float | None) -> str:
    """03:44 under an hour, 1:02:03 from an hour on; unknown durations show as --:--."""
    if seconds is None or seconds < 0 or math.isnan(seconds):
        return "--:--"
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"
