"""The gain plan: predicted loudness of the limited programme, and what it delivers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from scipy import signal

from ting.media.audio import PipelineConfig, process_audio
from ting.media.audio.encode import measure_file
from ting.media.audio.loudness import (
    LoudnessMeter,
    TruePeakLimiter,
    TruePeakMeter,
    db,
    segment_length,
    tp_envelope,
)
from ting.media.audio.plan import GainPlan, LevelStats, Limiter, envelope_for, solve
from ting.media.audio.testing import speech_like


def _measure(x: np.ndarray, rate: int) -> tuple[LoudnessMeter, LevelStats]:
    meter = LoudnessMeter(rate, x.shape[0], segments=True)
    meter.add(x)
    segments = meter.segments()
    assert segments is not None
    stats = LevelStats(
        rate=rate,
        sub_len=meter.sub_len,
        segment_len=meter.segment_len,
        subs=meter.sub_energies().copy(),
        energies=segments[0],
        peaks=segments[1],
    )
    return meter, stats


@pytest.mark.parametrize(
    ("drive", "rate", "channels"),
    [(60.0, 44100, 2), (20.0, 48000, 2), (8.0, 22050, 1), (20.0, 44100, 1)],
)
def test_the_plan_predicts_the_loudness_of_the_limited_programme(
    drive: float, rate: int, channels: int
) -> None:
    x = np.concatenate(
        list(speech_like(6.0, rate, channels=channels, level=0.5, drive=drive)), axis=1
    )
    meter, stats = _measure(x, rate)
    before = meter.result()
    assert before.integrated_lufs is not None and before.true_peak_dbtp is not None
    plan = solve(
        stats, integrated=before.integrated_lufs, target=-16.0, ceiling_db=-2.0, max_gain_db=30.0
    )
    assert plan.limited
    # Apply it in odd-sized pieces, as the encode pass does with decoder chunks.
    limiter = TruePeakLimiter(-2.0, rate, channels)
    parts, start = [], 0
    for size in (7000, 40000, 1, 65536, 100000):
        piece = x[:, start : start + size]
        parts.append(limiter.push(plan.apply(piece, start)))
        start += piece.shape[1]
    parts.append(limiter.push(plan.apply(x[:, start:], start)))
    parts.append(limiter.flush())
    y = np.concatenate(parts, axis=1)
    assert y.shape == x.shape
    after = LoudnessMeter(rate, channels)
    after.add(y)
    result = after.result()
    assert plan.predicted_lufs is not None and result.integrated_lufs is not None
    assert result.integrated_lufs == pytest.approx(plan.predicted_lufs, abs=0.1)
    assert result.integrated_lufs == pytest.approx(-16.0, abs=0.2)
    assert result.true_peak_dbtp is not None and result.true_peak_dbtp <= -2.0 + 0.02


def test_the_plan_alone_keeps_every_sample_under_the_ceiling() -> None:
    x = np.concatenate(list(speech_like(4.0, 48000, level=0.9, drive=8.0)), axis=1)
    meter, stats = _measure(x, 48000)
    loud = meter.result()
    assert loud.integrated_lufs is not None
    plan = solve(
        stats, integrated=loud.integrated_lufs, target=-14.0, ceiling_db=-3.0, max_gain_db=30.0
    )
    y = plan.apply(x, 0)
    assert db(float(np.abs(y).max())) <= -3.0 + 1e-3


def test_silence_gets_no_plan() -> None:
    x = np.zeros((2, 48000), dtype=np.float32)
    _, stats = _measure(x, 48000)
    plan = solve(stats, integrated=None, target=-16.0, ceiling_db=-2.0, max_gain_db=30.0)
    assert plan.gain_db == 0.0 and not plan.limited
    assert np.array_equal(plan.apply(x, 0), x)


@pytest.mark.parametrize("rate", [8000, 11025, 22050, 44100, 48000, 96000])
def test_segments_are_about_five_milliseconds(rate: int) -> None:
    size = segment_length(rate)
    assert 2.0 <= 1000.0 * size / rate <= 10.0 or rate == 11025


def test_the_dense_and_sparse_true_peak_paths_agree() -> None:
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((2, 30000)) * 0.05).astype(np.float32)
    x[:, 12000:12050] *= 20.0  # one loud burst: the sparse path
    sparse = tp_envelope(x, 0.5)
    dense = tp_envelope(x, 0.0)
    hot = sparse > 0
    assert hot.any()
    assert np.allclose(sparse[hot], dense[hot], rtol=1e-4, atol=1e-5)
    meter = TruePeakMeter()
    meter.add(x)
    meter.finish()
    assert meter.true_peak == pytest.approx(float(dense.max()), rel=1e-4)


SPEECH_CASES = [
    # (drive, level, channels, rate): peak-to-loudness ratios from about 14 to 19 dB.
    (60.0, 0.3, 2, 44100),
    (20.0, 0.9, 2, 44100),
    (8.0, 0.3, 2, 48000),
    (20.0, 0.9, 2, 22050),
    (60.0, 0.9, 1, 44100),
    (8.0, 0.5, 1, 48000),
    (20.0, 0.3, 1, 22050),
]


@pytest.mark.parametrize(("drive", "level", "channels", "rate"), SPEECH_CASES)
def test_speech_of_any_crest_factor_lands_on_target_under_the_peak_limit(
    make_speech: Callable[..., Path],
    tmp_path: Path,
    drive: float,
    level: float,
    channels: int,
    rate: int,
) -> None:
    src = make_speech("in.wav", seconds=3.0, rate=rate, channels=channels, level=level, drive=drive)
    result = process_audio(src, tmp_path / "out", config=PipelineConfig())
    loud = result.loudness
    assert loud.integrated_lufs is not None and loud.true_peak_dbtp is not None
    assert 12.0 <= loud.true_peak_dbtp - loud.integrated_lufs <= 20.0
    target = -16.0 if channels == 2 else -19.01
    assert result.target_lufs == pytest.approx(target, abs=0.01)
    for rendition in result.renditions.values():
        # Measured again from the file, independently of what the pipeline reports.
        measured, _, got_channels, duration, _ = measure_file(rendition.path)
        assert got_channels == channels
        assert duration == pytest.approx(3.0, abs=0.1)
        assert measured.integrated_lufs == pytest.approx(target, abs=0.5), rendition.name
        assert measured.true_peak_dbtp is not None
        assert measured.true_peak_dbtp <= -1.5, rendition.name
        if rendition.measured:
            assert rendition.integrated_lufs == measured.integrated_lufs
            assert rendition.true_peak_dbtp == measured.true_peak_dbtp
        else:
            # Predicted from the plan and the calibration excerpts, never decoded.
            assert rendition.integrated_lufs is not None and rendition.true_peak_dbtp is not None
            assert rendition.integrated_lufs == pytest.approx(measured.integrated_lufs, abs=0.3)
            assert rendition.true_peak_dbtp == pytest.approx(measured.true_peak_dbtp, abs=0.5)
    assert result.renditions["opus"].measured and result.renditions["aac"].measured


def test_the_envelope_computed_chunk_by_chunk_is_the_whole_programmes() -> None:
    x = np.concatenate(list(speech_like(8.0, 44100, level=0.9, drive=8.0)), axis=1)
    meter, stats = _measure(x, 44100)
    loud = meter.result()
    assert loud.integrated_lufs is not None
    plan = solve(
        stats, integrated=loud.integrated_lufs, target=-12.0, ceiling_db=-6.0, max_gain_db=30.0
    )
    assert plan.limiter is not None
    limiter = plan.limiter
    whole = envelope_for(stats.peaks, limiter.gain, limiter.ceiling, stats.segment_len, 44100)
    assert float(whole.min()) < 0.9  # the limiter works hard on this programme
    count = stats.peaks.shape[0]
    # Stretches as the encode pass asks for them, across block edges and past the end.
    for first, stop in [(0, 1), (0, 300), (17, 400), (count - 5, count + 1), (count, count + 1)]:
        assert np.allclose(limiter.envelope(first, stop), whole[first:stop], atol=1e-6)


def _upsampled_envelope(x: np.ndarray) -> np.ndarray:
    """The true-peak envelope from a plain float64 4x upsampling with the same 49-tap
    filter (scipy's upfirdn), independent of the folded kernel the meter uses."""
    taps = signal.firwin(49, 0.25, window=("kaiser", 8.0)) * 4
    planar = np.atleast_2d(x).astype(np.float64)
    y = signal.upfirdn(taps, planar, up=4, axis=-1)[:, 24 : 24 + 4 * planar.shape[1]]
    phases = y.reshape(planar.shape[0], -1, 4)
    # Phase 0 is the sample itself (the filter's centre tap is 1 - 2e-5, not 1: BS.1770
    # asks that the true peak never read below the sample peak).
    phases[:, :, 0] = planar
    return np.asarray(np.abs(phases).max(axis=(0, 2)))


@pytest.mark.parametrize(("channels", "n"), [(2, 65550), (1, 3001), (2, 15), (1, 200)])
def test_the_true_peak_envelope_is_a_4x_upsampling(channels: int, n: int) -> None:
    rng = np.random.default_rng(n)
    x = (rng.standard_normal((channels, n)) * 0.1).astype(np.float32)
    # A quarter-rate sine sampled 45 degrees off its crests: 0.9 at the samples, about
    # 1.27 between them.
    x[:, n // 3 : n // 3 + 8] = [0.9, 0.9, -0.9, -0.9, 0.9, 0.9, -0.9, -0.9]
    env = tp_envelope(x if channels == 2 else x[0], -1.0)
    expected = _upsampled_envelope(x)
    first, last = 6, n - 8  # the positions with a whole window (TP_CONTEXT - 1 .. n - 8)
    assert np.allclose(env[first : last + 1], expected[first : last + 1], rtol=0, atol=1e-6)
    assert not env[:first].any() and not env[last + 1 :].any()
    assert float(env.max()) > 1.1


@pytest.mark.parametrize("seed", range(6))
def test_the_applied_gain_is_linear_between_segment_starts(seed: int) -> None:
    rng = np.random.default_rng(seed)
    size = int(rng.integers(1, 300))
    count = int(rng.integers(1, 200))
    peaks = rng.uniform(0.2, 1.5, count).astype(np.float32)
    limiter = Limiter(peaks, 1.3, 0.9, 3, 10)
    plan = GainPlan(2.0, size, limiter, None)
    env = limiter.envelope(0, count + 1).astype(np.float64)
    gain = 10.0 ** (2.0 / 20.0)
    for _ in range(20):
        # Pieces anywhere, including past the programme's last segment.
        start = int(rng.integers(0, size * count + 500))
        n = int(rng.integers(1, 3000))
        x = rng.uniform(-1.0, 1.0, (2, n)).astype(np.float32)
        knots = np.arange(count + 1, dtype=np.float64) * size
        curve = np.interp(np.arange(start, start + n, dtype=np.float64), knots, env) * gain
        assert np.allclose(plan.apply(x, start), x * curve, rtol=1e-6, atol=1e-7)
