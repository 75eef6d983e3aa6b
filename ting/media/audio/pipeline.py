"""One upload in, a normalised rendition ladder out.

One decode of the source in all. It probes, measures loudness, keeps per-segment
energies and true peaks plus a few excerpts, collects the waveform, and spools the PCM
to an unnamed temporary file (past ``spool_limit_bytes`` the source is decoded again).
Each codec then encodes the excerpts once or twice (a few seconds of audio) so its
loudness loss and peak overshoot on this programme are known, and each rendition gets a
gain plan (static gain plus limiter envelope, see ``plan``) solved so that *its* decoded
output lands on the target under the peak limit. The spooled PCM feeds the three encoder
threads, each applying its own plan (a multiply). The renditions whose spec asks for it
are decoded and measured, and redone if they still miss. Renditions are written under
temporary names in ``out_dir`` and renamed into place only once complete, so a killed
worker never leaves a partial file under a final name.
"""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import numpy as np

from ting.media.audio.decode import DEFAULT_MAX_DURATION_S, Pcm, PcmReader, PcmSpool
from ting.media.audio.encode import (
    DEFAULT_LADDER,
    EncodedFile,
    Encoder,
    EncoderThread,
    EncodingCancelled,
    RenditionSpec,
    ShareBalancer,
    measure_file,
)
from ting.media.audio.heap import release_free_heap
from ting.media.audio.loudness import Loudness, LoudnessMeter
from ting.media.audio.plan import SLACK_LU, GainPlan, solve
from ting.media.audio.probe import Analysis, ProbeResult, analyse
from ting.media.audio.tags import Tags, read_tags

# "calibrating" is reported while the gain plan is solved (only when the limiter works).
Stage = Literal["analysing", "calibrating", "encoding", "done"]
StageCallback = Callable[[Stage, float], None]
# Headroom kept above the peak overshoot a codec showed on the calibration excerpts
# (the whole programme may hold a worse case than a few seconds of it; each rendition is
# measured afterwards and redone if it exceeds the limit after all).
PEAK_SLACK_DB = 0.5
CALIBRATION_ROUNDS = 2
# A codec whose first round moved its loss by less than this (and its margin not at
# all) is not calibrated again: its second round would change the plan by less than
# the measurement's own scatter. On the bench's speech this skips Opus and AAC.
SETTLED_LU = 0.15

# How often the encode pass hands the C heap's free pages back (heap.py), in seconds of
# audio: the worker's memory then stays flat over a programme of any length.
TRIM_EVERY_S = 60.0
# How often (wall seconds) the encode pass looks at its encoders' progress while they
# read the spooled PCM on their own.
WATCH_EVERY_S = 0.25

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
    # Decode and measure the renditions whose spec asks for it (all of them with
    # verify_all) and redo one that misses; the others' figures are predicted from the
    # plan and the codec calibration, which the tests check against decoded files (ADR
    # 0003). Decoding and metering a rendition costs about a third of encoding it.
    verify: bool = True
    verify_all: bool = False
    # A measured rendition this far off target is redone. The calibration aims within
    # 0.5 LU; a redo costs a whole encode, so it is kept for real misses.
    loudness_tolerance_lu: float = 1.0
    # The analysis pass writes the decoded PCM to an unnamed temporary file in out_dir
    # and the encode pass reads it back instead of decoding the source again. Float32
    # stereo costs 1.3 GB an hour at 44.1 kHz; past this size the encode pass decodes
    # again (0: always decode twice).
    spool_limit_bytes: int = 3 << 30


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
    # True: the figures above were measured by decoding the file (config.verify);
    # False: predicted from the gain plan and the codec calibration.
    measured: bool = True


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
    with PcmSpool(out, cfg.spool_limit_bytes) as spool:
        if cfg.spool_limit_bytes <= 0:
            spool.abandon()
        analysis = analyse(
            src_path,
            max_duration_s=cfg.max_duration_s,
            waveform_points=cfg.waveform_points,
            on_progress=report.seconds("analysing", None),
            spool=spool,
            scratch_dir=out,
        )
        # The decode thread's buffers and the analysis's temporaries are gone: their pages
        # go back before the encoders start allocating theirs.
        release_free_heap()
        try:
            return _render(src_path, out, analysis, spool, cfg, report)
        finally:
            release_free_heap()


