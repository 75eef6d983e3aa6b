from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ting.stats.counting.run import counting_run


class Command(BaseCommand):
    help = "Turn new stream-log rows and player beacons into downloads and plays (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        report = counting_run()
        self.stdout.write(
            f"{report.log_rows} log rows → {report.downloads} downloads; "
            f"{report.beacons} beacons → {report.track_days} track-days recounted; "
            f"{report.tracks_updated} tracks updated"
        )
