from __future__ import annotations

from django.db import IntegrityError, transaction

from ting.accounts.models import User
from ting.catalog.models import Track
from ting.playback.models import ListeningPosition


def position_save(*, user: User, track: Track, position: float, finished: bool) -> None:
    """Remember where a listener is; the last report wins (beacons arrive in order per tab)."""
    duration = track.duration or 0.0
    position = max(0.0, min(position, duration)) if duration else max(0.0, position)
    fields = {"position": position, "finished": finished}
    updated = ListeningPosition.objects.filter(user=user, track=track).update(**fields)
    if updated:
        return
    try:
        with transaction.atomic():
            ListeningPosition.objects.create(user=user, track=track, **fields)
    except IntegrityError:
        # Two tabs reported at once and the other created the row first.
        ListeningPosition.objects.filter(user=user, track=track).update(**fields)
