"""SQLite: album and anchor documents get a full-text table of their own, `discovery_fts_others`.

In the one table of every document, an album or anchor search (`{kind}:"album" AND 人`) walked
the doclist of 人 through the tracks to find the few albums: 18-25 ms a query for a common
character at a million tracks, where the track query itself took 22. The new table holds only
the documents whose kind is not `track` (the same columns, tokenizer, prefixes and rank
weights as `discovery_fts`; an external-content table may index a subset of its content
rows), and its triggers copy only those. `discovery_fts` keeps every document: nothing else
reads it differently.

Filled by INSERT … SELECT, not FTS5's 'rebuild' (that would index every content row, tracks
included). PostgreSQL is unchanged (its album and anchor queries filter `kind` in SQL).
"""

from django.db import migrations

FORWARD = [
    """CREATE VIRTUAL TABLE discovery_fts_others USING fts5(
        title, names, intro, transcript, pinyin, kind,
        content='discovery_searchdocument', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0', prefix='2 3'
    )""",
    # bm25 weights, one per column: title, names, intro, transcript, pinyin, kind.
    "INSERT INTO discovery_fts_others(discovery_fts_others, rank)"
    " VALUES ('rank', 'bm25(10.0, 5.0, 2.0, 1.0, 8.0, 0.0)')",
    """CREATE TRIGGER discovery_fts_others_ai AFTER INSERT ON discovery_searchdocument
        WHEN new.kind != 'track' BEGIN
        INSERT INTO discovery_fts_others(rowid, title, names, intro, transcript, pinyin, kind)
        VALUES (new.id, new.title, new.names, new.intro, new.transcript, new.pinyin, new.kind);
    END""",
    """CREATE TRIGGER discovery_fts_others_ad AFTER DELETE ON discovery_searchdocument
        WHEN old.kind != 'track' BEGIN
        INSERT INTO discovery_fts_others(discovery_fts_others, rowid, title, names, intro, transcript, pinyin, kind)
        VALUES ('delete', old.id, old.title, old.names, old.intro, old.transcript, old.pinyin, old.kind);
    END""",
    # The kind may change either way in an update: each statement checks its own row.
    """CREATE TRIGGER discovery_fts_others_au AFTER UPDATE OF title, names, intro, transcript, pinyin, kind
        ON discovery_searchdocument BEGIN
        INSERT INTO discovery_fts_others(discovery_fts_others, rowid, title, names, intro, transcript, pinyin, kind)
        SELECT 'delete', old.id, old.title, old.names, old.intro, old.transcript, old.pinyin, old.kind
        WHERE old.kind != 'track';
        INSERT INTO discovery_fts_others(rowid, title, names, intro, transcript, pinyin, kind)
        SELECT new.id, new.title, new.names, new.intro, new.transcript, new.pinyin, new.kind
        WHERE new.kind != 'track';
    END""",
    "INSERT INTO discovery_fts_others(rowid, title, names, intro, transcript, pinyin, kind)"
    " SELECT id, title, names, intro, transcript, pinyin, kind FROM discovery_searchdocument"
    " WHERE kind != 'track'",
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS discovery_fts_others_au",
    "DROP TRIGGER IF EXISTS discovery_fts_others_ad",
    "DROP TRIGGER IF EXISTS discovery_fts_others_ai",
    "DROP TABLE IF EXISTS discovery_fts_others",
]


def _run(statements: list[str]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "sqlite":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("discovery", "0002_fts_kind_column_prefixes")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
