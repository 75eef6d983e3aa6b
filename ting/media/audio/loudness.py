"""EBU R128 / ITU-R BS.1770-4 loudness, true peak and a true-peak limiter, streaming.

Everything here works on chunks of float PCM shaped (channels, samples) and keeps state
between chunks, so a two-hour file costs the same memory as a two-second one (apart from
one float per 100 ms of audio kept for gating, about 600 KB for 12 hours).
"""

from __future__ import annotations

import contextlib
import math
import os
import queue
import threading
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from scipy import signal

from ting.media.audio.segments import SpooledSeries

F64 = npt.NDArray[np.float64]
F32 = npt.NDArray[np.float32]

ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0
LRA_RELATIVE_GATE_LU = -20.0
OVERSAMPLE = 4
# An odd length with the cut-off at the original Nyquist frequency makes phase 0 of the
# polyphase interpolator a unit impulse, so the true peak can never read below the
# sample peak, as BS.1770 requires.
_TP_TAPS = 49


def lufs(energy: float) -> float:
    return -0.691 + 10.0 * math.log10(energy) if energy > 0 else -math.inf


def db(linear: float) -> float:
    return 20.0 * math.log10(linear) if linear > 0 else -math.inf


def undb(decibels: float) -> float:
    return float(10.0 ** (decibels / 20.0))


@lru_cache(maxsize=16)
def k_weighting_sos(sample_rate: int) -> F64:
    """The BS.1770 pre-filter (high shelf) and RLB high-pass, derived for any rate.

    The standard only lists 48 kHz coefficients; these analogue prototypes (as used by
    libebur128) reproduce them exactly at 48 kHz and stay correct at 44.1 kHz and below.
    """
    fs = float(sample_rate)
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / fs)
    vh = 10.0 ** (gain_db / 20.0)
    vb = vh**0.4996667741545416
    a0 = 1.0 + k / q + k * k
    shelf = [
        (vh + vb * k / q + k * k) / a0,
        2.0 * (k * k - vh) / a0,
        (vh - vb * k / q + k * k) / a0,
        1.0,
        2.0 * (k * k - 1.0) / a0,
        (1.0 - k / q + k * k) / a0,
    ]
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / fs)
    a0 = 1.0 + k / q + k * k
    highpass = [1.0, -2.0, 1.0, 1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0]
    return np.array([shelf, highpass], dtype=np.float64)


@lru_cache(maxsize=1)
def _interpolator() -> tuple[F32, float]:
    """The 4x interpolation kernel as a (offsets, phases) matrix, and its worst-case gain.

    Row d, column p holds the weight of x[i + d - 6] in the value at time i + p/4.
    """
    taps = signal.firwin(_TP_TAPS, 1.0 / OVERSAMPLE, window=("kaiser", 8.0)) * OVERSAMPLE
    centre = (_TP_TAPS - 1) // 2
    kernel = np.zeros((2 * TP_CONTEXT, OVERSAMPLE), dtype=np.float32)
    for row in range(2 * TP_CONTEXT):
        d = row - (TP_CONTEXT - 1)
        for p in range(OVERSAMPLE):
            k = centre + p - OVERSAMPLE * d
            if 0 <= k < _TP_TAPS:
                kernel[row, p] = taps[k]
    # If |x| near a position times this bound cannot reach a threshold, neither can the
    # interpolated signal there: such positions are never oversampled.
    bound = float(np.abs(kernel).sum(axis=0).max())
    return kernel, bound


