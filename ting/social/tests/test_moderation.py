"""Staff moderation: reports in a queue, actions that hide, delete or ban, all logged."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from ting.accounts.models import User
from ting.catalog.models import Track
from ting.catalog.tests.factories import make_user
from ting.core.errors import ApplicationError
from ting.social.models import Ban, Comment, CommentReport, ModerationAction
from ting.social.services.comments import comment_post
from ting.social.tests.conftest import signed_in


def _staff() -> Client:
    return signed_in(make_user(username="moderator", is_staff=True))


def test_the_moderation_queue_is_not_there_for_anyone_but_staff(
    listener_client: Client, client: Client
) -> None:
    assert listener_client.get(reverse("social:moderation")).status_code == 404
    assert client.get(reverse("social:moderation")).status_code == 302


def test_a_report_reaches_the_queue_with_its_context(
    listener: User, stranger_client: Client, track: Track
) -> None:
    comment = comment_post(author=listener, track=track, body="广告广告")
    response = stranger_client.post(
        reverse("social:comment_report", args=[comment.pk]), {"reason": "spam", "note": "刷屏"}
    )
    assert response.status_code == 303
    page = _staff().get(reverse("social:moderation")).content.decode()
    for context in ("广告广告", track.title, "stranger", "Spam or advertising", "刷屏"):
        assert context in page


def test_staff_hide_delete_and_ban_and_each_is_logged(
    listener: User, stranger: User, track: Track
) -> None:
    staff = _staff()
    one = comment_post(author=listener, track=track, body="第一条")
    two = comment_post(author=listener, track=track, body="第二条")
    three = comment_post(author=listener, track=track, body="第三条")
    CommentReport.objects.create(comment=one, reporter=stranger, reason="abuse")

    def url(comment: Comment) -> str:
        return reverse("social:moderate", args=[comment.pk])

    assert staff.post(url(one), {"action": "hide"}).status_code == 302
    assert staff.post(url(two), {"action": "delete"}).status_code == 302
    assert staff.post(url(three), {"action": "ban", "days": "3", "note": "辱骂"}).status_code == 302
    statuses = dict(Comment.objects.values_list("body", "status"))
    assert statuses["第一条"] == "hidden" and statuses[""] == "deleted"
    assert Ban.objects.get().user == listener
    assert not CommentReport.objects.filter(resolved_at__isnull=True).exists()
    kinds = sorted(ModerationAction.objects.values_list("kind", flat=True))
    assert kinds == ["ban", "delete", "hide", "hide"]
    assert ModerationAction.objects.filter(kind="delete", body_snapshot="第二条").exists()
    try:
        comment_post(author=listener, track=track, body="我又来了")
    except ApplicationError as error:
        assert error.code == "banned"
    else:
        raise AssertionError("a banned listener posted")


def test_a_held_comment_is_approved_into_the_list(
    listener: User, track: Track, client: Client, settings: object
) -> None:
    comment = comment_post(author=listener, track=track, body="裸聊")
    assert comment.status == Comment.Status.HELD
    _staff().post(reverse("social:moderate", args=[comment.pk]), {"action": "approve"})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.VISIBLE
    assert ModerationAction.objects.get().kind == "approve"