def _render(
    src_path: str | os.PathLike[str],
    out: Path,
    analysis: Analysis,
    spool: PcmSpool,
    cfg: PipelineConfig,
    report: _Reporter,
) -> PipelineResult:
    tags = read_tags(src_path)
    target = cfg.target_lufs
    if analysis.pcm_layout == "mono" and cfg.mono_as_dual_mono:
        target += DUAL_MONO_OFFSET_LU

    done: dict[str, tuple[EncodedFile, int]] = {}
    todo = list(cfg.ladder)
    kept = sum(chunk.shape[-1] for _, chunk in analysis.excerpts)
    covered = kept >= round(analysis.loudness.duration_s * analysis.pcm_sample_rate)
    length = analysis.loudness.duration_s
    aims = {
        s.name: _Aim(s.margin_for(covered, length), s.margin_for(covered, length)) for s in todo
    }
    # Measure what each codec does to this programme's loudness and peaks on a few
    # seconds of it, shaped as planned; the real plans then allow for it.
    report("calibrating", 0.0)
    with ThreadPoolExecutor(max_workers=len(todo), thread_name_prefix="calibrate") as pool:
        pending = list(todo)
        for _ in range(CALIBRATION_ROUNDS):
            # The second round measures at the level the first one settled on: the
            # codecs' losses grow with the limiting that a louder input needs.
            jobs = [
                (spec, pool.submit(_calibrate, analysis, spec, aims[spec.name], target, out, cfg))
                for spec in pending
            ]
            pending = [spec for spec, job in jobs if not job.result()]
    report("encoding", 0.0)
    limited = False
    # The first attempt's gains, for the result (not its plans: a redo needs only its own).
    first: dict[str, float] | None = None
    try:
        for attempt in range(1, cfg.max_attempts + 1):
            steps = {s.name: _plan(analysis, s, target, aims[s.name], cfg) for s in todo}
            first = first or {name: step.plan.gain_db for name, step in steps.items()}
            limited = limited or any(step.plan.limited for step in steps.values())
            encoded = _encode(src_path, spool, out, todo, steps, analysis, cfg, report)
            retry: list[RenditionSpec] = []
            for item in encoded:
                name = item.spec.name
                if item.loudness is None:
                    item = _estimated(item, steps[name], aims[name], analysis)
                elif attempt < cfg.max_attempts and _correct(
                    item.loudness, steps[name], aims[name], target, cfg
                ):
                    retry.append(item.spec)
                previous = done.get(name)
                # A redo is not always better: an attempt between two misses may miss
                # again. The best so far is kept; the other file goes.
                if previous is None or _better(item, previous[0], target, cfg):
                    if previous is not None:
                        _unlink(previous[0].path)
                    done[name] = (item, attempt)
                else:
                    _unlink(item.path)
            if not retry:
                break
            todo = retry
            # The finished encoders' buffers are free now: hand their pages back before the
            # redo's encoders allocate theirs (the switch was a 2-hour run's peak: +12 MB).
            release_free_heap()
        renditions = {
            name: _finalise(item, attempts, out / f"{cfg.stem}.{item.spec.extension}")
            for name, (item, attempts) in done.items()
        }
    except BaseException:
        for item, _ in done.values():
            _unlink(item.path)
        raise
    assert first is not None
    _fsync_dir(out)
    report("done", 1.0)
    return PipelineResult(
        probe=analysis.probe,
        loudness=analysis.loudness,
        target_lufs=round(target, 2),
        # The smallest rendition gain (each codec is fed louder by its own loss).
        gain_db=round(min(first.values()), 2),
        limited=limited,
        renditions=renditions,
        waveform=analysis.waveform,
        tags=tags,
    )


@dataclass(frozen=True, slots=True)
class _Tried:
    margin_db: float
    extra_lu: float
    lufs: float
    dbtp: float


@dataclass(slots=True)
class _Aim:
    """What one rendition aims for, refined by the calibration and by failed attempts."""

    # How far under the true-peak limit its input peaks go (the codec overshoots).
    margin_db: float
    # The least margin the calibration may settle on (RenditionSpec.margin_for).
    floor_db: float = 0.0
    # Loudness the codec loses (LU), measured on the excerpts; None: the spec's figure.
    loss_lu: float | None = None
    # Peak overshoot the codec showed on the excerpts (dB).
    overshoot_db: float | None = None
    # Correction learnt from a measured rendition that missed the target.
    extra_lu: float = 0.0
    # Each measured attempt: the aim it was made with and what it measured.
    tried: list[_Tried] = field(default_factory=list)

    def offset(self, spec: RenditionSpec, layout: str) -> float:
        loss = self.loss_lu if self.loss_lu is not None else spec.loss_for(layout)
        return loss + self.extra_lu


