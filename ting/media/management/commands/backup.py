"""`ting backup FOLDER [--with-media]`: see ting/media/backup.py and docs/deploy/backups.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ting.media.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Write a consistent database dump and a checksummed media manifest into a folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="a new or empty folder")
        parser.add_argument(
            "--with-media", action="store_true", help="copy the media objects into the backup too"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup_create(
                folder=options["folder"], with_media=options["with_media"], report=self._say
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"backup written: {len(manifest['objects'])} media objects")
        )

    def _say(self, line: str) -> None:
        self.stdout.write(line)
