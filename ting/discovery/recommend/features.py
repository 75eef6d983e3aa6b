"""A track's text as the recommender sees it: terms of the title, tags and intro lines.

Segmenting is the expensive step, so it happens once per track
when the track is indexed and the result is stored as text (`encode`/`decode`); computing
neighbours then only reads terms. Intro lines stay apart so that an album's boilerplate (a
line repeated across its tracks: sponsors, subscribe notes, staff credits) can be dropped
with the album in view.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ting.discovery.text import content_terms, description_lines, normalise

INTRO_CHARS = 3000
MAX_LINES = 60


@dataclass(frozen=True)
class TrackText:
    title: tuple[str, ...]
    tags: tuple[str, ...]
    lines: tuple[tuple[str, ...], ...]


def track_text(*, title: str, intro: str, tags: Iterable[str] = ()) -> TrackText:
    lines = []
    for line in description_lines(intro[:INTRO_CHARS])[:MAX_LINES]:
        terms = tuple(content_terms(line))
        if terms:
            lines.append(terms)
    tag_terms = tuple(
        t for tag in tags for t in (list(content_terms(normalise(tag))) or [normalise(tag)])
    )
    return TrackText(
        title=tuple(content_terms(normalise(title))), tags=tag_terms, lines=tuple(lines)
    )


def encode(text: TrackText) -> str:
    """One line for the title, one for tags, then one per intro line; terms space-separated."""
    rows = [" ".join(text.title), " ".join(text.tags), *(" ".join(line) for line in text.lines)]
    return "\n".join(rows)


def decode(stored: str) -> TrackText:
    rows = stored.split("\n") if stored else []
    rows += [""] * (2 - len(rows))
    return TrackText(
        title=tuple(rows[0].split()),
        tags=tuple(rows[1].split()),
        lines=tuple(tuple(row.split()) for row in rows[2:] if row),
    )
