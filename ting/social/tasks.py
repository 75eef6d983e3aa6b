"""Thin task wrappers: ids in, one service call. Enqueued after commit, or on a schedule."""

from __future__ import annotations

from django_tasks import task

from ting.social.services import notifications


@task()
def notify_reply(comment_id: int) -> None:
    notifications.notify_reply(comment_id=comment_id)


@task()
def notify_pinned(comment_id: int) -> None:
    notifications.notify_pinned(comment_id=comment_id)


@task()
def notify_new_track(track_id: int) -> None:
    notifications.notify_new_track(track_id=track_id)


@task()
def notify_new_tracks() -> None:
    """Periodic (TING_PERIODIC_TASKS): subscribers hear of tracks out since the last pass."""
    notifications.notify_new_tracks()


@task()
def send_digests() -> None:
    """Periodic (hourly): the daily e-mail digest for listeners who asked for one."""
    notifications.send_digests()
