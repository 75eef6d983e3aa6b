"""Shared pieces of the fault tests: real audio, and a published track made from it."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import pytest
from django.core.cache import cache

from ting.catalog.models import Anchor, Track
from ting.catalog.tests.factories import make_track
from ting.media import services
from ting.media.audio.testing import speech_like, write_audio
from ting.media.models import AudioAsset


def speech_mp3(folder: Path, seconds: float = 4.0, name: str = "speech.mp3") -> Path:
    """A real MP3 encoded with PyAV: speech-like noise bursts, loud enough to normalise."""
    path = folder / name
    write_audio(path, speech_like(seconds, 44_100, level=0.3), 44_100)
    return path


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decoded_seconds(data: bytes) -> float:
    """Decode every audio frame; a damaged file raises or comes up short."""
    samples, rate = 0, 0
    with av.open(io.BytesIO(data), mode="r") as container:
        for frame in container.decode(audio=0):
            samples += frame.samples
            rate = frame.sample_rate
    return samples / rate if rate else 0.0


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Repair locks and damage reports live in the cache; row ids repeat between tests."""
    cache.clear()


@pytest.fixture
def published_track(
    anchor: Anchor, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> Callable[[], Track]:
    """A public, published track with real renditions (processed by the immediate backend)."""

    def build() -> Track:
        track = make_track(album__anchor=anchor)
        with (
            django_capture_on_commit_callbacks(execute=True),
            speech_mp3(tmp_path).open("rb") as content,
        ):
            services.asset_create(track=track, content=content, filename="speech.mp3")
        assert AudioAsset.objects.get(track=track).status == AudioAsset.Status.READY
        Track.objects.filter(pk=track.pk).update(status=Track.Status.PUBLISHED)
        track.refresh_from_db()
        return track

    return build
