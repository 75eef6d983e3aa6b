from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from mutagen.id3 import APIC, ID3, TIT2, TPE1
from PIL import Image

from ting.media.audio import CoverRejected, process_cover, read_tags, repair_text


def latin1_of(text: str, codec: str) -> str:
    return text.encode(codec).decode("latin-1")


def test_it_repairs_a_gbk_title_declared_as_latin1(
    make_tone: Callable[..., Path],
) -> None:
    path = make_tone("old.mp3", seconds=1.0, rate=44100)
    tags = ID3()
    tags.add(TIT2(encoding=0, text=latin1_of("角落之歌", "gbk")))
    tags.add(TPE1(encoding=0, text=latin1_of("苏云", "gbk")))
    tags.save(path)
    result = read_tags(path)
    assert result.title == "角落之歌"
    assert result.artist == "苏云"
    assert "title" in result.repaired


def test_it_repairs_big5_and_utf8_mojibake_but_leaves_real_latin1_alone() -> None:
    assert repair_text(latin1_of("台灣廣播電台", "big5")) == "台灣廣播電台"
    assert repair_text(latin1_of("播客", "utf-8")) == "播客"
    assert repair_text("Café Müller") == "Café Müller"
    assert repair_text("plain") == "plain"


def test_it_reads_the_embedded_cover(make_tone: Callable[..., Path]) -> None:
    path = make_tone("art.mp3", seconds=1.0, rate=44100)
    buffer = io.BytesIO()
    Image.new("RGB", (300, 300), (10, 120, 200)).save(buffer, "JPEG")
    tags = ID3()
    tags.add(APIC(encoding=3, mime="image/jpeg", type=3, desc="", data=buffer.getvalue()))
    tags.save(path)
    assert read_tags(path).cover == buffer.getvalue()


def test_tags_of_garbage_are_empty_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "x.mp3"
    path.write_bytes(b"\x00\x01garbage")
    assert read_tags(path).title == ""


def jpeg_bytes(width: int, height: int, orientation: int | None = None) -> bytes:
    image = Image.new("RGB", (width, height), (250, 0, 0))
    image.paste((0, 0, 250), (0, 0, width // 2, height))
    buffer = io.BytesIO()
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    exif[0x010F] = "SecretCam"
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def test_a_cover_becomes_square_jpeg_and_webp_sizes_without_exif() -> None:
    cover = process_cover(jpeg_bytes(2000, 1500))
    assert sorted(cover.jpeg) == [160, 320, 640, 1400]
    assert not cover.upscaled
    with Image.open(io.BytesIO(cover.jpeg[1400])) as out:
        assert out.size == (1400, 1400)
        assert not out.getexif()
    with Image.open(io.BytesIO(cover.webp[320])) as out:
        assert out.format == "WEBP" and out.size == (320, 320)


def test_exif_orientation_is_applied_before_cropping() -> None:
    # Orientation 6 rotates 90 degrees: a wide image becomes tall before the crop.
    cover = process_cover(jpeg_bytes(800, 400, orientation=6))
    assert cover.upscaled
    with Image.open(io.BytesIO(cover.jpeg[160])) as out:
        top = out.getpixel((80, 5))
        bottom = out.getpixel((80, 154))
    assert isinstance(top, tuple) and isinstance(bottom, tuple)
    assert top[2] > 200 and bottom[0] > 200


def png_claiming(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


def test_a_decompression_bomb_cover_is_rejected_before_decoding() -> None:
    with pytest.raises(CoverRejected) as info:
        process_cover(png_claiming(20_000, 20_000))
    assert info.value.code == "cover_too_large"


def test_a_cover_that_is_not_an_image_is_rejected() -> None:
    with pytest.raises(CoverRejected) as info:
        process_cover(b"<html>nope</html>")
    assert info.value.code == "cover_not_image"
