"""A Redis database of its own for one test run, on the shared Redis at 127.0.0.1:6379.

Several test runs share one Redis: each claims an empty numbered database with SET NX, uses it,
empties it and gives it back, so two runs never see each other's queues.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from redis import Redis

SHARED_REDIS = os.environ.get("TING_TEST_REDIS", "redis://127.0.0.1:6379")
_CLAIM = "ting:test-claim"


@contextmanager
def claimed_redis_db() -> Iterator[str]:
    token = uuid.uuid4().hex
    for number in range(15, 0, -1):
        client = Redis.from_url(f"{SHARED_REDIS}/{number}")
        if client.dbsize() == 0 and client.set(_CLAIM, token, nx=True, ex=1800):
            try:
                yield f"{SHARED_REDIS}/{number}"
            finally:
                if client.get(_CLAIM) == token.encode():
                    client.flushdb()
                client.close()
            return
        client.close()
    raise RuntimeError(f"No empty Redis database left on {SHARED_REDIS} for this test run.")
