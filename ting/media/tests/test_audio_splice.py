"""The AAC rendition's frame-by-frame peak check and local re-encodes (splice.PeakGuard),
on real encodes of generated programme whose peaks sit just under the limit, where
FFmpeg's AAC overshoots."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import av
import imageio_ffmpeg  # type: ignore[import-not-found,import-untyped,unused-ignore]
import numpy as np
import numpy.typing as npt
import pytest

from ting.media.audio import PipelineConfig, process_audio
from ting.media.audio.encode import AAC_64K, Encoder, measure_file
from ting.media.audio.loudness import LoudnessMeter, undb
from ting.media.audio.splice import FRAME, window_info
from ting.media.audio.testing import music_like, speech_like, write_audio

F32 = npt.NDArray[np.float32]
LIMIT = -1.5
RATE = 44100


def programme(kind: str, seconds: float, peak_dbtp: float) -> F32:
    """``kind`` programme scaled so that its own true peak is ``peak_dbtp``."""
    chunks: Iterator[F32] = (
        music_like(seconds, RATE) if kind == "music" else speech_like(seconds, RATE)
    )
    x = np.concatenate(list(chunks), axis=1)
    meter = LoudnessMeter(RATE, 2)
    meter.add(x)
    peak = meter.result().true_peak_dbtp
    assert peak is not None
    return (x * undb(peak_dbtp - peak)).astype(np.float32)


def encode(x: F32, path: Path, limit: float | None) -> Encoder:
    encoder = Encoder(AAC_64K, path, RATE, "stereo", peak_limit_dbtp=limit)
    for start in range(0, x.shape[1], 66150):
        encoder.write(x[:, start : start + 66150])
    encoder.close()
    return encoder


def decoded(path: Path) -> F32:
    with av.open(str(path)) as container:
        frames = [f.to_ndarray() for f in container.decode(audio=0)]
    return np.concatenate(frames, axis=1).astype(np.float32)


@pytest.fixture(scope="module", params=["music", "speech"])
def pair(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[F32, Path, Path, Encoder]:
    """A programme peaking at -2 dBTP, encoded plainly and with the guard."""
    kind = str(request.param)
    x = programme(kind, 40.0, -2.0)
    tmp = tmp_path_factory.mktemp(kind)
    encode(x, tmp / "plain.m4a", None)
    guarded = encode(x, tmp / "guarded.m4a", LIMIT)
    return x, tmp / "plain.m4a", tmp / "guarded.m4a", guarded


def test_the_plain_encode_overshoots_and_the_guarded_one_does_not(
    pair: tuple[F32, Path, Path, Encoder],
) -> None:
    _, plain, guarded, encoder = pair
    plain_peak = measure_file(plain)[0].true_peak_dbtp
    guarded_peak = measure_file(guarded)[0].true_peak_dbtp
    # The case this guards against has to happen here, or the test proves nothing.
    assert plain_peak is not None and plain_peak > LIMIT
    assert guarded_peak is not None and guarded_peak <= LIMIT
    assert encoder.guard is not None
    assert encoder.guard.spliced >= 1 and encoder.guard.unresolved == 0


def test_the_loudness_measured_while_writing_is_the_files(
    pair: tuple[F32, Path, Path, Encoder],
) -> None:
    _, _, guarded, encoder = pair
    inline = encoder.loudness
    from_file = measure_file(guarded)[0]
    assert inline is not None and inline.integrated_lufs is not None
    assert from_file.integrated_lufs is not None
    assert inline.integrated_lufs == pytest.approx(from_file.integrated_lufs, abs=0.02)
    assert inline.true_peak_dbtp == from_file.true_peak_dbtp


def test_splices_change_only_their_frames_and_leave_no_clicks(
    pair: tuple[F32, Path, Path, Encoder],
) -> None:
    x, plain, guarded, encoder = pair
    a, b = decoded(plain), decoded(guarded)
    assert a.shape == b.shape
    changed = np.nonzero(np.abs(a - b).max(axis=0) > 0)[0]
    assert encoder.guard is not None
    # Each span's packets plus the frame after it (its join) decode differently; no
    # other sample moves (without PNS, AAC-LC decoding carries only the overlap).
    frames = set((changed // FRAME).tolist())
    assert len(frames) <= encoder.guard.frames_reencoded + encoder.guard.spliced
    # The decoded file starts at the programme's first sample (the edit list drops the
    # priming): compare each changed frame with the input. A click or an aliasing
    # error at a join would be far above the codec's own error on that frame.
    reference = np.pad(x, ((0, 0), (0, a.shape[1] - x.shape[1])))
    # Aligned: the codec's error is well under the signal (misaligned it is not).
    assert np.sqrt(np.mean((a - reference) ** 2)) < 0.3 * np.sqrt(np.mean(reference**2))
    for frame in sorted(frames):
        span = slice(frame * FRAME, (frame + 1) * FRAME)
        plain_error = float(np.sqrt(np.mean((a[:, span] - reference[:, span]) ** 2)))
        spliced_error = float(np.sqrt(np.mean((b[:, span] - reference[:, span]) ** 2)))
        # The spliced frames' input dips by a dB or two around the peak, which counts
        # as error here: allow for it, not for a click (tens of dB above).
        dip = float(np.sqrt(np.mean(reference[:, span] ** 2))) * (1 - undb(-3.0))
        assert spliced_error <= 2.0 * plain_error + dip, frame


def test_the_file_keeps_the_programmes_exact_duration(
    pair: tuple[F32, Path, Path, Encoder],
) -> None:
    x, plain, guarded, _ = pair
    for path in (plain, guarded):
        with av.open(str(path)) as container:
            stream = container.streams.audio[0]
            assert stream.duration is not None and stream.time_base is not None
            # The edit list: the priming is not part of the duration (FFmpeg's AAC dates
            # its last packet up to ~25 samples short at some lengths).
            seconds = float(stream.duration * stream.time_base)
            assert seconds == pytest.approx(x.shape[1] / RATE, abs=0.001)
        assert decoded(path).shape[1] - x.shape[1] < FRAME


@pytest.mark.parametrize("channels", [1, 2])
def test_a_short_loud_programme_is_fixed_to_its_first_and_last_frames(
    tmp_path: Path, channels: int
) -> None:
    # Two seconds peaking over the limit, with a burst of noise in its first and last
    # 400 samples: spans in the encoder's first frame (nothing before it to splice
    # from) and in its last (no join after it).
    x = np.ascontiguousarray(programme("music", 2.0, -1.0)[:channels])
    burst = np.random.default_rng(1).standard_normal((channels, 400)) * 0.5
    x[:, :400] = x[:, -400:] = np.clip(burst, -0.9, 0.9)
    path = tmp_path / "short.m4a"
    encoder = Encoder(
        AAC_64K, path, RATE, "mono" if channels == 1 else "stereo", peak_limit_dbtp=LIMIT
    )
    encoder.write(x)
    encoder.close()
    assert encoder.guard is not None and encoder.guard.spliced >= 2
    loudness, _, decoded_channels, _, _ = measure_file(path)
    assert decoded_channels == channels
    assert loudness.true_peak_dbtp is not None and loudness.true_peak_dbtp <= LIMIT


def test_ffmpeg_decodes_the_spliced_file_without_a_warning(
    pair: tuple[F32, Path, Path, Encoder],
) -> None:
    _, _, guarded, _ = pair
    # The system's ffmpeg where there is one, else imageio-ffmpeg's (a pinned test dependency):
    # never a quiet skip.
    exe = shutil.which("ffmpeg") or imageio_ffmpeg.get_ffmpeg_exe()
    done = subprocess.run(
        [exe, "-v", "warning", "-nostdin", "-i", str(guarded), "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stderr.strip() == ""


def test_window_info_reads_the_channel_pair_of_real_packets(tmp_path: Path) -> None:
    x = programme("music", 3.0, -6.0)
    context = av.CodecContext.create("aac", "w")
    assert isinstance(context, av.AudioCodecContext)
    context.sample_rate, context.layout, context.format = RATE, "stereo", "fltp"
    context.bit_rate = 64_000
    frame = av.AudioFrame.from_ndarray(x, format="fltp", layout="stereo")
    frame.sample_rate = RATE
    packets = context.encode(frame) + context.encode(None)
    infos = [window_info(bytes(p)) for p in packets]
    pairs = [info for info in infos if info is not None]
    assert len(pairs) >= len(packets) - 8
    # Channel pair elements, mostly ONLY_LONG_SEQUENCE, with a drum's short windows.
    assert all(element == 1 for element, _, _ in pairs)
    sequences = {sequence for _, sequence, _ in pairs}
    assert 0 in sequences and 2 in sequences


@pytest.mark.parametrize(("kind", "crack"), [("music", 0.9), ("speech", 0.0)])
def test_every_rendition_of_a_loud_programme_meets_the_contract_in_one_aac_attempt(
    tmp_path: Path, kind: str, crack: float
) -> None:
    # Loud peaks: the speech's own (about 14 dB over its loudness) or, on the music, a
    # snare-like crack every 1.7 s, 8 dB over the music's peaks. At -16 LUFS they reach
    # past the ceiling, so the plan limits, and the codecs overshoot there.
    x = programme(kind, 30.0, -9.0)
    rng = np.random.default_rng(3)
    for start in range(RATE // 2, x.shape[1] - 400, round(1.7 * RATE)):
        burst = rng.standard_normal(400) * np.exp(-np.arange(400) / 80.0)
        x[:, start : start + 400] += (crack * burst / np.abs(burst).max()).astype(np.float32)
    src = tmp_path / f"{kind}.mp3"
    write_audio(src, iter([np.clip(x, -1.0, 1.0)]), RATE, bit_rate=192_000)
    result = process_audio(src, tmp_path / "out", config=PipelineConfig(verify_all=True))
    assert result.limited
    assert result.renditions["aac"].attempts == 1
    for rendition in result.renditions.values():
        loudness, _, _, duration, _ = measure_file(rendition.path)
        assert loudness.integrated_lufs == pytest.approx(-16.0, abs=1.0), rendition.name
        assert loudness.true_peak_dbtp is not None, rendition.name
        assert loudness.true_peak_dbtp <= LIMIT, rendition.name
        # What the pipeline reports is what a decoder measures.
        assert rendition.true_peak_dbtp == loudness.true_peak_dbtp, rendition.name
        assert duration == pytest.approx(30.0, abs=0.1)
