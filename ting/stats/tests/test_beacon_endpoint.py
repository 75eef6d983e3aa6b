"""POST /stats/beacon: CSRF-protected, validated, throttled; anonymous listeners too."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ting.accounts.models import User
from ting.catalog.models import Anchor, Track
from ting.catalog.tests.factories import make_track
from ting.stats.models import ListenBeacon

pytestmark = pytest.mark.django_db

GOOD = {"session": "page-load-1234", "listened": "15.2", "position": "16", "duration": "224"}


@pytest.fixture
def track(anchor: Anchor) -> Track:
    return make_track(album__anchor=anchor)


def send(client: Client, to: Track, **fields: str) -> Any:
    data = {"track": str(to.pk), **GOOD, **fields}
    return client.post(reverse("stats:beacon"), data)


def test_an_anonymous_listener_s_beacon_is_recorded(client: Client, track: Track) -> None:
    assert send(client, track).status_code == 204
    row = ListenBeacon.objects.get()
    assert (row.track_id, row.session, row.listened, row.user_id) == (
        track.pk,
        GOOD["session"],
        15.2,
        None,
    )


def test_a_signed_in_listener_s_beacon_names_them(
    client: Client, track: Track, listener: User
) -> None:
    client.force_login(listener)
    assert send(client, track).status_code == 204
    assert ListenBeacon.objects.get().user_id == listener.pk


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"listened": "NaN"}, "listened"),
        ({"listened": "-1"}, "listened"),
        ({"listened": "inf"}, "listened"),
        ({"listened": "1e9"}, "listened"),
        ({"position": "abc"}, "position"),
        ({"position": "500"}, "past the end"),
        ({"session": "x"}, "session"),
        ({"track": "12a"}, "track"),
    ],
)
def test_bad_numbers_get_400_with_a_readable_message(
    client: Client, track: Track, fields: dict[str, str], message: str
) -> None:
    response = send(client, track, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ListenBeacon.objects.exists()


def test_a_hidden_track_is_not_found(client: Client, anchor: Anchor) -> None:
    hidden = make_track(album__anchor=anchor, visibility="private")
    assert send(client, hidden).status_code == 404


def test_beacons_need_the_csrf_token(track: Track) -> None:
    client = Client(enforce_csrf_checks=True)
    assert send(client, track).status_code == 403


def test_a_session_sending_too_many_beacons_is_throttled(client: Client, track: Track) -> None:
    statuses = [send(client, track).status_code for _ in range(25)]
    assert statuses.count(204) == 20 and statuses[-1] == 429
    assert ListenBeacon.objects.count() == 20
