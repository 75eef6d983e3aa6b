"""Posting, replying, liking, pinning and deleting comments."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ting.accounts.models import User
from ting.catalog.models import Album, Track
from ting.core.errors import ApplicationError
from ting.social import tasks, text
from ting.social.errors import Conflict, Forbidden
from ting.social.models import Ban, Comment, CommentLike, CommentReport, ModerationAction
from ting.social.rules import may_moderate
from ting.social.sensitive import sensitive_words_in

DUPLICATE_WINDOW = timedelta(minutes=10)


def active_ban(user: User) -> Ban | None:
    return Ban.objects.filter(user=user, until__gt=timezone.now()).order_by("-until").first()


def _check_body(body: str) -> str:
    body = text.clean(body)
    if not body:
        raise ApplicationError(_("Write something first."), code="empty")
    count = text.grapheme_count(body)
    if count > text.MAX_GRAPHEMES or len(body) > text.MAX_CODE_POINTS:
        raise ApplicationError(
            _("A comment can be at most %(limit)d characters; this one has %(count)d.")
            % {"limit": text.MAX_GRAPHEMES, "count": count},
            code="too_long",
        )
    return body


@transaction.atomic
def comment_post(
    *,
    author: User,
    body: str,
    track: Track | None = None,
    album: Album | None = None,
    parent: Comment | None = None,
) -> Comment:
    """A new comment or reply; held for review when it contains a listed word (mode "hold").

    The caller has checked that the author may see the track or album.
    """
    if (track is None) == (album is None):
        raise ValueError("comment on exactly one of a track or an album")
    ban = active_ban(author)
    if ban is not None:
        until = formats.date_format(timezone.localtime(ban.until), "DATETIME_FORMAT")
        raise Forbidden(_("You cannot comment until %(until)s.") % {"until": until}, code="banned")
    body = _check_body(body)
    if parent is not None:
        if parent.track_id != (track.pk if track else None) or parent.album_id != (
            album.pk if album else None
        ):
            raise ApplicationError(_("That comment belongs elsewhere."), code="wrong_parent")
        if parent.parent_id is not None:  # replies stay one level deep, as on Ximalaya
            parent = parent.parent
        if parent is None or parent.status != Comment.Status.VISIBLE:
            raise ApplicationError(_("That comment is no longer there."), code="parent_gone")

    key = text.body_key(body)
    duplicate = Comment.objects.filter(
        author=author,
        track=track,
        album=album,
        body_key=key,
        created_at__gte=timezone.now() - DUPLICATE_WINDOW,
    ).exclude(status=Comment.Status.DELETED)
    if duplicate.exists():
        raise Conflict(_("You have just posted the same comment here."), code="duplicate")

    status = Comment.Status.VISIBLE
    if sensitive_words_in(body):
        if settings.TING_SENSITIVE_MODE == "block":
            raise ApplicationError(
                _("This comment contains words that are not allowed here. Please rephrase it."),
                code="sensitive",
            )
        status = Comment.Status.HELD

    comment = Comment.objects.create(
        track=track, album=album, author=author, parent=parent, body=body, body_key=key,
        status=status,
    )  # fmt: skip
    if parent is not None and status == Comment.Status.VISIBLE:
        Comment.objects.filter(pk=parent.pk).update(reply_count=F("reply_count") + 1)
        comment_id = comment.pk
        transaction.on_commit(lambda: tasks.notify_reply.enqueue(comment_id=comment_id))
    return comment


def _set_gone(comment: Comment, status: str) -> bool:
    """Hide or delete; True when the comment was visible (a parent's reply count drops)."""
    body = "" if status == Comment.Status.DELETED else F("body")
    was_visible = Comment.objects.filter(pk=comment.pk, status=Comment.Status.VISIBLE).update(
        status=status, body=body, pinned_at=None
    )
    if not was_visible:
        Comment.objects.filter(pk=comment.pk).exclude(status=Comment.Status.DELETED).update(
            status=status, body=body, pinned_at=None
        )
    elif comment.parent_id is not None:
        Comment.objects.filter(pk=comment.parent_id, reply_count__gt=0).update(
            reply_count=F("reply_count") - 1
        )
    return bool(was_visible)


@transaction.atomic
def comment_delete(*, comment: Comment, by: User) -> None:
    """Authors delete their own; the anchor and staff delete any on their tracks (logged)."""
    own = comment.author_id is not None and comment.author_id == by.pk
    if not own and not may_moderate(comment, by):
        raise Forbidden(_("Only the author or the anchor can delete this comment."))
    snapshot = comment.body
    _set_gone(comment, Comment.Status.DELETED)
    if not own:
        ModerationAction.objects.create(
            actor=by, kind=ModerationAction.Kind.DELETE, comment=comment,
            target_user_id=comment.author_id, body_snapshot=snapshot,
        )  # fmt: skip


@transaction.atomic
def comment_hide(*, comment: Comment, by: User, note: str = "") -> None:
    snapshot = comment.body
    _set_gone(comment, Comment.Status.HIDDEN)
    ModerationAction.objects.create(
        actor=by, kind=ModerationAction.Kind.HIDE, comment=comment,
        target_user_id=comment.author_id, body_snapshot=snapshot, note=note,
    )  # fmt: skip


@transaction.atomic
def comment_pin(*, comment: Comment, by: User, pinned: bool) -> None:
    """The anchor pins a top-level comment to the top of the list (or unpins it)."""
    if not may_moderate(comment, by):
        raise Forbidden(_("Only the anchor can pin comments here."))
    if comment.parent_id is not None or comment.status != Comment.Status.VISIBLE:
        raise ApplicationError(_("Only visible top-level comments can be pinned."))
    if pinned:
        changed = Comment.objects.filter(pk=comment.pk, pinned_at__isnull=True).update(
            pinned_at=timezone.now()
        )
    else:
        changed = Comment.objects.filter(pk=comment.pk, pinned_at__isnull=False).update(
            pinned_at=None
        )
    if not changed:
        return
    kind = ModerationAction.Kind.PIN if pinned else ModerationAction.Kind.UNPIN
    ModerationAction.objects.create(
        actor=by, kind=kind, comment=comment, target_user_id=comment.author_id
    )
    if pinned and comment.author_id not in (None, by.pk):
        comment_id = comment.pk
        transaction.on_commit(lambda: tasks.notify_pinned.enqueue(comment_id=comment_id))


def comment_like(*, comment: Comment, user: User) -> None:
    """Like once; a second like (another tab, a double click) changes nothing."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                CommentLike.objects.create(comment=comment, user=user)
        except IntegrityError:
            return
        Comment.objects.filter(pk=comment.pk).update(like_count=F("like_count") + 1)


def comment_unlike(*, comment: Comment, user: User) -> None:
    with transaction.atomic():
        deleted, _rows = CommentLike.objects.filter(comment=comment, user=user).delete()
        if deleted:
            Comment.objects.filter(pk=comment.pk, like_count__gt=0).update(
                like_count=F("like_count") - 1
            )


def comment_report(*, comment: Comment, reporter: User, reason: str, note: str = "") -> None:
    """Queue a comment for staff; reporting twice keeps the first report."""
    if reason not in CommentReport.Reason.values:
        raise ApplicationError(_("Choose a reason."), code="reason")
    CommentReport.objects.get_or_create(
        comment=comment, reporter=reporter, defaults={"reason": reason, "note": note[:300]}
    )
