"""Staff moderation: every action resolves the comment's reports and is written to the audit log."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ting.accounts.models import User
from ting.core.errors import ApplicationError
from ting.social import tasks
from ting.social.models import Ban, Comment, CommentReport, ModerationAction
from ting.social.services.comments import comment_hide

MAX_BAN_DAYS = 3650


def _resolve_reports(comment: Comment) -> None:
    CommentReport.objects.filter(comment=comment, resolved_at__isnull=True).update(
        resolved_at=timezone.now()
    )


@transaction.atomic
def moderation_hide(*, comment: Comment, by: User, note: str = "") -> None:
    comment_hide(comment=comment, by=by, note=note)
    _resolve_reports(comment)


@transaction.atomic
def moderation_delete(*, comment: Comment, by: User, note: str = "") -> None:
    snapshot = comment.body
    Comment.objects.filter(pk=comment.pk).update(
        status=Comment.Status.DELETED, body="", pinned_at=None
    )
    ModerationAction.objects.create(
        actor=by, kind=ModerationAction.Kind.DELETE, comment=comment,
        target_user_id=comment.author_id, body_snapshot=snapshot, note=note,
    )  # fmt: skip
    _resolve_reports(comment)


@transaction.atomic
def moderation_ban(*, comment: Comment, by: User, days: int, note: str = "") -> Ban:
    """Ban the author from commenting for `days` and hide the comment."""
    if comment.author_id is None:
        raise ApplicationError(_("The author deleted their account."))
    if not 1 <= days <= MAX_BAN_DAYS:
        raise ApplicationError(_("A ban lasts from 1 to %(max)d days.") % {"max": MAX_BAN_DAYS})
    ban = Ban.objects.create(
        user_id=comment.author_id, until=timezone.now() + timedelta(days=days), reason=note,
        created_by=by,
    )  # fmt: skip
    ModerationAction.objects.create(
        actor=by, kind=ModerationAction.Kind.BAN, comment=comment,
        target_user_id=comment.author_id, body_snapshot=comment.body,
        note=f"{days}d {note}".strip(),
    )  # fmt: skip
    comment_hide(comment=comment, by=by, note=note)
    _resolve_reports(comment)
    return ban


@transaction.atomic
def moderation_approve(*, comment: Comment, by: User) -> None:
    """A held comment goes public; a reported one stays and its reports are dismissed."""
    approved = Comment.objects.filter(pk=comment.pk, status=Comment.Status.HELD).update(
        status=Comment.Status.VISIBLE
    )
    if approved and comment.parent_id is not None:
        Comment.objects.filter(pk=comment.parent_id).update(reply_count=F("reply_count") + 1)
        comment_id = comment.pk
        transaction.on_commit(lambda: tasks.notify_reply.enqueue(comment_id=comment_id))
    kind = (
        ModerationAction.Kind.APPROVE
        if comment.status == Comment.Status.HELD
        else ModerationAction.Kind.DISMISS
    )
    ModerationAction.objects.create(
        actor=by, kind=kind, comment=comment, target_user_id=comment.author_id,
        body_snapshot=comment.body,
    )  # fmt: skip
    _resolve_reports(comment)
