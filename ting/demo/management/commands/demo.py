"""`ting demo`: load the demo catalog (anchors, albums, tracks with real processed audio)."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ting.demo import audio, covers, services


def default_jobs() -> int:
    # The pipeline's encoders wait on each other: a process more than the cores keeps them busy.
    return max(1, min(4, (os.cpu_count() or 1) + 1))


class Command(BaseCommand):
    help = (
        "Load Ting's demo catalog: six anchors, twelve albums and 86 tracks whose generated "
        "audio goes through the real upload pipeline. Does nothing when already loaded."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete the demo catalog and its files, then load it",
        )
        parser.add_argument(
            "--quick", action="store_true", help="two albums of two 3-second tracks (for tests)"
        )
        parser.add_argument(
            "--jobs", type=int, default=default_jobs(), help="tracks processed at once"
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="load invented content even though TING_ENV=production",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION and not options["allow_production"]:
            raise CommandError(
                "This is a production site: the demo would publish invented content to it. "
                "Pass --allow-production if that is what you want (a public demo instance)."
            )
        self._migrate_if_needed()
        taken = services.demo_usernames_taken()
        if taken:
            raise CommandError(
                f"These usernames belong to real accounts, not to the demo: {', '.join(taken)}."
            )
        if options["reset"]:
            removed = services.demo_reset()
            if removed.users:
                self.stdout.write(
                    f"Removed the demo catalog: {removed.users} anchors, {removed.albums} albums, "
                    f"{removed.tracks} tracks, {removed.files} files."
                )
        elif services.demo_exists() and not services.demo_unfinished_tracks().exists():
            self.stdout.write("Demo catalog already loaded (`ting demo --reset` rebuilds it).")
            return

        self.stdout.write(self._announce(quick=options["quick"]))
        try:
            report = services.demo_load(
                quick=options["quick"], jobs=max(1, options["jobs"]), progress=self.stdout.write
            )
        except KeyboardInterrupt:
            raise CommandError(
                "Interrupted. Run `ting demo` again to finish the remaining tracks.", returncode=130
            ) from None
        minutes, seconds = divmod(round(report.seconds), 60)
        took = f"{minutes} min {seconds} s" if minutes else f"{seconds} s"
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo catalog ready: {report.anchors} anchors, {report.albums} albums, "
                f"{report.published}/{report.tracks} tracks published, in {took}."
            )
        )
        if report.failures:
            self.stderr.write(
                f"{len(report.failures)} tracks could not be processed and stay unpublished "
                "(see above); `ting demo --reset` starts over."
            )

    def _announce(self, *, quick: bool) -> str:
        voice = "espeak-ng reads the titles" if audio.espeak_path() else "synthetic voice only"
        font = "CJK font for covers" if covers.cjk_font() else "no CJK font: covers without text"
        size = "quick demo" if quick else "demo catalog"
        return f"Loading the {size} ({voice}; {font})…"

    def _migrate_if_needed(self) -> None:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            self.stdout.write("Applying database migrations first…")
            call_command("migrate", "--no-input", verbosity=0)
