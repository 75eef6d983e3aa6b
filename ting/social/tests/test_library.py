"""Follows, subscriptions, likes, listen later, history and the continue-listening shelf."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ting.accounts.models import User
from ting.catalog.models import Anchor, Track
from ting.catalog.tests.factories import make_track
from ting.playback.models import ListeningPosition
from ting.playback.services import position_save
from ting.social.models import Follow, Subscription, TrackLike
from ting.social.services import library

HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


def test_following_counts_once_and_unfollowing_takes_it_back(
    listener_client: Client, anchor: Anchor
) -> None:
    url = reverse("social:follow", args=[anchor.pk])
    for _ in range(2):
        response = listener_client.post(url, {"on": "1"}, **HTMX)
        assert "Following" in response.content.decode()
    anchor.refresh_from_db()
    assert anchor.follower_count == 1
    assert Follow.objects.count() == 1
    listener_client.post(url, {"on": "0"})
    listener_client.post(url, {"on": "0"})
    anchor.refresh_from_db()
    assert anchor.follower_count == 0


def test_an_anchor_cannot_follow_themselves(anchor_client: Client, anchor: Anchor) -> None:
    response = anchor_client.post(reverse("social:follow", args=[anchor.pk]), {"on": "1"})
    assert response.status_code == 400
    assert "yourself" in response.content.decode()


def test_the_anchor_card_shows_a_follow_button_and_anonymous_readers_log_in_first(
    client: Client, listener_client: Client, track: Track
) -> None:
    page = client.get(reverse("track", args=[track.pk])).content.decode()
    assert f"/accounts/login/?next=%2Ftrack%2F{track.pk}%2F" in page
    page = listener_client.get(reverse("track", args=[track.pk])).content.decode()
    assert reverse("social:follow", args=[track.album.anchor_id]) in page
    assert reverse("social:track_like", args=[track.pk]) in page


def test_liking_and_saving_for_later_fill_the_listeners_pages(
    listener_client: Client, track: Track
) -> None:
    listener_client.post(reverse("social:track_like", args=[track.pk]), {"on": "1"})
    response = listener_client.post(
        reverse("social:track_later", args=[track.pk]), {"on": "1"}, **HTMX
    )
    assert "In listen later" in response.content.decode()
    assert track.title in listener_client.get(reverse("social:likes")).content.decode()
    assert track.title in listener_client.get(reverse("social:later")).content.decode()


def test_private_lists_are_their_owners_alone(
    listener: User, stranger_client: Client, client: Client, track: Track
) -> None:
    library.track_like(user=listener, track=track)
    library.later_add(user=listener, track=track)
    for name in ("likes", "later", "subscriptions", "following", "history", "notifications"):
        url = reverse(f"social:{name}")
        assert track.title not in stranger_client.get(url).content.decode()
        assert client.get(url).status_code == 302  # anonymous: log in first
    assert stranger_client.get(f"/me/likes/{listener.pk}/").status_code == 404


def test_a_subscription_shows_new_tracks_until_the_album_is_opened(
    listener: User, listener_client: Client, track: Track
) -> None:
    album = track.album
    listener_client.post(reverse("social:subscribe", args=[album.pk]), {"on": "1"})
    Subscription.objects.update(last_seen_at=timezone.now() - timedelta(days=1))
    Subscription.objects.update(created_at=timezone.now() - timedelta(days=1))
    make_track(album=album, title="新一集", published_at=timezone.now() - timedelta(minutes=5))
    make_track(album=album, title="再一集", published_at=timezone.now() - timedelta(minutes=4))
    make_track(album=album, title="预约", published_at=timezone.now() + timedelta(days=1))
    page = listener_client.get(reverse("social:subscriptions")).content.decode()
    assert "3 new" in page  # the track from an hour ago and the two new ones; not the scheduled
    assert reverse("api_pages:subscriptions_opml") in page  # import/export from other apps
    listener_client.get(reverse("album", args=[album.pk]))
    page = listener_client.get(reverse("social:subscriptions")).content.decode()
    assert " new<" not in page


def test_playing_the_album_resets_the_new_badge(
    listener: User, listener_client: Client, track: Track
) -> None:
    library.album_subscribe(user=listener, album=track.album)
    Subscription.objects.update(last_seen_at=timezone.now() - timedelta(days=1))
    assert "1 new" in listener_client.get(reverse("social:subscriptions")).content.decode()
    position_save(user=listener, track=track, position=12.0, finished=False)
    assert " new<" not in listener_client.get(reverse("social:subscriptions")).content.decode()


def test_the_continue_listening_shelf_shows_unfinished_tracks_newest_first(
    listener: User, listener_client: Client, client: Client, anchor: Anchor
) -> None:
    older = make_track(album__anchor=anchor, title="旧的", duration=200.0)
    newer = make_track(album__anchor=anchor, title="新的", duration=100.0)
    done = make_track(album__anchor=anchor, title="听完了", duration=100.0)
    position_save(user=listener, track=older, position=50.0, finished=False)
    position_save(user=listener, track=newer, position=50.0, finished=False)
    position_save(user=listener, track=done, position=100.0, finished=True)
    ListeningPosition.objects.filter(track=older).update(
        updated_at=timezone.now() - timedelta(hours=1)
    )
    page = listener_client.get(reverse("home")).content.decode()
    shelf = page.split('id="continue-listening"')[1].split("</section>")[0]
    assert shelf.index("新的") < shelf.index("旧的")
    assert "听完了" not in shelf
    assert f'data-play data-track-id="{newer.pk}"' in shelf
    assert 'value="50"' in shelf and 'value="25"' in shelf
    assert "continue-listening" not in client.get(reverse("home")).content.decode()


def test_history_lists_what_was_played_newest_first(
    listener: User, listener_client: Client, anchor: Anchor
) -> None:
    first = make_track(album__anchor=anchor, title="第一个")
    second = make_track(album__anchor=anchor, title="第二个")
    position_save(user=listener, track=first, position=10.0, finished=True)
    position_save(user=listener, track=second, position=10.0, finished=False)
    ListeningPosition.objects.filter(track=first).update(
        updated_at=timezone.now() - timedelta(hours=1)
    )
    page = listener_client.get(reverse("social:history")).content.decode()
    assert page.index("第二个") < page.index("第一个")


def test_liking_twice_keeps_one_row(listener: User, track: Track) -> None:
    library.track_like(user=listener, track=track)
    library.track_like(user=listener, track=track)
    assert TrackLike.objects.count() == 1
