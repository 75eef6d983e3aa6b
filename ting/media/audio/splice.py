"""AAC whose decoded true peak is checked frame by frame while it is written, and whose
few overshooting frames are re-encoded in place.

Lossy coding moves peaks: FFmpeg's AAC at 64 kb/s puts a decoded peak 0.5 dB above its
input on average and, in a long programme, 1.2-2.6 dB above it somewhere. Widening the
limiter's margin until the worst block of an hour fits costs about 0.8 LU per dB on dense
speech, and redoing the whole rendition when it misses costs a whole encode. Instead the
rendition's packets are decoded as they are produced (AAC-LC decodes at ~2000x real time)
and held back a few seconds before muxing. Where a decoded frame's true peak exceeds the
limit, a fresh encoder, primed with a few frames of the same input, encodes a short span
around it with a local dip of the gain, and its packets replace the span's.

This is exact, not approximate, because of how AAC-LC decodes: the output for packet j
is the overlap-add of packets j - 1 and j and nothing else, once perceptual noise
substitution is off (with PNS the decoder's random generator carries state across every
frame, so a splice changes the noise for the rest of the file, and every decoder's noise
differs anyway: the AAC spec turns it off). The spans are chosen so that both sides of
each join encoded the same input with the same window sequence and shape, so aliasing
cancels across the join as it does inside one encode; the splice is decoded again,
checked to leave its neighbours bit-identical, and kept only if its peaks are under the
limit. Packet timing (and so the MP4's duration and edit list) is the original encode's.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeAlias

import av
import numpy as np
import numpy.typing as npt

from ting.media.audio.decode import frame_pcm
from ting.media.audio.loudness import TP_CONTEXT, Loudness, LoudnessMeter, db, tp_envelope, undb

F32 = npt.NDArray[np.float32]
# An encoder's packet: not yet bound to a container's stream (the writer may be ours).
Packet: TypeAlias = "av.Packet[Any]"

# AAC-LC codes 1024 samples per channel in a frame.
FRAME = 1024
# Frames a local encoder runs before the span it replaces: enough for FFmpeg's
# psychoacoustic model and rate control to settle on the same window decisions as the
# whole-programme encoder (2 frames often disagreed; 8 matched in every case tried).
PRE_ROLL = 8
# Frames kept untouched on each side of the frames whose gain dips: a join's two frames
# must code the same input, and the dip ramps inside this margin.
SIDE = 3
# The local dip's ramps (samples at 44.1/48 kHz: ~10 ms, like the plan's attack).
RAMP_S = 0.01
# Attempts at one span before giving up on it (the pipeline then sees the overshoot in
# the measured figures and redoes the rendition with a lower ceiling).
TRIES = 4
# Extra dip beyond the overshoot measured, per attempt (dB).
DIP_SLACK_DB = 0.3
# Frames checked at once: fewer numpy calls per packet.
BATCH = 64
# Input kept for local encodes, in frames: covers the mux delay (a source chunk, ~1.5 s,
# is 65-70 frames) plus the pre-roll with room to spare; ~2 MB in stereo.
RING_FRAMES = 320


@dataclass(slots=True)
class _Span:
    """Flagged decoded frames lo..hi (inclusive) awaiting a local encode."""

    lo: int
    hi: int
    over_db: float

    @property
    def first(self) -> int:
        """The first packet replaced."""
        return max(1, self.lo - SIDE)

    @property
    def last(self) -> int:
        """The last packet replaced."""
        return self.hi + SIDE


def window_info(data: bytes) -> tuple[int, int, int] | None:
    """(element id, window_sequence, window_shape) of an AAC-LC raw data block's first
    channel element, or None when it does not start with one (ISO 14496-3, 4.4.2.1)."""
    if len(data) < 4:
        return None
    bits = int.from_bytes(data[:4], "big")

    def take(start: int, width: int) -> int:
        return (bits >> (32 - start - width)) & ((1 << width) - 1)

    element = take(0, 3)
    if element == 1:  # channel pair: tag (4), common_window (1)
        ics = 8 if take(7, 1) else 16  # no common window: the first channel's global_gain
    elif element == 0:  # single channel: tag (4), global_gain (8)
        ics = 15
    else:
        return None
    # ics_info: reserved bit, window_sequence (2), window_shape (1)
    return element, take(ics + 1, 2), take(ics + 3, 1)


class PeakGuard:
    """Encodes into ``stream`` and muxes into ``out``, with every decoded frame's true peak
    at or under ``limit_dbtp`` where a local re-encode can achieve it.

    Fed frames at the stream's rate and layout; ``close`` flushes, muxes everything and
    returns the decoded rendition's loudness (measured on exactly what was muxed).
    """

    def __init__(
        self,
        codec: av.AudioCodecContext,
        mux: Callable[[Packet], None],
        *,
        rate: int,
        layout: str,
        options: dict[str, str],
        limit_dbtp: float,
    ) -> None:
        self._codec = codec
        self._mux = mux
        self._rate = rate
        self._layout = layout
        self._options = options
        self._channels = 1 if layout == "mono" else 2
        self._limit = undb(limit_dbtp)
        self._limit_db = limit_dbtp
        self._decoder: av.AudioCodecContext | None = None
        # Packets, decoded frames and their true peaks from index ``_base`` on.
        self._packets: deque[Packet] = deque()
        self._frames: deque[F32] = deque()
        self._peaks: deque[float] = deque()
        self._base = 0
        self._checked = 0  # frames below this index have a peak
        self._pending: list[_Span] = []
        # The input of the last RING_FRAMES frames, at the end of ``_buf[:, :_filled]``:
        # appended in place and moved to the front once per buffer's worth, not copied
        # whole for every frame pushed.
        self._buf = np.zeros((self._channels, 2 * RING_FRAMES * FRAME), dtype=np.float32)
        self._filled = 0
        self._fed = 0
        self._ended = False
        self._accepted_peak = 0.0
        self._sample_peak = 0.0
        self._true_peak = 0.0
        self._meter = LoudnessMeter(rate, self._channels, peaks=False)
        self._metered = 0  # input samples metered
        self._to_meter: list[F32] = []
        self.spliced = 0  # spans replaced
        self.unresolved = 0  # spans still over the limit after TRIES
        self.frames_reencoded = 0

    # -- feeding ---------------------------------------------------------------

    def push(self, frame: av.AudioFrame) -> None:
        x = frame_pcm(frame)
        self._remember(x)
        self._take(self._codec.encode(frame))
        self._advance()

    def close(self) -> Loudness:
        self._ended = True
        self._take(self._codec.encode(None))
        self._advance()
        assert not self._pending
        self._mux_until(self._base + len(self._packets))
        result = self._meter.result()
        return replace(
            result,
            true_peak_dbtp=round(db(self._true_peak), 2) if self._true_peak > 0 else None,
            sample_peak_dbfs=round(db(self._sample_peak), 2) if self._sample_peak > 0 else None,
            duration_s=self._fed / self._rate,
        )

    def _remember(self, x: F32) -> None:
        n = x.shape[1]
        if self._filled + n > self._buf.shape[1]:
            kept = min(self._filled, RING_FRAMES * FRAME)
            self._buf[:, :kept] = self._buf[:, self._filled - kept : self._filled]
            self._filled = kept
            if kept + n > self._buf.shape[1]:  # a push longer than the spare room
                grown = np.zeros((self._channels, kept + n), dtype=np.float32)
                grown[:, :kept] = self._buf[:, :kept]
                self._buf = grown
        self._buf[:, self._filled : self._filled + n] = x
        self._filled += n
        self._fed += n

    @property
    def _ring(self) -> F32:
        """The input kept for local encodes: the last RING_FRAMES frames (or fewer)."""
        return self._buf[:, max(0, self._filled - RING_FRAMES * FRAME) : self._filled]

    @property
    def _ring_start(self) -> int:
        """The input sample index of ``_ring``'s first column."""
        return self._fed - int(self._ring.shape[1])

    def _take(self, packets: list[Packet]) -> None:
        for packet in packets:
            if self._decoder is None:
                self._decoder = self._new_decoder()
            self._packets.append(packet)
            decoded = _decode(self._decoder, [bytes(packet)])
            if len(decoded) != 1:
                raise RuntimeError("AAC decoder did not return one frame per packet")
            self._frames.append(decoded[0])
            self._peaks.append(0.0)

    def _new_decoder(self) -> av.AudioCodecContext:
        decoder = av.CodecContext.create("aac", "r")
        assert isinstance(decoder, av.AudioCodecContext)
        decoder.extradata = self._codec.extradata
        decoder.sample_rate = self._rate
        decoder.layout = self._layout
        return decoder

    # -- checking --------------------------------------------------------------

    @property
    def _decoded(self) -> int:
        return self._base + len(self._frames)

    def _frame(self, index: int) -> F32:
        return self._frames[index - self._base]

    def _advance(self) -> None:
        # A frame's true peak needs its neighbours (the interpolator reaches 7 samples
        # either side); at the end, silence stands in for the next frame.
        ready = self._decoded if self._ended else self._decoded - 1
        if ready - self._checked >= (1 if self._ended else BATCH):
            self._check(self._checked, ready)
        self._splice_ready()
        # Keep what a local encode may still replace or decode from: a span may start
        # SIDE frames before the next flag, and its joins may move back to the pre-roll.
        hold = self._checked - SIDE - PRE_ROLL - 2
        if self._pending:
            hold = min(hold, self._pending[0].first - PRE_ROLL - 2)
        self._mux_until(hold)

    def _check(self, lo: int, hi: int) -> None:
        """Peaks of frames lo..hi-1; flag those over the limit."""
        threshold = min(self._limit, self._accepted_peak)
        peaks = self._frame_peaks(lo, hi, threshold)
        end = self._end_frame()
        for offset, value in enumerate(peaks):
            index = lo + offset
            if index == 0 or (end is not None and index > end):
                # The encoder's priming and its tail after the programme: the edit list
                # trims both, no player outputs them.
                value = 0.0
            self._peaks[index - self._base] = value
            if value > self._limit:
                self._flag(index, db(value) - self._limit_db)
            else:
                self._accepted_peak = max(self._accepted_peak, value)
        self._checked = hi

    def _frame_peaks(self, lo: int, hi: int, threshold: float) -> list[float]:
        before = self._frame(lo - 1) if lo - 1 >= self._base else None
        after = self._frame(hi) if hi < self._decoded else None
        return _peaks([self._frame(i) for i in range(lo, hi)], before, after, threshold)

    def _end_frame(self) -> int | None:
        """The last decoded frame that holds programme (frame j is input (j-1)..j)."""
        return (self._fed - 1) // FRAME + 1 if self._ended else None

    def _flag(self, index: int, over_db: float) -> None:
        last = self._pending[-1] if self._pending else None
        if last is not None and index - SIDE <= last.last + 1:
            last.hi = index
            last.over_db = max(last.over_db, over_db)
        else:
            self._pending.append(_Span(index, index, over_db))

    # -- splicing --------------------------------------------------------------

    def _splice_ready(self) -> None:
        while self._pending:
            span = self._pending[0]
            # Wait until no later flag can join the span and its input is all here.
            settled = self._checked > span.last + SIDE + 2
            fed = self._fed >= (span.last + 3) * FRAME
            if not self._ended and not (settled and fed):
                return
            self._pending.pop(0)
            self._splice(span)

    def _splice(self, span: _Span) -> None:
        last_packet = self._decoded - 1
        first, last = span.first, min(span.last, last_packet)
        start = max(0, first - PRE_ROLL)
        # The local encode's input, and the packet before its first (a fresh decoder
        # needs one to rebuild the overlap), must still be here (_advance holds them).
        if start * FRAME < self._ring_start or max(0, start - 1) < self._base:
            self.unresolved += 1
            return
        stop = min(self._fed, (last + 3) * FRAME)
        source = self._ring[:, start * FRAME - self._ring_start : stop - self._ring_start]
        dip_db = span.over_db + DIP_SLACK_DB
        for _ in range(TRIES):
            shaped = source * self._dip(span, start, source.shape[1], dip_db)
            local = _encode(self._codec, self._options, shaped)
            joins = _joins(self._packets, self._base, local, start, first, last, self._ended)
            if joins is None:
                break
            a, b = joins
            outcome = self._try(local, start, a, b)
            if outcome is None:
                break
            if outcome <= self._limit:
                self.spliced += 1
                return
            dip_db += db(outcome) - self._limit_db + DIP_SLACK_DB
        self.unresolved += 1

    def _dip(self, span: _Span, start: int, length: int, dip_db: float) -> F32:
        """Gain over the local input: 1, ramping down to the dip over the flagged frames'
        input (decoded frame j holds input frame j - 1) and their neighbours."""
        gain = np.ones(length, dtype=np.float32)
        ramp = max(1, round(RAMP_S * self._rate))
        lo = max(0, (span.lo - 2) * FRAME - start * FRAME)
        hi = min(length, (span.hi + 1) * FRAME - start * FRAME)
        level = np.float32(undb(-dip_db))
        gain[lo:hi] = level
        down_from = max(0, lo - ramp)
        gain[down_from:lo] = np.linspace(1.0, level, lo - down_from, dtype=np.float32)
        up_to = min(length, hi + ramp)
        gain[hi:up_to] = np.linspace(level, 1.0, up_to - hi, dtype=np.float32)
        return gain

    def _try(self, local: list[bytes], start: int, first: int, last: int) -> float | None:
        """Decode the stream with packets first..last from ``local``; keep it if its
        peaks fit. Returns the span's peak, or None if the splice changed a neighbour."""
        assert self._decoder is not None
        begin = max(self._base, first - 2)
        end = min(self._decoded - 1, last + 2)
        data = [
            local[i - start] if first <= i <= last else bytes(self._packets[i - self._base])
            for i in range(begin, end + 1)
        ]
        decoder = self._new_decoder()
        decoded = _decode(decoder, data)
        if len(decoded) != len(data):
            return None
        # The frames just outside the span must come out bit-identical: AAC-LC carries
        # nothing but the overlap from one frame to the next.
        if begin < first - 1 and not np.array_equal(
            decoded[first - 1 - begin], self._frame(first - 1)
        ):
            return None
        if end > last + 1 and not np.array_equal(decoded[end - begin], self._frame(end)):
            return None
        changed = decoded[first - begin : last + 2 - begin]
        before = decoded[first - 1 - begin] if first - 1 >= begin else None
        after = decoded[last + 2 - begin] if last + 2 <= end else None
        peaks = _peaks(changed, before, after, -1.0)
        top = max(peaks) if peaks else 0.0
        if top > self._limit:
            return top
        for offset in range(last - first + 1):
            index = first + offset
            old = self._packets[index - self._base]
            self._packets[index - self._base] = _repacket(local[index - start], old)
        for offset, frame in enumerate(changed):
            index = first + offset
            self._frames[index - self._base] = frame
            self._peaks[index - self._base] = peaks[offset]
            self._accepted_peak = max(self._accepted_peak, peaks[offset])
        self.frames_reencoded += last - first + 1
        return top

    # -- output ----------------------------------------------------------------

    def _mux_until(self, index: int) -> None:
        """Mux (and meter) packets and frames below ``index``."""
        end = self._end_frame()
        while self._packets and self._base < min(index, self._checked):
            packet = self._packets.popleft()
            frame = self._frames.popleft()
            peak = self._peaks.popleft()
            j = self._base
            self._base += 1
            self._mux(packet)
            if j == 0 or (end is not None and j > end):
                continue  # the encoder's priming, and the tail: trimmed by the edit list
            keep = min(FRAME, self._fed - (j - 1) * FRAME) if self._ended else FRAME
            body = frame[:, :keep]
            self._to_meter.append(body)
            self._metered += body.shape[1]
            self._true_peak = max(self._true_peak, peak)
        if len(self._to_meter) >= BATCH or (self._ended and not self._packets):
            # In batches: the meter's cost is mostly per call at 1024 samples.
            if self._to_meter:
                batch = np.concatenate(self._to_meter, axis=1)
                self._meter.add(batch)
                self._sample_peak = max(self._sample_peak, float(np.abs(batch).max(initial=0.0)))
            self._to_meter = []


