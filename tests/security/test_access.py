"""Object-level access at every URL, for every role and object state (ASVS V8.2.2).

The table is tests/security/access_table.py; this module checks that it covers the resolver and
that every role gets exactly the status the table says.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from tests.security.access_table import ACCESS, Case
from tests.security.world import ROLES, World
from ting.api.services import token_create

pytestmark = pytest.mark.django_db


def routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            nested = prefix + str(pattern.pattern)
            if nested == "admin/":
                yield nested  # the admin's own access rule covers all of its pages
                continue
            yield from routes(pattern.url_patterns, nested)
        else:
            yield prefix + str(pattern.pattern)


def test_every_url_pattern_has_an_access_rule() -> None:
    missing = sorted(set(routes(get_resolver().url_patterns)) - set(ACCESS))
    assert not missing, f"URL patterns without an entry in access_table.ACCESS: {missing}"


def test_the_access_table_names_no_url_that_is_gone() -> None:
    stale = sorted(set(ACCESS) - set(routes(get_resolver().url_patterns)))
    assert not stale, f"ACCESS entries that no URL pattern matches any more: {stale}"


def request(world: World, role: str, case: Case) -> int:
    client = world.client(role)
    url = case.url(world)
    body = case.body(world)
    client.defaults.update(case.meta)  # environ keys for every request: REMOTE_ADDR, HTTP_*
    with override_settings(**case.settings):
        if case.content_type == "application/json":
            response = client.generic(
                case.method, url, json.dumps(body), content_type="application/json"
            )
        elif case.method == "GET":
            response = client.get(url)
        elif case.method == "POST":
            response = client.post(url, body)
        else:
            response = client.generic(case.method, url)
    return response.status_code


CASES = [
    pytest.param(case, id=f"{route or '/'} {case.method} {case.label}")
    for route, cases in ACCESS.items()
    for case in cases
]


@pytest.mark.parametrize("case", CASES)
def test_each_role_gets_the_status_the_table_says(world: World, case: Case) -> None:
    got: dict[str, int] = {}
    for role in ROLES:
        # Each role starts from the same world: a write by one is rolled back before the next.
        with transaction.atomic():
            got[role] = request(world, role, case)
            transaction.set_rollback(True)
    wrong = {
        role: (got[role], case.expect[role]) for role in ROLES if got[role] != case.expect[role]
    }
    assert not wrong, f"(got, expected) by role: {wrong}"


API_WRITES = [
    pytest.param(route, case, id=f"{route} {case.method} {case.label}")
    for route, cases in ACCESS.items()
    if route.startswith("api/v1/")
    for case in cases
    if case.method != "GET"
]


@pytest.mark.parametrize(("route", "case"), API_WRITES)
def test_a_read_only_token_changes_nothing(world: World, route: str, case: Case) -> None:
    """Every API write needs the `write` (or `studio`) scope: a `read` token gets 403."""
    secret = token_create(user=world.owner.user, name="reader", scopes=["read"]).secret
    client = Client()
    response = client.generic(
        case.method,
        case.url(world),
        json.dumps(case.body(world)),
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 403, (route, response.status_code, response.content)
    assert response.json()["error"]["code"] == "insufficient_scope"
