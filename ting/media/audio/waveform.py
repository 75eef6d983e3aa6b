"""Waveform peaks for the player, gathered during the analysis decode.

The duration is only known once decoding ends (headers lie), so peaks are collected at a
fine resolution and the bins are merged pairwise whenever there are too many: memory stays
bounded and the final reduction to ``points`` is exact.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]

DEFAULT_POINTS = 1000


class PeakAccumulator:
    def __init__(self, points: int = DEFAULT_POINTS, *, start_bin: int = 32) -> None:
        self.points = points
        self._max_bins = points * 8
        self._bin = start_bin
        self._peaks: list[F32] = []
        self._count = 0
        self._carry = np.zeros(0, dtype=np.float32)

    def add(self, x: F32) -> None:
        mono = np.abs(x).max(axis=0) if x.ndim == 2 else np.abs(x)
        data = np.concatenate([self._carry, mono.astype(np.float32, copy=False)])
        whole = data.shape[0] // self._bin
        if whole:
            peaks = data[: whole * self._bin].reshape(whole, self._bin).max(axis=1)
            self._peaks.append(peaks)
            self._count += whole
        self._carry = data[whole * self._bin :]
        if self._count > self._max_bins:
            self._halve()

    def _halve(self) -> None:
        peaks = np.concatenate(self._peaks)
        if peaks.shape[0] % 2:
            # An odd last bin is half-filled at the new width; return it to the carry so
            # bins stay aligned. Its raw samples are gone, but its peak stands for them.
            self._carry = np.concatenate([np.full(self._bin, peaks[-1]), self._carry])
            peaks = peaks[:-1]
        merged = peaks.reshape(-1, 2).max(axis=1)
        self._peaks = [merged]
        self._count = merged.shape[0]
        self._bin *= 2
        if self._carry.shape[0] >= self._bin:
            carry, self._carry = self._carry, np.zeros(0, dtype=np.float32)
            self.add(carry)

    def result(self) -> list[float]:
        """``points`` values in 0..1, scaled so the loudest peak is 1 (shape, not level)."""
        parts = [*self._peaks]
        if self._carry.shape[0]:
            parts.append(np.array([self._carry.max()], dtype=np.float32))
        if not parts:
            return []
        peaks = np.concatenate(parts)
        n = min(self.points, peaks.shape[0])
        edges = np.linspace(0, peaks.shape[0], n + 1).astype(np.int64)[:-1]
        reduced = np.maximum.reduceat(peaks, edges)
        top = float(reduced.max())
        if top <= 0:
            return [0.0] * n
        return [round(float(v), 3) for v in np.clip(reduced / top, 0.0, 1.0)]
