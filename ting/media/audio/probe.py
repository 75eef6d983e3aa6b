"""Probe by decoding: the only duration Ting believes is the one it decoded.

``analyse`` does the probe, the loudness measurement and the waveform in one decode pass;
``probe`` is the same pass without the measuring, for callers that only need validation.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ting.media.audio.decode import DEFAULT_MAX_DURATION_S, DecodeStats, PcmReader
from ting.media.audio.errors import AudioRejected
from ting.media.audio.loudness import Loudness, LoudnessMeter
from ting.media.audio.waveform import DEFAULT_POINTS, PeakAccumulator

# A header may overstate the duration (VBR estimates, padding) without the file being
# broken; a file that decodes to less than this share of what it announces was cut off.
TRUNCATED_SHARE = 0.5
# When the demuxer itself hit an error before the end, even a smaller gap means damage.
TRUNCATED_SHARE_ON_ERROR = 0.9
TRUNCATED_MIN_GAP_S = 2.0
MIN_DURATION_S = 0.1


@dataclass(frozen=True, slots=True)
class ProbeResult:
    container: str
    codec: str
    sample_rate: int
    channels: int
    channel_layout: str
    duration_s: float
    declared_duration_s: float | None
    bit_rate: int
    size_bytes: int
    decode_errors: int


@dataclass(frozen=True, slots=True)
class Analysis:
    probe: ProbeResult
    loudness: Loudness
    waveform: list[float]
    # What the renditions are made from: the decoder's rate and the mono/stereo downmix.
    pcm_sample_rate: int
    pcm_layout: str


ProgressCallback = Callable[[float], None]


def probe(
    path: str | os.PathLike[str],
    *,
    max_duration_s: float | None = DEFAULT_MAX_DURATION_S,
    on_progress: ProgressCallback | None = None,
) -> ProbeResult:
    """Decode ``path`` to the end and describe it, or raise AudioRejected."""
    return _scan(path, max_duration_s, on_progress, measure=False).probe


def analyse(
    path: str | os.PathLike[str],
    *,
    max_duration_s: float | None = DEFAULT_MAX_DURATION_S,
    waveform_points: int = DEFAULT_POINTS,
    on_progress: ProgressCallback | None = None,
) -> Analysis:
    """Probe, measure loudness (of the mono/stereo downmix) and collect waveform peaks."""
    return _scan(path, max_duration_s, on_progress, measure=True, points=waveform_points)


def _scan(
    path: str | os.PathLike[str],
    max_duration_s: float | None,
    on_progress: ProgressCallback | None,
    *,
    measure: bool,
    points: int = DEFAULT_POINTS,
) -> Analysis:
    with PcmReader(path, max_duration_s=max_duration_s, on_progress=on_progress) as reader:
        meter: LoudnessMeter | None = None
        peaks = PeakAccumulator(points)
        for chunk in reader.chunks():
            if not measure:
                continue
            if meter is None:
                meter = LoudnessMeter(reader.out_rate, chunk.shape[0])
            meter.add(chunk)
            peaks.add(chunk)
        stats = reader.stats
        result = _validate(Path(path), stats)
        if meter is None:
            meter = LoudnessMeter(reader.out_rate or 48000, reader.out_channels)
        return Analysis(
            probe=result,
            loudness=meter.result(),
            waveform=peaks.result(),
            pcm_sample_rate=reader.out_rate,
            pcm_layout=reader.out_layout,
        )


def _validate(path: Path, stats: DecodeStats) -> ProbeResult:
    decoded = stats.duration_s
    if decoded <= 0:
        raise AudioRejected("no_decodable_frames")
    declared = stats.declared_duration_s
    if declared is not None and declared - decoded > TRUNCATED_MIN_GAP_S:
        share = TRUNCATED_SHARE_ON_ERROR if stats.ended_with_error else TRUNCATED_SHARE
        if decoded < share * declared:
            raise AudioRejected(
                "truncated", {"decoded": f"{decoded:.1f}", "declared": f"{declared:.0f}"}
            )
    if decoded < MIN_DURATION_S:
        raise AudioRejected("too_short", {"limit": f"{MIN_DURATION_S:g}"})
    size = path.stat().st_size
    bit_rate = stats.declared_bit_rate or round(size * 8 / decoded)
    return ProbeResult(
        container=stats.container,
        codec=stats.codec,
        sample_rate=stats.source_sample_rate,
        channels=stats.source_channels,
        channel_layout=stats.source_layout,
        duration_s=round(decoded, 3),
        declared_duration_s=round(declared, 3) if declared is not None else None,
        bit_rate=bit_rate,
        size_bytes=size,
        decode_errors=stats.errors,
    )
