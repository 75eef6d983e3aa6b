"""Counters under concurrent requests: F() and unique rows lose nothing, count nothing twice."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError, connection

from ting.accounts.models import User
from ting.catalog.models import Anchor
from ting.catalog.tests.factories import make_anchor, make_track, make_user
from ting.social.models import Comment, CommentLike
from ting.social.services import library
from ting.social.services.comments import comment_like, comment_post


def _in_threads(work: list[tuple[object, ...]], action: object) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(work))

    def run(*args: object) -> None:
        try:
            barrier.wait()
            for _attempt in range(200):
                try:
                    action(*args)  # type: ignore[operator]
                    return
                except OperationalError as error:
                    # The test database is SQLite in shared-cache memory, whose table locks
                    # fail at once instead of waiting like a file's busy timeout; the whole
                    # transaction rolled back, so retrying is what a waiting writer would do.
                    if "locked" not in str(error):
                        raise
                    time.sleep(0.005)
            raise AssertionError("still locked after 200 attempts")
        except BaseException as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=args) for args in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_likes_lose_no_update() -> None:
    anchor = make_anchor()
    comment = comment_post(author=anchor.user, track=make_track(album__anchor=anchor), body="赞")
    users = [make_user(username=f"fan{n}") for n in range(8)]
    # Each fan double-clicks: two requests at once per fan.
    work: list[tuple[object, ...]] = [(user,) for user in users for _ in range(2)]
    errors = _in_threads(work, lambda user: comment_like(comment=comment, user=user))
    assert errors == []
    comment.refresh_from_db()
    assert comment.like_count == 8 == CommentLike.objects.count()


@pytest.mark.django_db(transaction=True)
def test_concurrent_follows_count_each_follower_once() -> None:
    anchor: Anchor = make_anchor()
    users: list[User] = [make_user(username=f"follower{n}") for n in range(6)]
    work: list[tuple[object, ...]] = [(user,) for user in users for _ in range(2)]
    errors = _in_threads(work, lambda user: library.anchor_follow(user=user, anchor=anchor))
    assert errors == []
    anchor.refresh_from_db()
    assert anchor.follower_count == 6
    assert Comment.objects.count() == 0
