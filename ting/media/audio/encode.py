"""The rendition ladder and the encoders that write it.

Each encoder runs in its own thread: PyAV releases the GIL inside libavcodec, so the three
encoders really do share the cores while one decode feeds them all.
"""

from __future__ import annotations

import math
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Protocol

import av
import numpy as np
from av.audio.stream import AudioStream

from ting.media.audio.decode import Pcm, PcmReader
from ting.media.audio.loudness import Loudness, LoudnessMeter
from ting.media.audio.mp4 import AacMp4Writer
from ting.media.audio.splice import Packet, PeakGuard
from ting.media.audio.verify import PacketMeter


@dataclass(frozen=True, slots=True)
class RenditionSpec:
    name: str
    codec: str
    container_format: str
    extension: str
    bit_rate: int
    # None: keep 48 kHz sources at 48 kHz, bring everything else to 44.1 kHz.
    sample_rate: int | None
    sample_format: str
    # How far below the true-peak limit the limiter aims for this codec at least: lossy
    # coding overshoots the peaks it is given. The calibration raises it to what the codec
    # showed on excerpts of the programme; a rendition still over the limit is redone.
    peak_margin_db: float = 1.0
    codec_options: dict[str, str] = field(default_factory=dict)
    container_options: dict[str, str] = field(default_factory=dict)
    # How much loudness (LU) the codec loses on speech, stereo and mono: this rendition is
    # fed that much louder so that it, not its input, measures the target. Measured on
    # speech-like signals of 12-20 dB peak-to-loudness ratio at 22.05-48 kHz (see the
    # tests); every rendition is measured afterwards and redone if it still misses.
    loudness_loss_lu: tuple[float, float] = (0.0, 0.0)
    # Whether the pipeline decodes and measures this rendition (config.verify): needed
    # where the codec's peaks or loudness stray from what the calibration excerpts
    # showed. Opus at 32 kb/s overshoots erratically (up to 1.4 dB more than on the
    # excerpts) and AAC's loss varies; LAME at 128 kb/s stayed within 0.1 LU and
    # 0.3 dB of its calibrated figures on every short signal tested, so it is not
    # decoded (its peaks over an hour strayed further: see MP3_128K's long margin).
    measure: bool = False
    # The margin's floor for a programme longer than the calibration excerpts, whose
    # worst overshoot they cannot have seen (None: peak_margin_db), up to an hour long;
    # it grows by ``long_peak_margin_per_doubling_db`` each time the length doubles past
    # that (the worst of more blocks is worse).
    long_peak_margin_db: float | None = None
    long_peak_margin_per_doubling_db: float = 0.0
    # Decode while encoding and re-encode, in place, the few frames whose decoded true
    # peak exceeds the limit (splice.PeakGuard; AAC-LC only, with PNS off). The
    # rendition is measured as it is written (not decoded again), and redone whole only
    # if a span cannot be fixed or its loudness misses.
    splice: bool = False

    def margin_for(self, covered: bool, duration_s: float = 0.0) -> float:
        """The margin's floor; ``covered``: the excerpts hold the whole programme."""
        if covered or self.long_peak_margin_db is None:
            return self.peak_margin_db
        doublings = math.log2(duration_s / 3600.0) if duration_s > 3600.0 else 0.0
        grown = self.long_peak_margin_db + doublings * self.long_peak_margin_per_doubling_db
        return max(self.peak_margin_db, grown)

    def rate_for(self, source_rate: int) -> int:
        if self.sample_rate is not None:
            return self.sample_rate
        return 48000 if source_rate == 48000 else 44100

    def loss_for(self, layout: str) -> float:
        stereo, mono = self.loudness_loss_lu
        return mono if layout == "mono" else stereo


