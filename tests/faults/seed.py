"""An anchor with an album and a signed-in session, for a Ting running in other processes.

`python -m tests.faults.seed` with the server's environment (after `migrate`) prints one JSON
line: the album id and the session cookie a client sends to the studio.
"""

from __future__ import annotations

import json
import os


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from ting.catalog.tests.factories import make_album, make_anchor

    anchor = make_anchor(display_name="断电电台")
    album = make_album(anchor=anchor, title="断电也不怕")
    client = Client()
    client.force_login(anchor.user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    print(json.dumps({"album": album.pk, "session": session}))  # noqa: T201


if __name__ == "__main__":
    main()
