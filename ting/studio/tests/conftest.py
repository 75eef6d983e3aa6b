from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client

from ting.catalog.models import Album, Anchor
from ting.catalog.tests.factories import make_album
from ting.media.audio.testing import speech_like, write_audio


@pytest.fixture
def album(anchor: Anchor) -> Album:
    """An album of the anchor's, with no tracks yet."""
    return make_album(anchor=anchor, title="汽车科技早知道")


@pytest.fixture
def anchor_client(client: Client, anchor: Anchor) -> Client:
    client.force_login(anchor.user)
    return client


@pytest.fixture
def make_speech(tmp_path: Path) -> Callable[..., bytes]:
    """The bytes of a short speech-like MP3, written with PyAV."""

    def make(seconds: float = 3.0, name: str = "speech.mp3") -> bytes:
        path = tmp_path / name
        write_audio(path, speech_like(seconds, 44_100, level=0.3), 44_100)
        return path.read_bytes()

    return make


# A real S3-compatible server for the STORAGE=s3 tests (ting/media/tests/s3.py).
from ting.media.tests.s3 import moto_auth, moto_server, s3_storage  # noqa: E402, F401
