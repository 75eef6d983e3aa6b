"""`ting check`: Django's system checks, then connect to every configured service and say so.

Django's own `check` stays available as `ting django-check` (or `manage.py check`).
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ting.core import health


class Command(BaseCommand):
    help = "Connect to each configured service (database, cache, queue, storage) and report."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("services", nargs="*", help="only these (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        names = options["services"] or health.probe_names()
        unknown = [name for name in names if name not in health.probe_names()]
        if unknown:
            raise CommandError(
                _("Unknown service %(names)s; choose from %(known)s.")
                % {"names": ", ".join(unknown), "known": ", ".join(health.probe_names())}
            )
        results = [health.run_probe(name) for name in names]
        rows = [(_("Service"), _("Connects to"), _("Result"))]
        for result in results:
            verdict = _("ok") if result.ok else _("FAILED")
            rows.append((result.name, result.target, f"{verdict}  {result.detail}".rstrip()))
        widths = [max(_width(row[column]) for row in rows) for column in range(2)]
        for index, (name, target, verdict) in enumerate(rows):
            line = f"{_pad(name, widths[0])}  {_pad(target, widths[1])}  {verdict}"
            failed = index > 0 and not results[index - 1].ok
            self.stdout.write(self.style.ERROR(line) if failed else line)
        failures = [result.name for result in results if not result.ok]
        if failures:
            raise CommandError(
                _("Not working: %(names)s. Fix its settings or start it, then run this again.")
                % {"names": ", ".join(failures)},
                returncode=1,
            )
        self.stdout.write(self.style.SUCCESS(_("Every service answers.")))


def _width(text: str) -> int:
    # Chinese headings take two terminal columns a character.
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
