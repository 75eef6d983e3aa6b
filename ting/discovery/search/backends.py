"""The two full-text backends behind one small interface (ARCHITECTURE.md, "Two tiers").

Both read the same pre-segmented documents. A backend only knows how to say "this document
matches these terms" and "this is how relevant it is"; filters, sorts, joins to the catalog and
paging are shared SQL in `ting.discovery.search.query`.

Query terms are whole index tokens (the query is cut like the documents); Latin and pinyin
terms also match as prefixes, so `xiao` finds 小米 (xiaomi) while it is being typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

# A document row as the builder (ting.discovery.index) writes it: the columns of ROW_FIELDS;
# `features` starts empty (the neighbours task fills it) and `indexed_at` is the write's time.
ROW_FIELDS = ("kind", "object_id", "title", "names", "intro", "transcript", "pinyin")
DocumentRow = tuple[str, int, str, str, str, str, str]
DOCUMENTS = "discovery_searchdocument"
FTS = "discovery_fts"
# Album and anchor documents, indexed a second time on their own (migration 0003): the few
# matches of one of them are found without walking the long doclists of every track.
OTHERS_FTS = "discovery_fts_others"
BUILD_DOCUMENTS = f"{DOCUMENTS}_build"
BUILD_FTS = f"{FTS}_build"
BUILD_OTHERS_FTS = f"{OTHERS_FTS}_build"
# The full-text tables a rebuild writes: the live name, its build copy, and which documents
# it holds (a condition on the build table's rows).
FTS_TABLES = ((FTS, BUILD_FTS, "1"), (OTHERS_FTS, BUILD_OTHERS_FTS, "kind != 'track'"))
# Documents a rebuild commits at a time: each commit flushes FTS5's pending terms to a new
# segment, so small commits mean more merging; large ones a larger WAL.
COMMIT_EVERY = 20_000
# While loading: a 32 MiB pending-terms buffer (FTS5's 'hashsize', 1 MiB by default) writes
# fewer, larger level-0 segments, ~20 % less work per document measured at 50,000 tracks; and
# a 64 MiB page cache for the segment merges.
LOAD_CONFIG = [("hashsize", 32 * 1024 * 1024)]
LOAD_CACHE_KIB = -65536

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

    def rebuild(self, batches: Iterable[list[DocumentRow]]) -> None:
        """Replace every document with the batches' rows, ids ascending in their order.

        Readers see the old documents until the new ones are complete; a failure at any point
        leaves the old ones searchable. Must not run inside a transaction (it commits).
        """
        ...


def insert_documents(rows: list[DocumentRow], *, table: str = DOCUMENTS, first_id: int = 0) -> None:
    """Plain multi-row INSERT (standard SQL, both backends): a rebuild writes every document,
    and building a model instance per row cost more than segmenting it. With `first_id`, the
    rows get the ids from it up, in order (a rebuild's build table)."""
    if not rows:
        return
    now = timezone.now()
    columns = [*ROW_FIELDS, "features", "features_ready", "indexed_at"]
    values: list[tuple[Any, ...]] = [(*row, "", False, now) for row in rows]
    if first_id:
        columns.insert(0, "id")
        values = [(first_id + i, *value) for i, value in enumerate(values)]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(columns)})"  # noqa: S608
            f" VALUES ({', '.join(['%s'] * len(columns))})",
            values,
        )


def _fts5_string(term: Term) -> str:
    quoted = '"' + term.text.replace('"', '""') + '"'
    phrase = quoted + ("*" if term.prefix else "")
    return f"{{title pinyin}} : {phrase}" if term.title_only else phrase


