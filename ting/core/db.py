"""Database helpers that differ by engine, kept here so domain code never asks which one."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any, Final

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import Field, Model


def insert_without_flush(
    model: type[Model], values: Mapping[str, Any], using: str = DEFAULT_DB_ALIAS
) -> None:
    """Append one row whose COMMIT must not wait for the disk (the stream log, ADR 0009).

    PostgreSQL: one autocommit statement that turns ``synchronous_commit`` off for its own
    implicit transaction, so the row costs one round trip instead of four (BEGIN, SET LOCAL,
    INSERT, COMMIT: on a loaded machine each trip waits for the server process to be scheduled,
    which is what made logging cost ~10 ms). A crash of PostgreSQL may lose the last fraction of
    a second of such commits (3 × wal_writer_delay), never corrupts, and every other write
    keeps full durability. The setting is read at COMMIT, which for an autocommit statement
    happens after the statement ran, so the ``set_config(..., true)`` in its FROM clause holds.
    SQLite in WAL mode with synchronous=NORMAL already commits without an fsync, so the plain
    INSERT runs as it is.

    Inside an open transaction the row is a plain INSERT that commits with it.
    ``values`` maps field names to Python values; nothing is read back (no RETURNING).
    """
    connection = connections[using]
    # Inside someone's transaction the setting would hold for their COMMIT too, weakening writes
    # that must be durable; there the row simply commits with theirs.
    no_flush = connection.vendor == "postgresql" and not connection.in_atomic_block
    sql, fields = _insert_statement(using, connection.vendor, model, tuple(values), no_flush)
    params: list[Any] = [
        value
        if value is None or type(value) is plain
        else field.get_db_prep_save(value, connection)
        for field, plain in fields
        for value in (values[field.name],)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# Fields whose get_db_prep_save returns a value of this exact type unchanged on every backend
# Django ships (to_python, int() or float() of it, and an identity adapt_*field_value); the
# stream log's fifteen prep calls were a tenth of a byte request's CPU on its thread.
_PLAIN: Final[dict[type[Field[Any, Any]], type]] = {
    models.CharField: str,
    models.TextField: str,
    models.IntegerField: int,
    models.BigIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.PositiveBigIntegerField: int,
    models.SmallIntegerField: int,
    models.FloatField: float,
}


def insert_sql(model: type[Model], names: Sequence[str], *, using: str = DEFAULT_DB_ALIAS) -> str:
    """The plain ``INSERT … VALUES (%s, …)`` text for these fields of ``model``, for a caller
    that sends its own prepared parameters (``executemany``); built once per shape."""
    vendor = connections[using].vendor
    return _insert_statement(using, vendor, model, tuple(names), False)[0]


@functools.cache
def _insert_statement(
    using: str, vendor: str, model: type[Model], names: tuple[str, ...], no_flush: bool
) -> tuple[str, list[tuple[Field[Any, Any], type | None]]]:
    """The INSERT's text and its fields in parameter order, each with the value type it may
    take unprepared (``_PLAIN``), built once per shape (``vendor`` is part of the key because
    tests may swap the database behind an alias): the stream log writes the same statement on
    every byte request."""
    connection = connections[using]
    opts = model._meta
    by_name = {field.name: field for field in opts.concrete_fields}
    fields = [by_name[name] for name in names]
    # Concrete fields always have a column; the stubs type it as optional.
    columns = ", ".join(connection.ops.quote_name(str(field.column)) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    table = connection.ops.quote_name(opts.db_table)
    # Table and column names come from the model, never from input; values are parameters.
    if no_flush:
        sql = (
            f"INSERT INTO {table} ({columns}) SELECT {placeholders} "  # noqa: S608
            "FROM (SELECT set_config('synchronous_commit', 'off', true)) AS no_flush"
        )
    else:
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
    return sql, [(field, _PLAIN.get(type(field))) for field in fields]
