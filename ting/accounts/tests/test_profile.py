"""The profile page: signed-in only, and the way to becoming an anchor."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ting.accounts.models import User
from ting.catalog.models import Anchor

pytestmark = pytest.mark.django_db


def test_the_profile_needs_a_login(client: Client) -> None:
    url = reverse("accounts:profile")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


def test_a_listener_sees_their_profile_and_an_offer_to_become_an_anchor(
    client: Client, listener: User
) -> None:
    client.force_login(listener)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert listener.email in page
    assert reverse("become_anchor") in page


def test_an_anchor_sees_a_link_to_their_anchor_page(client: Client, anchor: Anchor) -> None:
    client.force_login(anchor.user)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert reverse("anchor", args=[anchor.pk]) in page
    assert reverse("become_anchor") not in page
