"""Thin task wrappers: ids in, one service call."""

from __future__ import annotations

from django_tasks import task

from ting.feeds import services


@task()
def sync_feed(import_id: int) -> None:
    services.feed_import_sync(import_id=import_id)


@task()
def import_episode(episode_id: int) -> None:
    services.imported_episode_download(episode_id=episode_id)


@task()
def resync_feeds() -> None:
    services.feed_imports_resync()
