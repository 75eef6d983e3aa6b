"""In-app notifications and the daily e-mail digest. Called from tasks, after commit."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ting.accounts.models import User
from ting.catalog.models import Track, Visibility
from ting.social.models import Comment, Notification, Preference, Subscription, Watermark
from ting.social.rules import target_anchor_user_id

log = logging.getLogger(__name__)

NEW_TRACKS_WATERMARK = "notify_new_tracks"
# A track's publish time is set inside a transaction that commits a moment later; re-reading
# this much before the watermark catches it. The unique constraint makes the overlap harmless.
NEW_TRACKS_OVERLAP = timedelta(minutes=10)
DIGEST_EVERY = timedelta(hours=24)
BATCH = 1000


def _comment(comment_id: int) -> Comment | None:
    return (
        Comment.objects.select_related("parent", "track__album__anchor", "album__anchor")
        .filter(pk=comment_id, status=Comment.Status.VISIBLE)
        .first()
    )


def notify_reply(*, comment_id: int) -> None:
    """Tell the parent's author of a reply; "the anchor replied" when it comes from the anchor."""
    reply = _comment(comment_id)
    if reply is None or reply.parent is None or reply.parent.author_id is None:
        return
    if reply.parent.author_id == reply.author_id:
        return
    from_anchor = reply.author_id == target_anchor_user_id(reply)
    kind = Notification.Kind.ANCHOR_REPLY if from_anchor else Notification.Kind.REPLY
    Notification.objects.bulk_create(
        [
            Notification(
                user_id=reply.parent.author_id, kind=kind, comment=reply,
                track_id=reply.track_id, actor_id=reply.author_id,
            )
        ],
        ignore_conflicts=True,
    )  # fmt: skip


def notify_pinned(*, comment_id: int) -> None:
    comment = _comment(comment_id)
    if comment is None or comment.pinned_at is None or comment.author_id is None:
        return
    Notification.objects.bulk_create(
        [
            Notification(
                user_id=comment.author_id, kind=Notification.Kind.PINNED, comment=comment,
                track_id=comment.track_id, actor_id=target_anchor_user_id(comment),
            )
        ],
        ignore_conflicts=True,
    )  # fmt: skip


def notify_new_track(*, track_id: int) -> int:
    """Tell the album's subscribers of a track that is out (idempotent); how many were told."""
    track = (
        Track.objects.published()
        .filter(pk=track_id)
        .exclude(visibility=Visibility.PRIVATE)
        .exclude(album__visibility=Visibility.PRIVATE)
        .first()
    )
    if track is None or track.published_at is None:
        return 0
    subscribers = (
        Subscription.objects.filter(album_id=track.album_id, created_at__lt=track.published_at)
        .values_list("user_id", flat=True)
        .order_by("pk")
    )
    told = 0
    batch: list[Notification] = []
    for user_id in subscribers.iterator(chunk_size=BATCH):
        batch.append(Notification(user_id=user_id, kind=Notification.Kind.NEW_TRACK, track=track))
        if len(batch) == BATCH:
            told += len(Notification.objects.bulk_create(batch, ignore_conflicts=True))
            batch = []
    if batch:
        told += len(Notification.objects.bulk_create(batch, ignore_conflicts=True))
    return told


def notify_new_tracks() -> int:
    """Every track that came out since the last pass, scheduled ones included; tracks seen."""
    now = timezone.now()
    with transaction.atomic():
        mark, created = Watermark.objects.select_for_update().get_or_create(
            name=NEW_TRACKS_WATERMARK, defaults={"at": now}
        )
    if created:
        return 0  # the first pass starts now: no flood of notifications for the back catalogue
    since = mark.at - NEW_TRACKS_OVERLAP
    track_ids = list(
        Track.objects.filter(
            status=Track.Status.PUBLISHED, published_at__gt=since, published_at__lte=now
        ).values_list("pk", flat=True)
    )
    for track_id in track_ids:
        notify_new_track(track_id=track_id)
    Watermark.objects.filter(name=NEW_TRACKS_WATERMARK, at__lt=now).update(at=now)
    return len(track_ids)


def notification_open(*, user: User, notification_id: int) -> Notification | None:
    notification = (
        Notification.objects.select_related("track", "comment")
        .filter(pk=notification_id, user=user)
        .first()
    )
    if notification is not None and notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def preference_set(*, user: User, email_digest: bool) -> Preference:
    preference, _created = Preference.objects.update_or_create(
        user=user, defaults={"email_digest": email_digest}
    )
    return preference


def send_digests() -> int:
    """E-mail each opted-in listener their unread, un-mailed notifications, once a day at most."""
    now = timezone.now()
    due = Preference.objects.filter(email_digest=True).filter(
        Q(digest_sent_at__isnull=True) | Q(digest_sent_at__lte=now - DIGEST_EVERY)
    )
    sent = 0
    for preference in due.select_related("user").iterator():
        user = preference.user
        unread = list(
            Notification.objects.filter(user=user, read_at__isnull=True, emailed_at__isnull=True)
            .select_related("track", "actor")
            .order_by("-created_at")[:50]
        )
        if unread and user.email:
            with translation.override(settings.LANGUAGE_CODE):
                body = render_to_string("social/email/digest.txt", {"user": user, "items": unread})
                send_mail(_("Your Ting notifications"), body, None, [user.email])
            Notification.objects.filter(pk__in=[n.pk for n in unread]).update(emailed_at=now)
            sent += 1
        Preference.objects.filter(pk=preference.pk).update(digest_sent_at=now)
    return sent
