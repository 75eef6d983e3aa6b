"""The analysis pass's per-segment levels live on disk (segments.SpooledSeries), not in
the worker's memory, and the gain plan reads them back to the same result."""

from __future__ import annotations

import tracemalloc
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from ting.media.audio.loudness import LoudnessMeter
from ting.media.audio.plan import LevelStats, solve
from ting.media.audio.segments import SpooledSeries
from ting.media.audio.testing import speech_like


def test_slices_read_back_what_was_appended(tmp_path: Path) -> None:
    values = np.random.default_rng(3).random(10_000).astype(np.float32)
    series = SpooledSeries(tmp_path)
    for start in range(0, values.shape[0], 777):
        series.append(values[start : start + 777])
    assert series.shape == (10_000,) and series.size == len(series) == 10_000
    assert series.max() == float(values.max())
    np.testing.assert_array_equal(series[1234:5678], values[1234:5678])
    np.testing.assert_array_equal(series[9_990:20_000], values[9_990:])
    assert series[20_000:30_000].shape == (0,)
    np.testing.assert_array_equal(np.asarray(series), values)
    # Unnamed: nothing is left behind in the directory, even while it is open.
    assert list(tmp_path.iterdir()) == []


def test_appending_keeps_nothing_in_memory(tmp_path: Path) -> None:
    series = SpooledSeries(tmp_path)
    block = np.ones(4096, dtype=np.float32)
    tracemalloc.start()
    try:
        _, before = tracemalloc.get_traced_memory()
        # 4 MB of values: 42 minutes of one series at 44.1 kHz.
        for _ in range(256):
            series.append(block)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert series.size == 256 * 4096
    assert peak - before < 256 * 1024


@pytest.mark.parametrize(("target", "limited"), [(-30.0, False), (-16.0, True)])
def test_the_plan_from_disk_is_the_plan_from_memory(
    tmp_path: Path, target: float, limited: bool
) -> None:
    x = np.concatenate(list(speech_like(20.0, 44100, level=0.3)), axis=1)
    meter = LoudnessMeter(44100, 2, segments=True, directory=tmp_path)
    meter.add(x)
    segments = meter.segments()
    assert segments is not None
    energies, peaks = segments
    assert isinstance(energies, SpooledSeries) and isinstance(peaks, SpooledSeries)
    loudness = meter.result()
    on_disk = LevelStats(
        rate=44100,
        sub_len=meter.sub_len,
        segment_len=meter.segment_len,
        subs=meter.sub_energies().copy(),
        energies=energies,
        peaks=peaks,
    )
    in_memory = replace(on_disk, energies=np.asarray(energies), peaks=np.asarray(peaks))
    plans = [
        solve(
            stats,
            integrated=loudness.integrated_lufs,
            target=target,
            ceiling_db=-3.0,
            max_gain_db=30.0,
        )
        for stats in (on_disk, in_memory)
    ]
    assert plans[0].gain_db == plans[1].gain_db
    assert plans[0].predicted_lufs == plans[1].predicted_lufs
    assert plans[0].limited == plans[1].limited == limited
    chunk = x[:, 300_000:366_150]
    np.testing.assert_array_equal(plans[0].apply(chunk, 300_000), plans[1].apply(chunk, 300_000))