class SqliteFts5:
    name = "sqlite-fts5"

    def match(self, terms: list[Term], kind: str) -> MatchSql:
        expression = " AND ".join(_fts5_string(term) for term in terms)
        fts = FTS
        if kind != "track":
            # Albums and anchors have their own small table: in the table of every document,
            # `{kind}:"album" AND 人` walked the doclist of 人 through the tracks (tens of
            # thousands at a million) to reach the few albums. The kind column tells albums
            # from anchors (its weight in the rank setting is 0). Tracks are nearly all of the
            # large table, and the extra phrase made every ranked match ~70 % dearer: they are
            # told apart in the join.
            fts = OTHERS_FTS
            expression = f'{{kind}} : "{kind}" AND ({expression})'
        return MatchSql(
            source=f"{fts} CROSS JOIN discovery_searchdocument d ON d.id = {fts}.rowid",
            where=f"{fts} MATCH %s",
            where_params=[expression],
            # rank is bm25() with the column weights of migrations 0002 and 0003: negative,
            # smaller is better.
            rank=f"{fts}.rank - {POPULARITY_PRIOR} * ln(1 + {{plays}})",
            rank_params=[],
            # ORDER BY rank alone is FTS5's own top-k sort: no SQL row per match.
            # Newest rowids first (the index is written least played first, so the most
            # played, then anything indexed since): FTS5 walks its doclists backwards and stops
            # after `scan` matches, and bm25 is computed for those only.
            top=(
                f"SELECT doc, score FROM (SELECT rowid AS doc, rank AS score FROM {fts}"  # noqa: S608
                f" WHERE {fts} MATCH %s ORDER BY rowid DESC LIMIT %s) AS s"
                " ORDER BY score, doc DESC LIMIT %s"
            ),
            top_params=[expression],
            combine=f"{{score}} - {POPULARITY_PRIOR} * ln(1 + {{plays}})",
            join="CROSS JOIN",
        )

    def rebuild(self, batches: Iterable[list[DocumentRow]]) -> None:
        # Built beside the live tables, in commits of COMMIT_EVERY documents, then swapped in
        # by one transaction: one transaction for the whole build held the write lock for the
        # whole build and grew the WAL to the size of the index (3 GB at a million tracks),
        # and every page read then searched an ever longer WAL index.
        schema = _sqlite_schema()
        _drop_build_tables()  # an interrupted rebuild's, if any
        with connection.cursor() as cursor:
            cursor.execute(_renamed(schema.documents, DOCUMENTS, BUILD_DOCUMENTS))
            for (name, build, _which), (create, config) in zip(FTS_TABLES, schema.fts, strict=True):
                cursor.execute(_renamed(create, name, build))
                for key, value in [*config, *LOAD_CONFIG]:
                    cursor.execute(
                        f"INSERT INTO {build}({build}, rank) VALUES (%s, %s)",  # noqa: S608
                        [key, value],
                    )
            cursor.execute("PRAGMA cache_size")
            cache_size = int(cursor.fetchone()[0])
            cursor.execute(f"PRAGMA cache_size = {LOAD_CACHE_KIB}")
        try:
            _load(iter(batches))
            with transaction.atomic(), connection.cursor() as cursor:
                # The live table's settings again: the sync's small transactions need no large
                # buffer. (Deleted, not set back: FTS5 stores a setting made by command.)
                for (name, build, _which), (_create, config) in zip(
                    FTS_TABLES, schema.fts, strict=True
                ):
                    for key in [key for key, _value in LOAD_CONFIG if key not in dict(config)]:
                        cursor.execute(f"DELETE FROM {build}_config WHERE k = %s", [key])  # noqa: S608
                    cursor.execute(f"DROP TABLE {name}")
                # Dropping a table drops its indexes and triggers; the saved ones are made
                # again on the new tables once they have the live names.
                cursor.execute(f"DROP TABLE {DOCUMENTS}")
                cursor.execute(f"ALTER TABLE {BUILD_DOCUMENTS} RENAME TO {DOCUMENTS}")
                for name, build, _which in FTS_TABLES:
                    cursor.execute(f"ALTER TABLE {build} RENAME TO {name}")
                for sql in [*schema.indexes, *schema.triggers]:
                    cursor.execute(sql)
        except BaseException:
            # The live tables were not touched; the half-built ones only take space.
            _drop_build_tables()
            raise
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {cache_size}")


