"""Fixtures for the social tests: a published track of the anchor, and signed-in clients."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client

from ting.accounts.models import User
from ting.catalog.models import Anchor, Track
from ting.catalog.tests.factories import make_track


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def track(anchor: Anchor) -> Track:
    return make_track(album__anchor=anchor, title="泄密小米汽车", duration=3_723.0)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def listener_client(listener: User) -> Client:
    return signed_in(listener)


@pytest.fixture
def stranger_client(stranger: User) -> Client:
    return signed_in(stranger)


@pytest.fixture
def anchor_client(anchor: Anchor) -> Client:
    return signed_in(anchor.user)
