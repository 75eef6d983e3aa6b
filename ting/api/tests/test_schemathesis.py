"""Property-based fuzzing of the live OpenAPI document (schemathesis): no 5xx, no answer that
breaks its own schema, on every operation, as an anchor with every scope."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from config.wsgi import application
from ting.api.services import token_create
from ting.catalog.models import Anchor
from ting.catalog.tests.factories import make_album, make_track

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def _keep_the_test_transaction_open() -> Iterator[None]:
    """Call the WSGI app as Django's test client does: without closing the connection.

    Each request's request_finished signal would close a connection that sits inside the test's
    transaction (PostgreSQL then reports "the connection is closed" on the next query).
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def anchor_token(anchor: Anchor, settings: Any) -> str:
    settings.TING_API_RATE_LIMIT = 100_000
    album = make_album(anchor=anchor)
    make_track(album=album)
    return token_create(user=anchor.user, name="fuzz", scopes=["read", "write", "studio"]).secret


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_survives_its_own_schema(case: Any, anchor_token: str) -> None:
    response = case.call(headers={"Authorization": f"Bearer {anchor_token}"})
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
