"""Streaming decode to float PCM, shared by probing, measuring, encoding and verifying.

Every decode in Ting goes through :class:`PcmReader`, so every FFmpeg failure mode is
mapped to :class:`AudioRejected` in one place and memory stays bounded: the reader yields
chunks of about a second and keeps nothing else.
"""

from __future__ import annotations

import contextlib
import os
import queue
import tempfile
import threading
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import av
import av.container
import numpy as np
import numpy.typing as npt

from ting.media.audio.errors import AudioRejected
from ting.media.audio.segments import read_at

Pcm = npt.NDArray[np.float32]

# PyAV raises its own FFmpegError tree, but some failures surface as plain Python
# errors (a frame whose layout the resampler cannot map raises ValueError, a file
# vanishing mid-read raises OSError). Bad input must never escape as anything but
# AudioRejected, so these are the classes a decode loop treats as "the file is bad".
DECODE_ERRORS: tuple[type[BaseException], ...] = (
    av.FFmpegError,
    ValueError,
    OSError,
    EOFError,
    MemoryError,
    OverflowError,
    UnicodeDecodeError,
)

CHUNK_SAMPLES = 65536
DEFAULT_MAX_DURATION_S = 12 * 3600.0
# Decoders may skip a damaged packet or two in a long file without the listener noticing;
# a file where a large share fails is garbage that happens to contain a valid header.
MAX_ERROR_SHARE = 0.2


@dataclass(slots=True)
class DecodeStats:
    container: str
    codec: str
    source_sample_rate: int
    source_channels: int
    source_layout: str
    declared_duration_s: float | None
    declared_bit_rate: int | None
    packets: int = 0
    errors: int = 0
    duration_s: float = 0.0
    ended_with_error: bool = False


def output_layout(channels: int) -> str:
    """Renditions are mono for mono input and stereo for anything wider."""
    return "mono" if channels == 1 else "stereo"


def open_input(path: str | os.PathLike[str]) -> av.container.InputContainer:
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise AudioRejected("unreadable") from exc
    if size == 0:
        raise AudioRejected("empty_file")
    try:
        return av.open(str(p), mode="r", metadata_errors="replace")
    except DECODE_ERRORS as exc:
        raise AudioRejected("not_audio", {"detail": _short(exc)}) from exc


