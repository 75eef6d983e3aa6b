"""Logging in and out: same-site `next` only, POST-only logout, a fresh session on every login."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from ting.accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # the factories' password


def log_in(client: Client, username: str, *, next_url: str | None = None) -> str:
    """Logs in through the form and returns where the response redirects."""
    url = reverse("accounts:login")
    data = {"username": username, "password": PASSWORD}
    if next_url is not None:
        data["next"] = next_url
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    return response["Location"]


def test_a_listener_logs_in_and_lands_on_the_home_page(client: Client, listener: User) -> None:
    assert log_in(client, listener.username) == reverse("home")
    assert client.session["_auth_user_id"] == str(listener.pk)


def test_a_wrong_password_is_refused_without_signing_in(client: Client, listener: User) -> None:
    response = client.post(
        reverse("accounts:login"), {"username": listener.username, "password": "wrong"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_login_follows_a_same_site_next_url(client: Client, listener: User) -> None:
    assert log_in(client, listener.username, next_url="/album/7/?page=2") == "/album/7/?page=2"


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/path",
        "http://evil.example",
        "https:evil.example",
        "javascript:alert(1)",
    ],
)
def test_login_ignores_a_next_url_on_another_site(
    client: Client, listener: User, next_url: str
) -> None:
    assert log_in(client, listener.username, next_url=next_url) == reverse("home")


def test_the_login_form_carries_next_from_the_query_string(client: Client) -> None:
    page = client.get(reverse("accounts:login"), {"next": "/track/3/"}).content.decode()
    assert 'name="next" value="/track/3/"' in page


def test_the_session_key_changes_when_a_visitor_logs_in(client: Client, listener: User) -> None:
    session = client.session
    session["cart"] = "anonymous state"
    session.save()
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    log_in(client, listener.username)
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()


def test_logout_is_a_post(client: Client, listener: User) -> None:
    client.force_login(listener)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.session["_auth_user_id"] == str(listener.pk)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert "_auth_user_id" not in client.session


def test_a_signed_in_person_opening_the_login_page_is_sent_on(
    client: Client, listener: User
) -> None:
    client.force_login(listener)
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
