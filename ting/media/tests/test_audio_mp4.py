"""The M4A writer (mp4.AacMp4Writer): the file FFmpeg's own MP4 muxer would write, as far
as any decoder can tell, with its sample table kept on disk instead of in memory."""

from __future__ import annotations

import struct
import tracemalloc
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
import pytest

from ting.media.audio import mp4
from ting.media.audio.encode import AAC_64K, Encoder
from ting.media.audio.mp4 import AacMp4Writer
from ting.media.audio.testing import speech_like

F32 = npt.NDArray[np.float32]
RATE = 44100


def aac_packets(seconds: float, channels: int = 2) -> tuple[list[tuple[bytes, int, int]], bytes]:
    """A real AAC encode: (data, pts, duration) per packet, and the AudioSpecificConfig."""
    x = np.concatenate(list(speech_like(seconds, RATE, channels=channels)), axis=1)
    codec = av.CodecContext.create("aac", "w")
    assert isinstance(codec, av.AudioCodecContext)
    codec.sample_rate = RATE
    codec.layout = "mono" if channels == 1 else "stereo"
    codec.format = "fltp"
    codec.bit_rate = 64000
    codec.time_base = Fraction(1, RATE)
    frame = av.AudioFrame.from_ndarray(
        np.ascontiguousarray(x, dtype=np.float32), format="fltp", layout=codec.layout.name
    )
    frame.sample_rate = RATE
    frame.pts = 0
    packets = codec.encode(frame) + codec.encode(None)
    out = [(bytes(p), p.pts or 0, p.duration or 0) for p in packets]
    return out, codec.extradata or b""


def write_ours(
    path: Path, packets: list[tuple[bytes, int, int]], config: bytes, channels: int
) -> None:
    writer = AacMp4Writer(
        path, sample_rate=RATE, channels=channels, audio_specific_config=config, bit_rate=64000
    )
    for data, pts, duration in packets:
        writer.write(data, pts, duration)
    writer.close()


def write_ffmpegs(
    path: Path, packets: list[tuple[bytes, int, int]], config: bytes, channels: int
) -> None:
    """The same packets through FFmpeg's MP4 muxer, as the rendition was written before."""
    with av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        stream = out.add_stream("aac", rate=RATE)
        stream.layout = "mono" if channels == 1 else "stereo"
        stream.codec_context.extradata = config
        stream.time_base = Fraction(1, RATE)
        out.start_encoding()
        for data, pts, duration in packets:
            packet = av.Packet(data)
            packet.pts = packet.dts = pts
            packet.duration = duration
            packet.time_base = Fraction(1, RATE)
            packet.stream = stream
            out.mux(packet)


