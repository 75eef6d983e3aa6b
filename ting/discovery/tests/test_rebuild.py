"""`ting reindex` builds beside the live index: what it writes is what the triggers write, and
an interrupted rebuild leaves search working."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.db import connection

from ting.catalog.models import Track
from ting.discovery import index
from ting.discovery.search import backends
from ting.discovery.search.query import Filters, search
from ting.discovery.tests.conftest import SeedCatalog

pytestmark = pytest.mark.django_db
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 table is SQLite's")


def titles(query: str) -> list[str]:
    return [hit.track.title for hit in search(query, Filters()).tracks]


def _vocabulary(table: str = "discovery_fts") -> list[tuple[object, ...]]:
    """Every term of a full-text index with its document and hit counts."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_terms"
            f" USING fts5vocab(main, {table}, 'row')"
        )
        cursor.execute("SELECT term, doc, cnt FROM temp.fts_terms ORDER BY term")
        rows: list[tuple[object, ...]] = cursor.fetchall()
        cursor.execute("DROP TABLE temp.fts_terms")
    return rows


def _fts_integrity_check() -> None:
    """FTS5's own check, with rank 1: the index holds exactly the tokens of the content table."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO discovery_fts(discovery_fts, rank) VALUES ('integrity-check', 1)"
        )


def _tables() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {row[0] for row in cursor.fetchall()}


def _schema() -> list[tuple[str, str, str]]:
    """The search tables' schema (a renamed table's name comes back quoted
    and FTS5's own tables differ in quoting: not a change)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT type, name, sql FROM sqlite_master"
            " WHERE tbl_name LIKE 'discovery_searchdocument%' OR tbl_name LIKE 'discovery_fts%'"
            " ORDER BY type, name"
        )
        return [
            (kind, name, re.sub("[\"']", "", sql or "")) for kind, name, sql in cursor.fetchall()
        ]


@sqlite_only
def test_a_rebuild_indexes_what_the_triggers_index(
    seed: SeedCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The seed was indexed document by document, through the triggers.
    by_triggers = _vocabulary()
    others_by_triggers = _vocabulary(backends.OTHERS_FTS)
    assert {term for term, *_counts in others_by_triggers} >= {"album", "anchor"}
    assert "track" not in {term for term, *_counts in others_by_triggers}
    schema = _schema()
    with connection.cursor() as cursor:
        cursor.execute("SELECT k, v FROM discovery_fts_config ORDER BY k")
        config = cursor.fetchall()
        cursor.execute("SELECT k, v FROM discovery_fts_others_config ORDER BY k")
        others_config = cursor.fetchall()
    monkeypatch.setattr(backends, "COMMIT_EVERY", 3)  # several commits, even here
    index.rebuild(workers=1, batch=2)
    _fts_integrity_check()
    assert _vocabulary() == by_triggers
    assert _vocabulary(backends.OTHERS_FTS) == others_by_triggers
    # The same tables, indexes, triggers and settings (the rank weights), under the same names.
    assert _schema() == schema
    with connection.cursor() as cursor:
        cursor.execute("SELECT k, v FROM discovery_fts_config ORDER BY k")
        assert cursor.fetchall() == config
        cursor.execute("SELECT k, v FROM discovery_fts_others_config ORDER BY k")
        assert cursor.fetchall() == others_config
    assert [album.title for album in search("甜心小米", Filters()).albums][:1] == ["甜心小米"]
    assert seed.leak.title in titles("小米")
    # The triggers work on the new tables: an edit is searchable after the next sync.
    track = Track.objects.get(pk=seed.leak.pk)
    track.title = "全新标题独角兽"
    track.save()
    index.sync_index()
    assert titles("独角兽") == ["全新标题独角兽"]
    _fts_integrity_check()


def test_an_interrupted_rebuild_leaves_the_old_index_searchable(
    seed: SeedCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = titles("小米")
    assert before
    calls: Iterator[int] = iter(range(100))
    built = index.document_rows

    def fails_on_the_fourth_batch(sources: list[index.Source]) -> list[backends.DocumentRow]:
        if next(calls) == 3:
            raise RuntimeError("killed half-way")
        return built(sources)

    monkeypatch.setattr(index, "document_rows", fails_on_the_fourth_batch)
    monkeypatch.setattr(backends, "COMMIT_EVERY", 2)  # batches were committed before the failure
    with pytest.raises(RuntimeError, match="killed half-way"):
        index.rebuild(workers=1, batch=2)
    assert titles("小米") == before
    if connection.vendor == "sqlite":
        _fts_integrity_check()
        assert (
            not {backends.BUILD_DOCUMENTS, backends.BUILD_FTS, backends.BUILD_OTHERS_FTS}
            & _tables()
        )
    # Running it again completes it.
    monkeypatch.setattr(index, "document_rows", built)
    index.rebuild(workers=1, batch=2)
    assert titles("小米") == before


@sqlite_only
def test_a_rebuild_after_a_killed_one_replaces_its_leftover_tables(seed: SeedCatalog) -> None:
    before = titles("小米")
    # What a process killed half-way through a rebuild leaves behind (no cleanup ran).
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {backends.BUILD_DOCUMENTS} (id integer PRIMARY KEY)")
        cursor.execute("INSERT INTO discovery_searchdocument_build (id) VALUES (1), (2)")
        cursor.execute(f"CREATE VIRTUAL TABLE {backends.BUILD_FTS} USING fts5(title)")
    assert titles("小米") == before
    index.rebuild(workers=1)
    assert titles("小米") == before
    _fts_integrity_check()
    assert not {backends.BUILD_DOCUMENTS, backends.BUILD_FTS, backends.BUILD_OTHERS_FTS} & _tables()
