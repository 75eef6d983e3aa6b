"""Database helpers that differ by engine, kept here so domain code never asks which one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction


@contextmanager
def commit_without_flush(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Write rows whose COMMIT must not wait for the disk (the stream log, ADR 0009).

    PostgreSQL: one transaction with ``synchronous_commit = off``; a crash may lose the last
    fraction of a second of such commits (3 × wal_writer_delay), never corrupts, and every
    other write keeps full durability. Measured here: an autocommit INSERT waited ~4 ms for the
    WAL flush, ~0.2 ms without. SQLite in WAL mode with synchronous=NORMAL already commits
    without an fsync, so the statement runs as it is.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield
