"""Enqueue the periodic tasks on their schedule (the Tasks API has no scheduler of its own).

`ting serve` runs this beside the web server and the worker. At scale run exactly one of it
(a systemd unit, docs/deploy/); the tasks it enqueues are idempotent, so a second copy or a
restart costs work, never correctness.
"""

from __future__ import annotations

import logging
import signal
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Enqueue TING_PERIODIC_TASKS on their intervals until stopped."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="enqueue each task once and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        schedule = [(import_string(path), every) for path, every in settings.TING_PERIODIC_TASKS]
        due = [0.0] * len(schedule)
        running = True

        def stop(signum: int, frame: object) -> None:
            nonlocal running
            running = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while running:
            now = time.monotonic()
            for index, (task, seconds) in enumerate(schedule):
                if now >= due[index]:
                    try:
                        task.enqueue()
                    except Exception:
                        # A database that is briefly away must not end the scheduler.
                        logger.exception("could not enqueue %s", task.module_path)
                    due[index] = now + seconds
            if options["once"]:
                return
            time.sleep(1.0)
