"""The pooled read buffers of FileHandoff (handoff.py): reused only once nothing holds them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ting.playback.delivery import handoff


@pytest.fixture(autouse=True)
def empty_pool(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(handoff, "_pool", [])
    yield


def _base(buffer: bytearray | memoryview) -> object:
    return buffer.obj if isinstance(buffer, memoryview) else buffer


def test_a_buffer_still_being_sent_is_never_handed_out_again() -> None:
    first = handoff._buffer(handoff.MAX_CHUNK)
    # The server keeps a slice of what it could not write yet; the read drops its own view.
    pending = first[100:]
    del first
    second = handoff._buffer(handoff.MAX_CHUNK)
    assert _base(second) is not _base(pending)
    del pending, second
    third = handoff._buffer(handoff._POOLED)
    assert _base(third) is handoff._pool[0]
    assert len(third) == handoff._POOLED


def test_small_reads_and_a_full_pool_get_fresh_buffers() -> None:
    small = handoff._buffer(64 * 1024)
    assert isinstance(small, bytearray) and len(small) == 64 * 1024
    held = [handoff._buffer(handoff.MAX_CHUNK) for _ in range(handoff._POOL_SIZE + 2)]
    assert len(handoff._pool) == handoff._POOL_SIZE
    assert all(len(buffer) == handoff.MAX_CHUNK for buffer in held)
    assert len({id(_base(buffer)) for buffer in held}) == len(held)
