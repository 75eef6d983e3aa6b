"""Notifications: created after commit, once each, and counted in the header bell."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ting.accounts.models import User
from ting.catalog.models import Anchor, Track
from ting.catalog.tests.factories import make_track
from ting.social.models import Notification, Preference, Subscription, Watermark
from ting.social.services import library, notifications
from ting.social.services.comments import comment_pin, comment_post


def test_a_reply_notifies_the_author_only_after_commit(
    listener: User, stranger: User, track: Track, django_capture_on_commit_callbacks: Any
) -> None:
    top = comment_post(author=listener, track=track, body="好节目")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        comment_post(author=stranger, track=track, body="同意", parent=top)
        assert not Notification.objects.exists()
    assert len(callbacks) == 1
    assert not Notification.objects.exists()
    callbacks[0]()
    note = Notification.objects.get()
    assert (note.user, note.kind, note.actor) == (listener, Notification.Kind.REPLY, stranger)


def test_the_anchor_replying_or_pinning_is_its_own_notification(
    listener: User, anchor: Anchor, track: Track, django_capture_on_commit_callbacks: Any
) -> None:
    top = comment_post(author=listener, track=track, body="请问主播")
    with django_capture_on_commit_callbacks(execute=True):
        comment_post(author=anchor.user, track=track, body="谢谢收听", parent=top)
        comment_pin(comment=top, by=anchor.user, pinned=True)
    kinds = set(Notification.objects.filter(user=listener).values_list("kind", flat=True))
    assert kinds == {Notification.Kind.ANCHOR_REPLY, Notification.Kind.PINNED}


def test_replying_to_yourself_notifies_no_one(
    listener: User, track: Track, django_capture_on_commit_callbacks: Any
) -> None:
    top = comment_post(author=listener, track=track, body="补充一下")
    with django_capture_on_commit_callbacks(execute=True):
        comment_post(author=listener, track=track, body="还有", parent=top)
    assert not Notification.objects.exists()


def test_new_tracks_notify_subscribers_once_including_scheduled_ones(
    listener: User, stranger: User, track: Track
) -> None:
    album = track.album
    library.album_subscribe(user=listener, album=album)
    Subscription.objects.update(created_at=timezone.now() - timedelta(days=2))
    assert notifications.notify_new_tracks() == 0  # the first pass only sets the watermark
    Watermark.objects.update(at=timezone.now() - timedelta(minutes=30))
    fresh = make_track(album=album, published_at=timezone.now() - timedelta(minutes=1))
    later = make_track(album=album, published_at=timezone.now() + timedelta(hours=1))
    notifications.notify_new_tracks()
    notifications.notify_new_tracks()  # overlapping passes notify once
    assert list(Notification.objects.values_list("user_id", "track_id")) == [
        (listener.pk, fresh.pk)
    ]
    Watermark.objects.update(at=timezone.now() + timedelta(minutes=50))
    Track.objects.filter(pk=later.pk).update(published_at=timezone.now())
    Watermark.objects.update(at=timezone.now() - timedelta(seconds=1))
    notifications.notify_new_tracks()
    assert Notification.objects.filter(track=later, user=listener).count() == 1
    assert not Notification.objects.filter(user=stranger).exists()


def test_the_bell_shows_the_unread_count_and_reading_clears_it(
    listener: User, listener_client: Client, track: Track
) -> None:
    note = Notification.objects.create(user=listener, kind="new_track", track=track)
    page = listener_client.get(reverse("home")).content.decode()
    assert 'data-unread="1"' in page
    response = listener_client.get(reverse("social:notification", args=[note.pk]))
    assert response["Location"] == reverse("track", args=[track.pk])
    assert "data-unread" not in listener_client.get(reverse("home")).content.decode()


def test_a_stranger_cannot_open_someone_elses_notification(
    listener: User, stranger_client: Client, track: Track
) -> None:
    note = Notification.objects.create(user=listener, kind="new_track", track=track)
    assert stranger_client.get(reverse("social:notification", args=[note.pk])).status_code == 404


def test_the_daily_digest_mails_unread_notifications_once(
    listener: User, track: Track, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Preference.objects.create(user=listener, email_digest=True)
    Notification.objects.create(user=listener, kind="new_track", track=track)
    assert notifications.send_digests() == 1
    assert notifications.send_digests() == 0
    assert len(mail.outbox) == 1
    assert track.title in mail.outbox[0].body