@dataclass(frozen=True)
class _SqliteSchema:
    documents: str
    fts: list[tuple[str, list[tuple[str, Any]]]]  # of each of FTS_TABLES: CREATE, settings
    indexes: list[str]
    triggers: list[str]


def _sqlite_schema() -> _SqliteSchema:
    """The live tables as the migrations made them, read back so the build copies them."""
    names = [name for name, _build, _which in FTS_TABLES]
    fts = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL"
            " AND (tbl_name = %s OR name = %s OR name = %s)",
            [DOCUMENTS, FTS, OTHERS_FTS],
        )
        rows = cursor.fetchall()
        for name in names:
            cursor.execute(f"SELECT k, v FROM {name}_config WHERE k != 'version'")  # noqa: S608
            config = [(str(k), v) for k, v in cursor.fetchall()]
            create = next(sql for kind, n, sql in rows if kind == "table" and n == name)
            fts.append((create, config))
    return _SqliteSchema(
        documents=next(sql for kind, name, sql in rows if kind == "table" and name == DOCUMENTS),
        fts=fts,
        indexes=[sql for kind, _name, sql in rows if kind == "index"],
        triggers=[sql for kind, _name, sql in rows if kind == "trigger"],
    )


def _renamed(create: str, name: str, new_name: str) -> str:
    """CREATE [VIRTUAL] TABLE name … for another name (the rest, content= included, unchanged:
    the built full-text table is only written to until it is renamed beside its content)."""
    pattern = rf'^(CREATE (?:VIRTUAL )?TABLE )(?:"{name}"|{name})(?=[\s(])'
    renamed, count = re.subn(pattern, rf'\1"{new_name}"', create, flags=re.IGNORECASE)
    if count != 1:
        raise RuntimeError(f"unexpected schema for {name}: {create[:80]}")
    return renamed


def _drop_build_tables() -> None:
    with connection.cursor() as cursor:
        for _name, build, _which in FTS_TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {build}")
        cursor.execute(f"DROP TABLE IF EXISTS {BUILD_DOCUMENTS}")


def _load(batches: Iterable[list[DocumentRow]]) -> None:
    """Write the build tables, COMMIT_EVERY documents a transaction. The full-text rows are
    copied from the content rows just written, as the insert trigger would copy them; the
    batches are still being segmented meanwhile (a process pool, `index._built`)."""
    it = iter(batches)
    next_id = 1
    done = False
    while not done:
        done = True
        with transaction.atomic(), connection.cursor() as cursor:
            first = next_id
            for rows in it:
                insert_documents(rows, table=BUILD_DOCUMENTS, first_id=next_id)
                next_id += len(rows)
                if next_id - first >= COMMIT_EVERY:
                    done = False
                    break
            for _name, build, which in FTS_TABLES:
                cursor.execute(
                    f"INSERT INTO {build}(rowid, title, names, intro, transcript, pinyin, kind)"  # noqa: S608
                    f" SELECT id, title, names, intro, transcript, pinyin, kind"
                    f" FROM {BUILD_DOCUMENTS} WHERE id >= %s AND {which}",
                    [first],
                )


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

    def rebuild(self, batches: Iterable[list[DocumentRow]]) -> None:
        # One transaction: PostgreSQL's MVCC keeps the old rows readable until it commits, and
        # the generated tsvector column and its GIN index follow each row.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {DOCUMENTS}")  # noqa: S608
            for rows in batches:
                insert_documents(rows)


_BACKENDS: dict[str, Backend] = {"sqlite-fts5": SqliteFts5(), "postgres": PostgresTsvector()}


def backend() -> Backend:
    return _BACKENDS[settings.TING_SEARCH_BACKEND]
