"""Demo audio: a title read by espeak-ng (when installed) over a synthetic voice, via PyAV.

Everything is deterministic for a given `TrackAudio` (and espeak-ng version): the seed picks the
stretch of the speech-like signal, the jingle's notes and the breath noise. The signal is
mono 48 kHz, gently saturated so its peak-to-loudness ratio stays under the pipeline's limiter
threshold: the demo exercises the real ingest without paying for the calibration pass.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ting.core.script import to_simplified
from ting.demo.content import Jingle
from ting.media.audio.testing import speech_like, write_audio

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]

RATE = 48_000
# Pentatonic scale degrees (semitones above the root) for the jingles.
PENTATONIC = (0, 2, 4, 7, 9)


@dataclass(frozen=True, slots=True)
class TrackAudio:
    """What one demo track sounds like; picklable, so a process pool can render it."""

    seconds: float
    seed: int
    pitch: float = 1.0  # the synthetic voice's pitch ratio (1.0: about 140 Hz)
    narration: str = ""  # read by espeak-ng ahead of the voice, when espeak-ng is installed
    espeak_pitch: int = 50
    espeak_speed: int = 165
    jingle: Jingle = ""
    music_bed: bool = False
    level_db: float = -20.0  # RMS of the result, dBFS; the pipeline normalises it anyway


@cache
def espeak_path() -> str | None:
    return shutil.which("espeak-ng")


def render(spec: TrackAudio, *, narrate: bool = True) -> F32:
    """Exactly `spec.seconds` of mono audio at `RATE`, as float32 in [-1, 1]."""
    total = max(1, round(spec.seconds * RATE))
    rng = np.random.default_rng(spec.seed)
    head: list[F64] = [np.zeros(round(0.25 * RATE))]
    if spec.jingle:
        head.append(_trim(_jingle(spec.jingle, rng)) * 0.6)
        head.append(np.zeros(round(0.3 * RATE)))
    spoken = _narrate(spec) if narrate and spec.narration else None
    if spoken is not None:
        head.append(spoken)
        head.append(np.zeros(round(0.5 * RATE)))
    tail: list[F64] = []
    if spec.jingle:
        tail = [np.zeros(round(0.4 * RATE)), _outro(spec.jingle, rng) * 0.5]
    fixed = sum(len(part) for part in head) + sum(len(part) for part in tail)
    voice = _voice(max(0, total - fixed), spec.pitch, rng)
    mix = np.concatenate([*head, voice, *tail])[:total]
    if len(mix) < total:
        mix = np.pad(mix, (0, total - len(mix)))
    if spec.music_bed:
        mix += _pad_chord(total, rng) * 0.12
    return _master(mix, spec.level_db)


def write(spec: TrackAudio, path: str | os.PathLike[str], *, narrate: bool = True) -> None:
    """Render and encode to `path`; the container follows the suffix (.flac, .m4a, .mp3 …)."""
    audio = render(spec, narrate=narrate)
    write_audio(path, _chunks(audio), RATE, bit_rate=96_000)


def _chunks(audio: F32, size: int = RATE) -> Iterator[F32]:
    for start in range(0, len(audio), size):
        yield audio[None, start : start + size]


def _voice(samples: int, pitch: float, rng: np.random.Generator) -> F64:
    """The testing module's speech-like signal, pitch-shifted by resampling its time base.

    Generated at `RATE / pitch` and played at `RATE`, the glottal pitch and the formants move
    up by `pitch`. A seeded offset into a longer run varies the intonation between tracks.
    """
    if samples <= 0:
        return np.zeros(0)
    gen_rate = round(RATE / pitch)
    offset = int(rng.integers(0, 8 * gen_rate))
    needed = samples + offset
    seed = int(rng.integers(0, 2**31))
    chunks = speech_like(needed / gen_rate + 0.01, gen_rate, channels=1, seed=seed)
    voice: F64 = np.concatenate([chunk[0] for chunk in chunks]).astype(np.float64)
    return voice[offset : offset + samples]


def _narrate(spec: TrackAudio) -> F64 | None:
    """The narration read by espeak-ng's Mandarin voice, or None without espeak-ng."""
    exe = espeak_path()
    if exe is None:
        return None
    text = to_simplified(spec.narration)
    with tempfile.TemporaryDirectory(prefix="ting-demo-tts-") as tmp:
        target = Path(tmp) / "narration.wav"
        command = [
            exe, "-v", "cmn", "-p", str(spec.espeak_pitch), "-s", str(spec.espeak_speed),
            "-w", str(target), text,
        ]  # fmt: skip
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=30)  # noqa: S603
            with wave.open(str(target), "rb") as wav:
                rate, width = wav.getframerate(), wav.getsampwidth()
                channels = wav.getnchannels()
                frames = wav.readframes(wav.getnframes())
        except (OSError, subprocess.SubprocessError, wave.Error, EOFError):
            return None
    if width != 2 or not frames:
        return None
    pcm = np.frombuffer(frames, dtype="<i2").astype(np.float64) / 32768.0
    if channels > 1:
        pcm = pcm.reshape(-1, channels).mean(axis=1)
    if rate != RATE:
        # Linear interpolation: its images above the narration's band are faint and brief.
        pcm = np.interp(np.arange(round(len(pcm) * RATE / rate)) * rate / RATE,
                        np.arange(len(pcm)), pcm)  # fmt: skip
    peak = float(np.max(np.abs(pcm))) if len(pcm) else 0.0
    return pcm / peak * 0.7 if peak > 0 else None


