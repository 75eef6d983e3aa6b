from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import av
import numpy as np
import pytest

from ting.media.audio.loudness import (
    LoudnessMeter,
    TruePeakLimiter,
    TruePeakMeter,
    db,
    integrated_energy,
)
from ting.media.audio.probe import analyse
from ting.media.audio.testing import sine
from ting.media.audio.waveform import PeakAccumulator


def ffmpeg_ebur128(path: Path) -> tuple[float, float]:
    """Integrated loudness and true peak from FFmpeg's own ebur128 filter, via PyAV."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        graph = av.filter.Graph()
        src = graph.add_abuffer(template=stream)
        meter = graph.add("ebur128", "peak=true:metadata=1")
        sink = graph.add("abuffersink")
        src.link_to(meter)
        meter.link_to(sink)
        graph.configure()
        last: dict[str, str] = {}
        for frame in container.decode(stream):
            graph.push(frame)
            while True:
                try:
                    out = graph.pull()
                except (av.error.BlockingIOError, av.error.EOFError):
                    break
                last = dict(out.metadata)
        graph.push(None)
        while True:
            try:
                last = dict(graph.pull().metadata)
            except (av.error.BlockingIOError, av.error.EOFError):
                break
    integrated = float(last["lavfi.r128.I"])
    peaks = [float(v) for k, v in last.items() if k.startswith("lavfi.r128.true_peaks_ch")]
    return integrated, 20 * math.log10(max(peaks))


def test_a_997_hz_sine_at_minus_20_dbfs_in_both_channels_measures_minus_20_lufs() -> None:
    # BS.1770 is calibrated so a 997 Hz sine at full scale in one channel reads -3.01 LUFS;
    # two channels add 3.01 dB, so amplitude A in both reads 20*log10(A) LUFS.
    amplitude = 10 ** (-20 / 20)
    meter = LoudnessMeter(48000, 2)
    for chunk in sine(5.0, 48000, amplitude=amplitude):
        meter.add(chunk)
    result = meter.result()
    assert result.integrated_lufs == pytest.approx(-20.0, abs=0.1)
    assert result.true_peak_dbtp == pytest.approx(-20.0, abs=0.1)
    assert result.lra_lu == pytest.approx(0.0, abs=0.1)


@pytest.mark.parametrize("rate", [44100, 48000, 22050])
def test_it_agrees_with_ffmpeg_ebur128_on_speech_like_audio(
    make_speech: Callable[..., Path], rate: int
) -> None:
    path = make_speech(f"speech{rate}.wav", seconds=6.0, rate=rate)
    ours = analyse(path).loudness
    reference_i, reference_tp = ffmpeg_ebur128(path)
    assert ours.integrated_lufs is not None and ours.true_peak_dbtp is not None
    assert ours.integrated_lufs == pytest.approx(reference_i, abs=0.3)
    assert ours.true_peak_dbtp == pytest.approx(reference_tp, abs=0.5)


def test_silence_has_no_integrated_loudness() -> None:
    meter = LoudnessMeter(48000, 2)
    meter.add(np.zeros((2, 48000 * 2), dtype=np.float32))
    assert meter.result().integrated_lufs is None


def test_silence_after_sound_keeps_the_k_weighting_state_out_of_subnormal_floats() -> None:
    # Subnormal floats cost the CPU 30-40 times more per operation: the filter's state
    # decaying through them made every pause of digital silence the slowest audio to
    # measure. The state must stay normal (or exactly zero), and no figure may move.
    rng = np.random.default_rng(3)
    burst = (rng.standard_normal((2, 48000)) * 0.1).astype(np.float32)
    meter = LoudnessMeter(48000, 2)
    alone = LoudnessMeter(48000, 2)
    meter.add(burst)
    alone.add(burst)
    for _ in range(20):  # 20 s of digital silence, in chunks, as a decoder hands them over
        meter.add(np.zeros((2, 48000), dtype=np.float32))
    state = np.abs(meter._zi)
    assert np.all((state == 0) | (state >= np.finfo(np.float32).tiny)), state
    subs = meter.sub_energies()
    # Under sound the guard rounds away entirely; in silence it is ~-300 dB.
    np.testing.assert_array_equal(subs[:10], alone.sub_energies()[:10])
    assert subs[12:].max() < 1e-25
    exact = subs.copy()
    exact[exact < 1e-20] = 0.0
    assert integrated_energy(subs) == integrated_energy(exact)


def test_true_peak_finds_an_inter_sample_peak_the_samples_miss() -> None:
    # A quarter-rate sine sampled at 45 degrees: every sample is 0.707 of the real peak.
    n = np.arange(4800)
    x = np.sin(2 * math.pi * n / 4 + math.pi / 4).astype(np.float32)[None, :] * 0.5
    meter = TruePeakMeter()
    meter.add(x)
    meter.finish()
    assert db(meter.sample_peak) == pytest.approx(db(0.5 * math.sqrt(0.5)), abs=0.01)
    assert db(meter.true_peak) == pytest.approx(db(0.5), abs=0.3)


def test_the_limiter_keeps_the_true_peak_under_its_ceiling_and_preserves_length() -> None:
    rng = np.random.default_rng(1)
    x = (rng.standard_normal((2, 48000 * 2)) * 0.4).astype(np.float32)
    limiter = TruePeakLimiter(-3.0, 48000, 2)
    parts = [limiter.push(x[:, i : i + 10000]) for i in range(0, x.shape[1], 10000)]
    parts.append(limiter.flush())
    y = np.concatenate(parts, axis=1)
    assert y.shape == x.shape
    meter = TruePeakMeter()
    meter.add(y)
    meter.finish()
    assert db(meter.true_peak) <= -3.0 + 0.05


def test_the_limiter_leaves_quiet_audio_untouched() -> None:
    x = next(sine(1.0, 48000, amplitude=0.1))
    limiter = TruePeakLimiter(-1.0, 48000, 2)
    y = np.concatenate([limiter.push(x), limiter.flush()], axis=1)
    assert np.array_equal(x, y)


def test_the_waveform_has_the_requested_number_of_points_scaled_to_one() -> None:
    peaks = PeakAccumulator(1000)
    for chunk in sine(30.0, 8000, amplitude=0.25, channels=1):
        peaks.add(chunk)
    result = peaks.result()
    assert len(result) == 1000
    assert max(result) == 1.0
    assert min(result) > 0.9
