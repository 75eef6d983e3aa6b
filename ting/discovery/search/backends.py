"""The two full-text backends behind one small interface (ARCHITECTURE.md, "Two tiers").

Both read the same pre-segmented documents. A backend only knows how to say "this document
matches these terms" and "this is how relevant it is"; filters, sorts, joins to the catalog and
paging are shared SQL in `ting.discovery.search.query`.

Query terms are whole index tokens (the query is cut like the documents); Latin and pinyin
terms also match as prefixes, so `xiao` finds 小米 (xiaomi) while it is being typed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.db import connection

# Field weights, title > names > intro > transcript; pinyin counts like the title.
SQLITE_WEIGHTS = (10.0, 5.0, 2.0, 1.0, 8.0)  # bm25(): title, names, intro, transcript, pinyin
POSTGRES_WEIGHTS = "{0.1, 0.3, 0.5, 1.0}"  # ts_rank_cd(): D, C, B, A
# How much a thousandfold play count may lift a result, next to text relevance.
POPULARITY_PRIOR = 0.15


@dataclass(frozen=True)
class Term:
    text: str
    prefix: bool = False
    # Match the title (and its pinyin) only: a lone common character (一, 年, 中) is in a
    # good share of every album title and anchor name, and ranking all of those matches is
    # what made one-character queries the slowest (and least useful) ones.
    title_only: bool = False


@dataclass(frozen=True)
class MatchSql:
    source: str  # FROM … giving the alias d for discovery_searchdocument
    where: str
    where_params: list[Any]
    rank: str  # ascending: best first; uses {plays} for the catalog row's play count
    rank_params: list[Any]
    # The first tier of relevance: of the first `scan` matches of one kind in id order, newest
    # first, the best `limit` by text alone, ranked inside the full-text engine; rows (doc,
    # score), score ascending = better. Params: top_params, then scan and limit.
    top: str
    top_params: list[Any]
    # How a top row's score combines with its play count (uses {score} and {plays}); the same
    # order as `rank`.
    combine: str
    # SQLite's planner would otherwise drive from the catalog table and run the full-text
    # query once per row; CROSS JOIN fixes the join order with the match first.
    join: str = "JOIN"


class Backend(Protocol):
    name: str

    def match(self, terms: list[Term], kind: str) -> MatchSql: ...

    def bulk_load(self) -> AbstractContextManager[None]:
        """Around a rewrite of every document (inside one transaction): index in bulk."""
        ...


def _fts5_string(term: Term) -> str:
    quoted = '"' + term.text.replace('"', '""') + '"'
    phrase = quoted + ("*" if term.prefix else "")
    return f"{{title pinyin}} : {phrase}" if term.title_only else phrase


class SqliteFts5:
    name = "sqlite-fts5"

    def match(self, terms: list[Term], kind: str) -> MatchSql:
        expression = " AND ".join(_fts5_string(term) for term in terms)
        if kind != "track":
            # Albums and anchors are a small share of the documents: the kind column finds
            # them without reading the tracks (its weight in the rank setting is 0). Tracks are
            # nearly all of them, and the extra phrase made every ranked match ~70 % dearer:
            # they are told apart in the join.
            expression = f'{{kind}} : "{kind}" AND ({expression})'
        return MatchSql(
            source=(
                "discovery_fts CROSS JOIN discovery_searchdocument d ON d.id = discovery_fts.rowid"
            ),
            where="discovery_fts MATCH %s",
            where_params=[expression],
            # rank is bm25() with the column weights of migration 0002: negative, smaller is
            # better.
            rank=f"discovery_fts.rank - {POPULARITY_PRIOR} * ln(1 + {{plays}})",
            rank_params=[],
            # ORDER BY rank alone is FTS5's own top-k sort: no SQL row per match.
            # Newest rowids first (the index is written least played first, so the most
            # played, then anything indexed since): FTS5 walks its doclists backwards and stops
            # after `scan` matches, and bm25 is computed for those only.
            top=(
                "SELECT doc, score FROM (SELECT rowid AS doc, rank AS score FROM discovery_fts"
                " WHERE discovery_fts MATCH %s ORDER BY rowid DESC LIMIT %s) AS s"
                " ORDER BY score, doc DESC LIMIT %s"
            ),
            top_params=[expression],
            combine=f"{{score}} - {POPULARITY_PRIOR} * ln(1 + {{plays}})",
            join="CROSS JOIN",
        )

    @contextmanager
    def bulk_load(self) -> Iterator[None]:
        # Row by row, the triggers cost a delete and an insert into the full-text index per
        # document; FTS5's own 'rebuild' reads the content table once and builds the index in
        # one pass, several times faster. The triggers are read from the schema (they are the
        # migration's) and put back in the same transaction, so a failure restores them.
        if not connection.in_atomic_block:
            raise RuntimeError("bulk_load must run inside a transaction")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master"
                " WHERE type = 'trigger' AND tbl_name = 'discovery_searchdocument'"
            )
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
        yield
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO discovery_fts(discovery_fts) VALUES ('rebuild')")
            for _name, sql in triggers:
                cursor.execute(sql)


def _tsquery_string(term: Term) -> str:
    quoted = "'" + term.text.replace("'", "''").replace("\\", "") + "'"
    # Weight A is the title and its pinyin (migration 0001).
    flags = ("*" if term.prefix else "") + ("A" if term.title_only else "")
    return quoted + (":" + flags if flags else "")


class PostgresTsvector:
    name = "postgres"

    def match(self, terms: list[Term], kind: str) -> MatchSql:
        expression = " & ".join(_tsquery_string(term) for term in terms)
        text_rank = f"ts_rank_cd('{POSTGRES_WEIGHTS}', d.vector, to_tsquery('simple', %s))"
        return MatchSql(
            source="discovery_searchdocument d",
            where="d.vector @@ to_tsquery('simple', %s)",
            where_params=[expression],
            rank=f"-({text_rank} * (1 + {POPULARITY_PRIOR} * ln(1 + {{plays}})))",
            rank_params=[expression],
            top=(
                f"SELECT doc, score FROM (SELECT d.id AS doc, -{text_rank} AS score"  # noqa: S608
                " FROM discovery_searchdocument d"
                " WHERE d.vector @@ to_tsquery('simple', %s) AND d.kind = %s"
                " ORDER BY d.id DESC LIMIT %s) AS s ORDER BY score, doc DESC LIMIT %s"
            ),
            top_params=[expression, expression, kind],
            combine=f"{{score}} * (1 + {POPULARITY_PRIOR} * ln(1 + {{plays}}))",
        )

    @contextmanager
    def bulk_load(self) -> Iterator[None]:
        # The generated tsvector column and its GIN index follow each row; nothing to switch.
        yield


_BACKENDS: dict[str, Backend] = {"sqlite-fts5": SqliteFts5(), "postgres": PostgresTsvector()}


def backend() -> Backend:
    return _BACKENDS[settings.TING_SEARCH_BACKEND]
