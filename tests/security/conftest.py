"""The security suite's fixtures: one world per module, its media in a folder of its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import override_settings

from tests.security.world import World, world_in_transaction


@pytest.fixture(scope="module")
def security_media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("security-media")


@pytest.fixture(autouse=True)
def _media_root(settings: Any, security_media: Path) -> None:
    """Replaces the root conftest's: the module's world keeps its files for every test."""
    settings.MEDIA_ROOT = security_media


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any, security_media: Path) -> Iterator[World]:
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=security_media):
        yield from world_in_transaction()