def _decode(decoder: av.AudioCodecContext, packets: list[bytes]) -> list[F32]:
    frames: list[F32] = []
    for data in packets:
        for frame in decoder.decode(av.Packet(data)):
            frames.append(frame_pcm(frame))
    return frames


def _peaks(
    frames: list[F32], before: F32 | None, after: F32 | None, threshold: float
) -> list[float]:
    """Each frame's true peak (values at or under ``threshold`` may read as the frame's
    sample peak: below the threshold, only 'not over it' matters)."""
    if not frames:
        return []
    channels = frames[0].shape[0]
    pad = np.zeros((channels, TP_CONTEXT + 1), dtype=np.float32)
    left = before[:, -(TP_CONTEXT + 1) :] if before is not None else pad
    right = after[:, : TP_CONTEXT + 1] if after is not None else pad
    body = np.concatenate(frames, axis=1)
    signal = np.concatenate([left, body, right], axis=1)
    env = tp_envelope(signal, threshold)[left.shape[1] : left.shape[1] + body.shape[1]]
    sample = np.abs(body).max(axis=0)
    np.maximum(env, sample, out=env)
    lengths = [frame.shape[1] for frame in frames]
    if min(lengths) > 0:  # decoded AAC frames always are; reduceat needs it
        starts = np.cumsum([0, *lengths[:-1]])
        return [float(v) for v in np.maximum.reduceat(env, starts)]
    peaks: list[float] = []
    at = 0
    for n in lengths:
        peaks.append(float(env[at : at + n].max(initial=0.0)))
        at += n
    return peaks