def decode(path: Path, seek_s: float | None = None) -> tuple[F32, float, float | None]:
    """(samples, the stream's duration in seconds, the first frame's time after a seek)."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        assert stream.duration is not None and stream.time_base is not None
        duration = float(stream.duration * stream.time_base)
        first: float | None = None
        if seek_s is not None:
            container.seek(round(seek_s * RATE), stream=stream)
        frames = []
        for f in container.decode(stream):
            if first is None and f.time is not None:
                first = f.time
            frames.append(f.to_ndarray())
    return np.concatenate(frames, axis=1).astype(np.float32), duration, first


def boxes(data: bytes, start: int = 0, end: int | None = None) -> list[tuple[bytes, int, int]]:
    """(type, offset, size) of the boxes between start and end, one level deep."""
    end = len(data) if end is None else end
    found = []
    while start < end:
        size, kind = struct.unpack(">I4s", data[start : start + 8])
        if size == 1:
            size = struct.unpack(">Q", data[start + 8 : start + 16])[0]
        found.append((kind, start, size))
        start += size
    return found


def find(data: bytes, *path: bytes) -> tuple[int, int]:
    """Offset and size of the box at ``path`` (containers only on the way)."""
    start, end = 0, len(data)
    offset = size = 0
    for kind in path:
        offset, size = next((o, s) for k, o, s in boxes(data, start, end) if k == kind)
        start, end = offset + 8, offset + size
    return offset, size


@pytest.mark.parametrize("channels", [1, 2])
def test_it_decodes_to_what_ffmpegs_muxer_gives_sample_for_sample(
    tmp_path: Path, channels: int
) -> None:
    # 20 s: 863 packets, so the last chunk of samples is a partial one.
    packets, config = aac_packets(20.0, channels)
    write_ours(tmp_path / "ours.m4a", packets, config, channels)
    write_ffmpegs(tmp_path / "ffmpeg.m4a", packets, config, channels)
    ours, ours_duration, _ = decode(tmp_path / "ours.m4a")
    theirs, theirs_duration, _ = decode(tmp_path / "ffmpeg.m4a")
    assert ours_duration == theirs_duration == 20.0
    np.testing.assert_array_equal(ours, theirs)


def test_a_seek_lands_where_it_does_in_ffmpegs_file(tmp_path: Path) -> None:
    packets, config = aac_packets(30.0)
    write_ours(tmp_path / "ours.m4a", packets, config, 2)
    write_ffmpegs(tmp_path / "ffmpeg.m4a", packets, config, 2)
    ours, _, ours_first = decode(tmp_path / "ours.m4a", seek_s=17.3)
    theirs, _, theirs_first = decode(tmp_path / "ffmpeg.m4a", seek_s=17.3)
    assert ours_first is not None and 16.0 < ours_first <= 17.3
    assert ours_first == theirs_first
    np.testing.assert_array_equal(ours, theirs)


def test_the_index_comes_first_and_trims_the_priming_exactly(tmp_path: Path) -> None:
    packets, config = aac_packets(3.0)
    write_ours(tmp_path / "a.m4a", packets, config, 2)
    data = (tmp_path / "a.m4a").read_bytes()
    assert [kind for kind, _, _ in boxes(data)] == [b"ftyp", b"moov", b"mdat"]
    offset, _ = find(data, b"moov", b"trak", b"edts", b"elst")
    count, shown, media_time = struct.unpack(">IIi", data[offset + 12 : offset + 24])
    assert (count, shown, media_time) == (1, round(3.0 * RATE), 1024)


def test_far_offsets_and_long_durations_use_the_64_bit_boxes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file past 4 GiB (or 27 hours at 44.1 kHz) cannot be made in a test: lower the
    # thresholds instead, and check FFmpeg reads the wide boxes as it reads the narrow.
    packets, config = aac_packets(5.0)
    write_ours(tmp_path / "narrow.m4a", packets, config, 2)
    monkeypatch.setattr(mp4, "WIDE_OFFSETS", 1000)
    monkeypatch.setattr(mp4, "WIDE_TIMES", 1000)
    write_ours(tmp_path / "wide.m4a", packets, config, 2)
    data = (tmp_path / "wide.m4a").read_bytes()
    find(data, b"moov", b"trak", b"mdia", b"minf", b"stbl", b"co64")
    offset, _ = find(data, b"moov", b"mvhd")
    assert data[offset + 8] == 1  # version 1: 64-bit times
    assert data[find(data, b"mdat")[0] : find(data, b"mdat")[0] + 4] == b"\0\0\0\1"
    narrow, narrow_duration, _ = decode(tmp_path / "narrow.m4a")
    wide, wide_duration, _ = decode(tmp_path / "wide.m4a")
    assert wide_duration == narrow_duration == 5.0
    np.testing.assert_array_equal(wide, narrow)


def test_its_memory_does_not_grow_with_the_number_of_packets(tmp_path: Path) -> None:
    packet = bytes(200)
    writer = AacMp4Writer(
        tmp_path / "long.m4a",
        sample_rate=RATE,
        channels=2,
        audio_specific_config=b"\x12\x10",
        bit_rate=64000,
    )
    tracemalloc.start()
    try:
        for i in range(1000):
            writer.write(packet, i * 1024 - 1024, 1024)
        _, before = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        # 100,000 more frames: 39 minutes at 44.1 kHz (FFmpeg's muxer held ~7 MB for them).
        for i in range(1000, 101_000):
            writer.write(packet, i * 1024 - 1024, 1024)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    writer.close()
    # One chunk offset (8 bytes) per 64 frames is all that is kept: ~12 KB here.
    assert peak - before < 64 * 1024
    assert (tmp_path / "long.m4a").stat().st_size > 100_000 * 200


def test_the_aac_rendition_is_written_by_it(tmp_path: Path) -> None:
    encoder = Encoder(AAC_64K, tmp_path / "a.m4a", RATE, "stereo", durable=False)
    encoder.write(np.concatenate(list(speech_like(2.0, RATE)), axis=1))
    encoder.close()
    data = (tmp_path / "a.m4a").read_bytes()
    # FFmpeg's muxer writes an encoder tag (udta) and a free box; ours writes neither.
    assert [kind for kind, _, _ in boxes(data)] == [b"ftyp", b"moov", b"mdat"]
    _, duration, _ = decode(tmp_path / "a.m4a")
    assert duration == 2.0
