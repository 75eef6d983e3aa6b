"""Thin task wrappers (run ``count_streams`` every few minutes: cron, or ``ting count_streams``)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django_tasks import task

from ting.stats.counting.run import counting_run
from ting.stats.nginxlog import ingest_nginx_log as ingest_nginx_log_file


@task()
def count_streams() -> None:
    counting_run()


@task()
def ingest_nginx_log() -> None:
    """MEDIA_DELIVERY=nginx-signed: nginx's stream log into the stream log (ADR 0014)."""
    ingest_nginx_log_file(path=Path(settings.TING_NGINX_STREAM_LOG))
