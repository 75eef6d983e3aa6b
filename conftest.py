"""Fixtures every app's tests share: the three actors and a catalog to look at."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import translation

from ting.accounts.models import User
from ting.catalog.models import Anchor
from ting.catalog.tests.factories import make_anchor, make_user


@pytest.fixture(autouse=True)
def _media_root(settings: object, tmp_path: Path) -> None:
    """Each test writes media and work files under its own temporary folder, never into var/.

    Ids restart in every test database, so a shared DATA_DIR would let two parallel tests
    share (and empty) one asset's work folder.
    """
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
    settings.DATA_DIR = tmp_path / "data"  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Rolled-back rows reuse their ids, so blocks cached by id must not outlive a test."""
    cache.clear()


@pytest.fixture(autouse=True)
def _english_by_default(settings: object) -> Iterator[None]:
    """Tests read messages in English unless they choose a language (cookie, header, override).

    The product's default stays zh-hans (settings.LANGUAGE_CODE); the i18n tests that check the
    default set it back explicitly.
    """
    settings.LANGUAGE_CODE = "en"  # type: ignore[attr-defined]
    with translation.override("en"):
        yield


@pytest.fixture
def anchor(db: None) -> Anchor:
    """An anchor (主播): the owner of albums and tracks."""
    return make_anchor(display_name="紅星新聞")


@pytest.fixture
def listener(db: None) -> User:
    """A listener: signed in, follows and listens, owns nothing."""
    return make_user(username="listener")


@pytest.fixture
def stranger(db: None) -> User:
    """A signed-in stranger: no relation to the anchor or their albums."""
    return make_user(username="stranger")
