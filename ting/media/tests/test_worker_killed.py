"""`kill -9` of a real `db_worker` in the middle of an ingest job, end to end.

Nothing here runs in the test's own process or transaction: a scratch database (a SQLite file,
or a scratch PostgreSQL database when the suite runs on PostgreSQL) and a scratch data folder
are shared by real worker processes started with `manage.py db_worker`, the way a deployment
runs them. The test only reads the database and the disk to see what the workers did.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import connection

REPO_ROOT = Path(__file__).resolve().parents[3]

SETUP = """
import io, sys
from ting.catalog.models import Track
from ting.catalog.tests.factories import make_anchor, make_track
from ting.media import services
from ting.media.audio.testing import speech_like, write_audio
path = sys.argv[1]
write_audio(path, speech_like(float(sys.argv[2]), 44_100, level=0.3), 44_100)
track = make_track(album__anchor=make_anchor(display_name="主播"), status=Track.Status.DRAFT,
                   published_at=None)
with open(path, "rb") as handle:
    asset = services.asset_create(track=track, content=handle, filename="节目.mp3")
print(asset.pk)
"""

REAP = """
from ting.media.tasks import reap_stuck_assets
reap_stuck_assets.enqueue()
"""


class Scratch:
    """The scratch deployment: its environment, and a reader of its database."""

    def __init__(self, data_dir: Path, database_url: str) -> None:
        self.data_dir = data_dir
        self.database_url = database_url
        self.env = {
            **os.environ,
            "TING_ENV": "test",
            "TASKS_BACKEND": "db",
            "TING_DATA_DIR": str(data_dir),
            "DATABASE_URL": database_url,
            # The reaper gives back claims older than this; the minimum keeps the test short.
            "TING_PROCESSING_DEADLINE": "1",
            "TMPDIR": str(data_dir / "tmp"),
            "PYTHONUNBUFFERED": "1",
        }

    def python(self, code: str, *args: str) -> str:
        prelude = "import django; django.setup()\n"
        done = subprocess.run(
            [sys.executable, "-c", prelude + code, *args],
            cwd=REPO_ROOT,
            env={**self.env, "DJANGO_SETTINGS_MODULE": "config.settings"},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def manage(self, *args: str) -> None:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO_ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr

    def worker(self, log: Path, *args: str) -> subprocess.Popen[bytes]:
        # No shell in between: the pid is the worker's own, and kill -9 reaches it.
        command = ["manage.py", "db_worker", "--no-startup-delay", "--interval", "0.1", *args]
        return subprocess.Popen(
            [sys.executable, *command],
            cwd=REPO_ROOT,
            env=self.env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        if self.database_url.startswith("sqlite"):
            with sqlite3.connect(self.database_url.removeprefix("sqlite:///")) as db:
                return db.execute(sql, params).fetchall()
        with psycopg.connect(self.database_url, autocommit=True) as db:
            return db.execute(sql.replace("?", "%s"), params).fetchall()


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Scratch]:
    (tmp_path / "tmp").mkdir()
    if connection.vendor != "postgresql":
        yield Scratch(tmp_path, f"sqlite:///{tmp_path / 'ting.sqlite3'}")
        return
    name = f"ting_kill_{uuid.uuid4().hex[:8]}"
    server = {**settings.DATABASES["default"], "NAME": "postgres"}
    base = f"postgres://{server['USER']}@{server['HOST']}:{server['PORT'] or 5432}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield Scratch(tmp_path, f"{base}/{name}")
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def wait_for(condition: Any, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def test_a_job_whose_worker_is_killed_mid_encoding_completes_exactly_once(
    scratch: Scratch, tmp_path: Path
) -> None:
    scratch.manage("migrate", "--verbosity", "0")
    # Long enough that the worker is still encoding when the test sees the stage change.
    asset_id = int(scratch.python(SETUP, str(tmp_path / "source.mp3"), "60").strip())

    first = scratch.worker(tmp_path / "first.log")
    try:
        wait_for(
            lambda: (
                scratch.rows("SELECT stage FROM media_audioasset WHERE id = ?", asset_id)
                == [("encoding",)]
            ),
            timeout=180,
            what="the first worker to start encoding",
        )
        os.kill(first.pid, signal.SIGKILL)
        assert first.wait(timeout=30) == -signal.SIGKILL
    finally:
        if first.poll() is None:
            first.kill()
    # The job is stranded: claimed, half done, nobody working on it.
    assert scratch.rows("SELECT status, attempts FROM media_audioasset WHERE id = ?", asset_id) == [
        ("processing", 1)
    ]
    assert scratch.rows("SELECT COUNT(*) FROM media_rendition") == [(0,)]
    assert list((scratch.data_dir / "work").iterdir()), "the killed run left its work behind"

    time.sleep(1.1)  # past TING_PROCESSING_DEADLINE
    scratch.python(REAP)
    second = scratch.worker(tmp_path / "second.log", "--batch")
    assert second.wait(timeout=300) == 0, (tmp_path / "second.log").read_text()

    assert scratch.rows(
        "SELECT a.status, a.stage, a.attempts, t.status FROM media_audioasset a "
        "JOIN catalog_track t ON t.id = a.track_id WHERE a.id = ?",
        asset_id,
    ) == [("ready", "done", 2, "ready")]
    renditions = scratch.rows(
        "SELECT format, file, size FROM media_rendition WHERE asset_id = ? ORDER BY format",
        asset_id,
    )
    assert [r[0] for r in renditions] == ["aac64", "mp3_128", "opus32"]
    (original,) = scratch.rows("SELECT original FROM media_audioasset WHERE id = ?", asset_id)
    media = scratch.data_dir / "media"
    # One original and one file per rendition row, each whole: no orphans, no half-writes.
    assert files_under(media) == {original[0], *(r[1] for r in renditions)}
    for _format, name, size in renditions:
        assert (media / name).stat().st_size == size
    assert not list((scratch.data_dir / "work").iterdir())
    assert not list((scratch.data_dir / "tmp").iterdir())
    # The killed task stays RUNNING in the queue's log; the reaper's run is the one that did it.
    outcomes = scratch.rows(
        "SELECT task_path, status FROM django_tasks_database_dbtaskresult ORDER BY enqueued_at"
    )
    processing = [status for path, status in outcomes if path.endswith("process_audio_asset")]
    assert processing == ["RUNNING", "SUCCESSFUL"]
