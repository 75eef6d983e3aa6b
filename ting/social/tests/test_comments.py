"""Posting and reading comments through the pages, as listeners, the anchor and strangers do."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import Settings as SettingsWrapper

from ting.accounts.models import User
from ting.catalog.models import Anchor, Track
from ting.catalog.tests.factories import make_anchor, make_user
from ting.social.models import Ban, Comment
from ting.social.services.comments import comment_post

HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


def _comments_url(track: Track) -> str:
    return reverse("social:track_comments", args=[track.pk])


def _post(client: Client, track: Track, body: str, **extra: Any) -> Any:
    return client.post(_comments_url(track), {"body": body, **extra.pop("data", {})}, **extra)


def test_a_listener_posts_a_comment_and_sees_it_listed(
    listener_client: Client, track: Track
) -> None:
    response = _post(listener_client, track, "第一次听，很精彩 👍🏽", **HTMX)
    assert response.status_code == 200
    assert "第一次听，很精彩 👍🏽" in response.content.decode()
    page = listener_client.get(_comments_url(track), **HTMX).content.decode()
    assert "第一次听，很精彩" in page


def test_without_htmx_posting_redirects_back_to_the_comment(
    listener_client: Client, track: Track
) -> None:
    response = _post(listener_client, track, "好")
    comment = Comment.objects.get()
    assert response.status_code == 303
    assert response["Location"] == f"/track/{track.pk}/#comment-{comment.pk}"


def test_the_empty_state_invites_the_first_comment_without_pushing_an_app(
    client: Client, track: Track
) -> None:
    page = client.get(_comments_url(track), **HTMX).content.decode()
    assert "Be the first" in page
    assert "app" not in page.lower().replace("aria", "")


def test_an_anonymous_reader_is_sent_to_log_in_and_back_to_the_comments(
    client: Client, track: Track
) -> None:
    page = client.get(reverse("track", args=[track.pk])).content.decode()
    assert f'href="/accounts/login/?next=%2Ftrack%2F{track.pk}%2F%23comments"' in page
    response = _post(client, track, "匿名")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/track/{track.pk}/%23comments"
    assert not Comment.objects.exists()


XSS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    'https://example.com/"onmouseover=alert(1)',
]


@pytest.mark.parametrize("payload", XSS)
def test_xss_payloads_in_comments_and_names_render_inert(track: Track, payload: str) -> None:
    author = make_user(username=f"u{abs(hash(payload)) % 10_000}")
    make_anchor(user=author, display_name=payload)
    comment_post(author=author, track=track, body=payload)
    client = Client()
    page = client.get(_comments_url(track), **HTMX).content.decode()
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "<svg" not in page
    assert 'href="javascript' not in page
    assert '"onmouseover' not in page


def test_every_post_needs_a_csrf_token(listener: User, track: Track, anchor: Anchor) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(listener)
    comment = comment_post(author=listener, track=track, body="在")
    urls = [
        _comments_url(track),
        reverse("social:album_comments", args=[track.album_id]),
        reverse("social:comment_like", args=[comment.pk]),
        reverse("social:comment_pin", args=[comment.pk]),
        reverse("social:comment_delete", args=[comment.pk]),
        reverse("social:comment_report", args=[comment.pk]),
        reverse("social:follow", args=[anchor.pk]),
        reverse("social:subscribe", args=[track.album_id]),
        reverse("social:track_like", args=[track.pk]),
        reverse("social:track_later", args=[track.pk]),
        reverse("social:moderate", args=[comment.pk]),
        reverse("social:notifications_read"),
        reverse("social:settings"),
        reverse("social:delete_account"),
    ]
    for url in urls:
        response = client.post(url, {"body": "x", "on": "1", "liked": "1", "reason": "spam"})
        assert response.status_code == 403, url
    assert Comment.objects.count() == 1


def test_the_rate_limit_answers_429_with_a_readable_message(
    listener_client: Client, track: Track, settings: SettingsWrapper
) -> None:
    settings.TING_COMMENT_RATE = 5
    for number in range(5):
        assert _post(listener_client, track, f"第{number}条", **HTMX).status_code == 200
    response = _post(listener_client, track, "第六条", HTTP_HX_TRIGGER="comment-form", **HTMX)
    assert response.status_code == 429
    assert "too fast" in response.content.decode()
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response["HX-Retarget"] == "#comment-form-error"
    plain = _post(listener_client, track, "第七条")
    assert plain.status_code == 429
    assert "too fast" in plain.content.decode()
    assert Comment.objects.count() == 5


def test_the_rate_limit_also_counts_per_address(
    listener_client: Client, stranger_client: Client, track: Track, settings: SettingsWrapper
) -> None:
    settings.TING_COMMENT_RATE = 2
    assert _post(listener_client, track, "一").status_code == 303
    assert _post(stranger_client, track, "二").status_code == 303
    assert _post(stranger_client, track, "三").status_code == 429  # same 127.0.0.1


def test_posting_the_same_comment_twice_within_ten_minutes_is_refused(
    listener_client: Client, track: Track
) -> None:
    assert _post(listener_client, track, "好听！").status_code == 303
    response = _post(listener_client, track, "  好聽！ ")  # same words, other script and spaces
    assert response.status_code == 409
    assert "same comment" in response.content.decode()
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("body", ["这里有敏感词", "這裡有敏感詞"])
def test_sensitive_words_are_blocked_in_either_script(
    listener_client: Client, track: Track, settings: SettingsWrapper, tmp_path: Any, body: str
) -> None:
    words = tmp_path / "words.txt"
    words.write_text("# test list\n敏感詞\n", encoding="utf-8")
    settings.TING_SENSITIVE_WORDS_FILE = str(words)
    settings.TING_SENSITIVE_MODE = "block"
    response = _post(listener_client, track, body)
    assert response.status_code == 400
    assert "not allowed" in response.content.decode()
    assert not Comment.objects.exists()


def test_sensitive_words_hold_the_comment_for_review(
    listener_client: Client, track: Track, settings: SettingsWrapper
) -> None:
    settings.TING_SENSITIVE_MODE = "hold"
    response = _post(listener_client, track, "加微信領紅包", HTTP_HX_TRIGGER="comment-form", **HTMX)
    assert "moderator" in response.content.decode()
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.HELD
    page = Client().get(_comments_url(track), **HTMX).content.decode()
    assert "加微信" not in page


def test_a_banned_listener_cannot_comment(
    listener: User, listener_client: Client, track: Track
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    Ban.objects.create(user=listener, until=timezone.now() + timedelta(days=1))
    response = _post(listener_client, track, "还想说")
    assert response.status_code == 403
    assert "cannot comment until" in response.content.decode()


def test_a_stranger_cannot_delete_someone_elses_comment(
    listener: User, stranger_client: Client, track: Track
) -> None:
    comment = comment_post(author=listener, track=track, body="我的评论")
    response = stranger_client.post(reverse("social:comment_delete", args=[comment.pk]))
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.status == Comment.Status.VISIBLE


def test_authors_delete_their_own_comments(
    listener: User, listener_client: Client, track: Track
) -> None:
    comment = comment_post(author=listener, track=track, body="说错了")
    response = listener_client.post(reverse("social:comment_delete", args=[comment.pk]), **HTMX)
    assert response.status_code == 200
    comment.refresh_from_db()
    assert comment.status == Comment.Status.DELETED and comment.body == ""


def test_the_anchor_pins_and_deletes_comments_on_their_tracks(
    listener: User, stranger: User, anchor_client: Client, stranger_client: Client, track: Track
) -> None:
    first = comment_post(author=listener, track=track, body="最早的")
    comment_post(author=stranger, track=track, body="后来的")
    pin = reverse("social:comment_pin", args=[first.pk])
    assert stranger_client.post(pin, {"pinned": "1"}).status_code == 403
    response = anchor_client.post(pin, {"pinned": "1"}, **HTMX)
    page = response.content.decode()
    assert page.index("最早的") < page.index("后来的")
    assert "Pinned" in page
    response = anchor_client.post(reverse("social:comment_delete", args=[first.pk]))
    assert response.status_code == 303
    first.refresh_from_db()
    assert first.status == Comment.Status.DELETED


def test_replies_stay_one_level_deep(
    listener: User, stranger: User, stranger_client: Client, track: Track
) -> None:
    top = comment_post(author=listener, track=track, body="楼主")
    reply = comment_post(author=stranger, track=track, body="回复", parent=top)
    response = stranger_client.post(
        _comments_url(track), {"body": "回复的回复", "parent": reply.pk}, **HTMX
    )
    assert response.status_code == 200
    nested = Comment.objects.get(body="回复的回复")
    assert nested.parent_id == top.pk
    top.refresh_from_db()
    assert top.reply_count == 2
    assert "回复的回复" in response.content.decode()


def _many(track: Track, count: int) -> None:
    author = make_user(username=f"many{count}")
    Comment.objects.bulk_create(
        [
            Comment(track=track, author=author, body=f"评论{n}", body_key=str(n))
            for n in range(count)
        ]
    )


@pytest.mark.parametrize("count", [3, 30])
def test_the_comment_list_query_count_does_not_grow(
    client: Client, track: Track, count: int, django_assert_num_queries: Any
) -> None:
    _many(track, count)
    top = Comment.objects.order_by("-pk").first()
    assert top is not None
    comment_post(author=make_user(username="replier"), track=track, body="回", parent=top)
    # The track with album and anchor; pinned; one page; the page's reply previews.
    with django_assert_num_queries(4):
        assert client.get(_comments_url(track), **HTMX).status_code == 200


@pytest.mark.parametrize("count", [3, 30])
def test_a_signed_in_reader_adds_one_query_for_their_likes(
    listener_client: Client, track: Track, count: int, django_assert_num_queries: Any
) -> None:
    _many(track, count)
    # Session and user; track; pinned; the page (no replies here); the reader's likes on it.
    with django_assert_num_queries(6):
        assert listener_client.get(_comments_url(track), **HTMX).status_code == 200


@pytest.mark.parametrize("sort", ["new", "top"])
def test_keyset_pages_walk_every_comment_once(client: Client, track: Track, sort: str) -> None:
    _many(track, 45)
    Comment.objects.filter(body__in=["评论3", "评论30"]).update(like_count=5)
    seen: list[str] = []
    url = f"{_comments_url(track)}?sort={sort}"
    page = client.get(url, **HTMX).content.decode()
    while True:
        bodies = [line for line in page.split("\n") if "comment-body" in line and "评论" in line]
        seen += [line.split("评论")[1].split("<")[0] for line in bodies]
        marker = "after="
        if marker not in page:
            break
        cursor = page.split(marker)[1].split('"')[0]
        page = client.get(f"{url}&after={cursor}", **HTMX).content.decode()
    assert sorted(seen, key=int) == [str(n) for n in range(45)]
    if sort == "top":
        assert set(seen[:2]) == {"3", "30"}
    else:
        assert seen[0] == "44"


def test_a_later_page_costs_the_same_queries_as_the_first(
    client: Client, track: Track, django_assert_num_queries: Any
) -> None:
    _many(track, 45)
    first = client.get(_comments_url(track), **HTMX).content.decode()
    cursor = first.split("after=")[1].split('"')[0]
    # The track; the cursor's ties; the rest of the page (no pinned list after the first page).
    with django_assert_num_queries(3):
        assert client.get(f"{_comments_url(track)}?after={cursor}", **HTMX).status_code == 200


def test_a_damaged_cursor_starts_from_the_top(client: Client, track: Track) -> None:
    _many(track, 3)
    response = client.get(f"{_comments_url(track)}?after=!!notbase64", **HTMX)
    assert response.status_code == 200


def test_a_private_tracks_comments_are_not_found(
    listener: User, stranger_client: Client, track: Track
) -> None:
    track.visibility = "private"
    track.save()
    assert stranger_client.get(_comments_url(track)).status_code == 404
    assert stranger_client.post(_comments_url(track), {"body": "偷看"}).status_code == 404
