from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from ting.stats import privacy


@pytest.fixture(autouse=True)
def _fresh_salts_and_limits() -> Iterator[None]:
    """Salts live in process memory and rate limits in the cache; tests roll the database back."""
    privacy._salts.clear()
    cache.clear()
    yield
    privacy._salts.clear()
