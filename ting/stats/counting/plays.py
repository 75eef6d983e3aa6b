"""Web plays from the player's beacons, as pure functions (docs/counting.md, "Plays").

A beacon carries the seconds of audio one page load has played of one track so far. A listener
(the signed-in user, else the page-load session) plays a track on a day when that day's beacons
add up to min(30 s, half the duration) of listening. The seconds a beacon claims are capped by
the time the server saw pass since that session's first beacon of the day, at the fastest speed
the player offers, so a script cannot claim a play without spending the time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

PLAY_SECONDS: Final = 30.0
MAX_SPEED: Final = 3.0
# A beacon may report this much more than MAX_SPEED × elapsed: the player's first beacon
# leaves as playback starts, and clocks and timers are coarse.
SLACK_SECONDS: Final = 5.0
COMPLETE_SHARE: Final = 0.95
REACH_STEPS: Final = 20  # every 5% of the duration


@dataclass(frozen=True, slots=True)
class Beacon:
    at: datetime
    session: str
    user_id: int | None
    listened: float
    max_position: float
    duration: float


@dataclass(slots=True)
class DayCounts:
    plays: int = 0
    listeners: int = 0
    completions: int = 0
    listened_seconds: float = 0.0
    reach: list[int] = field(default_factory=lambda: [0] * (REACH_STEPS + 1))


def play_threshold(duration: float) -> float:
    return min(PLAY_SECONDS, duration / 2) if duration > 0 else PLAY_SECONDS


def count_day(beacons: Iterable[Beacon], *, duration: float | None) -> DayCounts:
    """Plays, listeners, completions and reach of one track on one day."""
    sessions: dict[str, list[Beacon]] = defaultdict(list)
    for beacon in beacons:
        sessions[beacon.session].append(beacon)
    listened: dict[str, float] = defaultdict(float)
    furthest: dict[str, float] = defaultdict(float)
    length = duration or 0.0
    for session_beacons in sessions.values():
        session_beacons.sort(key=lambda b: b.at)
        first = session_beacons[0]
        listener = f"u{first.user_id}" if first.user_id is not None else f"s{first.session}"
        credible = 0.0
        for beacon in session_beacons:
            elapsed = (beacon.at - first.at).total_seconds()
            credible = max(credible, min(beacon.listened, MAX_SPEED * elapsed + SLACK_SECONDS))
            furthest[listener] = max(furthest[listener], beacon.max_position)
            if not length:
                length = beacon.duration
        listened[listener] += credible
    counts = DayCounts()
    threshold = play_threshold(length)
    for listener, seconds in listened.items():
        if seconds <= 0:
            continue
        counts.listeners += 1
        counts.listened_seconds += seconds
        if seconds < threshold:
            continue
        counts.plays += 1
        share = min(furthest[listener] / length, 1.0) if length > 0 else 0.0
        if share >= COMPLETE_SHARE:
            counts.completions += 1
        for step in range(int(share * REACH_STEPS + 1e-9) + 1):
            counts.reach[step] += 1
    return counts