# Opus only runs at 48 kHz; its 32 kb/s stays stereo for stereo input (see ADR 0003).
# At 32 kb/s libopus narrows the band (more so in stereo), which costs K-weighted energy.
OPUS_32K = RenditionSpec(
    "opus",
    "libopus",
    "ogg",
    "opus",
    32_000,
    48_000,
    "flt",
    0.5,
    {"application": "audio"},
    loudness_loss_lu=(1.1, 0.7),
    measure=True,
    # Whole-programme overshoot ran 0.3-0.9 dB above the excerpts' on speech: at 0.8 dB
    # the 10-minute bench file peaked at -1.50 dBTP, or needed a second encode after a
    # 0.02 dB change of gain (libopus's choices at 32 kb/s are that erratic).
    long_peak_margin_db=1.0,
)
AAC_64K = RenditionSpec(
    "aac",
    "aac",
    "mp4",
    "m4a",
    64_000,
    None,
    "fltp",
    0.5,
    # No perceptual noise substitution: PNS noise comes from the decoder's own random
    # generator, so its peaks differ from decoder to decoder and a splice would change
    # the noise for the rest of the file (see splice.py).
    {"aac_pns": "0"},
    # Written by mp4.AacMp4Writer, index first (what movflags=+faststart did), with
    # its sample table on disk instead of in memory.
    loudness_loss_lu=(0.2, 0.25),
    measure=True,
    # FFmpeg's AAC at 64 kb/s overshoots more over a whole programme than on the
    # calibration excerpts (the worst of many blocks grows with their number: 1.2-2.6 dB
    # somewhere in an hour). Those frames are re-encoded locally (splice), so the margin
    # only needs to keep them few: each dB more costs up to a LU on dense speech.
    long_peak_margin_db=None,
    splice=True,
)
# LAME quality 5 instead of its default 3: PyAV's bundled LAME is several times slower than
# a distribution build and the MP3 encoder is the critical path; at 128 kb/s the
# difference is not audible on speech.
MP3_128K = RenditionSpec(
    "mp3",
    "libmp3lame",
    "mp3",
    "mp3",
    128_000,
    44_100,
    "fltp",
    0.3,
    {"compression_level": "5"},
    loudness_loss_lu=(0.6, 0.55),
    # Not decoded, so its whole-programme overshoot is never seen: on an hour of the bench's
    # speech LAME peaked 0.3-0.5 dB above what the excerpts showed (-1.72 and -1.51 dBTP
    # under a -1.80 ceiling, the second with other excerpts), against -0.24 on the
    # excerpts. The limiter aims lower on programmes the excerpts do not cover. Two hours
    # (the same hour twice) peaked 0.65 dB over a -2.10 ceiling, at -1.45 dBTP: the margin
    # grows with the length.
    long_peak_margin_db=0.6,
    long_peak_margin_per_doubling_db=0.4,
)
DEFAULT_LADDER: tuple[RenditionSpec, ...] = (OPUS_32K, AAC_64K, MP3_128K)


# What a decoder reports for each encoder's output (FFmpeg's codec names).
CODEC_NAMES = {"libopus": "opus", "libmp3lame": "mp3", "aac": "aac"}


@dataclass(frozen=True, slots=True)
class EncodedFile:
    spec: RenditionSpec
    path: Path
    codec: str
    sample_rate: int
    channels: int
    duration_s: float
    size_bytes: int
    # Measured by decoding the file (verify); None when it was not decoded.
    loudness: Loudness | None
    measured: bool = True


