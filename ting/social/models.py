"""What listeners do around the catalog: comments, follows, subscriptions, likes, notifications."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ting.catalog.models import Album, Anchor, Track

USER = settings.AUTH_USER_MODEL


class Comment(models.Model):
    """A plain-text comment on a track or an album; `parent` makes it a reply (one level)."""

    class Status(models.TextChoices):
        VISIBLE = "visible", _("Visible")
        HELD = "held", _("Held for review")
        HIDDEN = "hidden", _("Hidden by a moderator")
        DELETED = "deleted", _("Deleted")

    # No single-column FK indexes: the composite ones below lead with these columns, and a
    # plain (parent_id) index tempts SQLite to read every top-level comment for `IS NULL`.
    track = models.ForeignKey(
        Track,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
        db_index=False,
    )
    album = models.ForeignKey(
        Album,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
        db_index=False,
    )
    # NULL once the author deleted their account: the words stay, shown as "deleted user".
    author = models.ForeignKey(
        USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
        db_index=False,
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        db_index=False,
    )
    body = models.TextField(_("comment"))
    # Simplified, case-folded, whitespace-collapsed body: duplicate detection compares this.
    body_key = models.CharField(max_length=64, db_index=False)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.VISIBLE)
    pinned_at = models.DateTimeField(null=True, blank=True)
    like_count = models.PositiveIntegerField(default=0)
    reply_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        # Keyset pagination walks these: (target, sort key, id) in the order pages are read.
        indexes = [
            models.Index(fields=["track", "-created_at", "-id"], name="comment_track_newest"),
            models.Index(fields=["track", "-like_count", "-id"], name="comment_track_liked"),
            models.Index(fields=["album", "-created_at", "-id"], name="comment_album_newest"),
            models.Index(fields=["album", "-like_count", "-id"], name="comment_album_liked"),
            # Partial, so the planner never prefers them for the main lists (which ask for
            # top-level, unpinned comments) over the ordered indexes above.
            models.Index(
                fields=["track", "pinned_at"],
                condition=Q(pinned_at__isnull=False),
                name="comment_track_pinned",
            ),
            models.Index(
                fields=["album", "pinned_at"],
                condition=Q(pinned_at__isnull=False),
                name="comment_album_pinned",
            ),
            models.Index(
                fields=["parent", "created_at", "id"],
                condition=Q(parent__isnull=False),
                name="comment_replies",
            ),
            models.Index(fields=["author", "-created_at"], name="comment_author_recent"),
            models.Index(fields=["created_at"], condition=Q(status="held"), name="comment_held"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(track__isnull=False, album__isnull=True)
                | Q(track__isnull=True, album__isnull=False),
                name="comment_one_target",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["visible", "held", "hidden", "deleted"]),
                name="comment_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.body[:40]


class CommentLike(models.Model):
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="comment_likes")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "comment"], name="comment_like_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} likes comment {self.comment_id}"


class CommentReport(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        ABUSE = "abuse", _("Abuse or harassment")
        ILLEGAL = "illegal", _("Illegal content")
        OTHER = "other", _("Something else")

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="comment_reports")
    reason = models.CharField(_("reason"), max_length=8, choices=Reason.choices)
    note = models.CharField(_("details"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="report_once"),
        ]
        indexes = [models.Index(fields=["resolved_at", "created_at"], name="report_open")]

    def __str__(self) -> str:
        return f"report of comment {self.comment_id}: {self.reason}"


class Ban(models.Model):
    """The user may not comment until `until`; checked when posting."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="comment_bans")
    until = models.DateTimeField()
    reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, related_name="bans_given"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "-until"], name="ban_user_until")]

    def __str__(self) -> str:
        return f"{self.user_id} banned until {self.until:%Y-%m-%d %H:%M}"


class ModerationAction(models.Model):
    """The audit log: who did what to which comment, with the words as they were."""

    class Kind(models.TextChoices):
        HIDE = "hide", _("Hidden")
        DELETE = "delete", _("Deleted")
        BAN = "ban", _("Author banned")
        APPROVE = "approve", _("Approved")
        DISMISS = "dismiss", _("Reports dismissed")
        PIN = "pin", _("Pinned")
        UNPIN = "unpin", _("Unpinned")

    actor = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, related_name="moderation_actions"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    comment = models.ForeignKey(Comment, on_delete=models.SET_NULL, null=True, blank=True)
    target_user = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body_snapshot = models.TextField(blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.kind} on comment {self.comment_id}"


class Follow(models.Model):
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="follows")
    anchor = models.ForeignKey(Anchor, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "anchor"], name="follow_once")]
        indexes = [models.Index(fields=["user", "-created_at"], name="follow_recent")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.anchor_id}"


class Subscription(models.Model):
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="subscriptions")
    album = models.ForeignKey(Album, on_delete=models.CASCADE, related_name="subscriptions")
    created_at = models.DateTimeField(default=timezone.now)
    # Tracks published after this (and after the listener last played the album) are "new".
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "album"], name="subscription_once"),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="subscription_recent")]

    def __str__(self) -> str:
        return f"{self.user_id} subscribes to {self.album_id}"


class TrackLike(models.Model):
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="track_likes")
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "track"], name="track_like_once")]
        indexes = [models.Index(fields=["user", "-created_at"], name="track_like_recent")]

    def __str__(self) -> str:
        return f"{self.user_id} likes track {self.track_id}"


class ListenLater(models.Model):
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="listen_later")
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "track"], name="later_once")]
        indexes = [models.Index(fields=["user", "-created_at"], name="later_recent")]

    def __str__(self) -> str:
        return f"{self.user_id} will listen to {self.track_id}"


class Notification(models.Model):
    class Kind(models.TextChoices):
        NEW_TRACK = "new_track", _("New track in an album you subscribe to")
        REPLY = "reply", _("Reply to your comment")
        ANCHOR_REPLY = "anchor_reply", _("The anchor replied to your comment")
        PINNED = "pinned", _("The anchor pinned your comment")

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    track = models.ForeignKey(Track, on_delete=models.CASCADE, null=True, blank=True)
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, null=True, blank=True)
    actor = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_recent"),
            models.Index(fields=["user", "read_at"], name="notification_unread"),
        ]
        constraints = [
            # The periodic new-track pass may see a track twice; it notifies once.
            models.UniqueConstraint(
                fields=["user", "track"],
                condition=Q(kind="new_track"),
                name="notification_new_track_once",
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "comment"],
                condition=Q(comment__isnull=False),
                name="notification_comment_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"


class Preference(models.Model):
    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="social_preference")
    email_digest = models.BooleanField(
        _("daily e-mail digest"),
        default=False,
        help_text=_("Once a day, an e-mail listing the notifications you have not read."),
    )
    digest_sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"


class Watermark(models.Model):
    """How far a periodic pass has got (by name), so the next run starts there."""

    name = models.CharField(max_length=40, primary_key=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"
