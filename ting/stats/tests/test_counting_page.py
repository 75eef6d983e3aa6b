"""The public method page, and the link to it from every count."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ting.catalog.models import Anchor
from ting.catalog.tests.factories import make_track

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_the_method_page_renders_in_each_language(client: Client, language: str) -> None:
    client.cookies["ting_language"] = language
    page = client.get(reverse("stats:counting"))
    assert page.status_code == 200
    assert f'lang="{language}"' in page.content.decode()
    assert "1, 0, 0, 1" in page.content.decode()


def test_counts_on_track_and_album_pages_link_to_the_method(client: Client, anchor: Anchor) -> None:
    track = make_track(album__anchor=anchor)
    for url in [reverse("track", args=[track.pk]), reverse("album", args=[track.album_id])]:
        assert reverse("stats:counting") in client.get(url).content.decode()
