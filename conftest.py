"""Fixtures every app's tests share: the three actors and a catalog to look at."""

from __future__ import annotations

import pytest

from ting.accounts.models import User
from ting.catalog.models import Anchor
from ting.catalog.tests.factories import make_anchor, make_user


@pytest.fixture(autouse=True)
def _media_root(settings: object, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each test session writes media under a temporary folder, never into var/."""
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"  # type: ignore[attr-defined]


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
