"""Probe by decoding: the only duration Ting believes is the one it decoded.

``analyse`` does the probe, the loudness measurement and the waveform in one decode pass;
``probe`` is the same pass without the measuring, for callers that only need validation.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ting.media.audio.decode import (
    DEFAULT_MAX_DURATION_S,
    DecodeStats,
    Pcm,
    PcmReader,
    PcmSpool,
    prefetch,
)
from ting.media.audio.errors import AudioRejected
from ting.media.audio.loudness import Loudness, LoudnessMeter
from ting.media.audio.plan import LevelStats
from ting.media.audio.waveform import DEFAULT_POINTS, PeakAccumulator

# A header may overstate the duration (VBR estimates, padding) without the file being
# broken; a file that decodes to less than this share of what it announces was cut off.
TRUNCATED_SHARE = 0.5
# When the demuxer itself hit an error before the end, even a smaller gap means damage.
TRUNCATED_SHARE_ON_ERROR = 0.9
TRUNCATED_MIN_GAP_S = 2.0
MIN_DURATION_S = 0.1
# Chunks (about 1.5 s each) kept from the analysis for the codec calibration.
EXCERPT_CHUNKS = 6
PROGRESS_EVERY_S = 5


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
    # Segment energies and peaks for the gain plan (None from ``probe``).
    levels: LevelStats | None = field(default=None, repr=False)
    # A few decoded chunks spread over the programme, with their first sample's index:
    # enough to measure what each codec does to this programme's loudness and peaks.
    excerpts: tuple[tuple[int, Pcm], ...] = field(default=(), repr=False)


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
    spool: PcmSpool | None = None,
    scratch_dir: str | os.PathLike[str] | None = None,
) -> Analysis:
    """Probe, measure loudness (of the mono/stereo downmix) and collect waveform peaks.

    With ``spool``, every decoded chunk is also written there for the encode pass. The
    per-segment levels are kept in an unnamed file in ``scratch_dir`` (None: the
    system's temporary directory).
    """
    return _scan(
        path,
        max_duration_s,
        on_progress,
        measure=True,
        points=waveform_points,
        spool=spool,
        scratch_dir=scratch_dir,
    )


def _scan(
    path: str | os.PathLike[str],
    max_duration_s: float | None,
    on_progress: ProgressCallback | None,
    *,
    measure: bool,
    points: int = DEFAULT_POINTS,
    spool: PcmSpool | None = None,
    scratch_dir: str | os.PathLike[str] | None = None,
) -> Analysis:
    # Measuring decodes in a thread of its own (``prefetch``); progress is then reported
    # from this thread, the caller's, where a callback may use its database connection.
    reader_progress = None if measure else on_progress
    with PcmReader(path, max_duration_s=max_duration_s, on_progress=reader_progress) as reader:
        meter: LoudnessMeter | None = None
        peaks = PeakAccumulator(points)
        excerpts = _Excerpts()
        position = 0
        next_report = 0
        source = prefetch(reader.chunks()) if measure else reader.chunks()
        try:
            with contextlib.closing(source) as chunks:
                for chunk in chunks:
                    if not measure:
                        continue
                    if meter is None:
                        meter = LoudnessMeter(
                            reader.out_rate, chunk.shape[0], segments=True, directory=scratch_dir
                        )
                    meter.add(chunk)
                    peaks.add(chunk)
                    excerpts.add(position, chunk)
                    if spool is not None:
                        spool.write(chunk)
                    position += chunk.shape[-1]
                    if on_progress is not None and position >= next_report:
                        on_progress(position / reader.out_rate)
                        next_report = position + PROGRESS_EVERY_S * reader.out_rate
            stats = reader.stats
            result = _validate(Path(path), stats)
            if meter is None:
                meter = LoudnessMeter(reader.out_rate or 48000, reader.out_channels)
            segments = meter.segments()
            levels = None
            if segments is not None:
                levels = LevelStats(
                    rate=meter.sample_rate,
                    sub_len=meter.sub_len,
                    segment_len=meter.segment_len,
                    subs=meter.sub_energies().copy(),
                    energies=segments[0],
                    peaks=segments[1],
                )
            return Analysis(
                probe=result,
                loudness=meter.result(),
                waveform=peaks.result(),
                pcm_sample_rate=reader.out_rate,
                pcm_layout=reader.out_layout,
                levels=levels,
                excerpts=excerpts.result(),
            )
        finally:
            # A meter not finished (bad input) still has its thread to stop.
            if meter is not None:
                meter.close()


class _Excerpts:
    """Keeps every ``stride``-th chunk, doubling the stride whenever it holds too many:
    bounded memory, spread evenly over a programme of unknown length."""

    def __init__(self, capacity: int = EXCERPT_CHUNKS) -> None:
        self._capacity = capacity
        self._stride = 1
        self._index = 0
        self._kept: list[tuple[int, int, Pcm]] = []

    def add(self, position: int, chunk: Pcm) -> None:
        if self._index % self._stride == 0:
            self._kept.append((self._index, position, chunk))
            if len(self._kept) > self._capacity:
                self._stride *= 2
                self._kept = [k for k in self._kept if k[0] % self._stride == 0]
        self._index += 1

    def result(self) -> tuple[tuple[int, Pcm], ...]:
        return tuple((position, chunk) for _, position, chunk in self._kept)


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