def _short(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return str(text)[:120]


def _declared_duration(container: av.container.InputContainer, stream: Any) -> float | None:
    if stream.duration and stream.time_base:
        value = float(stream.duration * stream.time_base)
    elif container.duration:
        value = container.duration / av.time_base
    else:
        return None
    return value if value > 0 else None


class PcmReader:
    """Decode the first audio stream into float32 planar chunks of about ``chunk`` samples.

    ``layout`` None means mono stays mono and anything wider is downmixed to stereo, which
    is what every rendition carries; measuring that same downmix makes the gain exact.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        layout: str | None = None,
        rate: int | None = None,
        chunk: int = CHUNK_SAMPLES,
        max_duration_s: float | None = DEFAULT_MAX_DURATION_S,
        on_progress: Callable[[float], None] | None = None,
    ) -> None:
        self.path = Path(path)
        self.container = open_input(path)
        try:
            self._setup(layout, rate, chunk, max_duration_s, on_progress)
        except BaseException:
            self.container.close()
            raise

    def _setup(
        self,
        layout: str | None,
        rate: int | None,
        chunk: int,
        max_duration_s: float | None,
        on_progress: Callable[[float], None] | None,
    ) -> None:
        container = self.container
        audio = list(container.streams.audio)
        if not audio:
            raise AudioRejected("no_audio_stream")
        stream = audio[0]
        ctx = stream.codec_context
        codec_name = stream.codec_context.name if ctx is not None else "unknown"
        if ctx is None or not ctx.codec.is_decoder:
            raise AudioRejected("unsupported_codec", {"codec": codec_name})
        channels = int(ctx.channels or 0)
        self.stream = stream
        self.stats = DecodeStats(
            container=container.format.name,
            codec=codec_name,
            source_sample_rate=int(ctx.sample_rate or 0),
            source_channels=channels,
            source_layout=ctx.layout.name if channels else "",
            declared_duration_s=_declared_duration(container, stream),
            declared_bit_rate=int(stream.bit_rate or container.bit_rate or 0) or None,
        )
        self._layout = layout
        self._rate = rate
        self._chunk = chunk
        self._max_duration_s = max_duration_s
        self._on_progress = on_progress
        self.out_rate = 0
        self.out_layout = ""

    @property
    def out_channels(self) -> int:
        return 1 if self.out_layout == "mono" else 2

    def close(self) -> None:
        self.container.close()

    def __enter__(self) -> PcmReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _frames(self) -> Iterator[av.AudioFrame]:
        stats = self.stats
        demux = self.container.demux(self.stream)
        while True:
            try:
                packet = next(demux)
            except StopIteration:
                break
            except DECODE_ERRORS:
                # Demuxers report a cut-off file as an error on the next read.
                stats.ended_with_error = True
                break
            if packet.size:
                stats.packets += 1
            try:
                frames = self.stream.decode(packet)
            except av.error.DecoderNotFoundError as exc:
                raise AudioRejected("unsupported_codec", {"codec": stats.codec}) from exc
            except DECODE_ERRORS:
                stats.errors += 1
                continue
            yield from frames
        if stats.packets and stats.errors > max(2, MAX_ERROR_SHARE * stats.packets):
            raise AudioRejected(
                "too_many_errors",
                {"errors": stats.errors, "packets": max(stats.packets, stats.errors)},
            )

    def chunks(self) -> Generator[Pcm, None, None]:
        """Yield (channels, n) float32 arrays; raise AudioRejected on bad input."""
        stats = self.stats
        resampler: av.AudioResampler | None = None
        signature: tuple[str, str, int] | None = None
        pending: list[Pcm] = []
        pending_n = 0
        seconds = 0.0
        next_report = 0.0
        limit = self._max_duration_s

        for frame in self._frames():
            if frame.samples == 0 or not frame.sample_rate:
                continue
            if not self.out_rate:
                self.out_rate = self._rate or frame.sample_rate
                if not stats.source_sample_rate:
                    stats.source_sample_rate = frame.sample_rate
                n_ch = len(frame.layout.channels)
                self.out_layout = self._layout or output_layout(n_ch)
            sig = (frame.format.name, frame.layout.name, frame.sample_rate)
            direct = sig == ("fltp", self.out_layout, self.out_rate)
            out: list[av.AudioFrame]
            if direct:
                out = [frame]
            else:
                if sig != signature:
                    # A stream may change rate or layout midway (concatenated MP3s do);
                    # PyAV's resampler refuses a changed input, so start a new one.
                    flushed = resampler.resample(None) if resampler is not None else []
                    resampler = av.AudioResampler("fltp", self.out_layout, self.out_rate)
                    signature = sig
                    out = flushed
                else:
                    out = []
                try:
                    assert resampler is not None
                    out += resampler.resample(frame)
                except DECODE_ERRORS:
                    stats.errors += 1
                    continue
            seconds += frame.samples / frame.sample_rate
            stats.duration_s = seconds
            if limit is not None and seconds > limit:
                raise AudioRejected("too_long", {"limit": _hours(limit)})
            for f in out:
                arr = frame_pcm(f)
                pending.append(arr)
                pending_n += arr.shape[-1]
            if pending_n >= self._chunk:
                yield _join(pending)
                pending, pending_n = [], 0
                if self._on_progress is not None and seconds >= next_report:
                    self._on_progress(seconds)
                    next_report = seconds + 5.0
        if resampler is not None:
            try:
                for f in resampler.resample(None):
                    pending.append(frame_pcm(f))
            except DECODE_ERRORS:
                stats.errors += 1
        if pending:
            yield _join(pending)


_END = object()


def prefetch(chunks: Iterator[Pcm], depth: int = 4) -> Generator[Pcm, None, None]:
    """``chunks``, produced in a thread of their own ``depth`` chunks ahead.

    FFmpeg decodes and resamples without the GIL, so the analysis pass decodes the next
    chunks while the caller measures this one: on two cores the pass takes about as long
    as the slower of the two instead of their sum. An error in the producer is raised
    here; a consumer that stops early stops the producer.
    """
    items: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for chunk in chunks:
                while not stop.is_set():
                    try:
                        items.put(chunk, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            items.put(_END)
        except BaseException as exc:  # handed to the consumer, which raises it
            items.put(exc)

    thread = threading.Thread(target=produce, name="decode", daemon=True)
    thread.start()
    try:
        while True:
            item = items.get()
            if item is _END:
                break
            if isinstance(item, BaseException):
                raise item
            yield cast(Pcm, item)
    finally:
        stop.set()
        # Unblock a producer waiting on a full queue, then wait for it to leave: the
        # reader it iterates must not be closed under it.
        while thread.is_alive():
            with contextlib.suppress(queue.Empty):
                items.get(timeout=0.1)
        thread.join()


def frame_pcm(frame: av.AudioFrame) -> Pcm:
    """A float frame as a (channels, samples) float32 array, in one copy.

    PyAV's ``to_ndarray`` wraps each plane in an array and stacks them: three times the
    cost of copying the planes, paid per frame (every 20-26 ms of audio, ~150,000 frames
    an hour for each decoder and encoder the pipeline runs).
    """
    n = frame.samples
    name = frame.format.name
    if name == "fltp":
        planes = frame.planes
        out = np.empty((len(planes), n), dtype=np.float32)
        for channel, plane in enumerate(planes):
            out[channel] = np.frombuffer(memoryview(plane), dtype=np.float32, count=n)
        return out
    if name == "flt":
        channels = len(frame.layout.channels)
        packed = np.frombuffer(memoryview(frame.planes[0]), dtype=np.float32, count=n * channels)
        return np.ascontiguousarray(packed.reshape(n, channels).T)
    raise ValueError(f"expected float samples, got {name}")


def _join(parts: list[Pcm]) -> Pcm:
    return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=1)


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:g}"


# What the spool leaves free on its disk at least, beyond a tenth of its own size: an
# hour's segment series take ~6 MB and its renditions ~100 MB (a tenth of the spool).
SPOOL_RESERVE_BYTES = 64 << 20


class PcmSpool:
    """Decoded PCM kept in an unnamed temporary file, so a second pass reads it back
    instead of decoding the source again (decoding costs about as much as one encoder).

    The file has no name (``TemporaryFile``), so a killed worker leaves nothing behind,
    and reading it back goes through the page cache rather than this process's memory.
    Past ``limit_bytes``, or when the disk refuses a write, the spool gives up
    (``complete`` turns False) and the caller decodes again.
    """

    def __init__(self, directory: str | os.PathLike[str], limit_bytes: int) -> None:
        self._limit = limit_bytes
        # Closed by close(): the spool outlives the block that creates it. Unbuffered: chunks
        # are large already, and a buffered write that hit a full disk would keep its bytes
        # pending, so truncate() (which flushes first) could never give the space back.
        self._file: Any = tempfile.TemporaryFile(  # noqa: SIM115
            dir=directory, prefix=".spool.", buffering=0
        )
        self._sizes: list[int] = []
        self._channels = 0
        self._bytes = 0
        self.complete = True

    def write(self, chunk: Pcm) -> None:
        if not self.complete or chunk.shape[-1] == 0:
            return
        data = np.ascontiguousarray(chunk, dtype=np.float32)
        self._bytes += data.nbytes
        if self._bytes > self._limit or not self._room_for(data.nbytes):
            self.abandon()
            return
        try:
            written = self._file.write(data.data.cast("B"))
        except OSError:
            self.abandon()
            return
        if written != data.nbytes:  # a short write: the disk filled up mid-chunk
            self.abandon()
            return
        self._channels = data.shape[0]
        self._sizes.append(data.shape[-1])

    def _room_for(self, size: int) -> bool:
        """Whether ``size`` more bytes leave the job's other files their room.

        The spool is only a shortcut, and it shares the disk with the files the job needs:
        the segment series the analysis writes beside it, then the renditions (about a
        tenth of the spool's size). Filling the disk, it made those fail as "disk full"
        where decoding twice would have fitted (a 1 MB scratch disk in the fault tests,
        when the true-peak thread's write came between the spool's last write and its
        giving up).
        """
        try:
            stats = os.fstatvfs(self._file.fileno())
        except OSError:
            return True
        free = stats.f_bavail * stats.f_frsize
        return free - size >= SPOOL_RESERVE_BYTES + self._bytes // 10

    @property
    def samples(self) -> int:
        """Samples per channel held (0 once abandoned)."""
        return sum(self._sizes)

    def abandon(self) -> None:
        self.complete = False
        self._sizes = []
        with contextlib.suppress(OSError):
            self._file.truncate(0)

    def chunks(self) -> Iterator[Pcm]:
        """The chunks as written, read back from the file.

        Each call reads at an offset of its own (``segments.read_at``, never the file's shared
        position), so each encoder thread can read the whole spool at its own pace.
        """
        assert self.complete
        fd = self._file.fileno()
        sizes = list(self._sizes)
        channels = self._channels
        offset = 0
        for n in sizes:
            out = np.empty((channels, n), dtype=np.float32)
            read_at(fd, out.data.cast("B"), offset, "the PCM spool file")
            offset += out.nbytes
            yield out

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> PcmSpool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
