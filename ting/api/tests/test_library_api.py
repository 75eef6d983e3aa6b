"""The caller's library over the API: likes, listen later, follows, subscriptions with news,
resume points and notifications; repeatable writes, cursor pages, pinned query counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ting.accounts.models import User
from ting.catalog.models import Anchor, Visibility
from ting.catalog.tests.factories import make_album, make_anchor, make_track
from ting.social.models import Follow, Notification, Subscription, TrackLike

pytestmark = pytest.mark.django_db
Bearer = Callable[..., dict[str, str]]


def _walk(client: Client, url: str, headers: dict[str, str]) -> list[Any]:
    items: list[Any] = []
    cursor = None
    while True:
        query = {"limit": 4, **({"cursor": cursor} if cursor else {})}
        page = client.get(url, query, headers=headers).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def test_liking_twice_keeps_one_like_and_the_list_pages_through(
    client: Client, listener: User, bearer: Bearer
) -> None:
    headers = bearer(listener, "read", "write")
    tracks = [make_track() for _ in range(9)]
    for track in tracks:
        for _ in range(2):
            assert client.put(f"/api/v1/me/likes/{track.pk}", headers=headers).status_code == 200
    assert TrackLike.objects.filter(user=listener).count() == 9
    listed = _walk(client, "/api/v1/me/likes", headers)
    assert sorted(i["track"]["id"] for i in listed) == sorted(t.pk for t in tracks)
    assert client.delete(f"/api/v1/me/likes/{tracks[0].pk}", headers=headers).status_code == 200
    assert TrackLike.objects.filter(user=listener).count() == 8


def test_a_track_that_went_private_leaves_the_lists(
    client: Client, listener: User, anchor: Anchor, bearer: Bearer
) -> None:
    headers = bearer(listener, "read", "write")
    track = make_track(album__anchor=anchor)
    client.put(f"/api/v1/me/later/{track.pk}", headers=headers)
    assert len(client.get("/api/v1/me/later", headers=headers).json()["items"]) == 1
    track.visibility = Visibility.PRIVATE
    track.save()
    assert client.get("/api/v1/me/later", headers=headers).json()["items"] == []
    assert client.put(f"/api/v1/me/later/{track.pk}", headers=headers).status_code == 404


def test_follow_counts_once_and_self_follow_is_refused(
    client: Client, listener: User, anchor: Anchor, bearer: Bearer
) -> None:
    headers = bearer(listener, "read", "write")
    for _ in range(2):
        assert client.put(f"/api/v1/me/follows/{anchor.pk}", headers=headers).status_code == 200
    anchor.refresh_from_db()
    assert anchor.follower_count == 1
    page = client.get("/api/v1/me/follows", headers=headers).json()
    assert [i["anchor"]["id"] for i in page["items"]] == [anchor.pk]
    own = client.put(f"/api/v1/me/follows/{anchor.pk}", headers=bearer(anchor.user, "write"))
    assert own.status_code == 400 and own.json()["error"]["code"] == "self_follow"
    assert client.delete(f"/api/v1/me/follows/{anchor.pk}", headers=headers).status_code == 200
    assert not Follow.objects.exists()


def test_subscriptions_say_how_many_tracks_are_new(
    client: Client, listener: User, anchor: Anchor, bearer: Bearer
) -> None:
    headers = bearer(listener, "read", "write")
    album = make_album(anchor=anchor)
    make_track(album=album, published_at=timezone.now() - timedelta(days=3))
    assert client.put(f"/api/v1/me/subscriptions/{album.pk}", headers=headers).status_code == 200
    Subscription.objects.update(last_seen_at=timezone.now() - timedelta(days=2))
    make_track(album=album, position=2, published_at=timezone.now() - timedelta(hours=1))
    make_track(album=album, position=3, published_at=timezone.now() - timedelta(minutes=5))
    item = client.get("/api/v1/me/subscriptions", headers=headers).json()["items"][0]
    assert item["album"]["id"] == album.pk and item["new_count"] == 2
    client.post(f"/api/v1/me/subscriptions/{album.pk}/seen", headers=headers)
    item = client.get("/api/v1/me/subscriptions", headers=headers).json()["items"][0]
    assert item["new_count"] == 0


def test_the_resume_point_is_read_back_where_it_was_written(
    client: Client, listener: User, bearer: Bearer
) -> None:
    headers = bearer(listener, "read", "write")
    track = make_track(duration=600.0)
    fresh = client.get(f"/api/v1/me/positions/{track.pk}", headers=headers).json()
    assert fresh["position"] == 0 and fresh["updated_at"] is None
    client.put(
        f"/api/v1/me/positions/{track.pk}", {"position": 312.5},
        content_type="application/json", headers=headers,
    )  # fmt: skip
    again = client.get(f"/api/v1/me/positions/{track.pk}", headers=headers).json()
    assert again["position"] == 312.5 and again["finished"] is False


def test_notifications_list_and_mark_read(
    client: Client, listener: User, stranger: User, bearer: Bearer
) -> None:
    headers = bearer(listener, "read", "write")
    tracks = [make_track() for _ in range(3)]
    for track in tracks:
        Notification.objects.create(user=listener, kind=Notification.Kind.NEW_TRACK, track=track)
    Notification.objects.create(user=stranger, kind=Notification.Kind.NEW_TRACK, track=tracks[0])
    page = client.get("/api/v1/me/notifications", headers=headers).json()
    assert page["unread"] == 3 and len(page["items"]) == 3
    first = page["items"][0]["id"]
    read = client.post(f"/api/v1/me/notifications/{first}/read", headers=headers)
    assert read.status_code == 200 and read.json()["read"] is True
    theirs = Notification.objects.get(user=stranger).pk
    assert (
        client.post(f"/api/v1/me/notifications/{theirs}/read", headers=headers).status_code == 404
    )
    assert client.post("/api/v1/me/notifications/read", headers=headers).json() == {"count": 2}
    assert client.get("/api/v1/me/notifications", headers=headers).json()["unread"] == 0


def test_library_writes_need_the_write_scope(
    client: Client, listener: User, bearer: Bearer
) -> None:
    track = make_track()
    response = client.put(f"/api/v1/me/likes/{track.pk}", headers=bearer(listener, "read"))
    assert response.status_code == 403 and not TrackLike.objects.exists()
    assert client.get("/api/v1/me/likes").status_code == 401


@pytest.mark.parametrize("rows", [2, 12])
@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/api/v1/me/likes", 2),
        ("/api/v1/me/later", 2),
        ("/api/v1/me/follows", 2),
        ("/api/v1/me/subscriptions", 2),
        ("/api/v1/me/notifications", 3),
    ],
)
def test_library_lists_cost_the_same_queries_at_any_length(
    client: Client,
    listener: User,
    bearer: Bearer,
    rows: int,
    url: str,
    queries: int,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    headers = bearer(listener, "read", "write")
    for _ in range(rows):
        track = make_track(album__anchor=make_anchor())
        client.put(f"/api/v1/me/likes/{track.pk}", headers=headers)
        client.put(f"/api/v1/me/later/{track.pk}", headers=headers)
        client.put(f"/api/v1/me/follows/{track.album.anchor_id}", headers=headers)
        client.put(f"/api/v1/me/subscriptions/{track.album_id}", headers=headers)
        Notification.objects.create(user=listener, kind=Notification.Kind.NEW_TRACK, track=track)
    # the token, the page (and for notifications the unread count)
    with django_assert_num_queries(queries):
        response = client.get(url, headers=headers)
    assert response.status_code == 200 and len(response.json()["items"]) == min(rows, 20)
