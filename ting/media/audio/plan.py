"""The gain plan: one static gain plus a look-ahead limiter envelope, both decided from
the analysis pass, so the encode pass only multiplies.

The analysis keeps, per ~5 ms segment, the K-weighted energy and the 4x true peak. For a
trial static gain G the limiter's gain per segment follows from the peaks alone
(``min(1, ceiling / (G * peak))``, held and smoothed), and the loudness of the limited
programme follows from the segment energies scaled by that gain squared, gated exactly as
BS.1770 gates. The loudness is non-decreasing in G, so a bisection finds the G whose
*limited* output lands on the target: no calibration decode, no guessing.

Between segment starts the gain is interpolated linearly. Each segment's value is at most
the need of that segment and of the one before it, so every sample gets at most what its
own segment's true peak allows (the gain moves by well under 1 % across the
interpolator's 0.3 ms span, so the product's true peak follows).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from ting.media.audio.loudness import integrated_energy, lufs, sliding_min, undb
from ting.media.audio.segments import SpooledSeries

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
# Per-segment values: in memory, or on disk as the analysis pass leaves them (read here
# only by slices, a block at a time).
Series = F32 | SpooledSeries

# The limiter's shape, in milliseconds: the gain starts falling ATTACK_MS before a peak,
# stays down HOLD_MS after it, then recovers over ATTACK_MS again. Longer than a pitch
# period, so the gain does not follow the waveform (which would distort), and short
# enough that a syllable's peak does not duck the next one.
ATTACK_MS = 10.0
HOLD_MS = 40.0
# How far above the nominal gain the solver may go to make up for the limiting. Dense
# (mastered) speech loses about a LU per dB of ceiling: at 9 dB the AAC and Opus
# renditions of the bench's speech, whose codecs need 0.8-1.8 dB under the peak limit,
# stopped 0.5-0.8 LU short of -16.
MAX_MAKEUP_DB = 12.0
_BISECTIONS = 24
# The solver settles for this much under the target: on programme that is already
# compressed the last tenth of a LU can cost several dB more limiting.
SLACK_LU = 0.1


@dataclass(frozen=True, slots=True)
class LevelStats:
    """What the analysis pass keeps for planning: 100 ms sub-block energies (as gated by
    BS.1770) and per-segment energies and sample peaks."""

    rate: int
    sub_len: int
    segment_len: int
    subs: F64
    energies: Series
    peaks: Series


@dataclass(frozen=True, slots=True, eq=False)
class Limiter:
    """The limiter's envelope for one static gain, computed where it is applied.

    The gain at each segment start follows from the segment peaks alone, so a chunk's
    stretch of it is computed from the peaks around that chunk (``_envelope_block``, the
    same values ``envelope_for`` gives for the whole programme) instead of being kept
    whole: three renditions' envelopes cost 4 bytes per segment each, about 18 MB for a
    2-hour programme, and more when a redo kept the first attempt's alive.
    """

    peaks: Series
    gain: float
    ceiling: float
    attack: int
    hold: int

    def envelope(self, first: int, stop: int) -> F32:
        """The gain at segment starts ``first`` .. ``stop - 1``; past the last segment it
        stays at the last segment's value."""
        n = self.peaks.shape[0]
        if n == 0:
            return np.ones(max(0, stop - first), dtype=np.float32)
        lo, hi = min(first, n - 1), min(stop, n)
        block = _envelope_block(self.peaks, self.gain, self.ceiling, self.attack, self.hold, lo, hi)
        if block is None:
            block = np.ones(hi - lo, dtype=np.float32)
        env = block[first - lo :]
        if stop > n:
            env = np.concatenate([env, np.repeat(block[-1:], stop - max(first, n))])
        return env


