"""What a page caches never hides a change: edits show at once, a reader's own state is theirs."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ting.accounts.models import User
from ting.catalog.models import Anchor, Track
from ting.catalog.tests.factories import make_album, make_track
from ting.social.services.library import track_like

pytestmark = pytest.mark.django_db


def strip(html: str) -> str:
    start = html.index('class="track-list compact"')
    return html[start : html.index("</ol>", start)]


def tracks(anchor: Anchor, count: int) -> list[Track]:
    album = make_album(anchor=anchor)
    return [make_track(album=album, title=f"第{n}集", position=n) for n in range(1, count + 1)]


def test_a_renamed_track_shows_in_the_album_strip_at_once(client: Client, anchor: Anchor) -> None:
    first, second, _third = tracks(anchor, 3)
    page = reverse("track", args=[first.pk])
    assert "第2集" in strip(client.get(page).content.decode())
    Track.objects.filter(pk=second.pk).update(title="改名的一集")
    shown = strip(client.get(page).content.decode())
    assert "改名的一集" in shown and "第2集" not in shown


def test_a_new_order_shows_in_the_album_strip_at_once(client: Client, anchor: Anchor) -> None:
    first, second, _third = tracks(anchor, 3)
    page = reverse("track", args=[first.pk])
    client.get(page)
    Track.objects.filter(pk=second.pk).update(position=9)
    shown = strip(client.get(page).content.decode())
    assert shown.index("第3集") < shown.index("第2集")


def test_an_edited_bio_shows_on_the_anchor_card_at_once(client: Client, anchor: Anchor) -> None:
    (track,) = tracks(anchor, 1)
    page = reverse("track", args=[track.pk])
    assert "一位认真的主播" in client.get(page).content.decode()
    Anchor.objects.filter(pk=anchor.pk).update(bio="<p>新的简介</p>")
    html = client.get(page).content.decode()
    assert "<p>新的简介</p>" in html and "一位认真的主播" not in html


def test_a_signed_in_listener_sees_their_own_like_on_a_page_strangers_saw(
    client: Client, anchor: Anchor, listener: User
) -> None:
    (track,) = tracks(anchor, 1)
    page = reverse("track", args=[track.pk])
    assert "♥ Liked" not in Client().get(page).content.decode()
    track_like(user=listener, track=track)
    client.force_login(listener)
    assert "♥ Liked" in client.get(page).content.decode()
    assert "♥ Liked" not in Client().get(page).content.decode()
