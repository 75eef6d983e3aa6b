"""A listener's library: follows, album subscriptions, liked tracks, listen later.

Each is one row per (user, thing) under a unique constraint; a second request finds the row and
changes nothing. Anchor.follower_count moves with F() in the transaction that adds or removes
the row, so concurrent follows lose no update and a repeated one counts once.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from ting.accounts.models import User
from ting.catalog.models import Album, Anchor, Track
from ting.core.errors import ApplicationError
from ting.social.models import Follow, ListenLater, Subscription, TrackLike


def _add(model: type[Model], **fields: object) -> bool:
    """Create the row unless it exists; True when this call created it."""
    try:
        with transaction.atomic():
            model._default_manager.create(**fields)
    except IntegrityError:
        return False
    return True


@transaction.atomic
def anchor_follow(*, user: User, anchor: Anchor) -> None:
    if anchor.user_id == user.pk:
        raise ApplicationError(_("You cannot follow yourself."), code="self_follow")
    if _add(Follow, user=user, anchor=anchor):
        Anchor.objects.filter(pk=anchor.pk).update(follower_count=F("follower_count") + 1)


@transaction.atomic
def anchor_unfollow(*, user: User, anchor: Anchor) -> None:
    deleted, _rows = Follow.objects.filter(user=user, anchor=anchor).delete()
    if deleted:
        Anchor.objects.filter(pk=anchor.pk, follower_count__gt=0).update(
            follower_count=F("follower_count") - 1
        )


def album_subscribe(*, user: User, album: Album) -> None:
    _add(Subscription, user=user, album=album)


def album_unsubscribe(*, user: User, album: Album) -> None:
    Subscription.objects.filter(user=user, album=album).delete()


def subscription_seen(*, user: User, album: Album) -> None:
    """The listener opened the album: what is out now is no longer new to them.

    Writes only when something was published since they last looked, so a subscriber's album
    page costs one UPDATE the first time after new tracks, and none after that.
    """
    now = timezone.now()
    if album.last_published_at is None:
        return
    Subscription.objects.filter(
        user=user, album=album, last_seen_at__lt=min(album.last_published_at, now)
    ).update(last_seen_at=now)


def track_like(*, user: User, track: Track) -> None:
    _add(TrackLike, user=user, track=track)


def track_unlike(*, user: User, track: Track) -> None:
    TrackLike.objects.filter(user=user, track=track).delete()


def later_add(*, user: User, track: Track) -> None:
    _add(ListenLater, user=user, track=track)


def later_remove(*, user: User, track: Track) -> None:
    ListenLater.objects.filter(user=user, track=track).delete()
