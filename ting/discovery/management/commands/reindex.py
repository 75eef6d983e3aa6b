"""`ting reindex`: rebuild every search document, then every 猜你喜歡 neighbour row."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from ting.discovery import index, services


class Command(BaseCommand):
    help = "Rebuild the search index and the precomputed recommendations from the catalog."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--search-only", action="store_true", help="skip recommendations")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        tracks, albums, anchors = index.rebuild()
        self.stdout.write(
            f"Indexed {tracks} tracks, {albums} albums, {anchors} anchors"
            f" in {time.perf_counter() - started:.1f} s."
        )
        if options["search_only"]:
            return
        result = services.neighbours_refresh()
        self.stdout.write(
            f"Related items for {result.tracks} tracks and {result.albums} albums"
            f" in {result.seconds:.1f} s."
        )
