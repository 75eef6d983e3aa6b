"""Resetting a forgotten password by e-mail, end to end; a link works once."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from ting.accounts.models import User

pytestmark = pytest.mark.django_db

NEW = "a-new-and-unusual-passphrase"


@pytest.fixture(autouse=True)
def _locmem_email(settings: Settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def in_english(client: Client) -> Client:
    client.cookies["ting_language"] = "en"
    return client


def reset_link(client: Client, email: str) -> str:
    response = client.post(reverse("accounts:password_reset"), {"email": email})
    assert response["Location"] == reverse("accounts:password_reset_done")
    (message,) = mail.outbox
    assert message.to == [email]
    match = re.search(r"https?://testserver(/\S+)", str(message.body))
    assert match is not None, message.body
    return match.group(1)


def choose_new_password(client: Client, link: str) -> str:
    form_page = client.get(link)
    assert form_page.status_code == 302  # Django swaps the token for a session-bound URL
    response = client.post(form_page["Location"], {"new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302
    return response["Location"]


def test_the_reset_mail_holds_a_link_that_sets_a_new_password(
    client: Client, listener: User
) -> None:
    link = reset_link(client, listener.email)
    assert link.startswith("/accounts/password/reset/")
    assert choose_new_password(client, link) == reverse("accounts:password_reset_complete")
    listener.refresh_from_db()
    assert listener.check_password(NEW)


def test_a_reset_link_works_once_then_says_it_no_longer_works(
    client: Client, listener: User
) -> None:
    link = reset_link(in_english(client), listener.email)
    choose_new_password(client, link)
    response = client.get(link, follow=True)
    assert response.status_code == 200
    assert response.context["validlink"] is False
    assert "This link no longer works" in response.content.decode()


def test_a_reset_for_an_unknown_address_sends_nothing_and_reveals_nothing(
    client: Client, listener: User
) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_the_reset_address_is_matched_whatever_its_case(client: Client, listener: User) -> None:
    client.post(reverse("accounts:password_reset"), {"email": listener.email.upper()})
    assert len(mail.outbox) == 1
