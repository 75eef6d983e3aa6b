"""Synthetic audio for tests and benchmarks, written with PyAV (no fixtures on disk).

The speech-like signal is a glottal pulse train with a wandering pitch, shaped by three
formant resonators and gated at syllable rate with pauses, plus a little breath noise:
close enough to speech in crest factor and spectrum that loudness, limiting and lossy
codecs behave as they do on a podcast, unlike white noise.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator

import av
import numpy as np
import numpy.typing as npt
from av.audio.stream import AudioStream
from scipy import signal

F32 = npt.NDArray[np.float32]

_ENCODERS = {
    "mp3": ("mp3", "libmp3lame", "fltp"),
    "wav": ("wav", "pcm_s16le", "s16"),
    "flac": ("flac", "flac", "s16"),
    "m4a": ("mp4", "aac", "fltp"),
    "ogg": ("ogg", "libvorbis", "fltp"),
    "opus": ("ogg", "libopus", "flt"),
}


def sine(
    seconds: float,
    rate: int,
    *,
    freq: float = 997.0,
    amplitude: float = 0.1,
    channels: int = 2,
    chunk: int = 48000,
) -> Iterator[F32]:
    total = round(seconds * rate)
    for start in range(0, total, chunk):
        t = (np.arange(start, min(total, start + chunk)) / rate).astype(np.float64)
        wave = (amplitude * np.sin(2 * math.pi * freq * t)).astype(np.float32)
        yield np.repeat(wave[None, :], channels, axis=0)


def silence(seconds: float, rate: int, *, channels: int = 2) -> Iterator[F32]:
    total = round(seconds * rate)
    for start in range(0, total, rate):
        yield np.zeros((channels, min(rate, total - start)), dtype=np.float32)


def speech_like(
    seconds: float,
    rate: int,
    *,
    channels: int = 2,
    level: float = 1.0,
    seed: int = 7,
    chunk_s: float = 1.0,
    drive: float = 60.0,
) -> Iterator[F32]:
    """``drive`` sets the saturation: 60 gives a mastered podcast's peak-to-loudness
    ratio (about 14 dB), lower values a rawer voice (about 17 dB at 8, 20 dB at 2)."""
    rng = np.random.default_rng(seed)
    formants = []
    for freq, bw in ((700.0, 130.0), (1220.0, 70.0), (2600.0, 160.0)):
        r = math.exp(-math.pi * bw / rate)
        theta = 2 * math.pi * freq / rate
        formants.append((np.array([1.0 - r]), np.array([1.0, -2 * r * math.cos(theta), r * r])))
    states = [np.zeros(2) for _ in formants]
    # Glottal pulses fall at about -12 dB/octave and the lips lift +6: one pole at 150 Hz.
    tilt_pole = math.exp(-2 * math.pi * 150.0 / rate)
    tilt_state = np.zeros(1)
    total = round(seconds * rate)
    chunk = max(1, round(chunk_s * rate))
    phase = 0.0
    for start in range(0, total, chunk):
        n = min(chunk, total - start)
        t = (np.arange(start, start + n) / rate).astype(np.float64)
        f0 = 140.0 + 40.0 * np.sin(2 * math.pi * 0.3 * t) + 15.0 * np.sin(2 * math.pi * 3.1 * t)
        cycles = phase + np.cumsum(f0 / rate)
        pulses = np.diff(np.floor(cycles), prepend=math.floor(phase)).astype(np.float64)
        phase = float(cycles[-1])
        pulses, tilt_state = signal.lfilter(
            [1.0 - tilt_pole], [1.0, -tilt_pole], pulses, zi=tilt_state
        )
        voiced = np.zeros(n)
        for b, a in formants:
            idx = formants.index((b, a))
            out, states[idx] = signal.lfilter(b, a, pulses, zi=states[idx])
            voiced += out
        # Syllables at ~4 Hz, with a pause of about a quarter of a second every 2.3 s.
        syllable = np.clip(np.sin(2 * math.pi * 4.0 * t), 0.0, None) ** 1.5
        pause = (np.sin(2 * math.pi * t / 2.3) > -0.85).astype(np.float64)
        breath = rng.standard_normal(n) * 0.02
        # Soft saturation stands in for the compressor of a mastered podcast, bringing
        # the peak-to-loudness ratio to about 12 dB (raw voice is nearer 16-20).
        mono = (np.tanh(voiced * drive * syllable) * pause + breath * pause) * level
        mix = np.repeat(mono[None, :], channels, axis=0)
        if channels > 1:
            mix[1] = 0.85 * mix[1] + 0.15 * rng.standard_normal(n) * 0.01
        yield np.clip(mix, -1.0, 1.0).astype(np.float32)


def music_like(
    seconds: float,
    rate: int,
    *,
    channels: int = 2,
    level: float = 1.0,
    seed: int = 11,
    chunk_s: float = 1.0,
) -> Iterator[F32]:
    """Chords of harmonic tones, a bass line and a kick and hi-hat at 120 bpm, mixed hot
    so the drums' transients and the partials' sums peak near full scale: the dense,
    wide-band programme on which lossy codecs overshoot most."""
    rng = np.random.default_rng(seed)
    chords = ((220.0, 277.2, 329.6), (196.0, 246.9, 293.7), (174.6, 220.0, 261.6))
    beat = rate // 2
    total = round(seconds * rate)
    chunk = max(1, round(chunk_s * rate))
    for start in range(0, total, chunk):
        n = min(chunk, total - start)
        index = np.arange(start, start + n)
        t = index / rate
        chord = chords[(start // (4 * beat)) % len(chords)]
        tones = np.zeros(n)
        for root in chord:
            for harmonic in range(1, 7):
                tones += np.sin(2 * math.pi * root * harmonic * t + harmonic) / harmonic**1.2
        bass = np.sin(2 * math.pi * chord[0] / 4 * t)
        since = (index % beat) / rate
        kick = np.sin(2 * math.pi * 55.0 * since * (1 + 3 * np.exp(-since * 40))) * np.exp(
            -since * 12
        )
        hat_since = ((index + beat // 2) % beat) / rate
        hat = rng.standard_normal(n) * np.exp(-hat_since * 60)
        mono = 0.12 * tones + 0.3 * bass + 0.8 * kick + 0.25 * hat
        mix = np.repeat(mono[None, :], channels, axis=0)
        if channels > 1:
            mix[1] += 0.1 * np.sin(2 * math.pi * chord[1] * 1.005 * t)
        yield np.clip(np.tanh(mix * 0.9) * level, -1.0, 1.0).astype(np.float32)


def write_audio(
    path: str | os.PathLike[str], chunks: Iterator[F32], rate: int, *, bit_rate: int = 128_000
) -> None:
    """Encode ``chunks`` (channels, n) float32 to ``path``; the format follows the suffix."""
    suffix = str(path).rsplit(".", 1)[-1]
    fmt, codec, sample_fmt = _ENCODERS[suffix]
    with av.open(str(path), mode="w", format=fmt) as out:
        stream: AudioStream | None = None
        resampler = None
        for chunk in chunks:
            layout = "mono" if chunk.shape[0] == 1 else "stereo"
            if stream is None:
                added = out.add_stream(codec, rate=rate)
                assert isinstance(added, AudioStream)
                stream = added
                stream.layout = layout
                if codec not in ("pcm_s16le", "flac"):
                    stream.bit_rate = bit_rate
                stream.format = sample_fmt
                resampler = av.AudioResampler(sample_fmt, layout, rate)
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(chunk), "fltp", layout)
            frame.sample_rate = rate
            assert resampler is not None
            for f in resampler.resample(frame):
                f.pts = None
                out.mux(stream.encode(f))
        if stream is not None and resampler is not None:
            for f in resampler.resample(None):
                f.pts = None
                out.mux(stream.encode(f))
            out.mux(stream.encode(None))
