"""One upload in, a normalised rendition ladder out.

Two decodes in all: the first probes, measures loudness and collects the waveform; the
second applies the gain (and the limiter when the peaks need it) once and feeds the three
encoders in parallel threads, each of which then measures its own output. A rendition
whose true peak still exceeds the limit after encoding is re-encoded with more headroom.
Renditions are written under temporary names in ``out_dir`` and renamed into place only
once complete, so a killed worker never leaves a partial file under a final name.
"""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from ting.media.audio.decode import DEFAULT_MAX_DURATION_S, Pcm, PcmReader
from ting.media.audio.encode import (
    DEFAULT_LADDER,
    EncodedFile,
    Encoder,
    EncoderThread,
    RenditionSpec,
)
from ting.media.audio.loudness import Loudness, LoudnessMeter, TruePeakLimiter, undb
from ting.media.audio.probe import Analysis, ProbeResult, analyse
from ting.media.audio.tags import Tags, read_tags

Stage = Literal["analysing", "calibrating", "encoding", "done"]
# Limiting lowers the integrated loudness (more so for peaky speech), so when the limiter
# will work, one cheap extra decode runs the limiter at these extra gains and picks the
# gain whose limited output lands on the target.
CALIBRATION_STEPS_DB = (0.0, 2.0, 4.0, 6.0)
CALIBRATION_STRIDE = 4
StageCallback = Callable[[Stage, float], None]

# A mono file plays on both speakers, which sounds about 3 dB louder than the same
# programme in stereo at the same measured loudness; Apple asks for -19 LUFS mono for
# this reason (ffmpeg's loudnorm calls it dual_mono).
DUAL_MONO_OFFSET_LU = -3.01


@dataclass(frozen=True, slots=True)
class PipelineConfig:
    target_lufs: float = -16.0
    true_peak_dbtp: float = -1.5
    # A rendition that still measures over the limit after encoding (each codec's limiter
    # aims below it by RenditionSpec.peak_margin_db) is redone this many times at most.
    max_attempts: int = 3
    # Never lift a quiet recording by more than this: past it, noise is all that grows.
    max_gain_db: float = 30.0
    mono_as_dual_mono: bool = True
    max_duration_s: float | None = DEFAULT_MAX_DURATION_S
    ladder: Sequence[RenditionSpec] = DEFAULT_LADDER
    stem: str = "audio"
    waveform_points: int = 1000
    verify: bool = True


@dataclass(frozen=True, slots=True)
class Rendition:
    name: str
    path: Path
    codec: str
    container: str
    bit_rate: int
    sample_rate: int
    channels: int
    duration_s: float
    size_bytes: int
    integrated_lufs: float | None
    true_peak_dbtp: float | None
    attempts: int


@dataclass(frozen=True, slots=True)
class PipelineResult:
    probe: ProbeResult
    loudness: Loudness
    target_lufs: float
    gain_db: float
    limited: bool
    renditions: dict[str, Rendition]
    waveform: list[float]
    tags: Tags = field(repr=False)