def _note(freq: float, seconds: float, *, decay: float, harmonics: tuple[float, ...]) -> F64:
    t = np.arange(round(seconds * RATE)) / RATE
    tone = sum(
        (weight * np.sin(2 * math.pi * freq * (i + 1) * t) for i, weight in enumerate(harmonics)),
        start=np.zeros_like(t),
    )
    attack = np.minimum(1.0, t / 0.004)
    result: F64 = tone * attack * np.exp(-t / decay)
    return result


def _place(out: F64, sound: F64, at: float) -> None:
    start = round(at * RATE)
    end = min(len(out), start + len(sound))
    out[start:end] += sound[: end - start]


def _jingle(kind: Jingle, rng: np.random.Generator) -> F64:
    """A music box run for stories, a gavel knock and a plucked phrase for crosstalk."""
    out = np.zeros(round(3.0 * RATE))
    if kind == "gavel":
        # 醒木: a sharp wooden knock, then a little 三弦-like phrase.
        # A block of wood rings at a few inharmonic modes for a few milliseconds.
        for freq, decay in ((160.0, 0.03), (930.0, 0.018), (1570.0, 0.012), (2480.0, 0.008)):
            _place(out, _note(freq, 0.2, decay=decay, harmonics=(1.0,)), 0.0)
        _place(out, rng.standard_normal(round(0.004 * RATE)) * 0.5, 0.0)
        root = 220.0 * 2 ** (int(rng.integers(0, 5)) / 12)
        for i in range(6):
            degree = PENTATONIC[int(rng.integers(0, len(PENTATONIC)))]
            freq = root * 2 ** (degree / 12)
            pluck = _note(freq, 0.5, decay=0.12, harmonics=(1.0, 0.6, 0.4, 0.2))
            _place(out, pluck, 0.5 + i * 0.22)
        return out
    root = 523.25 * 2 ** (int(rng.integers(0, 5)) / 12)  # around C5
    for i in range(8):
        degree = PENTATONIC[int(rng.integers(0, len(PENTATONIC)))] + 12 * int(rng.integers(0, 2))
        freq = root * 2 ** (degree / 12)
        _place(out, _note(freq, 1.0, decay=0.35, harmonics=(1.0, 0.25, 0.1)), i * 0.2)
    for degree in (0, 4, 7):
        _place(out, _note(root * 2 ** (degree / 12), 1.4, decay=0.5, harmonics=(1.0, 0.3)), 1.65)
    return out


def _trim(sound: F64, *, keep_s: float = 0.15) -> F64:
    """Drop the tail that has decayed below -60 dB of the peak, keeping a short ring-out."""
    peak = float(np.max(np.abs(sound))) if len(sound) else 0.0
    audible = np.flatnonzero(np.abs(sound) > peak * 1e-3)
    if not len(audible):
        return sound
    return sound[: min(len(sound), int(audible[-1]) + round(keep_s * RATE))]


def _outro(kind: Jingle, rng: np.random.Generator) -> F64:
    root = (220.0 if kind == "gavel" else 523.25) * 2 ** (int(rng.integers(0, 5)) / 12)
    out = np.zeros(round(1.6 * RATE))
    for i, degree in enumerate((0, 4, 7, 12)):
        _place(out, _note(root * 2 ** (degree / 12), 1.2, decay=0.4, harmonics=(1.0, 0.3)), i * 0.1)
    return out


def _pad_chord(samples: int, rng: np.random.Generator) -> F64:
    """A soft major-chord pad under a bedtime story, breathing slowly."""
    t = np.arange(samples) / RATE
    root = 130.81 * 2 ** (int(rng.integers(0, 5)) / 12)
    chord = sum(
        (np.sin(2 * math.pi * root * 2 ** (degree / 12) * t) for degree in (0, 4, 7, 12)),
        start=np.zeros_like(t),
    )
    swell: F64 = chord * (0.6 + 0.4 * np.sin(2 * math.pi * 0.1 * t)) / 4
    return swell


def _master(mix: F64, level_db: float) -> F32:
    """Saturate gently, set the RMS level, fade the ends: a tame peak-to-loudness ratio."""
    rms = float(np.sqrt(np.mean(mix**2))) if len(mix) else 0.0
    if rms > 0:
        mix = mix / rms * 0.25  # a common level before the curve, so it bends every track alike
    mix = np.tanh(mix * 2.0)
    rms = float(np.sqrt(np.mean(mix**2))) if len(mix) else 0.0
    if rms > 0:
        mix = mix / rms * 10 ** (level_db / 20)
    fade = min(len(mix) // 2, round(0.02 * RATE))
    if fade:
        ramp = np.linspace(0.0, 1.0, fade)
        mix[:fade] *= ramp
        mix[-fade:] *= ramp[::-1]
    result: F32 = np.clip(mix, -1.0, 1.0).astype(np.float32)
    return result
