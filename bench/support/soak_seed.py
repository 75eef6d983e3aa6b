"""Listeners for bench/soak.py: `python -m bench.support.soak_seed --users 200`.

Runs with the server's environment after the demo is loaded. Creates (or finds) the listener
accounts and signs each one in (a real session row, as a login makes), makes every third demo
track unlisted so the player hands out signed stream URLs for those, and prints one JSON line:
the sessions and the ids and words the simulated listeners browse, search and play.
"""

from __future__ import annotations

import argparse
import json
import os


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200)
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from ting.accounts.models import User
    from ting.catalog.models import Album, Track, Visibility

    playable = Track.objects.filter(
        status=Track.Status.PUBLISHED, audio__status="ready", album__visibility=Visibility.PUBLIC
    ).order_by("pk")
    track_ids = list(playable.values_list("pk", flat=True))
    Track.objects.filter(pk__in=track_ids[::3]).update(visibility=Visibility.UNLISTED)
    album_ids = list(
        Album.objects.filter(visibility=Visibility.PUBLIC).values_list("pk", flat=True)
    )
    words = sorted({word for title in Album.objects.values_list("title", flat=True) for word in (
        title[:2], title[-2:]) if word.strip()})  # fmt: skip

    sessions = []
    for number in range(options.users):
        user, _created = User.objects.get_or_create(username=f"soak-{number:03d}")
        client = Client()
        client.force_login(user)
        sessions.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    print(
        json.dumps(
            {
                "sessions": sessions,
                "session_cookie": settings.SESSION_COOKIE_NAME,
                "tracks": track_ids,
                "albums": album_ids,
                "words": words,
            }
        )
    )


if __name__ == "__main__":
    main()
