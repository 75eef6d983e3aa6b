"""Resume positions, the player JSON, embeds and oEmbed."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ting.accounts.models import User
from ting.catalog.models import Anchor, Track
from ting.catalog.tests.factories import make_album, make_track
from ting.playback.models import ListeningPosition
from ting.playback.tests.test_stream_access import with_audio

pytestmark = pytest.mark.django_db


def test_a_signed_in_listener_resumes_where_they_stopped(
    client: Client, anchor: Anchor, listener: User
) -> None:
    track = with_audio(make_track(album__anchor=anchor, duration=224))
    client.force_login(listener)
    response = client.post(reverse("playback:position"), {"track": track.pk, "position": "83.5"})
    assert response.status_code == 204
    data = client.get(reverse("playback:player_data", args=[track.pk])).json()
    assert data["resume_at"] == 83.5
    page = client.get(reverse("track", args=[track.pk])).content.decode()
    assert "01:23" in page


def test_positions_are_clamped_to_the_track(client: Client, anchor: Anchor, listener: User) -> None:
    track = make_track(album__anchor=anchor, duration=100)
    client.force_login(listener)
    client.post(reverse("playback:position"), {"track": track.pk, "position": "5000"})
    assert ListeningPosition.objects.get(user=listener, track=track).position == 100


@pytest.mark.parametrize("position", ["nan", "-3", "abc", ""])
def test_a_nonsense_position_is_a_clear_400(
    client: Client, anchor: Anchor, listener: User, position: str
) -> None:
    track = make_track(album__anchor=anchor)
    client.force_login(listener)
    response = client.post(reverse("playback:position"), {"track": track.pk, "position": position})
    assert response.status_code == 400
    assert not ListeningPosition.objects.exists()


def test_a_position_for_a_track_one_may_not_see_is_404(
    client: Client, anchor: Anchor, stranger: User
) -> None:
    track = make_track(album__anchor=anchor, status=Track.Status.DRAFT, published_at=None)
    client.force_login(stranger)
    response = client.post(reverse("playback:position"), {"track": track.pk, "position": "1"})
    assert response.status_code == 404


def test_position_beacons_need_the_csrf_token(anchor: Anchor, listener: User) -> None:
    track = make_track(album__anchor=anchor)
    client = Client(enforce_csrf_checks=True)
    client.force_login(listener)
    response = client.post(reverse("playback:position"), {"track": track.pk, "position": "1"})
    assert response.status_code == 403


def test_the_player_data_points_at_the_next_track_in_album_order(
    client: Client, anchor: Anchor
) -> None:
    album = make_album(anchor=anchor)
    first = with_audio(make_track(album=album, position=1))
    second = make_track(album=album, position=2)
    data = client.get(reverse("playback:player_data", args=[first.pk])).json()
    assert data["next"]["id"] == second.pk


def test_the_embed_page_may_be_framed_and_other_pages_may_not(
    client: Client, anchor: Anchor
) -> None:
    track = with_audio(make_track(album__anchor=anchor))
    embed = client.get(reverse("playback:embed_track", args=[track.pk]))
    assert embed.status_code == 200
    assert "X-Frame-Options" not in embed
    assert client.get(reverse("track", args=[track.pk]))["X-Frame-Options"] == "DENY"
    album_embed = client.get(reverse("playback:embed_album", args=[track.album_id]))
    assert album_embed.status_code == 200


def test_oembed_describes_the_iframe_player(client: Client, anchor: Anchor) -> None:
    track = make_track(album__anchor=anchor, title="<b>标题</b>")
    url = f"http://testserver/track/{track.pk}/"
    data: dict[str, Any] = client.get(reverse("playback:oembed"), {"url": url}).json()
    assert data["type"] == "rich"
    assert f"/embed/track/{track.pk}" in data["html"]
    assert "<b>" not in data["html"]
    assert data["title"] == "<b>标题</b>"


def test_oembed_refuses_urls_that_are_not_players(client: Client) -> None:
    assert client.get(reverse("playback:oembed"), {"url": "http://testserver/"}).status_code == 404
    assert client.get(reverse("playback:oembed"), {"url": "::::"}).status_code == 404
