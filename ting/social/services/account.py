"""A listener's data: export all of it, or delete the account and what is personal in it.

Deleting removes likes, follows (follower counts drop), subscriptions, listen-later, positions,
notifications, reports and preferences. Comments stay as words by "a deleted user" (the author
link is cut): replies by others would lose their context otherwise. A listener who wants their
words gone deletes those comments first; the export gives them a copy. See docs/adr/0010-social.md.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, F
from django.utils.translation import gettext as _

from ting.accounts.models import User
from ting.catalog.models import Anchor
from ting.core.errors import ApplicationError
from ting.playback.models import ListeningPosition
from ting.social.models import (
    Comment,
    CommentLike,
    Follow,
    ListenLater,
    Notification,
    Preference,
    Subscription,
    TrackLike,
)


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _rows(queryset: Any, *fields: str) -> list[dict[str, Any]]:
    return [{k: _iso(v) for k, v in row.items()} for row in queryset.values(*fields)]


def account_export(*, user: User) -> dict[str, Any]:
    """Everything Ting keeps about this listener, as plain JSON-ready values."""
    return {
        "account": {
            "username": user.username,
            "email": user.email,
            "date_joined": user.date_joined.isoformat(),
        },
        "comments": _rows(
            Comment.objects.filter(author=user).exclude(status=Comment.Status.DELETED)
            .order_by("created_at"),
            "id", "track_id", "album_id", "parent_id", "body", "status", "created_at",
        ),
        "comment_likes": _rows(CommentLike.objects.filter(user=user), "comment_id", "created_at"),
        "likes": _rows(
            TrackLike.objects.filter(user=user), "track_id", "track__title", "created_at"
        ),
        "listen_later": _rows(
            ListenLater.objects.filter(user=user), "track_id", "track__title", "created_at"
        ),
        "follows": _rows(
            Follow.objects.filter(user=user), "anchor_id", "anchor__display_name", "created_at"
        ),
        "subscriptions": _rows(
            Subscription.objects.filter(user=user), "album_id", "album__title", "created_at",
            "last_seen_at",
        ),
        "positions": _rows(
            ListeningPosition.objects.filter(user=user), "track_id", "track__title", "position",
            "finished", "updated_at",
        ),
        "notifications": _rows(
            Notification.objects.filter(user=user), "kind", "track_id", "comment_id",
            "created_at", "read_at",
        ),
    }  # fmt: skip


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Delete the account; counters that its likes and follows fed go down with them."""
    if Anchor.objects.filter(user=user).exists():
        raise ApplicationError(
            _("Anchors delete their albums in the studio before deleting the account."),
            code="is_anchor",
        )
    for anchor_id in Follow.objects.filter(user=user).values_list("anchor_id", flat=True):
        Anchor.objects.filter(pk=anchor_id, follower_count__gt=0).update(
            follower_count=F("follower_count") - 1
        )
    liked = CommentLike.objects.filter(user=user).values("comment_id").annotate(n=Count("pk"))
    for row in liked:
        Comment.objects.filter(pk=row["comment_id"], like_count__gte=row["n"]).update(
            like_count=F("like_count") - row["n"]
        )
    Comment.objects.filter(author=user).update(author=None)
    # The rest goes with the user row (CASCADE): likes, follows, subscriptions, positions,
    # notifications, reports, bans, preferences. Audit-log rows keep the action, not the name.
    Preference.objects.filter(user=user).delete()
    user.delete()
