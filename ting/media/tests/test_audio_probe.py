from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from ting.media.audio import AudioRejected
from ting.media.audio.probe import probe


def rejected(path: Path) -> AudioRejected:
    with pytest.raises(AudioRejected) as info:
        probe(path)
    return info.value


def test_it_reports_the_decoded_duration_codec_and_layout(make_tone: Callable[..., Path]) -> None:
    result = probe(make_tone("tone.mp3", seconds=2.0, rate=44100))
    assert result.codec.startswith("mp3")
    assert result.container == "mp3"
    assert result.sample_rate == 44100
    assert result.channels == 2
    assert result.duration_s == pytest.approx(2.0, abs=0.06)
    assert result.bit_rate > 0


def test_it_rejects_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.mp3"
    path.write_bytes(b"")
    assert rejected(path).code == "empty_file"


def test_it_rejects_a_three_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "tiny.mp3"
    path.write_bytes(b"ID3")
    assert rejected(path).code == "not_audio"


def test_it_rejects_a_text_file_renamed_mp3(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp3"
    path.write_text("这不是音频。 This is not audio.\n" * 200, encoding="utf-8")
    assert rejected(path).code == "not_audio"


def test_it_rejects_an_image_renamed_m4a(tmp_path: Path) -> None:
    path = tmp_path / "cover.m4a"
    Image.new("RGB", (64, 64), (200, 30, 30)).save(path, "PNG")
    assert rejected(path).code in {"no_audio_stream", "not_audio"}


def test_it_rejects_a_wav_header_with_no_data(make_tone: Callable[..., Path]) -> None:
    path = make_tone("tone.wav", seconds=1.0)
    data = path.read_bytes()
    path.write_bytes(data[:44])
    assert rejected(path).code in {"no_decodable_frames", "not_audio", "truncated"}


def test_it_rejects_an_mp3_announcing_ten_hours_with_one_second_of_audio(
    make_tone: Callable[..., Path],
) -> None:
    path = make_tone("tone.mp3", seconds=1.0, rate=44100)
    data = bytearray(path.read_bytes())
    tag = data.index(b"Info")
    assert struct.unpack(">I", data[tag + 4 : tag + 8])[0] & 1  # frame count present
    data[tag + 8 : tag + 12] = struct.pack(">I", 10 * 3600 * 44100 // 1152)
    path.write_bytes(bytes(data))
    error = rejected(path)
    assert error.code == "truncated"
    assert "it is truncated" in error.message_en


def test_a_wav_whose_header_overstates_its_data_is_read_for_what_it_holds(
    make_tone: Callable[..., Path],
) -> None:
    path = make_tone("tone.wav", seconds=1.0, rate=48000)
    data = bytearray(path.read_bytes())
    index = data.index(b"data")
    data[index + 4 : index + 8] = struct.pack("<I", 0xFFFFFFF0)
    path.write_bytes(bytes(data))
    assert probe(path).duration_s == pytest.approx(1.0, abs=0.01)


def test_it_rejects_a_truncated_mp4(make_tone: Callable[..., Path]) -> None:
    path = make_tone("tone.m4a", seconds=4.0, rate=48000)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    assert rejected(path).code in {"truncated", "not_audio", "no_decodable_frames"}


def test_it_rejects_a_flac_whose_header_claims_huge_blocks(
    make_tone: Callable[..., Path],
) -> None:
    path = make_tone("tone.flac", seconds=1.0)
    data = bytearray(path.read_bytes())
    # STREAMINFO starts after "fLaC" + 4-byte block header: min/max block size, 16 bits each.
    data[8:12] = b"\xff\xff\xff\xff"
    data[12:18] = b"\xff" * 6
    path.write_bytes(bytes(data[:200]))
    assert isinstance(rejected(path), AudioRejected)


def test_it_rejects_audio_longer_than_the_limit(make_tone: Callable[..., Path]) -> None:
    path = make_tone("tone.wav", seconds=2.0)
    with pytest.raises(AudioRejected) as info:
        probe(path, max_duration_s=1.0)
    assert info.value.code == "too_long"


def test_rejections_carry_a_code_a_template_and_params() -> None:
    error = AudioRejected("truncated", {"decoded": "0.8", "declared": "264"})
    assert error.template == (
        "The file ends after %(decoded)s s of its announced %(declared)s s: it is truncated."
    )
    assert error.message_en == "The file ends after 0.8 s of its announced 264 s: it is truncated."
