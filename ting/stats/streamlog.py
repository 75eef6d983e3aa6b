"""The hot path: one INSERT per byte request, nothing read, nothing updated (ADR 0009).

``settings.TING_STREAM_LOGGER`` points at ``log_stream``; the stream view reports through
``ting.core.streams``.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from ting.core.db import insert_without_flush
from ting.core.security import client_ip
from ting.core.streams import StreamServed
from ting.playback.delivery.ranges import FullContent, PartialContent, parse_range
from ting.stats.models import StreamLog
from ting.stats.privacy import ip_hashes

_MAX_TEXT = 400


def planned_bytes(*, method: str, status: int, range_header: str, size: int) -> int:
    """Bytes the request asked for, by the same Range rules the server answers with."""
    if method != "GET" or status == 304 or status >= 400:
        return 0
    decision = parse_range(range_header or None, size)
    if isinstance(decision, FullContent):
        return size
    if isinstance(decision, PartialContent):
        return sum(byte_range.length for byte_range in decision.ranges)
    return 0


def log_stream(event: StreamServed) -> None:
    insert_without_flush(StreamLog, stream_log_values(event))


def stream_log_values(event: StreamServed) -> dict[str, Any]:
    """The log row for a served request, by field name; reads nothing but the day's salt."""
    request = event.request
    meta = request.META
    now = timezone.now()
    ip_hash, ip_hash_prev = ip_hashes(client_ip(request), now.date())
    range_header = str(meta.get("HTTP_RANGE", ""))[:_MAX_TEXT]
    method = (request.method or "")[:8]
    user = getattr(request, "user", None)
    return dict(
        at=now,
        track_id=event.track_id,
        format=event.fmt[:10],
        method=method,
        status=event.status,
        ip_hash=ip_hash,
        ip_hash_prev=ip_hash_prev,
        user_agent=str(meta.get("HTTP_USER_AGENT", ""))[:_MAX_TEXT],
        range_header=range_header,
        bytes_planned=planned_bytes(
            method=method, status=event.status, range_header=range_header, size=event.size
        ),
        size=event.size,
        bitrate=event.bitrate,
        duration=event.duration,
        referrer=str(meta.get("HTTP_REFERER", ""))[:_MAX_TEXT],
        user_id=user.pk if user is not None and user.is_authenticated else None,
    )
