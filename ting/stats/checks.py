from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.checks import CheckMessage, Error, register


@register()
def counting_time_zone(**kwargs: Any) -> list[CheckMessage]:
    name = settings.TING_COUNTING_TIME_ZONE
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return [
            Error(f"TING_COUNTING_TIME_ZONE={name!r} is not an IANA time zone.", id="stats.E001")
        ]
    return []
