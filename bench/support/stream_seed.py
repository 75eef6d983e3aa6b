"""Seed a scratch Ting for bench/stream.py: one published public track whose rendition (in
FORMAT) is the file already written at MEDIA_ROOT/KEY (the bench's 30 MB file). Run with the
bench's environment (TING_DATA_DIR, DATABASE_URL) after `manage.py migrate`; prints the track id.

    python -m bench.support.stream_seed KEY FORMAT
"""

from __future__ import annotations

import hashlib
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path


def main(key: str, fmt: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    from ting.catalog.models import Track
    from ting.catalog.tests.factories import make_track
    from ting.media.models import AudioAsset, Rendition

    data = (Path(settings.MEDIA_ROOT) / key).read_bytes()
    track = make_track(
        title="基准声音",
        duration=3600.0,
        status=Track.Status.PUBLISHED,
        published_at=datetime.now(UTC) - timedelta(days=1),
    )
    asset = AudioAsset.objects.create(
        track=track,
        key="audio/bench/stream",
        original="audio/bench/stream/original",
        status=AudioAsset.Status.READY,
        duration=3600.0,
        waveform=[0.5] * 100,
    )
    Rendition.objects.create(
        asset=asset,
        format=fmt,
        file=key,
        mime_type="audio/mp4",
        codec="aac",
        bitrate=64_000,
        sample_rate=44_100,
        channels=2,
        duration=3600.0,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    print(track.pk)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
