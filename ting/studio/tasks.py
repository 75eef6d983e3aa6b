"""Thin task wrappers for the studio's housekeeping."""

from __future__ import annotations

from django_tasks import task

from ting.media import uploads


@task()
def delete_stale_uploads() -> None:
    uploads.uploads_delete_stale()
