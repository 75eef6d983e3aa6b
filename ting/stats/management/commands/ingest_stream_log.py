from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from ting.stats.nginxlog import ingest_nginx_log


class Command(BaseCommand):
    help = (
        "Move nginx's stream log (MEDIA_DELIVERY=nginx-signed) into the stream log; "
        "safe to run again at any time."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--path", type=Path, default=None, help="default: settings.TING_NGINX_STREAM_LOG"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["path"] or Path(settings.TING_NGINX_STREAM_LOG)
        report = ingest_nginx_log(path=path)
        self.stdout.write(
            f"{report.lines} lines → {report.rows} log rows; {report.refused} refused, "
            f"{report.malformed} malformed skipped"
            + ("; rotated" if report.rotated else "")
            + ("; lines lost in a rotation (see the log)" if report.lost_rotation else "")
        )
