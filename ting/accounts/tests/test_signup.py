"""Signing up: a new account is created and signed in; clashes and typos are explained."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.test import Client
from django.urls import reverse

from ting.accounts.models import User

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-passphrase"


def sign_up(client: Client, **overrides: str) -> TestResponse:
    data = {
        "username": "xiaoming",
        "email": "xiaoming@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }
    return client.post(reverse("accounts:signup"), data)


def test_the_signup_page_opens_for_a_visitor(client: Client) -> None:
    assert client.get(reverse("accounts:signup")).status_code == 200


def test_a_visitor_signs_up_and_is_signed_in_at_once(client: Client) -> None:
    response = sign_up(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    user = User.objects.get(username="xiaoming")
    assert user.email == "xiaoming@example.com"
    assert user.check_password(PASSWORD)
    assert client.session["_auth_user_id"] == str(user.pk)


def test_an_email_address_in_use_is_refused_whatever_its_case(
    client: Client, listener: User
) -> None:
    response = sign_up(client, email=listener.email.upper())
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert not User.objects.filter(username="xiaoming").exists()


def test_mismatched_passwords_are_a_field_error(client: Client) -> None:
    response = sign_up(client, password2="something-else-entirely-42")
    assert response.status_code == 200
    assert "password2" in response.context["form"].errors
    assert not User.objects.filter(username="xiaoming").exists()


def test_a_signed_in_person_is_sent_to_their_profile_instead(
    client: Client, listener: User
) -> None:
    client.force_login(listener)
    response = client.get(reverse("accounts:signup"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