@dataclass(frozen=True, slots=True, eq=False)
class GainPlan:
    gain_db: float
    segment_len: int
    # The limiter the static gain needs, or None when no peak reaches the ceiling.
    limiter: Limiter | None
    predicted_lufs: float | None

    @property
    def limited(self) -> bool:
        return self.limiter is not None

    def apply(self, x: F32, start: int) -> F32:
        """``x`` (channels, n), whose first sample is sample ``start`` of the programme."""
        gain = np.float32(undb(self.gain_db))
        limiter = self.limiter
        n = x.shape[-1]
        if limiter is None or n == 0:
            return x * gain if gain != 1.0 else x
        size = self.segment_len
        # The envelope has one value per segment start, and one more after the last.
        count = limiter.peaks.shape[0]
        first = min(start // size, count)
        last = min((start + n - 1) // size + 1, count)
        window = limiter.envelope(first, last + 1)
        if float(window.min()) >= 1.0:
            return x * gain
        return np.asarray(x * _curve(window * gain, first * size, start, n, size)[None, :])


@lru_cache(maxsize=8)
def _fractions(size: int) -> F32:
    return (np.arange(size, dtype=np.float64) / size).astype(np.float32)


def _curve(knots: F32, origin: int, start: int, n: int, size: int) -> F32:
    """Samples ``start`` .. ``start + n - 1`` of the curve through ``knots`` (one every
    ``size`` samples from sample ``origin``), linear between knots and flat outside them.

    Segment by segment (a ramp per segment, broadcast) rather than ``np.interp`` in
    float64 over every sample: five times faster, the same values to float32 rounding.
    """
    a = knots[:-1]
    ramps = (a[:, None] + (knots[1:] - a)[:, None] * _fractions(size)[None, :]).ravel()
    curve = np.empty(n, dtype=np.float32)
    # curve[j] is ramps[j + offset] where that exists; flat at either end otherwise.
    offset = start - origin
    lo = min(n, max(0, -offset))
    hi = max(lo, min(n, ramps.shape[0] - offset))
    curve[:lo] = knots[0]
    curve[lo:hi] = ramps[lo + offset : hi + offset]
    curve[hi:] = knots[-1]
    return curve


# Segments handled at once by the envelope and the prediction: the solver's
# temporaries stay a few MB whatever the programme's length (done whole, a 2-hour
# programme's bisection held about 100 MB at a time, per rendition).
BLOCK_SEGMENTS = 1 << 16


def _shape(segment_len: int, rate: int) -> tuple[int, int]:
    """(attack, hold) in segments."""
    seg_ms = 1000.0 * segment_len / rate
    attack = max(1, round(ATTACK_MS / seg_ms))
    hold = attack + max(1, round(HOLD_MS / seg_ms))
    return attack, hold


def _envelope_block(
    peaks: Series, gain: float, ceiling: float, attack: int, hold: int, start: int, end: int
) -> F32 | None:
    """The limiter gain at segment starts ``start`` .. ``end - 1`` (None: all 1).

    held[k] = min(need[k - hold + 1 .. k]) covers the segment and the one before it for
    every value the average over held[k .. k + attack - 1] takes (hold >= attack + 1);
    before the programme the need is 1, and so is held past its end.
    """
    n = peaks.shape[0]
    lo = max(0, start - hold + 1)
    hi = min(n, end + attack - 1)
    window = peaks[lo:hi]
    if window.size == 0 or float(window.max()) * gain <= ceiling:
        return None
    scaled = window.astype(np.float32) * np.float32(gain)
    need = np.ones(hi - lo, dtype=np.float32)
    over = scaled > ceiling
    need[over] = np.float32(ceiling) / scaled[over]
    # need over [start - hold + 1, hi), with 1 before the programme.
    pad = lo - (start - hold + 1)
    padded = np.concatenate([np.ones(pad, dtype=np.float32), need]) if pad else need
    held = sliding_min(padded, hold).astype(np.float64)
    # held over [start, hi) then 1 up to end + attack - 1.
    tail = end + attack - 1 - hi
    if tail:
        held = np.concatenate([held, np.ones(tail)])
    sums = np.concatenate([[0.0], np.cumsum(held)])
    smooth = (sums[attack:] - sums[:-attack]) / attack
    return np.asarray(np.minimum(smooth[: end - start], 1.0), dtype=np.float32)


def envelope_for(peaks: Series, gain: float, ceiling: float, segment_len: int, rate: int) -> F32:
    """The limiter gain at each segment start for a static ``gain`` (linear values), for
    the whole programme at once (``Limiter.envelope`` computes a stretch of it)."""
    attack, hold = _shape(segment_len, rate)
    n = peaks.shape[0]
    env = np.ones(n + 1, dtype=np.float32)
    for start in range(0, n, BLOCK_SEGMENTS):
        end = min(n, start + BLOCK_SEGMENTS)
        block = _envelope_block(peaks, gain, ceiling, attack, hold, start, end)
        if block is not None:
            env[start:end] = block
    if n:
        env[n] = env[n - 1]
    return env


def predicted_lufs(
    subs: F64,
    energies: Series | F64,
    peaks: Series,
    gain: float,
    ceiling: float,
    segment_len: int,
    sub_len: int,
    rate: int,
) -> float | None:
    """Integrated loudness after the static gain and the limiter it needs, block by block
    (the envelope is never built whole)."""
    if subs.shape[0] == 0:
        return None
    attack, hold = _shape(segment_len, rate)
    n = energies.shape[0]
    # Per sub-block: the share of its energy the limiter keeps.
    kept = np.zeros(subs.shape[0], dtype=np.float64)
    total = np.zeros(subs.shape[0], dtype=np.float64)
    last_sub = subs.shape[0] - 1
    for start in range(0, n, BLOCK_SEGMENTS):
        end = min(n, start + BLOCK_SEGMENTS)
        energy = energies[start:end].astype(np.float64)
        owner = np.minimum(
            (np.arange(start, end, dtype=np.int64) * segment_len) // sub_len, last_sub
        )
        first = int(owner[0])
        width = int(owner[-1]) - first + 1
        local = owner - first
        total[first : first + width] += np.bincount(local, weights=energy, minlength=width)
        # One value more than the block: segment k's gain moves from env[k] to env[k + 1].
        env = _envelope_block(peaks, gain, ceiling, attack, hold, start, min(n, end + 1))
        if env is None:
            kept[first : first + width] += np.bincount(local, weights=energy, minlength=width)
            continue
        if env.shape[0] < end - start + 1:
            env = np.concatenate([env, env[-1:]])
        a, b = env[:-1].astype(np.float64), env[1:].astype(np.float64)
        # Mean of g^2 over a segment whose gain moves linearly from a to b.
        mean_sq = (a * a + a * b + b * b) / 3.0
        kept[first : first + width] += np.bincount(local, weights=energy * mean_sq, minlength=width)
    ratio = np.ones(subs.shape[0], dtype=np.float64)
    live = total > 0
    ratio[live] = kept[live] / total[live]
    return _lufs_or_none(integrated_energy(subs * ratio * gain * gain))


def _lufs_or_none(energy: float | None) -> float | None:
    return lufs(energy) if energy is not None and energy > 0 else None


def solve(
    stats: LevelStats,
    *,
    integrated: float | None,
    target: float,
    ceiling_db: float,
    max_gain_db: float,
) -> GainPlan:
    """The static gain (and envelope) whose limited output measures ``target``."""
    if integrated is None:
        # Silence has no loudness to normalise; amplifying it would only raise the noise.
        return GainPlan(0.0, stats.segment_len, None, None)
    subs, energies, peaks = stats.subs, stats.energies, stats.peaks
    rate, segment_len, sub_len = stats.rate, stats.segment_len, stats.sub_len
    nominal = min(target - integrated, max_gain_db)
    ceiling = undb(ceiling_db)

    def trial(gain_db: float) -> tuple[bool, float | None]:
        """(limited, predicted loudness) at this static gain."""
        gain = undb(gain_db)
        if peaks.size == 0 or float(peaks.max()) * gain <= ceiling:
            return False, _lufs_or_none(integrated_energy(subs * gain * gain))
        level = predicted_lufs(subs, energies, peaks, gain, ceiling, segment_len, sub_len, rate)
        return True, level

    def plan(gain_db: float, limited: bool, level: float | None) -> GainPlan:
        limiter = None
        if limited:
            attack, hold = _shape(segment_len, rate)
            limiter = Limiter(peaks, undb(gain_db), ceiling, attack, hold)
        return GainPlan(round(gain_db, 4), segment_len, limiter, level)

    limited, level = trial(nominal)
    target -= SLACK_LU
    if not limited or level is None or level >= target - 0.005:
        return plan(nominal, limited, level)
    lo, hi = nominal, min(nominal + MAX_MAKEUP_DB, max_gain_db)
    limited_hi, level_hi = trial(hi)
    if level_hi is None or level_hi <= target:
        # Cannot reach the target without crushing the peaks further: stop at the cap.
        return plan(hi, limited_hi, level_hi)
    Trial = tuple[float, bool, float | None]
    best: Trial = (hi, limited_hi, level_hi)
    below: Trial = (lo, limited, level)
    for _ in range(_BISECTIONS):
        mid = 0.5 * (lo + hi)
        limited_mid, level_mid = trial(mid)
        if level_mid is None or level_mid < target:
            lo = mid
            below = (mid, limited_mid, level_mid)
        else:
            hi = mid
            best = (mid, limited_mid, level_mid)
        close = level_mid is not None and math.isclose(level_mid, target, abs_tol=0.003)
        if close or hi - lo < 0.002:
            break
    # Gating makes the loudness step where a 400 ms block crosses the relative gate (a
    # short or very even programme has few blocks): the bisection then closes on a
    # step, and the side nearer the target is the better plan.
    if below[2] is not None and best[2] is not None and target - below[2] < best[2] - target:
        best = below
    return plan(*best)
