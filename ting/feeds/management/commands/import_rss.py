"""`ting import_rss URL --anchor USERNAME`: import a podcast feed into a new album, here and now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ting.catalog.models import Anchor
from ting.feeds import services
from ting.feeds.models import FeedImport, ImportedEpisode


class Command(BaseCommand):
    help = "Import a podcast from its RSS feed into a new album of an anchor (or re-sync it)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("url", help="the feed's http(s) URL")
        parser.add_argument("--anchor", required=True, help="the anchor's user name")
        parser.add_argument(
            "--metadata-only", action="store_true", help="make the tracks, download no audio"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        anchor = Anchor.objects.filter(user__username=options["anchor"]).first()
        if anchor is None:
            raise CommandError(f"No anchor with the user name {options['anchor']!r}.")
        feed_import = services.feed_import_start(anchor=anchor, url=options["url"], enqueue=False)
        synced = services.feed_import_sync(import_id=feed_import.pk, enqueue_episodes=False)
        if synced is None:
            raise CommandError("This feed is being imported by a worker right now; try later.")
        if synced.status == FeedImport.Status.FAILED:
            raise CommandError(synced.message)
        self.stdout.write(f"{synced.album}: {synced.message}")
        if options["metadata_only"]:
            return
        pending = ImportedEpisode.objects.filter(
            feed_import=synced, status=ImportedEpisode.Status.PENDING
        ).values_list("pk", flat=True)
        for episode_id in pending:
            episode = services.imported_episode_download(episode_id=episode_id)
            if episode is not None:
                outcome = episode.message or episode.get_status_display()
                self.stdout.write(f"  {episode.guid}: {outcome}")
