"""The encode pass's threads: each reads the spooled PCM on its own, a failure stops the
others, and the share balancer lets the dearest encoder have the CPU it needs."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import numpy as np
import pytest

from ting.media.audio.decode import Pcm
from ting.media.audio.encode import (
    AAC_64K,
    MP3_128K,
    OPUS_32K,
    SETTLE_SAMPLES,
    Encoder,
    EncoderThread,
    EncodingCancelled,
    ShareBalancer,
)

CHUNK = 4096


def _noise(chunks: int, seed: int = 3) -> Iterator[Pcm]:
    rng = np.random.default_rng(seed)
    for _ in range(chunks):
        yield (0.1 * rng.standard_normal((2, CHUNK))).astype(np.float32)


class _Failing:
    """A shaper that breaks on its third chunk."""

    def __init__(self) -> None:
        self.calls = 0

    def push(self, x: Pcm) -> Pcm:
        self.calls += 1
        if self.calls == 3:
            raise RuntimeError("shaper broke")
        return x

    def flush(self) -> Pcm:
        return np.zeros((2, 0), dtype=np.float32)


def test_a_failing_encoder_stops_the_others_reading_on_their_own(tmp_path: Path) -> None:
    cancel = threading.Event()
    threads = []
    for spec in (OPUS_32K, AAC_64K, MP3_128K):
        encoder = Encoder(spec, tmp_path / f"x.{spec.extension}", 44100, "stereo", durable=False)
        shaper = _Failing() if spec is AAC_64K else None
        source = _noise(2000)
        threads.append(
            EncoderThread(encoder, shaper=shaper, verify=False, source=source, cancel=cancel)
        )
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
        assert not t.is_alive()
    failed, *others = sorted(threads, key=lambda t: t.encoder.spec is not AAC_64K)
    assert isinstance(failed.error, RuntimeError)
    for t in others:
        # Stopped at their next chunk, not after all 2,000 of them.
        assert isinstance(t.error, EncodingCancelled)
        assert t.position < 2000 * CHUNK


def test_encoders_fed_by_their_own_readers_write_whole_renditions(tmp_path: Path) -> None:
    threads = [
        EncoderThread(
            Encoder(spec, tmp_path / f"x.{spec.extension}", 44100, "stereo", durable=False),
            verify=True,
            source=_noise(40),
        )
        for spec in (OPUS_32K, MP3_128K)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
        assert t.error is None and t.result is not None
        assert t.position == 40 * CHUNK
        assert t.result.duration_s == pytest.approx(40 * CHUNK / 44100, abs=0.05)


class _Burner(threading.Thread):
    """Spends ``cost`` seconds of its own CPU per block of 65,536 samples."""

    def __init__(self, cost: float, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.cost = cost
        self.stop = stop
        self.position = 0

    def run(self) -> None:
        while not self.stop.is_set():
            until = time.thread_time() + self.cost
            while time.thread_time() < until:
                pass
            self.position += 65536


@pytest.mark.skipif(sys.platform != "linux", reason="thread nice values are Linux's")
def test_the_balancer_lowers_the_priority_of_the_threads_with_less_left() -> None:
    stop = threading.Event()
    dear, cheap = _Burner(0.004, stop), _Burner(0.001, stop)
    total = 1000 * 65536
    balance = ShareBalancer(cast(list[EncoderThread], [dear, cheap]), total)
    assert balance.enabled
    for t in (dear, cheap):
        t.start()
    try:
        deadline = time.monotonic() + 30
        while min(dear.position, cheap.position) < 2 * SETTLE_SAMPLES:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        assert dear.native_id is not None and cheap.native_id is not None
        base = os.getpriority(os.PRIO_PROCESS, dear.native_id)
        balance()
        # A quarter of the cost and further along: several levels below the dear one,
        # which keeps its priority.
        assert os.getpriority(os.PRIO_PROCESS, dear.native_id) == base
        assert os.getpriority(os.PRIO_PROCESS, cheap.native_id) >= base + 5
    finally:
        stop.set()
        for t in (dear, cheap):
            t.join()
