"""Reading the search index: terms, filters, sorts, pages, suggestions, snippets, 熱搜.

A results page costs a fixed number of queries: per kind, one ranked id query (full-text match
joined to the live catalog row, so only listed content comes back and play counts are current)
and one ORM fetch of the rows to show.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from ting.catalog.models import Album, Anchor, Track
from ting.core.script import to_simplified
from ting.discovery.models import SearchQuery
from ting.discovery.search.backends import MatchSql, Term, backend
from ting.discovery.text import normalise, plain_text, query_terms

_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
DURATIONS: dict[str, tuple[float, float | None]] = {
    "short": (0, 600),
    "medium": (600, 1800),
    "long": (1800, None),
}
DATES = {"week": 7, "month": 30, "year": 365}
SORTS = ("relevance", "newest", "popular")
HOT_MIN_CLIENTS = 3
HOT_WINDOW = timedelta(days=7)
HOT_CACHE_KEY = "discovery:hot"
MAX_QUERY = 60
SNIPPET_SCAN = 2000
# Relevance's first tier (see _ranked_ids): the best CANDIDATES by text of the first SCAN
# matches, read most played first.
CANDIDATES = 200
SCAN = 4000


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _CJK_RANGES)


def terms_for(query: str, *, typing: bool = False) -> list[Term]:
    """Index terms for a query: Latin and pinyin words as prefixes, the last word too if typing."""
    words = query_terms(query[:MAX_QUERY])
    terms = [Term(w, prefix=w.isascii() and len(w) > 1) for w in words]
    # A one-character prefix (x, 小) is searched as the whole token: it would gather every
    # token with that initial, and the index keeps prefixes of 2 and 3 characters only
    # (migration 0002). Titles index every character, so 小 still finds 小米 while typing.
    if typing and terms and len(terms[-1].text) > 1:
        terms[-1] = Term(terms[-1].text, prefix=True)
    if len(terms) == 1 and len(terms[0].text) == 1 and _is_cjk(terms[0].text):
        terms = [Term(terms[0].text, title_only=True)]
    return terms


def _as_characters(terms: list[Term]) -> list[Term]:
    """The fallback when words find nothing: every CJK character on its own (all indexed).

    Each character once across the whole query (人到中年 年轻人: 人 and 年 once): the AND
    matches the same documents, and on SQLite bm25 reads the whole doclist of every phrase
    once a query (for its IDF), which for common characters is most of the fallback's cost.
    """
    out: list[Term] = []
    for term in terms:
        if len(term.text) > 1 and all(_is_cjk(c) for c in term.text):
            out.extend(Term(c) for c in term.text)
        else:
            out.append(term)
    return list(dict.fromkeys(out))


@dataclass(frozen=True)
class Filters:
    category: int | None = None
    duration: str | None = None
    date: str | None = None
    sort: str = "relevance"


_KIND_SQL = {
    "track": (
        "{join} catalog_track t ON t.id = d.object_id {join} catalog_album a ON a.id = t.album_id",
        "d.kind = 'track' AND t.status = 'published' AND t.published_at <= %s"
        " AND t.visibility = 'public' AND a.visibility = 'public'",
        "t",
    ),
    "album": (
        "{join} catalog_album a ON a.id = d.object_id",
        "d.kind = 'album' AND a.visibility = 'public' AND a.published_track_count > 0"
        " AND a.last_published_at <= %s",
        "a",
    ),
    "anchor": (
        "{join} catalog_anchor n ON n.id = d.object_id",
        "d.kind = 'anchor' AND EXISTS (SELECT 1 FROM catalog_album la WHERE la.anchor_id = n.id"
        " AND la.visibility = 'public' AND la.published_track_count > 0"
        " AND la.last_published_at <= %s)",
        "n",
    ),
}


def _ids(kind: str, terms: list[Term], filters: Filters, *, offset: int, limit: int) -> list[int]:
    if not terms:
        return []
    match = backend().match(terms, kind)
    join_template, listed, alias = _KIND_SQL[kind]
    join = join_template.replace("{join}", match.join)
    now = timezone.now()
    where = [listed]
    params: list[Any] = [now]
    if filters.category is not None and kind in ("track", "album"):
        where.append("a.category_id = %s")
        params.append(filters.category)
    if kind == "track":
        if filters.duration in DURATIONS:
            low, high = DURATIONS[filters.duration]
            where.append("t.duration >= %s")
            params.append(low)
            if high is not None:
                where.append("t.duration < %s")
                params.append(high)
        if filters.date in DATES:
            where.append("t.published_at >= %s")
            params.append(now - timedelta(days=DATES[filters.date]))
    plays = f"{alias}.play_count" if kind != "anchor" else "n.play_count"
    if filters.sort == "newest" and kind == "track":
        order = "t.published_at DESC, t.id DESC"
    elif filters.sort == "newest" and kind == "album":
        order = "a.last_published_at DESC, a.id DESC"
    elif filters.sort == "popular":
        order = f"{plays} DESC, {alias}.id DESC"
    else:
        return _ranked_ids(match, join, where, params, alias, plays, offset=offset, limit=limit)
    # Every piece spliced in is a constant of this module or the backend; values are params.
    sql = (
        f"SELECT {alias}.id FROM {match.source} {join}"  # noqa: S608
        f" WHERE {match.where} AND {' AND '.join(where)}"
        f" ORDER BY {order} LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*match.where_params, *params, limit, offset])
        return [row[0] for row in cursor.fetchall()]


def _ranked_ids(
    match: MatchSql,
    join: str,
    where: list[str],
    params: list[Any],
    alias: str,
    plays: str,
    *,
    offset: int,
    limit: int,
) -> list[int]:
    """Relevance in two tiers: the first tier, re-ranked with play counts, then (only when a page
    reaches past it) every other match, ranked the same way.

    Ranking every match cost ~1 µs a match in FTS5 and joining each to its catalog row ~4 µs
    more, and a common word matches a large share of a large catalog (a tenth of a million
    tracks for some one-character queries at a million). The first tier is bounded: the engine
    reads at most SCAN matches, most played first (the order the index is written in, see
    `index._source_batches`, then whatever was indexed since), ranks those by text and hands
    over the best CANDIDATES; only they are joined. A query with fewer than SCAN matches is
    ranked exactly as a full ranking would, except that play counts reorder the first tier
    but cannot lift a weak text match above it. Filters apply to both tiers, so a filter that
    leaves the first tier short of a page reads on into the second.
    """
    combined = match.combine.replace("{score}", "c.score").replace("{plays}", plays)
    # One query: the tier's surviving rows (unsorted: at most CANDIDATES) and, as a last row
    # with a NULL id, how many candidates the engine returned (fewer than asked: no more exist).
    sql = (
        f"WITH c AS MATERIALIZED ({match.top})"  # noqa: S608
        f" SELECT {alias}.id, {combined} FROM c {match.join} discovery_searchdocument d"
        f" ON d.id = c.doc {join} WHERE {' AND '.join(where)}"
        " UNION ALL SELECT NULL, COUNT(*) FROM c"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*match.top_params, SCAN, CANDIDATES, *params])
        rows = cursor.fetchall()
    found = int(rows.pop()[1])
    rows.sort(key=lambda row: (row[1], -row[0]))
    ids = [row[0] for row in rows[offset : offset + limit]]
    if len(ids) == limit or found < CANDIDATES:
        return ids
    rank = match.rank.replace("{plays}", plays)
    sql = (
        f"SELECT {alias}.id FROM {match.source} {join}"  # noqa: S608
        f" WHERE {match.where} AND {' AND '.join(where)}"
        f" AND d.id NOT IN (SELECT doc FROM ({match.top}) AS c)"
        f" ORDER BY {rank}, {alias}.id DESC LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                *match.where_params,
                *params,
                *match.top_params,
                SCAN,
                CANDIDATES,
                *match.rank_params,
                limit - len(ids),
                max(0, offset - len(rows)),
            ],
        )
        return ids + [row[0] for row in cursor.fetchall()]


_Row = TypeVar("_Row", Track, Album, Anchor)


def _ordered(rows: dict[int, _Row], ids: Sequence[int]) -> list[_Row]:
    return [rows[i] for i in ids if i in rows]


@dataclass(frozen=True)
class Highlighted:
    """Text cut into (part, is_match) pieces; the template escapes each piece, then marks."""

    parts: list[tuple[str, bool]]
    cut_before: bool = False
    cut_after: bool = False


@lru_cache(maxsize=16384)
def _fold_one(char: str) -> str:
    return (unicodedata.normalize("NFKC", char).casefold() or " ")[:1]


def highlight(text: str, needles: Sequence[str], *, window: int | None = None) -> Highlighted:
    """Mark the needles (normalised query words) in text as written, in its own script."""
    text = text[:SNIPPET_SCAN]
    # Width and case per character (NFKC may change a length), then script for the whole
    # text: OpenCC t2s keeps lengths, so positions map back onto the text as written.
    folded = unicodedata.normalize("NFKC", text).casefold()
    if len(folded) != len(text):
        # Some character changed length (…, a ligature, ß): fold each character to one so
        # positions still line up, through a table of the text's distinct characters (show
        # notes are full of …, and a Python call per character was a quarter of a page).
        folded = text.translate({ord(c): _fold_one(c) for c in set(text)})
    norm = to_simplified(folded)
    if len(norm) != len(text):
        norm = folded
    needles = [n for n in dict.fromkeys(needles) if n]
    marks = [False] * len(text)
    first = -1
    for needle in needles:
        start = norm.find(needle)
        while start >= 0:
            if first < 0 or start < first:
                first = start
            for i in range(start, min(start + len(needle), len(text))):
                marks[i] = True
            start = norm.find(needle, start + len(needle))
    lo, hi = 0, len(text)
    if window is not None and len(text) > window:
        lo = max(0, (first if first >= 0 else 0) - window // 4)
        hi = min(len(text), lo + window)
    parts: list[tuple[str, bool]] = []
    for i in range(lo, hi):
        if parts and parts[-1][1] == marks[i]:
            parts[-1] = (parts[-1][0] + text[i], marks[i])
        else:
            parts.append((text[i], marks[i]))
    return Highlighted(parts, cut_before=lo > 0, cut_after=hi < len(text))


@dataclass
class TrackHit:
    track: Track
    title: Highlighted
    snippet: Highlighted


@dataclass
class Results:
    query: str
    terms: list[Term]
    tracks: list[TrackHit] = field(default_factory=list)
    albums: list[Album] = field(default_factory=list)
    anchors: list[Anchor] = field(default_factory=list)
    page: int = 1
    has_next: bool = False


def search(
    query: str, filters: Filters, *, page: int = 1, per_page: int = 20, others: int = 4
) -> Results:
    """Tracks (paged), and on the first page the best albums and anchors."""
    terms = terms_for(query)
    results = Results(query=query, terms=terms, page=page)
    if not terms:
        return results
    offset = (page - 1) * per_page
    ids = _ids("track", terms, filters, offset=offset, limit=per_page + 1)
    if not ids and page == 1:
        fallback = _as_characters(terms)
        if fallback != terms:
            terms = results.terms = fallback
            ids = _ids("track", terms, filters, offset=offset, limit=per_page + 1)
    results.has_next = len(ids) > per_page
    ids = ids[:per_page]
    rows = Track.objects.select_related("album", "album__anchor").in_bulk(ids) if ids else {}
    needles = [t.text for t in terms if not t.prefix or not t.text.isascii()]
    needles += [t.text for t in terms if t.prefix and t.text.isascii()]
    for track in _ordered(rows, ids):
        results.tracks.append(
            TrackHit(
                track=track,
                title=highlight(track.title, needles),
                snippet=highlight(plain_text(track.intro).strip(), needles, window=120),
            )
        )
    if page == 1:
        album_ids = _ids("album", terms, filters, offset=0, limit=others)
        if album_ids:
            albums = Album.objects.select_related("anchor").in_bulk(album_ids)
            results.albums = _ordered(albums, album_ids)
        anchor_ids = _ids("anchor", terms, Filters(sort=filters.sort), offset=0, limit=others)
        if anchor_ids:
            results.anchors = _ordered(Anchor.objects.in_bulk(anchor_ids), anchor_ids)
    return results


@dataclass(frozen=True)
class Suggestion:
    kind: str
    id: int
    title: str


def suggest(query: str, *, limit: int = 5) -> list[Suggestion]:
    """As-you-type suggestions: the last word is a prefix (Chinese, Latin or pinyin)."""
    terms = terms_for(query, typing=True)
    if not terms:
        return []
    track_ids = _ids("track", terms, Filters(), offset=0, limit=limit)
    album_ids = _ids("album", terms, Filters(), offset=0, limit=3)
    anchor_ids = _ids("anchor", terms, Filters(), offset=0, limit=3)
    out: list[Suggestion] = []
    titles = dict(Track.objects.filter(pk__in=track_ids).values_list("pk", "title"))
    out += [Suggestion("track", i, titles[i]) for i in track_ids if i in titles]
    names = dict(Album.objects.filter(pk__in=album_ids).values_list("pk", "title"))
    out += [Suggestion("album", i, names[i]) for i in album_ids if i in names]
    anchors = dict(Anchor.objects.filter(pk__in=anchor_ids).values_list("pk", "display_name"))
    out += [Suggestion("anchor", i, anchors[i]) for i in anchor_ids if i in anchors]
    return out


# --- 熱搜 ------------------------------------------------------------------------------------


def client_key(*, user_id: int | None, ip: str, now: datetime) -> str:
    """A weekly-rotating keyed hash of the account or address: counts people, stores neither."""
    year, week, _ = now.isocalendar()
    who = f"user:{user_id}" if user_id is not None else f"ip:{ip}"
    message = f"{year}-{week}:{who}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:32]


def query_log(*, query: str, client: str, now: datetime | None = None) -> None:
    text = normalise(query).strip()[:MAX_QUERY]
    if text:
        SearchQuery.objects.create(query=text, client=client, at=now or timezone.now())


def hot_searches(*, limit: int = 10, now: datetime | None = None) -> list[str]:
    """Queries that at least HOT_MIN_CLIENTS different people searched this week."""
    cached: list[str] | None = cache.get(HOT_CACHE_KEY)
    if cached is not None:
        return cached[:limit]
    since = (now or timezone.now()) - HOT_WINDOW
    rows = (
        SearchQuery.objects.filter(at__gte=since)
        .values("query")
        .annotate(clients=Count("client", distinct=True))
        .filter(clients__gte=HOT_MIN_CLIENTS)
        .order_by("-clients", "query")[:20]
    )
    hot = [row["query"] for row in rows]
    cache.set(HOT_CACHE_KEY, hot, 300)
    return hot[:limit]