def process_audio(
    src_path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    on_stage: StageCallback | None = None,
    config: PipelineConfig | None = None,
) -> PipelineResult:
    """Validate, measure, normalise and encode ``src_path`` into ``out_dir``.

    Raises AudioRejected for input that cannot be used; anything else is a bug.
    The source file is only ever opened for reading.
    """
    cfg = config or PipelineConfig()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    report = _Reporter(on_stage)

    report("analysing", 0.0)
    analysis = analyse(
        src_path,
        max_duration_s=cfg.max_duration_s,
        waveform_points=cfg.waveform_points,
        on_progress=report.seconds("analysing", None),
    )
    tags = read_tags(src_path)
    target = cfg.target_lufs
    if analysis.pcm_layout == "mono" and cfg.mono_as_dual_mono:
        target += DUAL_MONO_OFFSET_LU
    gain_db = _gain_db(analysis.loudness, target, cfg.max_gain_db)
    ceiling0 = cfg.true_peak_dbtp - max(spec.peak_margin_db for spec in cfg.ladder)
    if _ceiling_if_needed(analysis.loudness, gain_db, ceiling0) is not None:
        report("calibrating", 0.0)
        gain_db = _calibrate(src_path, analysis, gain_db, ceiling0, target, cfg)

    report("encoding", 0.0)
    done: dict[str, tuple[EncodedFile, int]] = {}
    todo = list(cfg.ladder)
    ceilings = {spec.name: cfg.true_peak_dbtp - spec.peak_margin_db for spec in todo}
    limited = False
    try:
        for attempt in range(1, cfg.max_attempts + 1):
            plan = {
                s.name: _ceiling_if_needed(analysis.loudness, gain_db, ceilings[s.name])
                for s in todo
            }
            limited = limited or any(c is not None for c in plan.values())
            encoded = _encode(src_path, out, todo, plan, analysis, gain_db, cfg, report)
            retry: list[RenditionSpec] = []
            for item in encoded:
                previous = done.get(item.spec.name)
                if previous is not None:
                    _unlink(previous[0].path)
                done[item.spec.name] = (item, attempt)
                tp = item.loudness.true_peak_dbtp if item.loudness else None
                if tp is not None and tp > cfg.true_peak_dbtp and attempt < cfg.max_attempts:
                    # Aim lower by the measured overshoot, plus a little for luck.
                    ceilings[item.spec.name] -= tp - cfg.true_peak_dbtp + 0.3
                    retry.append(item.spec)
            if not retry:
                break
            todo = retry
        renditions = {
            name: _finalise(item, attempts, out / f"{cfg.stem}.{item.spec.extension}")
            for name, (item, attempts) in done.items()
        }
    except BaseException:
        for item, _ in done.values():
            _unlink(item.path)
        raise
    _fsync_dir(out)
    report("done", 1.0)
    return PipelineResult(
        probe=analysis.probe,
        loudness=analysis.loudness,
        target_lufs=round(target, 2),
        gain_db=round(gain_db, 2),
        limited=limited,
        renditions=renditions,
        waveform=analysis.waveform,
        tags=tags,
    )


def _gain_db(loudness: Loudness, target: float, max_gain_db: float) -> float:
    if loudness.integrated_lufs is None:
        # Silence has no loudness to normalise; amplifying it would only raise the noise.
        return 0.0
    return min(target - loudness.integrated_lufs, max_gain_db)


def _calibrate(
    src: str | os.PathLike[str],
    analysis: Analysis,
    gain_db: float,
    ceiling: float,
    target: float,
    cfg: PipelineConfig,
) -> float:
    rate, layout = analysis.pcm_sample_rate, analysis.pcm_layout
    channels = 1 if layout == "mono" else 2
    chains = [
        (
            undb(gain_db + step),
            TruePeakLimiter(ceiling, rate, channels),
            LoudnessMeter(rate, channels),
        )
        for step in CALIBRATION_STEPS_DB
    ]
    with PcmReader(src, layout=layout, rate=rate, max_duration_s=cfg.max_duration_s) as reader:
        for index, chunk in enumerate(reader.chunks()):
            # A spread-out sample of the programme predicts the limited loudness well
            # enough and cuts this pass by CALIBRATION_STRIDE; chunks are ~1.5 s, far
            # longer than the limiter's memory, so skipping between them is harmless.
            if index % CALIBRATION_STRIDE:
                continue
            for gain, limiter, meter in chains:
                meter.add(limiter.push(chunk * np.float32(gain)))
    levels: list[float] = []
    for _, limiter, meter in chains:
        meter.add(limiter.flush())
        measured = meter.result().integrated_lufs
        levels.append(measured if measured is not None else -math.inf)
    steps = list(CALIBRATION_STEPS_DB)
    if levels[0] >= target:
        return gain_db
    for i in range(1, len(steps)):
        if levels[i] >= target:
            lo, hi = levels[i - 1], levels[i]
            share = (target - lo) / (hi - lo) if hi > lo else 0.0
            return min(gain_db + steps[i - 1] + share * (steps[i] - steps[i - 1]), cfg.max_gain_db)
    return min(gain_db + steps[-1], cfg.max_gain_db)


