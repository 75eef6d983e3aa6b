"""Changing a password while signed in."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ting.accounts.models import User

pytestmark = pytest.mark.django_db

OLD = "correct horse battery staple"  # the factories' password
NEW = "a-new-and-unusual-passphrase"


def test_changing_the_password_needs_a_login(client: Client) -> None:
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_listener_changes_their_password_and_stays_signed_in(
    client: Client, listener: User
) -> None:
    client.force_login(listener)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": OLD, "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change_done")
    listener.refresh_from_db()
    assert listener.check_password(NEW)
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_a_wrong_old_password_changes_nothing(client: Client, listener: User) -> None:
    client.force_login(listener)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "not-it", "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    listener.refresh_from_db()
    assert listener.check_password(OLD)
