"""`ting backup` and `ting restore`: a consistent database dump plus a checksummed media manifest.

A backup is a folder (docs/deploy/backups.md):

    manifest.json   what is in it: database engine and file, every media object's key, size and
                    sha256, whether the media bytes are included
    database.sqlite3 | database.pgdump
    media/<key>     the objects themselves, with --with-media

The database dump is a single snapshot (SQLite `VACUUM INTO`, PostgreSQL `pg_dump` in custom
format, which includes sequence positions). Media objects are never changed in place, only
added and deleted, so listing them after the snapshot finds everything it refers to.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.core.files.storage import Storage, default_storage
from django.db import connection
from django.utils import timezone

from ting.media.storage import (
    PROBE_PREFIX,
    StoredObject,
    describe_object,
    iter_keys,
    put_exact,
)

FORMAT = 1
MANIFEST = "manifest.json"
Report = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class RestoreResult:
    objects: int
    copied: int


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def _pg_env() -> dict[str, str]:
    """libpq's variables for the connection Django uses (no password on a command line)."""
    conf = connection.settings_dict
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if conf.get(key):
            env[variable] = str(conf[key])
    return env


def _run(command: list[str]) -> None:
    try:
        done = subprocess.run(command, env=_pg_env(), capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(
            f"{command[0]} is not installed: install the PostgreSQL client tools "
            "(Debian: postgresql-client) of the server's major version."
        ) from None
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()}")


def dump_database(folder: Path) -> str:
    """Write one consistent snapshot of the database into `folder`; its file name."""
    if _engine() == "sqlite":
        name = "database.sqlite3"
        connection.ensure_connection()
        with connection.cursor() as cursor:
            # VACUUM INTO reads inside one transaction: a snapshot even while others write.
            cursor.execute("VACUUM INTO %s", [str(folder / name)])
        return name
    name = "database.pgdump"
    # pg_dump runs in one REPEATABLE READ transaction and records sequence positions.
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-acl", f"--file={folder / name}"])
    return name


def _media_objects(storage: Storage) -> Iterator[str]:
    for key in iter_keys("", storage):
        if not key.startswith(f"{PROBE_PREFIX}/"):
            yield key


def backup_create(
    *, folder: Path, with_media: bool, storage: Storage = default_storage, report: Report = print
) -> dict[str, Any]:
    """Dump the database, list and checksum every media object, optionally copy them."""
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty; back up into a new folder.")
    folder.mkdir(parents=True, exist_ok=True)
    database = dump_database(folder)
    report(f"database: {database}")
    objects: list[StoredObject] = []
    for key in _media_objects(storage):
        if with_media:
            target = folder / "media" / key
            target.parent.mkdir(parents=True, exist_ok=True)
            with storage.open(key, "rb") as src, target.open("wb") as dst:
                shutil.copyfileobj(src, dst, length=1024 * 1024)
            stored = StoredObject(key=key, size=target.stat().st_size, sha256=_sha256_file(target))
        else:
            stored = describe_object(key, storage)
        objects.append(stored)
    report(f"media: {len(objects)} objects" + (" (copied)" if with_media else " (listed)"))
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "database": {
            "engine": _engine(),
            "file": database,
            "sha256": _sha256_file(folder / database),
        },
        "media_included": with_media,
        "objects": [asdict(item) for item in objects],
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    return manifest


def _read_manifest(folder: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((folder / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{folder} has no {MANIFEST}: it is not a Ting backup.") from None
    except json.JSONDecodeError as exc:
        raise BackupError(f"{folder / MANIFEST} is damaged ({exc}).") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Backup format {manifest.get('format')!r} is not {FORMAT}.")
    return manifest


def _target_is_empty(storage: Storage) -> list[str]:
    """What the target already holds (empty list: nothing)."""
    from ting.accounts.models import User
    from ting.catalog.models import Album

    found = []
    table_names = connection.introspection.table_names()
    if User._meta.db_table in table_names and User.objects.exists():
        found.append("users in the database")
    if Album._meta.db_table in table_names and Album.objects.exists():
        found.append("albums in the database")
    if next(_media_objects(storage), None) is not None:
        found.append("media objects in storage")
    return found


def restore_database(folder: Path, manifest: dict[str, Any]) -> None:
    database = manifest["database"]
    if database["engine"] != _engine():
        raise BackupError(
            f"This backup is of a {database['engine']} database; the target is {_engine()}."
        )
    path = folder / database["file"]
    if _sha256_file(path) != database["sha256"]:
        raise BackupError(f"{path} does not match the checksum in the manifest: it is damaged.")
    if _engine() == "sqlite":
        connection.ensure_connection()
        raw = connection.connection
        source = sqlite3.connect(path)
        try:
            # The online backup API replaces the whole target database page by page.
            source.backup(raw)
        finally:
            source.close()
        return
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-acl", "--single-transaction",
          f"--dbname={connection.settings_dict['NAME']}", str(path)])  # fmt: skip


def backup_restore(
    *, folder: Path, force: bool, storage: Storage = default_storage, report: Report = print
) -> RestoreResult:
    """Restore a backup into this instance and verify every media object's checksum."""
    manifest = _read_manifest(folder)
    existing = _target_is_empty(storage)
    if existing and not force:
        raise BackupError(
            "The target is not empty (" + ", ".join(existing) + "); restore into an empty "
            "instance, or pass --force to overwrite it."
        )
    restore_database(folder, manifest)
    connection.close()  # the next query sees the restored database, not a cached state
    report("database: restored")
    copied = 0
    problems = []
    for entry in manifest["objects"]:
        expected = StoredObject(**entry)
        if manifest["media_included"]:
            source = folder / "media" / expected.key
            with source.open("rb") as handle:
                put_exact(expected.key, handle, storage)
            copied += 1
        try:
            found = describe_object(expected.key, storage)
        except FileNotFoundError:
            problems.append(f"missing: {expected.key}")
            continue
        if found != expected:
            problems.append(f"checksum differs: {expected.key}")
    report(f"media: {len(manifest['objects'])} objects verified, {copied} copied")
    if problems:
        raise BackupError(
            f"{len(problems)} media objects do not match the manifest:\n" + "\n".join(problems)
        )
    return RestoreResult(objects=len(manifest["objects"]), copied=copied)
