"""Writes on request paths: player beacons (the stream log is in streamlog.py)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Final

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ting.accounts.models import User
from ting.catalog.models import Track
from ting.core.errors import ApplicationError
from ting.stats.models import ListenBeacon

SESSION: Final = re.compile(r"[A-Za-z0-9_-]{8,64}")
# Nobody listens to one page load for more than a day; anything longer is a broken client.
MAX_SECONDS: Final = 86_400.0
# The player sends one every 15 s plus one at each pause; twenty a minute is plenty.
BEACONS_PER_MINUTE: Final = 20


class TooManyBeacons(ApplicationError):
    status = 429


@dataclass(frozen=True, slots=True)
class BeaconIn:
    track_id: int
    session: str
    listened: float
    max_position: float
    duration: float


def _seconds(raw: str | None, name: str) -> float:
    try:
        value = float(raw) if raw is not None else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0 or value > MAX_SECONDS:
        raise ApplicationError(
            _("%(name)s must be a number of seconds from 0 to 86400.") % {"name": name},
            code="bad_seconds",
        )
    return value


def beacon_parse(data: dict[str, str]) -> BeaconIn:
    """Check a beacon's fields; ApplicationError (400) with a readable message otherwise."""
    track = data.get("track", "")
    if not track.isascii() or not track.isdigit() or len(track) > 18:
        raise ApplicationError(_("track must be a track id."), code="bad_track")
    session = data.get("session", "")
    if not SESSION.fullmatch(session):
        raise ApplicationError(
            _("session must be 8 to 64 letters, digits, '-' or '_'."), code="bad_session"
        )
    beacon = BeaconIn(
        track_id=int(track),
        session=session,
        listened=_seconds(data.get("listened"), "listened"),
        max_position=_seconds(data.get("position"), "position"),
        duration=_seconds(data.get("duration"), "duration"),
    )
    if beacon.duration and beacon.max_position > beacon.duration + 5:
        raise ApplicationError(_("position is past the end of the track."), code="bad_position")
    return beacon


def beacon_throttle(*, session: str) -> None:
    """A cheap per-session limit in the cache (Redis at scale, process memory otherwise)."""
    key = f"stats:beacons:{session}"
    cache.add(key, 0, timeout=60)
    try:
        sent = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=60)
        sent = 1
    if sent > BEACONS_PER_MINUTE:
        raise TooManyBeacons(_("Too many progress reports; slow down."), code="throttled")


def beacon_record(*, beacon: BeaconIn, track: Track, user: User | None) -> ListenBeacon:
    """Append one beacon for a track the caller has checked the listener may hear."""
    beacon_throttle(session=beacon.session)
    return ListenBeacon.objects.create(
        at=timezone.now(),
        track_id=track.pk,
        session=beacon.session,
        user_id=user.pk if user is not None else None,
        listened=beacon.listened,
        max_position=beacon.max_position,
        duration=beacon.duration,
    )
