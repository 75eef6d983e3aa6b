"""Who may do what to a comment."""

from __future__ import annotations

from ting.accounts.models import User
from ting.social.models import Comment


def target_anchor_user_id(comment: Comment) -> int:
    """The account of the anchor whose track or album carries the comment.

    The comment must come with `track__album__anchor` or `album__anchor` loaded.
    """
    if comment.track is not None:
        return int(comment.track.album.anchor.user_id)
    assert comment.album is not None  # the comment_one_target constraint
    return int(comment.album.anchor.user_id)


def may_moderate(comment: Comment, user: User | None) -> bool:
    """The anchor of the track (or album), or staff."""
    if user is None:
        return False
    return user.is_staff or target_anchor_user_id(comment) == user.pk


def may_delete(comment: Comment, user: User | None) -> bool:
    if user is None:
        return False
    return comment.author_id == user.pk or may_moderate(comment, user)
