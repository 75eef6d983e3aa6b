"""Thin task wrappers: the index sync (periodic) and a full neighbours refresh."""

from __future__ import annotations

from django_tasks import task

from ting.discovery import index, services


@task()
def sync_index() -> None:
    """Index what was published or edited since the last run; refresh those albums' 猜你喜歡."""
    result = index.sync_index()
    if result.changed_album_ids:
        services.neighbours_refresh(album_ids=result.changed_album_ids)


@task()
def refresh_neighbours() -> None:
    """Every track's neighbours again, with co-listening as it has accrued."""
    services.neighbours_refresh()
