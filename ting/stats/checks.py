from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register


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


@register()
def nginx_stream_log(**kwargs: Any) -> list[CheckMessage]:
    """MEDIA_DELIVERY=nginx-signed counts from nginx's log: its folder must be there to read."""
    if settings.MEDIA_DELIVERY != "nginx-signed":
        return []
    folder = Path(settings.TING_NGINX_STREAM_LOG).parent
    if not folder.is_dir():
        return [
            Warning(
                f"TING_NGINX_STREAM_LOG is in {folder}, which does not exist: nginx cannot "
                "write the stream log there and no download would be counted.",
                id="stats.W001",
            )
        ]
    return []