def _encode(main: av.AudioCodecContext, options: dict[str, str], x: F32) -> list[bytes]:
    """Encode ``x`` with a fresh encoder set up as ``main``; packet i codes frame i."""
    ctx = av.CodecContext.create(main.name, "w")
    assert isinstance(ctx, av.AudioCodecContext)
    ctx.sample_rate = main.sample_rate
    ctx.layout = main.layout
    ctx.format = main.format.name
    ctx.bit_rate = main.bit_rate
    ctx.options = dict(options)
    frame = av.AudioFrame.from_ndarray(
        np.ascontiguousarray(x, dtype=np.float32), format="fltp", layout=main.layout.name
    )
    frame.sample_rate = main.sample_rate
    packets = ctx.encode(frame) + ctx.encode(None)
    return [bytes(p) for p in packets]


def _joins(
    packets: deque[Packet],
    base: int,
    local: list[bytes],
    start: int,
    first: int,
    last: int,
    ended: bool,
) -> tuple[int, int] | None:
    """The span first'..last' (within the local encode's reach, around first..last) whose
    joins line up: the packet before it and its last packet have the same window
    sequence and shape in both encodes, so each side's window halves match the other's."""

    def same(index: int) -> bool:
        mine = local[index - start] if 0 <= index - start < len(local) else None
        theirs = packets[index - base] if 0 <= index - base < len(packets) else None
        if mine is None or theirs is None:
            return False
        info = window_info(mine)
        return info is not None and info == window_info(bytes(theirs))

    a = first
    while a - 1 > start and not same(a - 1):
        a -= 1
    if start == 0 and a - 1 <= 0:
        a = 0  # from the programme's start: the local encode is the whole head, no join
    elif not same(a - 1) or a - 2 < base:
        return None
    b = last
    limit = min(start + len(local) - 1, base + len(packets) - 1)
    while b < limit and not same(b):
        b += 1
    if ended and b == base + len(packets) - 1 and b <= limit:
        return a, b  # the stream's last packet: no join after it
    if not same(b):
        return None
    return a, b


def _repacket(data: bytes, like: Packet) -> Packet:
    packet: Packet = av.Packet(data)
    packet.pts = like.pts
    packet.dts = like.dts
    packet.duration = like.duration
    packet.time_base = like.time_base
    return packet
