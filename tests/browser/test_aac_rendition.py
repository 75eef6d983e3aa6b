"""Chromium decodes an AAC rendition with locally re-encoded spans (splice.PeakGuard)
exactly as FFmpeg does: the programme's length to the sample, the same samples, under the
peak limit; and seeks in it (the M4A is our own writer's, mp4.AacMp4Writer)."""

from __future__ import annotations

import base64
from pathlib import Path

import numpy as np
from playwright.sync_api import Browser

from ting.media.tests.test_audio_splice import LIMIT, decoded, encode, programme

DECODE = """async (b64) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const context = new OfflineAudioContext(2, 44100, 44100);
  const buffer = await context.decodeAudioData(bytes.buffer.slice(0));
  const audio = new Audio(URL.createObjectURL(new Blob([bytes], { type: "audio/mp4" })));
  const duration = await new Promise((ok, fail) => {
    audio.onloadedmetadata = () => ok(audio.duration);
    audio.onerror = () => fail(new Error(String(audio.error && audio.error.code)));
  });
  const seeked = await new Promise((ok, fail) => {
    audio.onseeked = () => ok(audio.currentTime);
    audio.onerror = () => fail(new Error(String(audio.error && audio.error.code)));
    audio.currentTime = 7.25;
  });
  return {
    length: buffer.length,
    duration,
    seekable: audio.seekable.length ? audio.seekable.end(0) : 0,
    seeked,
    left: Array.from(buffer.getChannelData(0)),
  };
}"""


def test_chromium_plays_a_spliced_aac_rendition_sample_for_sample(
    browser: Browser, tmp_path: Path
) -> None:
    x = programme("music", 10.0, -2.0)
    path = tmp_path / "spliced.m4a"
    encoder = encode(x, path, LIMIT)
    assert encoder.guard is not None and encoder.guard.spliced >= 1
    page = browser.new_page()
    try:
        page.goto("about:blank")
        result = page.evaluate(DECODE, base64.b64encode(path.read_bytes()).decode())
    finally:
        page.close()
    assert result["length"] == x.shape[1]
    assert result["duration"] == x.shape[1] / 44100
    # The index is at the front (mp4.AacMp4Writer): the whole file seeks.
    assert result["seekable"] == result["duration"]
    assert result["seeked"] == 7.25
    left = np.asarray(result["left"], dtype=np.float32)
    # FFmpeg (PyAV) decodes the same samples; its decode just keeps the codec's tail.
    np.testing.assert_array_equal(left, decoded(path)[0, : left.shape[0]])
    assert 20 * np.log10(float(np.abs(left).max())) <= LIMIT
