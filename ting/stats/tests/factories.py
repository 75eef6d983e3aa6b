"""Build stream-log rows and beacons the way the hot path would, at chosen times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Max
from django.utils import timezone

from ting.catalog.models import Track
from ting.stats.counting.run import RunReport, counting_run
from ting.stats.models import ListenBeacon, StreamLog
from ting.stats.privacy import hash_ip
from ting.stats.streamlog import planned_bytes

SALT = b"s" * 32
BROWSER = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
APPLE_PODCASTS = "Podcasts/1555.2.1 CFNetwork/1410.0.3 Darwin/22.6.0"
OVERCAST = "Overcast/3.0 (+http://overcast.fm/; iOS podcast app)"
# A 64 kb/s rendition of an hour: 28.8 MB of audio behind a 50 KB header.
BITRATE = 64_000
DURATION = 3600.0
HEADER = 50_000
SIZE = HEADER + BITRATE // 8 * 3600
ONE_MINUTE = BITRATE // 8 * 60


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def log_request(
    track: Track,
    at: datetime | str,
    *,
    ua: str = APPLE_PODCASTS,
    ip: str = "203.0.113.7",
    range_header: str = "",
    method: str = "GET",
    status: int | None = None,
    size: int = SIZE,
    bitrate: int = BITRATE,
    duration: float = DURATION,
    fmt: str = "mp3_128",
    referrer: str = "",
) -> StreamLog:
    # One salt for every day: these tests are about counting, not about forgetting.
    when = utc(at) if isinstance(at, str) else at
    if status is None:
        status = 206 if range_header else 200
    return StreamLog.objects.create(
        at=when,
        track_id=track.pk,
        format=fmt,
        method=method,
        status=status,
        ip_hash=hash_ip(ip, SALT),
        ip_hash_prev=hash_ip(ip, SALT),
        user_agent=ua,
        range_header=range_header,
        bytes_planned=planned_bytes(
            method=method, status=status, range_header=range_header, size=size
        ),
        size=size,
        bitrate=bitrate,
        duration=duration,
        referrer=referrer,
    )


def beacon(
    track: Track,
    at: datetime | str,
    *,
    session: str = "session-aaaa",
    listened: float,
    position: float | None = None,
    user_id: int | None = None,
    duration: float = 224.0,
) -> ListenBeacon:
    return ListenBeacon.objects.create(
        at=utc(at) if isinstance(at, str) else at,
        track_id=track.pk,
        session=session,
        user_id=user_id,
        listened=listened,
        max_position=listened if position is None else position,
        duration=duration,
    )


def count(**kwargs: Any) -> RunReport:
    """Run the counting task two minutes after the newest log row or beacon was written."""
    newest = [
        at
        for at in (
            StreamLog.objects.aggregate(at=Max("at"))["at"],
            ListenBeacon.objects.aggregate(at=Max("at"))["at"],
        )
        if at is not None
    ]
    now = max(newest, default=timezone.now()) + timedelta(minutes=2)
    return counting_run(now=now, **kwargs)


AUDIO = bytes(range(256)) * 400  # 100 KiB stands in for an encoded rendition


def with_audio(track: Track, *, fmt: str = "aac64", bitrate: int = 64_000) -> Track:
    """Give a track a READY asset with one rendition of ``AUDIO`` in the media storage."""
    import hashlib

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from ting.media.models import AudioAsset, Rendition

    key = f"audio/st/at/{track.pk:032x}"
    asset = AudioAsset.objects.create(
        track=track, key=key, original=f"{key}/original", status=AudioAsset.Status.READY,
        duration=224.0,
    )  # fmt: skip
    stored = default_storage.save(f"{key}/{fmt}.bin", ContentFile(AUDIO))
    Rendition.objects.create(
        asset=asset, format=fmt, file=stored, mime_type="audio/mp4", codec="aac",
        bitrate=bitrate, sample_rate=48_000, channels=2, duration=224.0, size=len(AUDIO),
        sha256=hashlib.sha256(AUDIO).hexdigest(),
    )  # fmt: skip
    return track
