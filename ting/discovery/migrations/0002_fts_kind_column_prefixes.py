"""SQLite full-text index v2: a `kind` column, prefixes of 2 and 3 characters only.

- `kind` (track, album, anchor) is indexed so a search for one kind is narrowed inside FTS5:
  relevance ranks the best few documents of that kind in the engine (ORDER BY rank LIMIT k)
  and only those are joined to the catalog (ting.discovery.search.query). Its weight in the
  table's `rank` setting is 0, so it never moves a score.
- `prefix='2 3'`: Latin and pinyin prefixes are searched from two letters (a one-letter
  prefix is answered as the whole token, see backends.py); the one-character prefix index
  was the largest of the three and no query used it.
- The column weights live in the table's `rank` setting, so `rank` is the weighted bm25
  wherever a query reads it.

Positions stay (detail=full): with detail=column, bm25 re-reads and re-tokenises each
matching document to count hits, measured 20x slower per ranked match.

Upgrading drops the old table and rebuilds the new one from discovery_searchdocument (the
external content), in the migration's transaction. PostgreSQL is unchanged.
"""

from django.db import migrations

DROP = [
    "DROP TRIGGER IF EXISTS discovery_fts_au",
    "DROP TRIGGER IF EXISTS discovery_fts_ad",
    "DROP TRIGGER IF EXISTS discovery_fts_ai",
    "DROP TABLE IF EXISTS discovery_fts",
]

FORWARD = [
    *DROP,
    """CREATE VIRTUAL TABLE discovery_fts USING fts5(
        title, names, intro, transcript, pinyin, kind,
        content='discovery_searchdocument', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0', prefix='2 3'
    )""",
    # bm25 weights, one per column: title, names, intro, transcript, pinyin, kind.
    "INSERT INTO discovery_fts(discovery_fts, rank)"
    " VALUES ('rank', 'bm25(10.0, 5.0, 2.0, 1.0, 8.0, 0.0)')",
    """CREATE TRIGGER discovery_fts_ai AFTER INSERT ON discovery_searchdocument BEGIN
        INSERT INTO discovery_fts(rowid, title, names, intro, transcript, pinyin, kind)
        VALUES (new.id, new.title, new.names, new.intro, new.transcript, new.pinyin, new.kind);
    END""",
    """CREATE TRIGGER discovery_fts_ad AFTER DELETE ON discovery_searchdocument BEGIN
        INSERT INTO discovery_fts(discovery_fts, rowid, title, names, intro, transcript, pinyin, kind)
        VALUES ('delete', old.id, old.title, old.names, old.intro, old.transcript, old.pinyin, old.kind);
    END""",
    """CREATE TRIGGER discovery_fts_au AFTER UPDATE OF title, names, intro, transcript, pinyin, kind
        ON discovery_searchdocument BEGIN
        INSERT INTO discovery_fts(discovery_fts, rowid, title, names, intro, transcript, pinyin, kind)
        VALUES ('delete', old.id, old.title, old.names, old.intro, old.transcript, old.pinyin, old.kind);
        INSERT INTO discovery_fts(rowid, title, names, intro, transcript, pinyin, kind)
        VALUES (new.id, new.title, new.names, new.intro, new.transcript, new.pinyin, new.kind);
    END""",
    "INSERT INTO discovery_fts(discovery_fts) VALUES ('rebuild')",
]

# Migration 0001's table, rebuilt the same way.
BACKWARD = [
    *DROP,
    """CREATE VIRTUAL TABLE discovery_fts USING fts5(
        title, names, intro, transcript, pinyin,
        content='discovery_searchdocument', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0', prefix='1 2 3'
    )""",
    """CREATE TRIGGER discovery_fts_ai AFTER INSERT ON discovery_searchdocument BEGIN
        INSERT INTO discovery_fts(rowid, title, names, intro, transcript, pinyin)
        VALUES (new.id, new.title, new.names, new.intro, new.transcript, new.pinyin);
    END""",
    """CREATE TRIGGER discovery_fts_ad AFTER DELETE ON discovery_searchdocument BEGIN
        INSERT INTO discovery_fts(discovery_fts, rowid, title, names, intro, transcript, pinyin)
        VALUES ('delete', old.id, old.title, old.names, old.intro, old.transcript, old.pinyin);
    END""",
    """CREATE TRIGGER discovery_fts_au AFTER UPDATE OF title, names, intro, transcript, pinyin
        ON discovery_searchdocument BEGIN
        INSERT INTO discovery_fts(discovery_fts, rowid, title, names, intro, transcript, pinyin)
        VALUES ('delete', old.id, old.title, old.names, old.intro, old.transcript, old.pinyin);
        INSERT INTO discovery_fts(rowid, title, names, intro, transcript, pinyin)
        VALUES (new.id, new.title, new.names, new.intro, new.transcript, new.pinyin);
    END""",
    "INSERT INTO discovery_fts(discovery_fts) VALUES ('rebuild')",
]


def _run(statements: list[str]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "sqlite":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("discovery", "0001_search_and_neighbours")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
