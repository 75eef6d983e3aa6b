"""Thin task wrappers (run ``count_streams`` every few minutes: cron, or ``ting count_streams``)."""

from __future__ import annotations

from django_tasks import task

from ting.stats.counting.run import counting_run


@task()
def count_streams() -> None:
    counting_run()
