"""The analysis pass's PCM spool: the encode pass reads the source's PCM back from it
instead of decoding the source a second time."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from ting.media.audio import PipelineConfig, process_audio
from ting.media.audio.decode import PcmReader, PcmSpool
from ting.media.audio.encode import measure_file


def test_spool_gives_back_the_decoded_chunks_bit_for_bit(
    make_speech: Callable[..., Path], tmp_path: Path
) -> None:
    src = make_speech("in.wav", seconds=3.0, rate=44100, channels=2, level=0.3, drive=20.0)
    with PcmReader(src) as reader:
        decoded = list(reader.chunks())
    with PcmSpool(tmp_path, 1 << 30) as spool:
        for chunk in decoded:
            spool.write(chunk)
        # Unnamed: nothing in the folder that a killed worker could leave behind.
        assert [p.name for p in tmp_path.iterdir() if p.name != "in.wav"] == []
        back = list(spool.chunks())
        assert spool.complete
    assert len(back) == len(decoded)
    for a, b in zip(back, decoded, strict=True):
        assert a.dtype == np.float32
        assert np.array_equal(a, b)


@pytest.mark.parametrize("preadv", [True, False], ids=["preadv", "pread"])
def test_readers_of_the_spool_each_read_it_whole_at_their_own_pace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, preadv: bool
) -> None:
    if not preadv:  # as on macOS, whose Python has no os.preadv
        monkeypatch.delattr(os, "preadv", raising=False)
    # The encode pass gives each encoder thread a reader of its own: interleaved reads
    # must not move one another's position.
    rng = np.random.default_rng(7)
    written = [rng.standard_normal((2, n)).astype(np.float32) for n in (1000, 4096, 7, 65536)]
    with PcmSpool(tmp_path, 1 << 30) as spool:
        for chunk in written:
            spool.write(chunk)
        fast, slow = spool.chunks(), spool.chunks()
        got_fast = [next(fast), next(fast), next(fast)]
        got_slow = [next(slow)]
        got_fast += list(fast)
        got_slow += list(slow)
    for got in (got_fast, got_slow):
        assert len(got) == len(written)
        for a, b in zip(got, written, strict=True):
            assert np.array_equal(a, b)


def test_spool_over_its_limit_gives_up_and_holds_nothing(tmp_path: Path) -> None:
    with PcmSpool(tmp_path, 4000) as spool:
        spool.write(np.ones((2, 400), dtype=np.float32))
        assert spool.complete
        spool.write(np.ones((2, 400), dtype=np.float32))
        assert not spool.complete
        with pytest.raises(AssertionError):
            list(spool.chunks())


def test_spool_gives_up_before_it_takes_the_room_the_other_files_need(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A disk with 40 MB free: the spool keeps 64 MB for the segment series and the
    # renditions, so it gives up at once and gives its bytes back.
    class Nearly:
        f_bavail, f_frsize = 40 * 1024, 1024

    real = os.fstatvfs
    with PcmSpool(tmp_path, 1 << 30) as spool:
        spool.write(np.ones((2, 1000), dtype=np.float32))
        assert spool.complete and real(spool._file.fileno()).f_bavail > 0
        monkeypatch.setattr(os, "fstatvfs", lambda fd: Nearly())
        spool.write(np.ones((2, 1000), dtype=np.float32))
        assert not spool.complete
        assert spool.samples == 0


@pytest.mark.parametrize("limit", [0, 100_000, 1 << 30])
def test_renditions_are_the_same_whether_the_pcm_is_spooled_or_decoded_again(
    make_speech: Callable[..., Path], tmp_path: Path, limit: int
) -> None:
    # 100 kB: the spool gives up during the analysis and the encode pass decodes again.
    src = make_speech("in.wav", seconds=3.0, rate=44100, channels=2, level=0.3, drive=20.0)
    out = tmp_path / f"out-{limit}"
    result = process_audio(src, out, config=PipelineConfig(spool_limit_bytes=limit))
    assert sorted(p.name for p in out.iterdir()) == ["audio.m4a", "audio.mp3", "audio.opus"]
    for rendition in result.renditions.values():
        loudness, _, _, duration, _ = measure_file(rendition.path)
        assert loudness.integrated_lufs == pytest.approx(-16.0, abs=0.5), rendition.name
        assert loudness.true_peak_dbtp is not None and loudness.true_peak_dbtp <= -1.5
        assert duration == pytest.approx(3.0, abs=0.1)
