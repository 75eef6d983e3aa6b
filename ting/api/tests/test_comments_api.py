"""Comments over the API: the site's rules (visibility, rate, bans, ownership) hold for tokens."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from ting.accounts.models import User
from ting.catalog.models import Anchor, Track, Visibility
from ting.catalog.tests.factories import make_track
from ting.social.models import Comment, CommentLike, CommentReport
from ting.social.services.comments import comment_post

pytestmark = pytest.mark.django_db
Bearer = Callable[..., dict[str, str]]


@pytest.fixture
def track(anchor: Anchor) -> Track:
    return make_track(album__anchor=anchor, title="第1期", duration=600.0)


def _post(client: Client, url: str, headers: dict[str, str], **body: Any) -> Any:
    return client.post(url, body, content_type="application/json", headers=headers)


def test_a_listener_comments_and_replies_with_a_write_token(
    client: Client, track: Track, listener: User, bearer: Bearer
) -> None:
    headers = bearer(listener, "read", "write")
    url = f"/api/v1/tracks/{track.pk}/comments"
    first = _post(client, url, headers, body="03:15 这里讲得好")
    assert first.status_code == 201, first.content
    comment_id = first.json()["comment"]["id"]
    assert (
        'data-seek="195' in first.json()["comment"]["html"]
        or "03:15" in first.json()["comment"]["html"]
    )
    reply = _post(client, url, headers, body="同意", parent_id=comment_id)
    assert reply.status_code == 201 and reply.json()["comment"]["parent_id"] == comment_id

    page = client.get(url).json()
    assert [c["id"] for c in page["items"]] == [comment_id]
    assert page["items"][0]["reply_count"] == 1
    assert [r["body"] for r in page["items"][0]["replies"]] == ["同意"]


def test_a_read_token_cannot_comment(
    client: Client, track: Track, listener: User, bearer: Bearer
) -> None:
    response = _post(client, f"/api/v1/tracks/{track.pk}/comments", bearer(listener), body="hi")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_scope"
    assert not Comment.objects.exists()


def test_comments_on_a_private_track_are_a_404_to_others(
    client: Client, anchor: Anchor, listener: User, bearer: Bearer
) -> None:
    private = make_track(album__anchor=anchor, visibility=Visibility.PRIVATE)
    assert client.get(f"/api/v1/tracks/{private.pk}/comments").status_code == 404
    response = _post(
        client, f"/api/v1/tracks/{private.pk}/comments", bearer(listener, "write"), body="hi"
    )
    assert response.status_code == 404


def test_commenting_too_fast_answers_429_with_retry_after(
    client: Client, track: Track, listener: User, bearer: Bearer, settings: Any
) -> None:
    settings.TING_COMMENT_RATE = 2
    headers = bearer(listener, "write")
    url = f"/api/v1/tracks/{track.pk}/comments"
    assert _post(client, url, headers, body="一").status_code == 201
    assert _post(client, url, headers, body="二").status_code == 201
    response = _post(client, url, headers, body="三")
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert response.json()["error"]["code"] == "rate_limited"


def test_an_empty_or_duplicate_comment_says_why(
    client: Client, track: Track, listener: User, bearer: Bearer
) -> None:
    headers = bearer(listener, "write")
    url = f"/api/v1/tracks/{track.pk}/comments"
    blank = _post(client, url, headers, body="   ")
    assert blank.status_code == 400 and blank.json()["error"]["code"] == "empty"
    assert _post(client, url, headers, body="好").status_code == 201
    again = _post(client, url, headers, body="好")
    assert again.status_code == 409 and again.json()["error"]["code"] == "duplicate"


def test_like_is_counted_once_and_unlike_undoes_it(
    client: Client, track: Track, listener: User, stranger: User, bearer: Bearer
) -> None:
    comment = comment_post(author=stranger, body="你好", track=track)
    headers = bearer(listener, "read", "write")
    for _ in range(2):
        assert client.put(f"/api/v1/comments/{comment.pk}/like", headers=headers).status_code == 200
    comment.refresh_from_db()
    assert comment.like_count == 1
    page = client.get(f"/api/v1/tracks/{track.pk}/comments", headers=headers).json()
    assert page["items"][0]["liked"] is True
    assert client.delete(f"/api/v1/comments/{comment.pk}/like", headers=headers).status_code == 200
    comment.refresh_from_db()
    assert comment.like_count == 0 and not CommentLike.objects.exists()


def test_only_the_author_deletes_their_comment(
    client: Client, track: Track, listener: User, stranger: User, bearer: Bearer
) -> None:
    comment = comment_post(author=listener, body="我的评论", track=track)
    refused = client.delete(f"/api/v1/comments/{comment.pk}", headers=bearer(stranger, "write"))
    assert refused.status_code == 403
    done = client.delete(f"/api/v1/comments/{comment.pk}", headers=bearer(listener, "write"))
    assert done.status_code == 200
    comment.refresh_from_db()
    assert comment.status == Comment.Status.DELETED


def test_a_report_reaches_the_moderation_queue(
    client: Client, track: Track, listener: User, stranger: User, bearer: Bearer
) -> None:
    comment = comment_post(author=stranger, body="广告", track=track)
    url = f"/api/v1/comments/{comment.pk}/reports"
    headers = bearer(listener, "write")
    assert _post(client, url, headers, reason="spam").status_code == 200
    assert _post(client, url, headers, reason="nonsense").status_code == 422
    assert CommentReport.objects.get().reason == "spam"


def test_replies_page_through_with_cursors(
    client: Client, track: Track, listener: User, stranger: User
) -> None:
    parent = comment_post(author=stranger, body="楼主", track=track)
    for n in range(7):
        comment_post(author=listener, body=f"回复{n}", track=track, parent=parent)
    seen: list[str] = []
    cursor = None
    while True:
        query = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get(f"/api/v1/comments/{parent.pk}/replies", query).json()
        seen += [r["body"] for r in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"回复{n}" for n in range(7)]
    bad = client.get(f"/api/v1/comments/{parent.pk}/replies", {"cursor": "WyJ4Il0"})
    assert bad.status_code == 422


@pytest.mark.parametrize("count", [2, 15])
def test_the_comment_list_costs_the_same_queries_at_any_length(
    client: Client,
    track: Track,
    listener: User,
    stranger: User,
    bearer: Bearer,
    count: int,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    for n in range(count):
        parent = comment_post(author=stranger, body=f"评论{n}", track=track)
        comment_post(author=listener, body=f"回复{n}", track=track, parent=parent)
    headers = bearer(listener, "read")
    client.get("/api/v1/me", headers=headers)  # the token's first use writes last_used_at
    # token, track, pinned, page, reply previews, the caller's likes
    with django_assert_num_queries(6):
        response = client.get(f"/api/v1/tracks/{track.pk}/comments", headers=headers)
    assert response.status_code == 200 and len(response.json()["items"]) == min(count, 20)
