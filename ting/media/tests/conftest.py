from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ting.media.audio.testing import sine, speech_like, write_audio


@pytest.fixture
def make_tone(tmp_path: Path) -> Callable[..., Path]:
    def make(
        name: str = "tone.wav",
        seconds: float = 3.0,
        rate: int = 48000,
        amplitude: float = 0.1,
        channels: int = 2,
        freq: float = 997.0,
    ) -> Path:
        path = tmp_path / name
        write_audio(
            path, sine(seconds, rate, amplitude=amplitude, channels=channels, freq=freq), rate
        )
        return path

    return make


@pytest.fixture
def make_speech(tmp_path: Path) -> Callable[..., Path]:
    def make(
        name: str = "speech.mp3",
        seconds: float = 4.0,
        rate: int = 44100,
        channels: int = 2,
        level: float = 0.3,
        drive: float = 60.0,
    ) -> Path:
        path = tmp_path / name
        chunks = speech_like(seconds, rate, channels=channels, level=level, drive=drive)
        write_audio(path, chunks, rate)
        return path

    return make


# A real S3-compatible server for the STORAGE=s3 tests (ting/media/tests/s3.py).
from ting.media.tests.s3 import moto_auth, moto_server, s3_storage  # noqa: E402, F401