@dataclass(frozen=True, slots=True)
class _Step:
    """How one rendition is made: its gain plan, ceiling and input loudness target."""

    plan: GainPlan
    ceiling_db: float
    target: float


def _plan(
    analysis: Analysis, spec: RenditionSpec, target: float, aim: _Aim, cfg: PipelineConfig
) -> _Step:
    """Aim the codec's input at target + the codec's loss, peaks at limit - its margin."""
    silent = analysis.loudness.integrated_lufs is None
    offset = 0.0 if silent else aim.offset(spec, analysis.pcm_layout)
    ceiling = cfg.true_peak_dbtp - aim.margin_db
    levels = analysis.levels
    assert levels is not None
    plan = solve(
        levels,
        integrated=analysis.loudness.integrated_lufs,
        target=target + offset,
        ceiling_db=ceiling,
        max_gain_db=cfg.max_gain_db + offset,
    )
    return _Step(plan, ceiling, target + offset)


def _calibrate(
    analysis: Analysis,
    spec: RenditionSpec,
    aim: _Aim,
    target: float,
    out: Path,
    cfg: PipelineConfig,
) -> bool:
    """Encode the analysis excerpts as planned; learn the codec's loss and overshoot.

    True when the aim hardly moved (another round would not change it).
    """
    if not analysis.excerpts or analysis.loudness.integrated_lufs is None:
        return True
    assumed = aim.offset(spec, analysis.pcm_layout) - aim.extra_lu
    margin = aim.margin_db
    step = _plan(analysis, spec, target, aim, cfg)
    rate, layout = analysis.pcm_sample_rate, analysis.pcm_layout
    meter = LoudnessMeter(rate, analysis.excerpts[0][1].shape[0])
    fd, name = tempfile.mkstemp(dir=out, prefix=f".{cfg.stem}.cal.", suffix=".part")
    os.close(fd)
    path = Path(name)
    try:
        encoder = Encoder(spec, path, rate, layout, durable=False)
        # Excerpt by excerpt, as the encode pass feeds chunks: the three codecs calibrate at
        # once, and joined excerpts cost each of them a dozen MB of temporaries.
        for position, chunk in analysis.excerpts:
            shaped = step.plan.apply(chunk, position)
            meter.add(shaped)
            encoder.write(shaped)
        encoder.close()
        before = meter.result()
        after = measure_file(path)[0]
    finally:
        _unlink(path)
    if before.integrated_lufs is not None and after.integrated_lufs is not None:
        aim.loss_lu = before.integrated_lufs - after.integrated_lufs
    if before.true_peak_dbtp is not None and after.true_peak_dbtp is not None:
        aim.overshoot_db = after.true_peak_dbtp - before.true_peak_dbtp
        aim.margin_db = max(aim.floor_db, aim.overshoot_db + PEAK_SLACK_DB)
    loss = aim.loss_lu if aim.loss_lu is not None else assumed
    return abs(loss - assumed) < SETTLED_LU and abs(aim.margin_db - margin) < 0.01


def _reachable(step: _Step) -> bool:
    """False when the plan stopped short of its target (the makeup gain is capped)."""
    level = step.plan.predicted_lufs
    return level is None or level >= step.target - SLACK_LU - 0.05


def _correct(
    measured: Loudness, step: _Step, aim: _Aim, target: float, cfg: PipelineConfig
) -> bool:
    """Adjust the aim from a measured rendition; True if another attempt can do better."""
    again = False
    tp = measured.true_peak_dbtp
    level = measured.integrated_lufs
    if tp is not None and level is not None:
        aim.tried.append(_Tried(aim.margin_db, aim.extra_lu, level, tp))
    if tp is not None and tp > cfg.true_peak_dbtp:
        # Aim lower by the measured overshoot, plus a little for luck. A loudness miss
        # within the tolerance is left alone: more makeup means more limiting, and on
        # dense speech Opus then overshoots more (a 2-hour programme's redo, held at its
        # first -16.4 LUFS with 2.5 dB more makeup, peaked 1.9 dB over its ceiling where
        # the first encode had 1.5, and 3.6 dB over on the attempt after).
        aim.margin_db += tp - cfg.true_peak_dbtp + 0.3
        again = True
    if level is not None and abs(level - target) > cfg.loudness_tolerance_lu:
        aim.extra_lu += target - level
        # Louder than the plan could reach is pointless to retry; quieter is always fine.
        again = again or level > target or _reachable(step)
        if not again:
            again = _bracket(aim, target, cfg)
    return again


