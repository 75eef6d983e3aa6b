"""A progressive MP4 (M4A) of one AAC track, written with its sample table on disk.

FFmpeg's MP4 muxer keeps an index entry per sample in memory until the file is closed
(the ``moov`` box, which holds the sample table, is written last): ~69 bytes per AAC
frame, 21 MB for a 2-hour rendition, 107 MB for 10 hours, which made the worker's memory
grow with the programme's length. This writer spools the packets' bytes and their sizes
to unnamed temporary files beside the output and, on ``close``, writes ``ftyp``, then
the ``moov`` (so a browser can start and seek before it has the whole file, what
``movflags=+faststart`` did), then the ``mdat``. Memory stays constant: a few counters
and one offset per chunk of 64 samples (~8 bytes per 1.5 s).

The boxes are those FFmpeg wrote for the rendition (ISO/IEC 14496-12 and -14): an edit
list that trims the encoder's priming (so the duration is the programme's, to the
sample), the ``esds`` carrying the encoder's AudioSpecificConfig, and the ``roll``
sample group that tells a seeking decoder to start one frame early (AAC-LC's MDCT
overlap). The movie's timescale is the sample rate rather than FFmpeg's 1000, so the
edit list's duration is exact instead of rounded to the millisecond.
"""

from __future__ import annotations

import shutil
import struct
import sys
import tempfile
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

# Samples per chunk: a chunk is a run of samples at consecutive file offsets, listed once
# in the chunk offset table. ~1.5 s of audio, ~12 KB at 64 kb/s.
CHUNK_SAMPLES = 64
# Unity matrix (ISO/IEC 14496-12, 8.2.2).
_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
# "und": ISO-639-2/T packed in three 5-bit letters.
_UNDETERMINED = 0x55C4
_U32 = 0xFFFFFFFF
# Past these, offsets need ``co64`` and durations the version-1 (64-bit) boxes: a file
# over 4 GiB, a programme over 27 hours at 44.1 kHz.
WIDE_OFFSETS = _U32
WIDE_TIMES = _U32
_COPY_BLOCK = 1 << 16


@dataclass(frozen=True, slots=True)
class _Streamed:
    """Box bytes copied from a file at write time instead of being held in memory."""

    source: BinaryIO
    length: int


_Part = bytes | _Streamed


def _length(parts: Iterable[_Part]) -> int:
    return sum(p.length if isinstance(p, _Streamed) else len(p) for p in parts)


def _box(kind: bytes, *parts: _Part | list[_Part]) -> list[_Part]:
    flat: list[_Part] = []
    for part in parts:
        if isinstance(part, list):
            flat.extend(part)
        else:
            flat.append(part)
    size = 8 + _length(flat)
    if size > _U32:
        raise ValueError(f"{kind!r} box too large: {size} bytes")
    return [struct.pack(">I4s", size, kind), *flat]


def _full_box(kind: bytes, version: int, flags: int, *parts: _Part | list[_Part]) -> list[_Part]:
    return _box(kind, struct.pack(">I", version << 24 | flags), *parts)


def _descriptor(tag: int, body: bytes) -> bytes:
    # MPEG-4 descriptor lengths in four bytes (7 bits each), as FFmpeg writes them.
    n = len(body)
    size = bytes([0x80 | (n >> 21) & 0x7F, 0x80 | (n >> 14) & 0x7F, 0x80 | (n >> 7) & 0x7F])
    return bytes([tag]) + size + bytes([n & 0x7F]) + body


