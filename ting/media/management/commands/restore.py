"""`ting restore FOLDER [--force]`: see ting/media/backup.py and docs/deploy/backups.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ting.media.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup into an empty instance and verify every media checksum."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="a folder written by `ting backup`")
        parser.add_argument(
            "--force", action="store_true", help="overwrite a target that already has data"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup_restore(
                folder=options["folder"], force=options["force"], report=self._say
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"restored: {result.objects} media objects verified"))

    def _say(self, line: str) -> None:
        self.stdout.write(line)
