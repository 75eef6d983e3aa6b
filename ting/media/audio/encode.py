"""The rendition ladder and the encoders that write it.

Each encoder runs in its own thread: PyAV releases the GIL inside libavcodec, so the three
encoders really do share the cores while one decode feeds them all.
"""

from __future__ import annotations

import os
import queue
import threading
from dataclasses import dataclass, field
from pathlib import Path

import av
import numpy as np
from av.audio.stream import AudioStream

from ting.media.audio.decode import Pcm, PcmReader
from ting.media.audio.loudness import Loudness, LoudnessMeter, TruePeakLimiter


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
    # How far below the true-peak limit the limiter aims for this codec: lossy coding
    # overshoots the peaks it is given; a rendition still over the limit is redone lower.
    peak_margin_db: float = 1.0
    codec_options: dict[str, str] = field(default_factory=dict)
    container_options: dict[str, str] = field(default_factory=dict)

    def rate_for(self, source_rate: int) -> int:
        if self.sample_rate is not None:
            return self.sample_rate
        return 48000 if source_rate == 48000 else 44100


# Opus only runs at 48 kHz; its 32 kb/s stays stereo for stereo input (see ADR 0003).
OPUS_32K = RenditionSpec(
    "opus", "libopus", "ogg", "opus", 32_000, 48_000, "flt", 1.0, {"application": "audio"}
)
AAC_64K = RenditionSpec(
    "aac", "aac", "mp4", "m4a", 64_000, None, "fltp", container_options={"movflags": "+faststart"}
)
# LAME quality 5 instead of its default 3: PyAV's bundled LAME is several times slower than
# a distribution build and the MP3 encoder is the critical path; at 128 kb/s the
# difference is not audible on speech.
MP3_128K = RenditionSpec(
    "mp3", "libmp3lame", "mp3", "mp3", 128_000, 44_100, "fltp", 1.0, {"compression_level": "5"}
)
DEFAULT_LADDER: tuple[RenditionSpec, ...] = (OPUS_32K, AAC_64K, MP3_128K)


@dataclass(frozen=True, slots=True)
class EncodedFile:
    spec: RenditionSpec
    path: Path
    codec: str
    sample_rate: int
    channels: int
    duration_s: float
    size_bytes: int
    loudness: Loudness | None


class Encoder:
    """Writes one rendition from float planar chunks at the source rate."""

    def __init__(self, spec: RenditionSpec, path: Path, source_rate: int, layout: str) -> None:
        self.spec = spec
        self.path = path
        self.layout = layout
        self.source_rate = source_rate
        self.rate = spec.rate_for(source_rate)
        self._out = av.open(
            str(path), mode="w", format=spec.container_format, options=spec.container_options
        )
        try:
            stream = self._out.add_stream(spec.codec, rate=self.rate, options=spec.codec_options)
            assert isinstance(stream, AudioStream)
            stream.bit_rate = spec.bit_rate
            stream.layout = layout
            stream.format = spec.sample_format
        except BaseException:
            self._out.close()
            raise
        self._stream = stream
        self._resampler = av.AudioResampler(spec.sample_format, layout, self.rate)

    def write(self, chunk: Pcm | None) -> None:
        if chunk is None:
            frames = self._resampler.resample(None)
        else:
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(chunk), format="fltp", layout=self.layout
            )
            frame.sample_rate = self.source_rate
            frames = self._resampler.resample(frame)
        for f in frames:
            f.pts = None
            self._out.mux(self._stream.encode(f))

    def close(self) -> None:
        self.write(None)
        self._out.mux(self._stream.encode(None))
        self._out.close()
        _fsync(self.path)


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


class EncoderThread(threading.Thread):
    """Limits and encodes chunks from a bounded queue, then optionally measures the result.

    The limiter runs here rather than once in the producer so each codec gets its own
    ceiling, and its numpy work overlaps the other encoders.
    """

    def __init__(
        self,
        encoder: Encoder,
        *,
        limiter: TruePeakLimiter | None,
        verify: bool,
        depth: int = 4,
    ) -> None:
        super().__init__(name=f"encode-{encoder.spec.name}", daemon=True)
        self.encoder = encoder
        self.limiter = limiter
        self.verify = verify
        self.queue: queue.Queue[Pcm | None] = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self.result: EncodedFile | None = None

    def run(self) -> None:
        ended = False
        try:
            while True:
                chunk = self.queue.get()
                if chunk is None:
                    ended = True
                    break
                self._write(self.limiter.push(chunk) if self.limiter else chunk)
            if self.limiter is not None:
                self._write(self.limiter.flush())
            self.encoder.close()
            self.result = self._describe()
        except BaseException as exc:
            self.error = exc
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
        rate, channels, duration, codec = enc.rate, 1 if enc.layout == "mono" else 2, 0.0, ""
        if self.verify:
            loudness, rate, channels, duration, codec = measure_file(enc.path)
        return EncodedFile(
            spec=enc.spec,
            path=enc.path,
            codec=codec or enc.spec.codec,
            sample_rate=rate,
            channels=channels,
            duration_s=round(duration, 3),
            size_bytes=size,
            loudness=loudness,
        )