class Encoder:
    """Writes one rendition from float planar chunks at the source rate."""

    def __init__(
        self,
        spec: RenditionSpec,
        path: Path,
        source_rate: int,
        layout: str,
        *,
        durable: bool = True,
        peak_limit_dbtp: float | None = None,
        measure: bool = False,
    ) -> None:
        """``peak_limit_dbtp``: for a spec with ``splice``, the true-peak limit its decoded
        frames are held to while encoding (``loudness`` is then measured as written).
        ``measure``: decode and meter the packets as they are produced, where the codec's
        packets decode as its file does (``verify.PacketMeter``; Opus); ``loudness`` is
        then the decoded rendition's."""
        self.spec = spec
        self.durable = durable
        # Samples written, at the source rate: the duration when nothing decodes the file.
        self.samples = 0
        self.path = path
        self.layout = layout
        self.source_rate = source_rate
        self.rate = spec.rate_for(source_rate)
        self._out: av.container.OutputContainer | None = None
        self._mp4: AacMp4Writer | None = None
        if spec.container_format == "mp4" and spec.codec == "aac":
            # Our own writer: FFmpeg's MP4 muxer holds ~69 bytes per frame until close.
            self._codec = self._bare_codec(spec, layout)
            self._mp4 = AacMp4Writer(
                path,
                sample_rate=self.rate,
                channels=1 if layout == "mono" else 2,
                audio_specific_config=self._codec.extradata or b"",
                bit_rate=spec.bit_rate,
            )
            self._mux: Callable[[Packet], None] = self._mux_mp4
        else:
            self._out = av.open(
                str(path), mode="w", format=spec.container_format, options=spec.container_options
            )
            try:
                stream = self._out.add_stream(
                    spec.codec, rate=self.rate, options=spec.codec_options
                )
                assert isinstance(stream, AudioStream)
                stream.bit_rate = spec.bit_rate
                stream.layout = layout
                stream.format = spec.sample_format
            except BaseException:
                self._out.close()
                raise
            self._stream = stream
            self._codec = stream.codec_context
            self._mux = self._mux_av
        self._resampler = av.AudioResampler(spec.sample_format, layout, self.rate)
        self._pts = 0
        self._time_base = Fraction(1, self.rate)
        self.guard: PeakGuard | None = None
        if spec.splice and peak_limit_dbtp is not None:
            self.guard = PeakGuard(
                self._codec,
                self._mux,
                rate=self.rate,
                layout=layout,
                options=spec.codec_options,
                limit_dbtp=peak_limit_dbtp,
            )
        self.meter: PacketMeter | None = None
        metered = measure and self.guard is None and PacketMeter.supports(spec.codec)
        if metered and self._out is not None:  # a container's stream (Opus)
            channels = 1 if layout == "mono" else 2
            self.meter = PacketMeter(self._stream, rate=self.rate, channels=channels)
        # Measured while writing (the guard or the meter decodes every packet); None
        # otherwise.
        self.loudness: Loudness | None = None

    def write(self, chunk: Pcm | None) -> None:
        if chunk is None:
            frames = self._resampler.resample(None)
        else:
            self.samples += chunk.shape[-1]
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(chunk), format="fltp", layout=self.layout
            )
            frame.sample_rate = self.source_rate
            frames = self._resampler.resample(frame)
        for f in frames:
            # Timestamps from zero let the encoder date its priming before the start
            # (AAC's first packet at -1024), which the MP4 muxer turns into the edit list
            # that makes the file's duration the programme's, not 23 ms more.
            f.pts = self._pts
            f.time_base = self._time_base
            self._pts += f.samples
            if self.guard is not None:
                self.guard.push(f)
            else:
                self._emit(self._codec.encode(f))

    def _emit(self, packets: list[Packet]) -> None:
        if self.meter is not None:
            self.meter.push(packets, self._pts)
        for packet in packets:
            self._mux(packet)

    def close(self) -> None:
        self.write(None)
        if self.guard is not None:
            self.loudness = self.guard.close()
        else:
            self._emit(self._codec.encode(None))
            if self.meter is not None:
                self.loudness = self.meter.close(self._pts)
        if self._mp4 is not None:
            self._mp4.close()
        if self._out is not None:
            self._out.close()
        if self.durable:
            _fsync(self.path)

    def _bare_codec(self, spec: RenditionSpec, layout: str) -> av.AudioCodecContext:
        codec = av.CodecContext.create(spec.codec, "w")
        assert isinstance(codec, av.AudioCodecContext)
        codec.sample_rate = self.rate
        codec.layout = layout
        codec.format = spec.sample_format
        codec.bit_rate = spec.bit_rate
        codec.options = dict(spec.codec_options)
        codec.time_base = Fraction(1, self.rate)
        # Opened now: the writer needs the encoder's AudioSpecificConfig (extradata).
        codec.open()
        return codec

    def _mux_mp4(self, packet: Packet) -> None:
        assert self._mp4 is not None and packet.pts is not None
        # Packets are in samples (the codec's time base is 1/rate).
        self._mp4.write(bytes(packet), packet.pts, packet.duration or 0)

    def _mux_av(self, packet: Packet) -> None:
        assert self._out is not None
        packet.stream = self._stream
        self._out.mux(packet)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def measure_file(path: Path) -> tuple[Loudness, int, int, float, str]:
    """Decode a rendition and measure it: (loudness, rate, channels, duration, codec)."""
    with PcmReader(path, max_duration_s=None) as reader:
        meter: LoudnessMeter | None = None
        for chunk in reader.chunks():
            if meter is None:
                meter = LoudnessMeter(reader.out_rate, chunk.shape[0])
            meter.add(chunk)
        if meter is None:
            meter = LoudnessMeter(reader.out_rate or 48000, 1)
        stats = reader.stats
        return (
            meter.result(),
            stats.source_sample_rate,
            stats.source_channels,
            stats.duration_s,
            stats.codec,
        )


class Shaper(Protocol):
    """Streaming per-rendition processing (gain, limiter); output keeps the length."""

    def push(self, x: Pcm) -> Pcm: ...

    def flush(self) -> Pcm: ...


class EncodingCancelled(Exception):
    """Raised in an encoder thread that stops because another one failed."""


