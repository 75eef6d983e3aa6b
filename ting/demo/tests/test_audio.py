"""Demo audio is deterministic, exactly as long as asked, and decodes."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

from ting.demo.audio import RATE, TrackAudio, render, write


def test_render_is_exact_and_deterministic() -> None:
    spec = TrackAudio(seconds=4.5, seed=42, pitch=1.2, jingle="music_box", music_bed=True)
    first = render(spec, narrate=False)
    assert first.dtype == np.float32
    assert first.shape == (round(4.5 * RATE),)
    assert np.array_equal(first, render(spec, narrate=False))
    assert float(np.max(np.abs(first))) <= 1.0
    assert float(np.sqrt(np.mean(first**2))) > 0.01


def test_seeds_and_voices_differ() -> None:
    base = TrackAudio(seconds=2.0, seed=1)
    one = render(base, narrate=False)
    assert not np.array_equal(one, render(TrackAudio(seconds=2.0, seed=2), narrate=False))
    assert not np.array_equal(
        one, render(TrackAudio(seconds=2.0, seed=1, pitch=1.3), narrate=False)
    )


def test_a_narrated_gavel_track_writes_a_readable_file(tmp_path: Path) -> None:
    spec = TrackAudio(seconds=3.0, seed=5, jingle="gavel", narration="相声新说 第一回")
    for suffix in ("opus", "flac", "m4a", "mp3"):
        path = tmp_path / f"track.{suffix}"
        write(spec, path)
        with av.open(str(path)) as container:
            stream = container.streams.audio[0]
            assert stream.channels == 1
            assert container.duration is not None
            assert abs(container.duration / 1_000_000 - 3.0) < 0.2
