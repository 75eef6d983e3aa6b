"""CSRF: every URL refuses a state-changing request without the token, signed in or not.

The URLs come from the access table, which the resolver keeps complete; a view made exempt must
be listed here with its reason.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client

from tests.security.access_table import ACCESS, Case
from tests.security.world import World

pytestmark = pytest.mark.django_db

# Route → why it takes requests without a CSRF token.
# Route → why it takes requests without a CSRF token (none today; ninja's API views are exempt
# from the middleware and check the token themselves for session callers).
EXEMPT: dict[str, str] = {}


def first_case(route: str) -> Case:
    cases = ACCESS[route]
    return next((case for case in cases if case.method != "GET"), cases[0])


def methods(route: str) -> list[str]:
    """Every page URL gets a POST; API routes (csrf-exempt views that check CSRF themselves
    when the caller uses the session) get the methods they serve."""
    listed = {case.method for case in ACCESS[route] if case.method != "GET"}
    return sorted(listed if route.startswith("api/v1/") else listed | {"POST"})


CASES = [
    pytest.param(route, method, id=f"{route or '/'} {method}")
    for route in ACCESS
    if route not in EXEMPT
    for method in methods(route)
]


@pytest.mark.parametrize(("route", "method"), CASES)
@pytest.mark.parametrize("role", ["owner", "anonymous"])
def test_a_request_without_the_csrf_token_is_refused(
    world: World, route: str, method: str, role: str
) -> None:
    client = world.client(role, enforce_csrf_checks=True)
    case = first_case(route)
    with transaction.atomic():
        response = client.generic(method, case.url(world), "", content_type="application/json")
        transaction.set_rollback(True)
    # Anonymous callers may be sent to sign in first: nothing was done either way.
    to_login = response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert response.status_code in {401, 403} or (role == "anonymous" and to_login), (
        f"{method} {case.url(world)} as {role} without a CSRF token: {response.status_code}"
    )


def test_the_same_form_with_its_token_goes_through(world: World) -> None:
    """The refusals above are CSRF's, not something else: with the token the post succeeds."""
    client = world.client("listener", enforce_csrf_checks=True)
    client.get("/")
    token = client.cookies["csrftoken"].value
    url = f"/social/anchor/{world.owner.pk}/follow"
    assert client.post(url).status_code == 403
    assert client.post(url, {"csrfmiddlewaretoken": token}).status_code == 303


def test_the_api_takes_a_bearer_token_without_csrf(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.put(
        f"/api/v1/me/positions/{world.tracks['public'].pk}",
        '{"position": 3}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {world.api_secrets['listener']}"},
    )
    assert response.status_code == 200, response.content
