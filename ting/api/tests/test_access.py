"""Object-level access (ASVS V8.2.2): drafts and private things answer 404 to strangers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from ting.accounts.models import User
from ting.catalog.models import Anchor, Track, Visibility
from ting.catalog.tests.factories import make_album, make_track

pytestmark = pytest.mark.django_db
Bearer = Callable[..., dict[str, str]]


def test_a_private_album_is_invisible_to_strangers_and_visible_to_its_anchor(
    client: Client, anchor: Anchor, stranger: User, bearer: Bearer
) -> None:
    album = make_album(anchor=anchor, visibility=Visibility.PRIVATE)
    make_track(album=album)
    response = client.get(f"/api/v1/albums/{album.pk}", headers=bearer(stranger))
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": response.json()["error"]["message"], "fields": {}}
    }
    assert client.get(f"/api/v1/albums/{album.pk}").status_code == 404
    assert client.get(f"/api/v1/albums/{album.pk}", headers=bearer(anchor.user)).status_code == 200


def test_drafts_are_left_out_of_an_albums_tracks_for_strangers(
    client: Client, anchor: Anchor, bearer: Bearer
) -> None:
    album = make_album(anchor=anchor)
    make_track(album=album, title="已发布")
    draft = make_track(album=album, title="草稿", status=Track.Status.DRAFT, published_at=None)
    titles = [t["title"] for t in client.get(f"/api/v1/albums/{album.pk}/tracks").json()["items"]]
    assert titles == ["已发布"]
    assert client.get(f"/api/v1/tracks/{draft.pk}").status_code == 404
    mine = client.get(f"/api/v1/albums/{album.pk}/tracks", headers=bearer(anchor.user)).json()
    assert [t["title"] for t in mine["items"]] == ["已发布", "草稿"]


def test_the_studio_answers_404_for_another_anchors_album(
    client: Client, anchor: Anchor, bearer: Bearer
) -> None:
    other = make_album()
    response = client.get(
        f"/api/v1/studio/albums/{other.pk}", headers=bearer(anchor.user, "studio")
    )
    assert response.status_code == 404


def test_a_listener_without_an_anchor_cannot_use_the_studio(
    client: Client, listener: User, bearer: Bearer
) -> None:
    response = client.get("/api/v1/studio/albums", headers=bearer(listener, "studio"))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_anchor"
