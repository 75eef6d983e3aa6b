"""Opus metered as it is encoded: the figures must be those of decoding the file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ting.media.audio.encode import OPUS_32K, Encoder, measure_file
from ting.media.audio.testing import speech_like


@pytest.mark.parametrize(
    ("rate", "channels", "drive", "seconds"),
    # Speech with hard transients (high drive) at the rates a rendition is made from,
    # and a length that ends mid-packet (the padding must be cut at the programme's end).
    [(44100, 2, 60.0, 7.3), (48000, 1, 8.0, 5.0), (22050, 2, 20.0, 4.01)],
)
def test_the_opus_rendition_metered_while_encoded_measures_as_its_decoded_file(
    tmp_path: Path, rate: int, channels: int, drive: float, seconds: float
) -> None:
    layout = "mono" if channels == 1 else "stereo"
    path = tmp_path / "out.opus"
    encoder = Encoder(OPUS_32K, path, rate, layout, durable=False, measure=True)
    assert encoder.meter is not None
    for chunk in speech_like(seconds, rate, channels=channels, level=0.9, drive=drive):
        # Loud enough that the codec's overshoot is what sets the true peak.
        encoder.write(np.ascontiguousarray(chunk * np.float32(1.2)))
    encoder.close()
    inline = encoder.loudness
    decoded, _, decoded_channels, duration, codec = measure_file(path)
    assert codec == "opus" and decoded_channels == channels
    assert inline is not None
    assert inline.integrated_lufs == decoded.integrated_lufs
    assert inline.lra_lu == decoded.lra_lu
    assert inline.true_peak_dbtp == decoded.true_peak_dbtp
    assert inline.sample_peak_dbfs == decoded.sample_peak_dbfs
    assert inline.duration_s == pytest.approx(duration, abs=1e-6)


def test_codecs_whose_packets_do_not_decode_as_their_file_are_not_metered_inline(
    tmp_path: Path,
) -> None:
    from ting.media.audio.encode import MP3_128K

    encoder = Encoder(MP3_128K, tmp_path / "out.mp3", 44100, "stereo", measure=True)
    assert encoder.meter is None
    encoder.write(np.zeros((2, 4410), dtype=np.float32))
    encoder.close()
    assert encoder.loudness is None