class EncoderThread(threading.Thread):
    """Shapes and encodes chunks, then optionally measures the result.

    The chunks come from a bounded queue that a producer fills, or, given ``source``,
    from an iterator of the thread's own (a reader of the spooled PCM): each encoder
    then runs at its own pace instead of in step with the slowest, which left a core
    idle whenever the producer waited on one full queue while the other encoders had
    drained theirs. ``cancel`` stops a source-fed thread early (another one failed).

    The shaping (gain plan and true-peak limiter) runs here rather than once in the
    producer so each codec gets its own level and ceiling, and its numpy work overlaps
    the other encoders.
    """

    def __init__(
        self,
        encoder: Encoder,
        *,
        shaper: Shaper | None = None,
        verify: bool,
        depth: int = 4,
        source: Iterator[Pcm] | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        super().__init__(name=f"encode-{encoder.spec.name}", daemon=True)
        self.encoder = encoder
        self.shaper = shaper
        self.verify = verify
        self.queue: queue.Queue[Pcm | None] = queue.Queue(maxsize=depth)
        self.source = source
        self.cancel = cancel or threading.Event()
        # Source samples taken so far (for progress while the thread reads on its own).
        self.position = 0
        self.error: BaseException | None = None
        self.result: EncodedFile | None = None

    def _chunks(self) -> Iterator[Pcm]:
        if self.source is not None:
            for chunk in self.source:
                if self.cancel.is_set():
                    raise EncodingCancelled
                yield chunk
            return
        while True:
            item = self.queue.get()
            if item is None:
                return
            yield item

    def run(self) -> None:
        ended = self.source is not None
        try:
            for chunk in self._chunks():
                self.position += chunk.shape[-1]
                self._write(self.shaper.push(chunk) if self.shaper else chunk)
            ended = True
            if self.shaper is not None:
                self._write(self.shaper.flush())
            self.encoder.close()
            self.result = self._describe()
        except BaseException as exc:
            self.error = exc
            self.cancel.set()
            # Keep draining so the producer never blocks on a dead consumer.
            while not ended:
                ended = self.queue.get() is None

    def _write(self, chunk: Pcm) -> None:
        if chunk.shape[-1]:
            self.encoder.write(chunk)

    def _describe(self) -> EncodedFile:
        enc = self.encoder
        size = enc.path.stat().st_size
        loudness: Loudness | None = None
        rate, channels = enc.rate, 1 if enc.layout == "mono" else 2
        duration = enc.samples / enc.source_rate if enc.source_rate else 0.0
        codec = CODEC_NAMES.get(enc.spec.codec, enc.spec.codec)
        if self.verify and enc.loudness is not None:
            loudness = enc.loudness
        elif self.verify:
            loudness, rate, channels, duration, codec = measure_file(enc.path)
        return EncodedFile(
            spec=enc.spec,
            path=enc.path,
            codec=CODEC_NAMES.get(enc.spec.codec, codec),
            sample_rate=rate,
            channels=channels,
            duration_s=round(duration, 3),
            size_bytes=size,
            loudness=loudness,
        )


# CFS gives a thread about 1.25 times the CPU of one a nice level below it.
NICE_STEP = 1.25
MAX_NICE = 19


def _thread_cpu(thread: threading.Thread) -> float | None:
    if thread.ident is None:
        return None
    try:
        return time.clock_gettime(time.pthread_getcpuclockid(thread.ident))
    except (AttributeError, OSError):
        return None


class ShareBalancer:
    """Lowers the CPU priority of encoder threads that would finish early, so that the
    encoders reading the spool all finish together.

    Three encoders on two cores share them equally, so the cheapest one finishes first
    and the dearest (LAME) runs alone at the end while a core idles: 2.3 s of a
    10-minute programme's 30 s encode pass on the bench machine. From each thread's CPU
    time per sample so far, its remaining work is known; a thread with less left than
    the one with most gets a nice value that much higher (each level gives CFS's share
    a factor of 1.25), so the shares follow the work left. Nice values only ever go up
    (going back down needs privileges), so the estimate waits for a share of the
    programme to settle. Linux only: elsewhere a thread's nice value is the process's.
    """

    def __init__(self, threads: list[EncoderThread], total_samples: int) -> None:
        self._threads = threads
        self._total = total_samples
        self._nice: dict[int, int] = {}
        self.enabled = sys.platform == "linux" and hasattr(time, "pthread_getcpuclockid")

    def __call__(self) -> None:
        if not self.enabled:
            return
        remaining: dict[EncoderThread, float] = {}
        for t in self._threads:
            if not t.is_alive() or t.native_id is None:
                continue
            cpu = _thread_cpu(t)
            # Too early to know the thread's cost per sample.
            if cpu is None or t.position < max(SETTLE_SAMPLES, SETTLE_SHARE * self._total):
                return
            remaining[t] = cpu / t.position * max(0, self._total - t.position)
        if len(remaining) < 2:
            return
        most = max(remaining.values())
        if most <= 0:
            return
        for t, left in remaining.items():
            assert t.native_id is not None
            want = MAX_NICE if left <= 0 else round(math.log(most / left, NICE_STEP))
            have = self._nice.get(t.native_id, 0)
            if want > have:
                self._nice[t.native_id] = min(MAX_NICE, want)
                self._renice(t.native_id, min(MAX_NICE, want) - have)

    def _renice(self, tid: int, more: int) -> None:
        try:
            now = os.getpriority(os.PRIO_PROCESS, tid)
            os.setpriority(os.PRIO_PROCESS, tid, min(MAX_NICE, now + more))
        except OSError:  # the thread just ended, or the platform says no
            self.enabled = False


# What the balancer waits for before judging a thread's cost: samples it has encoded
# (at least this many, and this share of the programme).
SETTLE_SAMPLES = 20 * 65536
SETTLE_SHARE = 0.03
