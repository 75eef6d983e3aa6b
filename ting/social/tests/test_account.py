"""A listener takes their data with them, or deletes the account."""

from __future__ import annotations

import json

from django.test import Client
from django.urls import reverse

from ting.accounts.models import User
from ting.catalog.models import Anchor, Track
from ting.playback.services import position_save
from ting.social.models import Comment, Follow, TrackLike
from ting.social.services import library
from ting.social.services.comments import comment_like, comment_post


def test_the_export_holds_everything_personal(
    listener: User, listener_client: Client, track: Track, anchor: Anchor
) -> None:
    comment_post(author=listener, track=track, body="留个言")
    library.track_like(user=listener, track=track)
    library.anchor_follow(user=listener, anchor=anchor)
    library.album_subscribe(user=listener, album=track.album)
    position_save(user=listener, track=track, position=30.0, finished=False)
    response = listener_client.get(reverse("social:export"))
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["comments"][0]["body"] == "留个言"
    assert data["likes"][0]["track_id"] == track.pk
    assert data["follows"][0]["anchor_id"] == anchor.pk
    assert data["subscriptions"][0]["album_id"] == track.album_id
    assert data["positions"][0]["position"] == 30.0
    assert set(data) >= {"notifications", "listen_later", "comment_likes"}


def test_deleting_the_account_anonymises_comments_and_takes_back_counts(
    listener: User, listener_client: Client, stranger: User, track: Track, anchor: Anchor
) -> None:
    mine = comment_post(author=listener, track=track, body="我说过的话")
    theirs = comment_post(author=stranger, track=track, body="别人的话")
    comment_like(comment=theirs, user=listener)
    library.anchor_follow(user=listener, anchor=anchor)
    library.track_like(user=listener, track=track)
    wrong = listener_client.post(reverse("social:delete_account"), {"password": "nope"})
    assert wrong.status_code == 400
    response = listener_client.post(
        reverse("social:delete_account"), {"password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    assert not User.objects.filter(username="listener").exists()
    mine.refresh_from_db()
    theirs.refresh_from_db()
    anchor.refresh_from_db()
    assert mine.author is None and mine.body == "我说过的话"
    assert theirs.like_count == 0
    assert anchor.follower_count == 0
    assert not Follow.objects.exists() and not TrackLike.objects.exists()
    page = Client().get(reverse("social:track_comments", args=[track.pk])).content.decode()
    assert "Deleted user" in page and "listener" not in page


def test_password_guesses_at_deletion_count_towards_the_sign_in_lockout(
    listener: User, listener_client: Client
) -> None:
    url = reverse("social:delete_account")
    for _ in range(4):
        assert listener_client.post(url, {"password": "guess"}).status_code == 400
    # The fifth wrong guess (TING_LOGIN_FAILURE_LIMIT) locks, as it would at sign-in.
    assert listener_client.post(url, {"password": "guess"}).status_code == 429
    # Locked out now: even the right password deletes nothing until the cool-off ends.
    locked = listener_client.post(url, {"password": "correct horse battery staple"})
    assert locked.status_code == 429
    assert User.objects.filter(pk=listener.pk).exists()
    signed_in = Client().post(
        reverse("accounts:login"),
        {"username": "listener", "password": "correct horse battery staple"},
    )
    assert signed_in.status_code == 429


def test_an_anchor_is_asked_to_remove_their_albums_first(
    anchor: Anchor, anchor_client: Client
) -> None:
    response = anchor_client.post(
        reverse("social:delete_account"), {"password": "correct horse battery staple"}
    )
    assert response.status_code == 400
    assert Comment.objects.count() == 0
    assert User.objects.filter(pk=anchor.user_id).exists()
