"""Becoming an anchor (主播) from an account: once, and asking again leads to the same page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ting.accounts.models import User
from ting.catalog.models import Anchor

pytestmark = pytest.mark.django_db


def test_becoming_an_anchor_needs_a_login(client: Client) -> None:
    response = client.get(reverse("become_anchor"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert Anchor.objects.count() == 0


def test_a_listener_becomes_an_anchor_with_a_sanitised_bio(client: Client, listener: User) -> None:
    client.force_login(listener)
    response = client.post(
        reverse("become_anchor"),
        {"display_name": " 小明说书 ", "bio": "<p>说书人</p><script>alert(1)</script>"},
    )
    anchor = Anchor.objects.get(user=listener)
    assert response.status_code == 302
    assert response["Location"] == reverse("anchor", args=[anchor.pk])
    assert (anchor.display_name, anchor.bio) == ("小明说书", "<p>说书人</p>")


def test_becoming_an_anchor_twice_leads_to_the_same_anchor(client: Client, listener: User) -> None:
    client.force_login(listener)
    first = client.post(reverse("become_anchor"), {"display_name": "小明"})
    second = client.post(reverse("become_anchor"), {"display_name": "另一个名字"})
    again = client.get(reverse("become_anchor"))
    assert first["Location"] == second["Location"] == again["Location"]
    assert Anchor.objects.filter(user=listener).count() == 1
    assert Anchor.objects.get(user=listener).display_name == "小明"


def test_the_form_suggests_the_username_as_anchor_name(client: Client, listener: User) -> None:
    client.force_login(listener)
    response = client.get(reverse("become_anchor"))
    assert response.status_code == 200
    assert response.context["form"].initial["display_name"] == listener.username