# The least room (dB of peak, between the limit and where the loudness would leave the
# tolerance) worth a bracketed attempt: the codec's peaks scatter by a few tenths of a dB
# between encodes at nearly the same level.
BRACKET_MIN_ROOM_DB = 0.2


def _bracket(aim: _Aim, target: float, cfg: PipelineConfig) -> bool:
    """Aim between an attempt that peaked over the limit at the right loudness and the
    last one, whose bigger margin kept the peaks under but lost too much loudness (its
    plan was at the makeup cap, so more gain could not help).

    On long mastered speech at 32 kb/s, Opus's first encode of two hours peaked 0.52 dB
    over the limit at -16.47 LUFS and the redo, 0.82 dB lower, measured -17.12 / -2.23:
    between the two lies a margin that keeps both. Peaks and loudness move almost
    linearly with the margin over such a step, so the margins where the peaks would be
    under the limit and where the loudness would be within the tolerance are
    interpolated, and the attempt aims at the middle of the two (there, 0.25 dB of room
    each way). False where there is no such room: the last attempt is kept, the peak
    limit being the harder rule.
    """
    if len(aim.tried) < 2:
        return False
    last = aim.tried[-1]
    limit, tolerance = cfg.true_peak_dbtp, cfg.loudness_tolerance_lu
    if last.dbtp > limit or last.lufs >= target - tolerance:
        return False
    over = [
        t
        for t in aim.tried[:-1]
        if t.dbtp > limit and abs(t.lufs - target) <= tolerance and t.margin_db < last.margin_db
    ]
    if not over:
        return False
    # The nearest such attempt: the smallest step to interpolate over.
    first = max(over, key=lambda t: t.margin_db)
    fall_tp, fall_lufs = first.dbtp - last.dbtp, first.lufs - last.lufs
    if fall_tp <= 0.0 or fall_lufs <= 0.0:
        return False
    # Shares of the step from ``first`` to ``last``: the least that brings the peaks
    # under the limit, and the most before the loudness leaves the tolerance.
    peaks_ok = (first.dbtp - limit) / fall_tp
    loud_ok = (first.lufs - (target - tolerance)) / fall_lufs
    if (loud_ok - peaks_ok) * fall_tp < BRACKET_MIN_ROOM_DB:
        return False
    share = 0.5 * (peaks_ok + loud_ok)
    margin = first.margin_db + share * (last.margin_db - first.margin_db)
    if any(abs(t.margin_db - margin) < 0.01 for t in aim.tried):
        return False
    aim.margin_db, aim.extra_lu = margin, first.extra_lu
    return True


def _better(new: EncodedFile, old: EncodedFile, target: float, cfg: PipelineConfig) -> bool:
    """Whether attempt ``new`` of a rendition should replace ``old``: within the peak
    limit first (else the smaller overshoot), then within the loudness tolerance, then
    nearer the target. Where either was not measured, the later attempt stands."""
    a, b = _rank(new, target, cfg), _rank(old, target, cfg)
    return a is None or b is None or a < b


def _rank(
    item: EncodedFile, target: float, cfg: PipelineConfig
) -> tuple[float, bool, float] | None:
    loud = item.loudness
    if not item.measured or loud is None:
        return None
    if loud.integrated_lufs is None or loud.true_peak_dbtp is None:
        return None
    off = abs(loud.integrated_lufs - target)
    return (
        max(0.0, loud.true_peak_dbtp - cfg.true_peak_dbtp),
        off > cfg.loudness_tolerance_lu,
        off,
    )


# What a long programme's margin keeps above the overshoot it allows for (dB): the margin
# floors in encode.py were set at the worst overshoot seen plus about this.
UNSEEN_SLACK_DB = 0.3