class AacMp4Writer:
    """Writes raw AAC packets (one AAC frame each) into ``path`` as a progressive M4A.

    ``write`` takes the encoder's packets in order with their timestamps and durations
    in samples; the first packet's negative timestamp is the encoder's priming, trimmed
    by the edit list.
    """

    def __init__(
        self,
        path: Path,
        *,
        sample_rate: int,
        channels: int,
        audio_specific_config: bytes,
        bit_rate: int,
    ) -> None:
        self.path = path
        self.sample_rate = sample_rate
        self.channels = channels
        self.config = audio_specific_config
        self.bit_rate = bit_rate
        # Unnamed (already unlinked) beside the output: nothing to clean up if killed.
        # Held open across write calls and closed by close, hence no with-block.
        self._data = tempfile.TemporaryFile(dir=path.parent)  # noqa: SIM115
        self._sizes = tempfile.TemporaryFile(dir=path.parent)  # noqa: SIM115
        self._chunks = array("Q")  # each chunk's offset within the media data
        self._stts: list[list[int]] = []  # [count, duration] runs
        self.samples = 0
        self._bytes = 0
        self._first_pts: int | None = None
        self._end_pts = 0
        self._max_size = 0

    def write(self, data: bytes, pts: int, duration: int) -> None:
        if self._first_pts is None:
            self._first_pts = pts
        if self.samples % CHUNK_SAMPLES == 0:
            self._chunks.append(self._bytes)
        self._data.write(data)
        self._sizes.write(struct.pack(">I", len(data)))
        if self._stts and self._stts[-1][1] == duration:
            self._stts[-1][0] += 1
        else:
            self._stts.append([1, duration])
        self.samples += 1
        self._bytes += len(data)
        self._max_size = max(self._max_size, len(data))
        self._end_pts = pts + duration

    def close(self) -> None:
        try:
            self._data.flush()
            self._sizes.flush()
            self._sizes.seek(0)
            ftyp = _box(b"ftyp", b"isom", struct.pack(">I", 0x200), b"isom", b"iso2", b"mp41")
            head = _length(ftyp)
            # The chunk offsets point past the moov, whose size depends on their width.
            moov = self._moov(0, wide=False)
            wide = head + _length(moov) + 16 + self._bytes > WIDE_OFFSETS
            start = head + _length(self._moov(0, wide=wide)) + (16 if wide else 8)
            moov = self._moov(start, wide=wide)
            with self.path.open("wb") as out:
                _emit(out, ftyp)
                _emit(out, moov)
                if wide:
                    out.write(struct.pack(">I4sQ", 1, b"mdat", 16 + self._bytes))
                else:
                    out.write(struct.pack(">I4s", 8 + self._bytes, b"mdat"))
                self._data.seek(0)
                shutil.copyfileobj(self._data, out, _COPY_BLOCK)
        finally:
            self._data.close()
            self._sizes.close()

    # -- boxes -----------------------------------------------------------------

    def _moov(self, data_start: int, *, wide: bool) -> list[_Part]:
        rate = self.sample_rate
        first = self._first_pts or 0
        priming = max(0, -first)
        media = sum(count * duration for count, duration in self._stts)
        # The presentation: from the first sample after the priming to the last one's end.
        shown = max(0, self._end_pts - max(0, first))
        long = shown > WIDE_TIMES or media > WIDE_TIMES
        # Times (creation, modification) are zero, as FFmpeg writes them by default.
        if long:
            mvhd_head = struct.pack(">QQIQ", 0, 0, rate, shown)
            tkhd_head = struct.pack(">QQIIQ", 0, 0, 1, 0, shown)
            mdhd_head = struct.pack(">QQIQ", 0, 0, rate, media)
            elst_body = struct.pack(">IQqHH", 1, shown, priming, 1, 0)
        else:
            mvhd_head = struct.pack(">IIII", 0, 0, rate, shown)
            tkhd_head = struct.pack(">IIIII", 0, 0, 1, 0, shown)
            mdhd_head = struct.pack(">IIII", 0, 0, rate, media)
            elst_body = struct.pack(">IIiHH", 1, shown, priming, 1, 0)
        version = 1 if long else 0
        # rate 1.0, volume 1.0, reserved; matrix; pre-defined; next track id
        mvhd = _full_box(
            b"mvhd",
            version,
            0,
            mvhd_head,
            struct.pack(">IH10x", 0x10000, 0x0100),
            _MATRIX,
            bytes(24),
            struct.pack(">I", 2),
        )
        # flags 3: enabled, in the movie; layer 0, alternate group 1, volume 1.0; no size
        tkhd = _full_box(
            b"tkhd",
            version,
            3,
            tkhd_head,
            struct.pack(">8xhhH2x", 0, 1, 0x0100),
            _MATRIX,
            struct.pack(">II", 0, 0),
        )
        elst = _full_box(b"elst", version, 0, elst_body)
        mdhd = _full_box(b"mdhd", version, 0, mdhd_head, struct.pack(">HH", _UNDETERMINED, 0))
        hdlr = _full_box(b"hdlr", 0, 0, struct.pack(">I4s12x", 0, b"soun"), b"SoundHandler\0")
        smhd = _full_box(b"smhd", 0, 0, struct.pack(">hH", 0, 0))
        dref = _full_box(b"dref", 0, 0, struct.pack(">I", 1), _full_box(b"url ", 0, 1))
        runs = [v for run in self._stts for v in run]
        stbl = _box(
            b"stbl",
            self._stsd(),
            _full_box(b"stts", 0, 0, struct.pack(f">I{len(runs)}I", len(self._stts), *runs)),
            self._stsc(),
            _full_box(
                b"stsz",
                0,
                0,
                struct.pack(">II", 0, self.samples),
                _Streamed(self._sizes, 4 * self.samples),
            ),
            self._chunk_offsets(data_start, wide=wide),
            # Every sample needs the one before it decoded first (the MDCT overlap): a
            # seek that starts decoding at it would get its first half wrong.
            _full_box(b"sgpd", 1, 0, b"roll", struct.pack(">IIh", 2, 1, -1)),
            _full_box(b"sbgp", 0, 0, b"roll", struct.pack(">III", 1, self.samples, 1)),
        )
        minf = _box(b"minf", smhd, _box(b"dinf", dref), stbl)
        mdia = _box(b"mdia", mdhd, hdlr, minf)
        trak = _box(b"trak", tkhd, _box(b"edts", elst), mdia)
        return _box(b"moov", mvhd, trak)

    def _stsd(self) -> list[_Part]:
        seconds = (self._end_pts - (self._first_pts or 0)) / self.sample_rate
        average = round(self._bytes * 8 / seconds) if seconds > 0 else 0
        peak = max(average, self.bit_rate)
        # MPEG-4 audio (0x40), audio stream (5 << 2 | 1 reserved), decoding buffer size
        config = (
            bytes([0x40, 0x15])
            + self._max_size.to_bytes(3, "big")
            + struct.pack(">II", peak, average)
            + _descriptor(0x05, self.config)
        )
        es = _descriptor(
            0x03, struct.pack(">HB", 1, 0) + _descriptor(0x04, config) + _descriptor(0x06, b"\x02")
        )
        esds = _full_box(b"esds", 0, 0, es)
        btrt = _box(b"btrt", struct.pack(">III", self._max_size, peak, average))
        mp4a = _box(
            b"mp4a",
            struct.pack(">6xH8xHHHHI", 1, self.channels, 16, 0, 0, self.sample_rate << 16),
            esds,
            btrt,
        )
        return _full_box(b"stsd", 0, 0, struct.pack(">I", 1), mp4a)

    def _stsc(self) -> list[_Part]:
        full, rest = divmod(self.samples, CHUNK_SAMPLES)
        runs = [(1, CHUNK_SAMPLES)] if full else []
        if rest:
            runs.append((full + 1, rest))
        body = b"".join(struct.pack(">III", first, count, 1) for first, count in runs)
        return _full_box(b"stsc", 0, 0, struct.pack(">I", len(runs)), body)

    def _chunk_offsets(self, data_start: int, *, wide: bool) -> list[_Part]:
        count = struct.pack(">I", len(self._chunks))
        if wide:
            offsets = array("Q", (data_start + at for at in self._chunks))
            kind = b"co64"
        else:
            offsets = array("I", (data_start + at for at in self._chunks))
            kind = b"stco"
        if sys.byteorder == "little":
            offsets.byteswap()
        return _full_box(kind, 0, 0, count, offsets.tobytes())


def _emit(out: BinaryIO, parts: list[_Part]) -> None:
    for part in parts:
        if isinstance(part, _Streamed):
            part.source.seek(0)
            shutil.copyfileobj(part.source, out, _COPY_BLOCK)
        else:
            out.write(part)
