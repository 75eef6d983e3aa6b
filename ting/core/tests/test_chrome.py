"""Page chrome is rendered once per language and shared; what is a reader's own is not."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.middleware.csrf import (  # type: ignore[attr-defined]  # private, not in the stubs
    _unmask_cipher_token,
)
from django.test import Client
from django.urls import reverse

from ting.accounts.models import User

pytestmark = pytest.mark.django_db


def test_a_signed_in_reader_sees_their_own_header_after_a_stranger_was_served(
    client: Client, listener: User
) -> None:
    anonymous = Client().get(reverse("home")).content.decode()
    assert "Log in" in anonymous
    client.force_login(listener)
    page = client.get(reverse("home")).content.decode()
    assert 'class="account-link"' in page and ">listener</a>" in page
    assert "Log out" in page and "Log in" not in page
    assert 'data-signed-in="1"' in page


def test_each_language_gets_its_own_chrome(client: Client) -> None:
    english = client.get(reverse("home")).content.decode()
    client.cookies["ting_language"] = "zh-hant"
    hant = client.get(reverse("home")).content.decode()
    client.cookies["ting_language"] = "zh-hans"
    hans = client.get(reverse("home")).content.decode()
    assert "Skip to content" in english and '<option value="en" selected>' in english
    assert "跳至主要內容" in hant and '<option value="zh-hant" selected>' in hant
    assert '<option value="zh-hans" selected>' in hans and "Skip to content" not in hans


def test_the_search_box_shows_the_readers_own_query_escaped(client: Client) -> None:
    client.get(reverse("home") + "?q=first")
    page = client.get(reverse("home") + '?q=<b>"x"').content.decode()
    assert 'value="&lt;b&gt;&quot;x&quot;"' in page
    assert "first" not in page


def test_forms_in_the_chrome_carry_the_readers_own_csrf_token() -> None:
    readers = [Client(), Client()]
    for reader in readers:
        page = reader.get(reverse("home")).content.decode()
        tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert len(tokens) >= 2  # the language switch and the player's beacon form
        secret = reader.cookies[settings.CSRF_COOKIE_NAME].value
        assert {_unmask_cipher_token(token) for token in tokens} == {secret}


def test_the_page_still_says_where_the_language_switch_returns(client: Client) -> None:
    page = client.get(reverse("home") + "?page=2").content.decode()
    assert '<input name="next" type="hidden" value="/?page=2">' in page