# Samples before a position that its interpolated values depend on (after: one more).
TP_CONTEXT = (_TP_TAPS // 2) // OVERSAMPLE + 1


def tp_bound() -> float:
    return _interpolator()[1]


@lru_cache(maxsize=1)
def _mirrored() -> tuple[tuple[int, np.float32, np.float32, np.float32], ...]:
    """The kernel folded about its centre, for ``_interpolated_peak``.

    The interpolator's taps are symmetric, so row r and row W - 1 - r of the kernel
    mirror each other: phase 2 is symmetric, and phase 3 is phase 1 reversed. With
    s = x[r] + x[W-1-r] and d = x[r] - x[W-1-r] (the samples at rows r and W-1-r):
    phase 2 = sum k2[r] s, phase 1 + phase 3 = sum (k1[r] + k3[r]) s and
    phase 1 - phase 3 = sum (k1[r] - k3[r]) d. Per pair of rows: (row, k2, k1 + k3,
    k1 - k3); the all-zero pairs are left out.
    """
    kernel = _interpolator()[0].astype(np.float64)
    width = kernel.shape[0]
    mirror = kernel[::-1]
    assert width % 2 == 0
    assert np.allclose(kernel[:, 2], mirror[:, 2], atol=1e-7)
    assert np.allclose(kernel[:, 3], mirror[:, 1], atol=1e-7)
    pairs = []
    for row in range(width // 2):
        k1, k2, k3 = kernel[row, 1], kernel[row, 2], kernel[row, 3]
        if k1 == 0.0 and k2 == 0.0 and k3 == 0.0:
            continue
        pairs.append((row, np.float32(k2), np.float32(k1 + k3), np.float32(k1 - k3)))
    return tuple(pairs)


def _interpolated_peak(planar: F32, values: F32) -> None:
    """``values`` (one per window position, max over the channels of |x| at the
    window's phase-0 sample) raised to the largest |value| of phases 1-3 there.

    Shifted multiply-adds over the folded kernel (``_mirrored``): about half the
    products of a direct correlation, each pass run by numpy in SIMD; three to four
    times faster than ``ndimage.correlate1d`` per phase, which filters in float64
    scalars, and the same to float32 rounding (about 1e-7 of full scale). Since
    max(|a + b|, |a - b|) = |a| + |b|, the larger of phases 1 and 3 is
    (|p1 + p3| + |p1 - p3|) / 2 without forming either.
    """
    width = _interpolator()[0].shape[0]
    m = values.shape[0]
    pairs = _mirrored()
    buf = np.empty((5, m), dtype=np.float32)
    total, diff, mid, s, d = buf[0], buf[1], buf[2], buf[3], buf[4]
    for channel in planar:
        for i, (row, k2, kplus, kminus) in enumerate(pairs):
            lo = channel[row : row + m]
            hi = channel[width - 1 - row : width - 1 - row + m]
            np.add(lo, hi, out=s)
            np.subtract(lo, hi, out=d)
            if i == 0:
                np.multiply(s, k2, out=mid)
                np.multiply(s, kplus, out=total)
                np.multiply(d, kminus, out=diff)
                continue
            # d is free once multiplied: the products go through it and s.
            np.multiply(d, kminus, out=d)
            diff += d
            np.multiply(s, kplus, out=d)
            total += d
            np.multiply(s, k2, out=s)
            mid += s
        np.abs(total, out=total)
        np.abs(diff, out=diff)
        total += diff
        total *= np.float32(0.5)
        np.abs(mid, out=mid)
        np.maximum(values, total, out=values)
        np.maximum(values, mid, out=values)


# Samples per screening block: the interpolated value at a position depends on samples
# at most TP_CONTEXT away, so a block whose neighbours and itself cannot reach the
# threshold needs no oversampling.
_SCREEN = 64
# Past this share of flagged blocks, the dense pass over the whole chunk beats gathering
# windows (the gather costs about 25 times more per position).
_DENSE_SHARE = 0.03


def tp_envelope(x: F32, threshold: float) -> F32:
    """Per sample i, the largest |value| of the 4x interpolated signal in [i, i + 1).

    Only positions whose neighbourhood could exceed ``threshold`` are computed; the rest
    are 0, meaning "certainly at or below the threshold". Positions closer than
    TP_CONTEXT to either end are also 0: callers overlap their chunks by that much.
    """
    kernel, bound = _interpolator()
    n = x.shape[-1]
    width = kernel.shape[0]
    env = np.zeros(n, dtype=np.float32)
    if n < width + 1:
        return env
    planar = x if x.ndim == 2 else x[None, :]
    mag = np.abs(planar).max(axis=0)
    first = TP_CONTEXT - 1
    last = n - width + first  # the last position with a full window
    whole = n // _SCREEN
    blocks = np.empty(whole + (1 if n % _SCREEN else 0), dtype=np.float32)
    blocks[:whole] = mag[: whole * _SCREEN].reshape(whole, _SCREEN).max(axis=1)
    if n % _SCREEN:
        blocks[whole] = mag[whole * _SCREEN :].max()
    flagged = blocks * bound > threshold
    if not flagged.any():
        return env
    # A window reaches at most TP_CONTEXT samples into the neighbouring blocks.
    near = flagged.copy()
    near[1:] |= flagged[:-1]
    near[:-1] |= flagged[1:]
    if near.mean() > _DENSE_SHARE:
        values = env[first : last + 1]
        values[:] = mag[first : last + 1]
        _interpolated_peak(planar.astype(np.float32, copy=False), values)
        return env
    starts = np.nonzero(near)[0] * _SCREEN
    positions = (starts[:, None] + np.arange(_SCREEN)[None, :]).ravel()
    positions = positions[(positions >= first) & (positions <= last)]
    if positions.size == 0:
        return env
    gathered = planar[:, (positions - first)[:, None] + np.arange(width)[None, :]]
    # einsum rather than matmul: a BLAS call per chunk wakes its thread pool for a tiny
    # product, which costs more than it computes.
    values = np.abs(np.einsum("cmw,wp->cmp", gathered, kernel)).max(axis=(0, 2))
    env[positions] = values
    return env


class TruePeakStream:
    """The 4x true-peak envelope of a stream, sample for sample (max over channels).

    Every sample is oversampled (one dense correlation per phase, ~2 ms per 1.5 s of
    stereo), so the gain plan knows each segment's true peak, not just its sample peak.
    """

    def __init__(self, channels: int) -> None:
        self._width = 2 * TP_CONTEXT
        self._first = TP_CONTEXT - 1
        self._delay = self._width - self._first
        self._history = np.zeros((channels, self._width), dtype=np.float32)
        self._started = False

    def push(self, x: F32) -> F32:
        """Envelope values for as many samples as ``x`` holds, ``delay`` samples late."""
        n = x.shape[-1]
        context = np.concatenate([self._history, x], axis=1)
        self._history = context[:, -self._width :]
        env = tp_envelope(context, -1.0)[self._first : self._first + n]
        if not self._started:
            self._started = True
            # The first ``delay`` values belong before the stream's start: the ramp from
            # silence into the first samples. Fold them into the first real sample.
            head, env = env[: self._delay], env[self._delay :]
            if env.shape[0] and head.shape[0]:
                env[0] = max(float(env[0]), float(head.max()))
        return env

    def finish(self) -> F32:
        return self.push(np.zeros((self._history.shape[0], self._delay), dtype=np.float32))


class TruePeakMeter:
    """Running maximum of the 4x oversampled signal (dBTP), over all channels."""

    def __init__(self) -> None:
        self._history: F32 | None = None
        self.true_peak = 0.0
        self.sample_peak = 0.0

    def add(self, x: F32) -> None:
        if x.shape[-1] == 0:
            return
        if self._history is None:
            self._history = np.zeros((x.shape[0], 2 * TP_CONTEXT), dtype=np.float32)
        self.sample_peak = max(self.sample_peak, float(np.abs(x).max()))
        self.true_peak = max(self.true_peak, self.sample_peak)
        context = np.concatenate([self._history, x], axis=1)
        self._history = context[:, -2 * TP_CONTEXT :].copy()
        env = tp_envelope(context, self.true_peak)
        self.true_peak = max(self.true_peak, float(env.max()))

    def finish(self) -> None:
        """Let the last samples ring out through the interpolator."""
        if self._history is not None:
            self.add(np.zeros((self._history.shape[0], 2 * TP_CONTEXT), dtype=np.float32))


@dataclass(frozen=True, slots=True)
class Loudness:
    """Integrated loudness is None for silence (no block passes the absolute gate)."""

    integrated_lufs: float | None
    lra_lu: float
    true_peak_dbtp: float | None
    sample_peak_dbfs: float | None
    duration_s: float


def segment_length(sample_rate: int) -> int:
    """About 5 ms, preferably a divisor of the 100 ms sub-block so segments tile it."""
    sub = (sample_rate + 5) // 10
    ideal = sample_rate / 200.0
    divisors = [
        d for d in range(max(1, sample_rate // 400), sample_rate // 100 + 1) if sub % d == 0
    ]
    if divisors:
        return min(divisors, key=lambda d: abs(d - ideal))
    return max(1, round(ideal))


class _Binner:
    """Reduces a stream of per-sample values into fixed-size bins (sum or max), kept on
    disk (``SpooledSeries``): a programme's segments are ~6 MB an hour."""

    def __init__(self, size: int, op: np.ufunc, directory: str | os.PathLike[str] | None) -> None:
        self._size = size
        self._op = op
        self._bins = SpooledSeries(directory)
        self._carry: npt.NDArray[np.floating] | None = None

    def add(self, values: npt.NDArray[np.floating]) -> None:
        if self._carry is not None and self._carry.shape[0]:
            values = np.concatenate([self._carry, values])
        whole = values.shape[0] // self._size
        if whole:
            shaped = values[: whole * self._size].reshape(whole, self._size)
            self._bins.append(self._op.reduce(shaped, axis=1).astype(np.float32))
        self._carry = values[whole * self._size :]

    def result(self) -> SpooledSeries:
        if self._carry is not None and self._carry.shape[0]:
            self._bins.append(np.array([self._op.reduce(self._carry)], dtype=np.float32))
        self._carry = None
        return self._bins


class _Background:
    """Calls ``step`` on each pushed array, in order, in a thread of its own.

    scipy's filters release the GIL, so the analysis pass's true-peak oversampling runs
    beside its K-weighting and the decoder instead of after them.
    """

    def __init__(self, step: Callable[[F32], None], depth: int = 4) -> None:
        self._step = step
        self._items: queue.Queue[F32 | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="true-peak", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (item := self._items.get()) is not None:
            if self._error is None:
                try:
                    self._step(item)
                except BaseException as exc:  # raised in the caller by close()
                    self._error = exc

    def push(self, x: F32) -> None:
        self._items.put(x)

    def close(self) -> None:
        """Wait for every pushed array; raise what the thread raised."""
        self._items.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error


# Digital silence lets the K-weighting's recursive state decay into subnormal floats,
# which the CPU computes 30-40 times slower: a programme with pauses of true silence spent
# more time filtering them than all its speech. A signal of +-1e-15 at the Nyquist
# frequency (-300 dBFS: no figure can see it, and float32 rounds it away under any sound)
# keeps the state normal. Cached and grown as needed; shared read-only between threads.
_NYQUIST_DITHER = np.zeros(0, dtype=np.float32)


def _undenormal(x: F32) -> F32:
    """``x`` (float32) plus the Nyquist dither, as a new array."""
    global _NYQUIST_DITHER
    n = x.shape[-1]
    dither = _NYQUIST_DITHER
    if dither.shape[0] < n:
        dither = np.full(max(n, 1 << 16), 1e-15, dtype=np.float32)
        dither[1::2] = -1e-15
        _NYQUIST_DITHER = dither
    return np.add(x, dither[:n], dtype=np.float32)


class LoudnessMeter:
    """Integrated loudness, loudness range and true peak of a stream of chunks.

    With ``segments`` it also keeps, per short segment (about 5 ms), the K-weighted
    energy and the true peak: what :mod:`ting.media.audio.plan` needs to predict the
    loudness of the limited programme without decoding it again (8 bytes per segment,
    about 5.8 MB per hour, kept in a file: ``segments.SpooledSeries``).
    """

    def __init__(
        self,
        sample_rate: int,
        channels: int,
        *,
        segments: bool = False,
        peaks: bool = True,
        directory: str | os.PathLike[str] | None = None,
    ) -> None:
        """``directory``: where the segments' file goes (None: the temporary directory)."""
        self.sample_rate = sample_rate
        # False: the caller knows the peaks already (splice.PeakGuard checks every frame
        # as it goes); ``result`` then reports none.
        self._measure_peaks = peaks
        self.channels = channels
        # The K-weighting runs in float32, the input's precision: twice as fast as
        # float64, and its rounding noise (about -130 dB relative, even through the
        # 38 Hz high-pass's poles) moves no figure by 0.01 LU. Energies are summed in
        # float64.
        self._sos = k_weighting_sos(sample_rate).astype(np.float32)
        self._zi = np.zeros((self._sos.shape[0], channels, 2), dtype=np.float32)
        self.sub_len = (sample_rate + 5) // 10
        self._acc = 0.0
        self._acc_n = 0
        # Mean-square energy (summed over channels) of each 100 ms sub-block; the gating
        # blocks (400 ms, 75 % overlap) and short-term windows (3 s) are built from these.
        self._subs = array("d")
        self._samples = 0
        self.peaks = TruePeakMeter()
        self.segment_len = segment_length(sample_rate)
        self._energy = _Binner(self.segment_len, np.add, directory) if segments else None
        self._peak = _Binner(self.segment_len, np.maximum, directory) if segments else None
        self._stream = TruePeakStream(channels) if segments else None
        self._background = _Background(self._push_peaks) if segments else None

    def add(self, x: F32) -> None:
        if x.shape[-1] == 0:
            return
        self._samples += x.shape[-1]
        y, self._zi = signal.sosfilt(self._sos, _undenormal(x), axis=-1, zi=self._zi)
        power: F64 = np.einsum("ij,ij->j", y, y, dtype=np.float64)
        self._segment(power)
        if self._energy is not None and self._background is not None:
            self._energy.add(power)
            self._background.push(x)
            self.peaks.sample_peak = max(self.peaks.sample_peak, float(np.abs(x).max()))
        elif self._measure_peaks:
            self.peaks.add(x)

    def _push_peaks(self, x: F32) -> None:
        assert self._stream is not None
        self._tp_into_segments(self._stream.push(x))

    def _tp_into_segments(self, env: F32) -> None:
        assert self._peak is not None
        if env.shape[0]:
            self._peak.add(env)
            self.peaks.true_peak = max(self.peaks.true_peak, float(env.max()))

    def close(self) -> None:
        """Stop the background thread of a meter that will not be finished (no-op after
        ``result`` or ``segments``)."""
        if self._background is not None:
            background, self._background = self._background, None
            with contextlib.suppress(Exception):
                background.close()

    def _finish_peaks(self) -> None:
        if self._background is not None:
            background, self._background = self._background, None
            background.close()
        if self._stream is not None:
            stream, self._stream = self._stream, None
            self._tp_into_segments(stream.finish())
            self.peaks.true_peak = max(self.peaks.true_peak, self.peaks.sample_peak)
        else:
            self.peaks.finish()

    def sub_energies(self) -> F64:
        return np.frombuffer(self._subs, dtype=np.float64)

    def segments(self) -> tuple[SpooledSeries, SpooledSeries] | None:
        """Per segment: summed K-weighted energy and true peak (all channels)."""
        if self._energy is None or self._peak is None:
            return None
        self._finish_peaks()
        return (
            self._energy.result(),
            self._peak.result(),
        )

    def _segment(self, power: F64) -> None:
        size = self.sub_len
        need = size - self._acc_n
        if power.shape[0] < need:
            self._acc += float(power.sum())
            self._acc_n += power.shape[0]
            return
        self._subs.append((self._acc + float(power[:need].sum())) / size)
        rest = power[need:]
        whole = rest.shape[0] // size
        if whole:
            self._subs.extend(rest[: whole * size].reshape(whole, size).mean(axis=1).tolist())
        tail = rest[whole * size :]
        self._acc = float(tail.sum())
        self._acc_n = tail.shape[0]

    def result(self) -> Loudness:
        self._finish_peaks()
        subs = np.frombuffer(self._subs, dtype=np.float64)
        return Loudness(
            integrated_lufs=_integrated(subs),
            lra_lu=_loudness_range(subs),
            true_peak_dbtp=_peak_db(self.peaks.true_peak),
            sample_peak_dbfs=_peak_db(self.peaks.sample_peak),
            duration_s=self._samples / self.sample_rate,
        )


def _peak_db(value: float) -> float | None:
    return round(db(value), 2) if value > 0 else None


def _windows(subs: F64, width: int) -> F64:
    if subs.shape[0] < width:
        return np.zeros(0, dtype=np.float64)
    sums = np.cumsum(np.concatenate([[0.0], subs]))
    return np.asarray((sums[width:] - sums[:-width]) / width, dtype=np.float64)


def _to_lufs(energy: F64) -> F64:
    with np.errstate(divide="ignore"):
        return np.asarray(-0.691 + 10.0 * np.log10(energy), dtype=np.float64)


def integrated_energy(subs: F64) -> float | None:
    """The gated mean energy of the 400 ms blocks built from 100 ms sub-block energies."""
    blocks = _windows(subs, 4)
    loud = _to_lufs(blocks)
    gated = blocks[loud > ABSOLUTE_GATE_LUFS]
    if gated.size == 0:
        return None
    threshold = lufs(float(gated.mean())) + RELATIVE_GATE_LU
    final = blocks[(loud > ABSOLUTE_GATE_LUFS) & (loud > threshold)]
    return float(final.mean()) if final.size else None


def _integrated(subs: F64) -> float | None:
    energy = integrated_energy(subs)
    return round(lufs(energy), 2) if energy is not None else None


def _loudness_range(subs: F64) -> float:
    """EBU Tech 3342: 3 s windows at 10 Hz, gated at -70 LUFS and -20 LU, 10th to 95th."""
    short = _windows(subs, 30)
    loud = _to_lufs(short)
    keep = loud > ABSOLUTE_GATE_LUFS
    if not keep.any():
        return 0.0
    threshold = lufs(float(short[keep].mean())) + LRA_RELATIVE_GATE_LU
    values = loud[keep & (loud > threshold)]
    if values.size < 2:
        return 0.0
    low, high = np.percentile(values, [10.0, 95.0])
    return round(float(high - low), 2)


def sliding_min(a: F32, width: int) -> F32:
    """min(a[i:i+width]) for every i, in O(n) (van Herk / Gil-Werman)."""
    n = a.shape[0]
    if width <= 1 or n == 0:
        return a.copy()
    if n < width:
        return np.zeros(0, dtype=a.dtype)
    pad = (-n) % width
    blocks = np.concatenate([a, np.full(pad, np.inf, dtype=a.dtype)]).reshape(-1, width)
    prefix = np.minimum.accumulate(blocks, axis=1).ravel()
    suffix = np.minimum.accumulate(blocks[:, ::-1], axis=1)[:, ::-1].ravel()
    return np.asarray(np.minimum(suffix[: n - width + 1], prefix[width - 1 : n]), dtype=a.dtype)


class TruePeakLimiter:
    """A look-ahead limiter that keeps the 4x oversampled peak under ``ceiling_dbtp``.

    The gain is a box average (``attack_ms``) of a trailing minimum (``hold_ms``) of the
    gain each sample needs. Every value entering an average is at most the need of the
    sample being averaged, so the gain never lets a peak through, and it is computed with
    vectorised numpy instead of a per-sample recursive envelope. Release is a hold then a
    linear ramp over the attack time; with the hold longer than a speech syllable's pitch
    period this does not pump audibly. Chunks whose peaks cannot reach the ceiling skip
    the oversampling entirely, which is most of a normalised programme.
    """

    def __init__(
        self,
        ceiling_dbtp: float,
        sample_rate: int,
        channels: int,
        *,
        attack_ms: float = 8.0,
        hold_ms: float = 20.0,
    ) -> None:
        self.ceiling = undb(ceiling_dbtp)
        self.channels = channels
        self._attack = max(1, round(attack_ms * sample_rate / 1000.0))
        self._hold = max(self._attack, round(hold_ms * sample_rate / 1000.0))
        self._back = self._hold - 1 + TP_CONTEXT
        self._ahead = self._attack - 1 + TP_CONTEXT
        # Silence stands in for the past before the first sample.
        self._x: F32 = np.zeros((channels, self._back), dtype=np.float32)
        self._emit = self._back
        self.reduced_samples = 0
        self.max_reduction_db = 0.0

    @property
    def latency(self) -> int:
        return self._ahead

    def push(self, x: F32) -> F32:
        self._x = np.concatenate([self._x, x.astype(np.float32, copy=False)], axis=1)
        return self._process()

    def flush(self) -> F32:
        tail = self._x.shape[1] - self._emit
        pad = np.zeros((self.channels, self._ahead), dtype=np.float32)
        self._x = np.concatenate([self._x, pad], axis=1)
        return self._process()[:, :tail]

    def _process(self) -> F32:
        xs = self._x
        total = xs.shape[1]
        start = self._emit
        end = total - self._ahead
        if end <= start:
            return np.zeros((self.channels, 0), dtype=np.float32)
        lo = start - self._back
        seg = xs[:, lo:]
        if float(np.abs(seg).max()) * tp_bound() <= self.ceiling:
            out = xs[:, start:end].copy()
        else:
            gain = self._gain(seg, end - start)
            out = xs[:, start:end] * gain if gain is not None else xs[:, start:end].copy()
        keep_from = end - self._back
        self._x = xs[:, keep_from:]
        self._emit = self._back
        return out

    def _gain(self, seg: F32, count: int) -> F32 | None:
        env = tp_envelope(seg, self.ceiling)
        need = np.ones(env.shape[0], dtype=np.float32)
        over = env > self.ceiling
        if not over.any():
            return None
        need[over] = self.ceiling / env[over]
        held = sliding_min(need[TP_CONTEXT:], self._hold)
        held = held[: count + self._attack - 1]
        sums = np.concatenate([[0.0], np.cumsum(held, dtype=np.float64)])
        gain = ((sums[self._attack :] - sums[: -self._attack]) / self._attack)[:count]
        reduced = gain < 0.9999
        if reduced.any():
            self.reduced_samples += int(reduced.sum())
            self.max_reduction_db = max(self.max_reduction_db, -db(float(gain.min())))
        return np.asarray(gain, dtype=np.float32)
