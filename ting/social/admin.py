"""The operator's view of what listeners do: comments and their moderation, library rows, bans.

Counters (likes, replies, followers) are kept by the social services, so rows that feed them
are shown read-only. Comments change only through actions: hiding goes through the moderation
service (audit log, reports resolved); unhiding is the explicit reverse, logged the same way.
Comment text is plain text and is shown escaped, as the admin escapes every str it is given.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ting.accounts.models import User
from ting.core.admin import ReadOnlyAdmin
from ting.social.models import (
    Ban,
    Comment,
    CommentLike,
    CommentReport,
    Follow,
    ListenLater,
    ModerationAction,
    Notification,
    Preference,
    Subscription,
    TrackLike,
    Watermark,
)
from ting.social.services import moderation

_GONE = (Comment.Status.HIDDEN, Comment.Status.DELETED)


def _operator(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


@transaction.atomic
def _unhide(comment: Comment, by: User) -> bool:
    """HIDDEN → VISIBLE (the words were kept when hidden); False when it was not hidden."""
    shown = Comment.objects.filter(pk=comment.pk, status=Comment.Status.HIDDEN).update(
        status=Comment.Status.VISIBLE
    )
    if not shown:
        return False
    if comment.parent_id is not None:
        # Hiding a reply took it out of its parent's count; showing it puts it back.
        Comment.objects.filter(pk=comment.parent_id).update(reply_count=F("reply_count") + 1)
    ModerationAction.objects.create(
        actor=by, kind=ModerationAction.Kind.APPROVE, comment=comment,
        target_user_id=comment.author_id, body_snapshot=comment.body, note="unhidden (admin)",
    )  # fmt: skip
    return True


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin[Comment]):
    list_display = (
        "excerpt", "author", "track", "album", "status", "is_reply", "is_pinned", "like_count",
        "reply_count", "created_at",
    )  # fmt: skip
    list_filter = ("status", "created_at", ("pinned_at", admin.EmptyFieldListFilter))
    list_select_related = ("author", "track", "album")
    search_fields = ("body", "author__username", "track__title", "album__title")
    date_hierarchy = "created_at"
    raw_id_fields = ("track", "album", "author", "parent")
    exclude = ("body_key",)
    actions = ("hide_comments", "unhide_comments")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A hard delete would leave reply counts and the audit log wrong; hide instead.
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The services own every column; "change" permission is only for the actions.
        return [field.name for field in Comment._meta.fields if field.name != "body_key"]

    @admin.display(description=_("comment"))
    def excerpt(self, comment: Comment) -> str:
        return Truncator(comment.body).chars(60)

    @admin.display(description=_("reply"), boolean=True)
    def is_reply(self, comment: Comment) -> bool:
        return comment.parent_id is not None

    @admin.display(description=_("pinned"), boolean=True, ordering="pinned_at")
    def is_pinned(self, comment: Comment) -> bool:
        return comment.pinned_at is not None

    @admin.action(description=_("Hide the selected comments"), permissions=["change"])
    def hide_comments(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        by = _operator(request)
        hidden = 0
        for comment in queryset.exclude(status__in=_GONE).order_by("pk"):
            moderation.moderation_hide(comment=comment, by=by)
            hidden += 1
        message = ngettext(
            "%(count)d comment was hidden.", "%(count)d comments were hidden.", hidden
        )
        self.message_user(request, message % {"count": hidden}, messages.SUCCESS)

    @admin.action(description=_("Show the selected hidden comments again"), permissions=["change"])
    def unhide_comments(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        by = _operator(request)
        shown = sum(_unhide(comment, by) for comment in queryset.order_by("pk"))
        message = ngettext(
            "%(count)d comment is visible again.", "%(count)d comments are visible again.", shown
        )
        self.message_user(request, message % {"count": shown}, messages.SUCCESS)


@admin.register(CommentLike)
class CommentLikeAdmin(ReadOnlyAdmin[CommentLike]):
    list_display = ("user", "comment", "created_at")
    list_filter = ("created_at",)
    list_select_related = ("user", "comment")
    search_fields = ("user__username", "comment__body")
    date_hierarchy = "created_at"


@admin.register(CommentReport)
class CommentReportAdmin(ReadOnlyAdmin[CommentReport]):
    list_display = ("comment", "reporter", "reason", "note", "created_at", "resolved_at")
    list_filter = ("reason", ("resolved_at", admin.EmptyFieldListFilter), "created_at")
    list_select_related = ("comment", "reporter")
    search_fields = ("comment__body", "reporter__username", "note")
    date_hierarchy = "created_at"


@admin.register(Ban)
class BanAdmin(admin.ModelAdmin[Ban]):
    list_display = ("user", "until", "is_active", "reason", "created_by", "created_at")
    list_filter = ("until", "created_at")
    list_select_related = ("user", "created_by")
    search_fields = ("user__username", "reason")
    date_hierarchy = "created_at"
    raw_id_fields = ("user",)
    fields = ("user", "until", "reason", "created_by", "created_at")
    readonly_fields = ("created_by", "created_at")

    @admin.display(description=_("in force"), boolean=True)
    def is_active(self, ban: Ban) -> bool:
        return ban.until > timezone.now()

    def save_model(self, request: HttpRequest, obj: Ban, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = _operator(request)
        super().save_model(request, obj, form, change)


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin[ModerationAction]):
    list_display = ("created_at", "kind", "actor", "target_user", "comment", "note")
    list_filter = ("kind", "created_at")
    list_select_related = ("actor", "target_user", "comment")
    search_fields = ("actor__username", "target_user__username", "body_snapshot", "note")
    date_hierarchy = "created_at"


@admin.register(Follow)
class FollowAdmin(ReadOnlyAdmin[Follow]):
    list_display = ("user", "anchor", "created_at")
    list_filter = ("created_at",)
    list_select_related = ("user", "anchor")
    search_fields = ("user__username", "anchor__display_name")
    date_hierarchy = "created_at"


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin[Subscription]):
    list_display = ("user", "album", "created_at", "last_seen_at")
    list_filter = ("created_at",)
    list_select_related = ("user", "album")
    search_fields = ("user__username", "album__title")
    date_hierarchy = "created_at"


@admin.register(TrackLike)
class TrackLikeAdmin(ReadOnlyAdmin[TrackLike]):
    list_display = ("user", "track", "created_at")
    list_filter = ("created_at",)
    list_select_related = ("user", "track")
    search_fields = ("user__username", "track__title")
    date_hierarchy = "created_at"


@admin.register(ListenLater)
class ListenLaterAdmin(ReadOnlyAdmin[ListenLater]):
    list_display = ("user", "track", "created_at")
    list_filter = ("created_at",)
    list_select_related = ("user", "track")
    search_fields = ("user__username", "track__title")
    date_hierarchy = "created_at"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin[Notification]):
    # A notification matters only to its reader; deleting one is harmless.
    deletable = True
    list_display = ("user", "kind", "actor", "track", "comment", "created_at", "read_at")
    list_filter = (
        "kind", ("read_at", admin.EmptyFieldListFilter),
        ("emailed_at", admin.EmptyFieldListFilter), "created_at",
    )  # fmt: skip
    list_select_related = ("user", "actor", "track", "comment")
    search_fields = ("user__username",)
    date_hierarchy = "created_at"


@admin.register(Preference)
class PreferenceAdmin(ReadOnlyAdmin[Preference]):
    list_display = ("user", "email_digest", "digest_sent_at")
    list_filter = ("email_digest",)
    list_select_related = ("user",)
    search_fields = ("user__username",)


@admin.register(Watermark)
class WatermarkAdmin(ReadOnlyAdmin[Watermark]):
    list_display = ("name", "at")
    search_fields = ("name",)
