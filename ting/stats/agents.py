"""User agents: which requests are bots (IAB filtering) and which client made the rest."""

from __future__ import annotations

import functools
import re
from typing import Final, Literal

import crawleruseragents  # type: ignore[import-untyped]

ClientKind = Literal["app", "browser", "other"]

# Podcast-specific rules on top of the crawler-user-agents list.
# Players the list mistakes for their own feed fetchers ("Overcast/" is the feed sync there).
_PODCAST_PLAYERS: Final = re.compile(r"^Overcast/\S+ \(\+http://overcast\.fm/; \w+ podcast app\)")
# Fetchers that download episodes without a listener: Apple's feed validator (iTMS), feed
# syncers and parsers of directories, and prefetch/validation services.
_PODCAST_BOTS: Final = re.compile(
    r"\biTMS\b|podcast ?sync|feed ?(?:parser|fetcher|update|validator)|podcast ?validator"
    r"|podcastindex|podchaser|prefetch|uptime|monitor",
    re.IGNORECASE,
)

_CLIENT_PATTERNS: Final[tuple[tuple[str, str, ClientKind], ...]] = (
    (r"^Podcasts/|^Balados/|^Podcasti/|^Podcast’s/|iTunes/", "Apple Podcasts", "app"),
    (r"^Overcast/", "Overcast", "app"),
    (r"Pocket ?Casts", "Pocket Casts", "app"),
    (r"Spotify", "Spotify", "app"),
    (r"xiaoyuzhou|小宇宙", "小宇宙", "app"),
    (r"ximalaya|iting/", "喜马拉雅", "app"),
    (r"Castro", "Castro", "app"),
    (r"CastBox", "Castbox", "app"),
    (r"PodcastAddict", "Podcast Addict", "app"),
    (r"AntennaPod", "AntennaPod", "app"),
    (r"^AppleCoreMedia/", "AppleCoreMedia", "other"),
    (r"MicroMessenger", "WeChat", "browser"),
    (r"Edg(?:e|A|iOS)?/", "Edge", "browser"),
    (r"OPR/|Opera", "Opera", "browser"),
    (r"Firefox/|FxiOS/", "Firefox", "browser"),
    (r"Chrome/|CriOS/|Chromium/", "Chrome", "browser"),
    (r"Version/[\d.]+.*Safari/", "Safari", "browser"),
)
_CLIENTS: Final = tuple(
    (re.compile(pattern, re.IGNORECASE), name, kind) for pattern, name, kind in _CLIENT_PATTERNS
)


def is_apple_watch_duplicate(user_agent: str) -> bool:
    return user_agent.startswith("atc/") and "watchOS" in user_agent


@functools.lru_cache(maxsize=8192)
def is_bot(user_agent: str) -> bool:
    """Bots, no user agent, and Apple Watch duplicates never count (IAB v2.2 filtering)."""
    if not user_agent.strip() or is_apple_watch_duplicate(user_agent):
        return True
    if _PODCAST_PLAYERS.search(user_agent):
        return False
    return bool(_PODCAST_BOTS.search(user_agent)) or crawleruseragents.is_crawler(user_agent)


@functools.lru_cache(maxsize=8192)
def classify(user_agent: str) -> tuple[str, ClientKind]:
    """The client's name and kind ("Other" when nothing matches), for the analytics pages."""
    for pattern, name, kind in _CLIENTS:
        if pattern.search(user_agent):
            return name, kind
    return "Other", "other"