def _estimated(item: EncodedFile, step: _Step, aim: _Aim, analysis: Analysis) -> EncodedFile:
    """The rendition's loudness and peak from the plan and the calibration, undecoded."""
    plan = step.plan
    peak_in = analysis.loudness.true_peak_dbtp
    level = None
    if plan.predicted_lufs is not None:
        level = round(plan.predicted_lufs - (aim.loss_lu or 0.0), 2)
    peak = None
    overshoot = aim.overshoot_db or 0.0
    if aim.floor_db > item.spec.peak_margin_db:
        # A programme the excerpts do not cover peaks higher than they showed: by as much
        # as its longer margin allows for (RenditionSpec.margin_for), less the slack that
        # margin keeps. An hour of speech: MP3's excerpts said -2.41 dBTP, it decoded at
        # -1.84; this says -1.80.
        overshoot = max(overshoot, aim.floor_db - UNSEEN_SLACK_DB)
    if peak_in is not None:
        peak = round(min(peak_in + plan.gain_db, step.ceiling_db) + overshoot, 2)
    loudness = Loudness(
        integrated_lufs=level,
        lra_lu=analysis.loudness.lra_lu,
        true_peak_dbtp=peak,
        sample_peak_dbfs=None,
        duration_s=item.duration_s,
    )
    return replace(item, loudness=loudness, measured=False)


class _Shaper:
    """Applies a rendition's gain plan to consecutive chunks."""

    def __init__(self, step: _Step) -> None:
        self._plan = step.plan
        self._position = 0

    def push(self, x: Pcm) -> Pcm:
        y = self._plan.apply(x, self._position)
        self._position += x.shape[-1]
        return y

    def flush(self) -> Pcm:
        return np.zeros((0, 0), dtype=np.float32)


def _encode(
    src: str | os.PathLike[str],
    spool: PcmSpool,
    out: Path,
    specs: Sequence[RenditionSpec],
    steps: dict[str, _Step],
    analysis: Analysis,
    cfg: PipelineConfig,
    report: _Reporter,
) -> list[EncodedFile]:
    rate, layout = analysis.pcm_sample_rate, analysis.pcm_layout
    threads: list[EncoderThread] = []
    temps: list[Path] = []
    cancel = threading.Event()
    try:
        for spec in specs:
            fd, name = tempfile.mkstemp(dir=out, prefix=f".{cfg.stem}.", suffix=".part")
            os.close(fd)
            temps.append(Path(name))
            verify = cfg.verify and (spec.measure or cfg.verify_all)
            # A splicing codec (AAC) holds its decoded peaks to the limit as it writes.
            limit = cfg.true_peak_dbtp if verify else None
            # The others are decoded and metered as they are encoded where the codec
            # allows (Opus), so that work overlaps the other encoders (verify.py).
            encoder = Encoder(spec, Path(name), rate, layout, peak_limit_dbtp=limit, measure=verify)
            shaper = _Shaper(steps[spec.name])
            # Spooled PCM: each encoder reads the spool itself, at its own pace.
            source = spool.chunks() if spool.complete else None
            threads.append(
                EncoderThread(encoder, shaper=shaper, verify=verify, source=source, cancel=cancel)
            )
        for t in threads:
            t.start()
        progress = report.seconds("encoding", analysis.probe.duration_s)
        trim = _Trimmer(round(TRIM_EVERY_S * rate))
        if spool.complete:
            done = 0
            balance = ShareBalancer(threads, spool.samples)
            while alive := [t for t in threads if t.is_alive()]:
                alive[0].join(WATCH_EVERY_S)
                balance()
                # The slowest encoder's position: what is done for every rendition.
                position = min(t.position for t in threads)
                trim(position - done)
                done = position
                progress(done / rate)
        else:
            with PcmReader(
                src,
                layout=layout,
                rate=rate,
                max_duration_s=cfg.max_duration_s,
                on_progress=progress,
            ) as reader:
                for chunk in reader.chunks():
                    _feed(threads, chunk)
                    trim(chunk.shape[-1])
    except BaseException:
        # The encoders reading the spool stop at their next chunk.
        cancel.set()
        raise
    finally:
        for t in threads:
            if t.is_alive():
                t.queue.put(None)
        for t in threads:
            t.join()
    results: list[EncodedFile] = []
    # The failure itself, not the other threads' stopping because of it.
    errors = [t.error for t in threads if t.error is not None]
    errors.sort(key=lambda e: isinstance(e, EncodingCancelled))
    if errors:
        for p in temps:
            _unlink(p)
        raise errors[0]
    for t in threads:
        assert t.result is not None
        results.append(t.result)
    return results


class _Trimmer:
    """Calls ``release_free_heap`` once every ``every`` samples fed."""

    def __init__(self, every: int) -> None:
        self._every = max(1, every)
        self._since = 0

    def __call__(self, samples: int) -> None:
        self._since += samples
        if self._since >= self._every:
            self._since = 0
            release_free_heap()


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
        measured=item.measured,
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