def _ceiling_if_needed(loudness: Loudness, gain_db: float, ceiling: float) -> float | None:
    peak = loudness.true_peak_dbtp
    return ceiling if peak is not None and peak + gain_db > ceiling else None


def _encode(
    src: str | os.PathLike[str],
    out: Path,
    specs: Sequence[RenditionSpec],
    ceilings: dict[str, float | None],
    analysis: Analysis,
    gain_db: float,
    cfg: PipelineConfig,
    report: _Reporter,
) -> list[EncodedFile]:
    rate, layout = analysis.pcm_sample_rate, analysis.pcm_layout
    channels = 1 if layout == "mono" else 2
    threads: list[EncoderThread] = []
    temps: list[Path] = []
    try:
        for spec in specs:
            fd, name = tempfile.mkstemp(dir=out, prefix=f".{cfg.stem}.", suffix=".part")
            os.close(fd)
            temps.append(Path(name))
            ceiling = ceilings[spec.name]
            limiter = TruePeakLimiter(ceiling, rate, channels) if ceiling is not None else None
            encoder = Encoder(spec, Path(name), rate, layout)
            threads.append(EncoderThread(encoder, limiter=limiter, verify=cfg.verify))
        for t in threads:
            t.start()
        gain = undb(gain_db)
        progress = report.seconds("encoding", analysis.probe.duration_s)
        with PcmReader(
            src, layout=layout, rate=rate, max_duration_s=cfg.max_duration_s, on_progress=progress
        ) as reader:
            for chunk in reader.chunks():
                _feed(threads, chunk * np.float32(gain) if gain != 1.0 else chunk)
    finally:
        for t in threads:
            if t.is_alive():
                t.queue.put(None)
        for t in threads:
            t.join()
    results: list[EncodedFile] = []
    errors = [t.error for t in threads if t.error is not None]
    if errors:
        for p in temps:
            _unlink(p)
        raise errors[0]
    for t in threads:
        assert t.result is not None
        results.append(t.result)
    return results


def _feed(threads: list[EncoderThread], chunk: Pcm) -> None:
    if chunk.shape[-1] == 0:
        return
    for t in threads:
        if t.error is None:
            t.queue.put(chunk)


def _finalise(item: EncodedFile, attempts: int, final: Path) -> Rendition:
    # Path.replace is os.replace: an atomic rename within out_dir.
    item.path.replace(final)
    loud = item.loudness
    return Rendition(
        name=item.spec.name,
        path=final,
        codec=item.codec,
        container=item.spec.container_format,
        bit_rate=item.spec.bit_rate,
        sample_rate=item.sample_rate,
        channels=item.channels,
        duration_s=item.duration_s,
        size_bytes=item.size_bytes,
        integrated_lufs=loud.integrated_lufs if loud else None,
        true_peak_dbtp=loud.true_peak_dbtp if loud else None,
        attempts=attempts,
    )


def _unlink(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _fsync_dir(path: Path) -> None:
    # The renames are only durable once the directory entry is on disk.
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class _Reporter:
    """Calls on_stage at most once per percent so a Django callback can write to the DB."""

    def __init__(self, callback: StageCallback | None) -> None:
        self._callback = callback
        self._last: tuple[Stage, float] | None = None

    def __call__(self, stage: Stage, fraction: float) -> None:
        if self._callback is None:
            return
        fraction = min(max(fraction, 0.0), 1.0)
        last = self._last
        if last is not None and last[0] == stage and fraction - last[1] < 0.01:
            return
        self._last = (stage, fraction)
        self._callback(stage, fraction)

    def seconds(self, stage: Stage, total: float | None) -> Callable[[float], None]:
        def progress(seconds: float) -> None:
            if total and total > 0 and math.isfinite(total):
                self(stage, seconds / total)

        return progress
