"""kill -9 of the web server mid-upload and of a worker mid-processing, with real processes."""

from __future__ import annotations

import hashlib
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import decoded_seconds, speech_mp3
from .processes import Studio, Ting, kill_9

pytestmark = pytest.mark.faults

CHUNK = 32 * 1024
PROCESS_TASK = "ting.media.tasks.process_audio_asset"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A migrated, seeded database, made once; each test gets its own copy."""
    instance = Ting(tmp_path_factory.mktemp("ting-template"))
    seeded = instance.setup()
    return instance.database, seeded


@pytest.fixture
def ting(tmp_path: Path, template: tuple[Path, dict[str, Any]]) -> Iterator[Ting]:
    instance = Ting(tmp_path / "ting")
    shutil.copyfile(template[0], instance.database)
    try:
        yield instance
    finally:
        instance.stop_all()


@pytest.fixture
def seeded(template: tuple[Path, dict[str, Any]]) -> dict[str, Any]:
    return template[1]


def _asset(ting: Ting) -> dict[str, Any]:
    rows = ting.query(
        "SELECT id, status, attempts, original, failure_message FROM media_audioasset"
    )
    assert len(rows) == 1, rows
    keys = ("id", "status", "attempts", "original", "failure_message")
    return dict(zip(keys, rows[0], strict=True))


def _asset_status(ting: Ting) -> str | None:
    rows = ting.query("SELECT status FROM media_audioasset")
    return rows[0][0] if rows else None


def _assert_processed_once(ting: Ting, audio: bytes, *, attempts: int) -> None:
    asset = _asset(ting)
    assert asset["status"] == "ready", asset
    assert asset["attempts"] == attempts
    assert (ting.media / asset["original"]).read_bytes() == audio
    assert ting.query("SELECT status FROM catalog_track") == [("ready",)]
    renditions = ting.query("SELECT format, file, sha256 FROM media_rendition")
    assert sorted(fmt for fmt, _file, _sha in renditions) == ["aac64", "mp3_128", "opus32"]
    for _fmt, name, digest in renditions:
        data = (ting.media / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest
        assert decoded_seconds(data) > 1.0
    # No second set under other names: the asset's folder holds the original and three files.
    folder = (ting.media / asset["original"]).parent
    assert len([path for path in folder.iterdir() if path.is_file()]) == 4
    succeeded = ting.query(
        "SELECT count(*) FROM django_tasks_database_dbtaskresult "
        "WHERE task_path = ? AND status = 'SUCCESSFUL'",
        PROCESS_TASK,
    )
    assert succeeded == [(1,)]


def test_killing_the_web_server_mid_chunk_resumes_from_the_last_stored_chunk(
    ting: Ting, seeded: dict[str, Any], tmp_path: Path
) -> None:
    audio = speech_mp3(tmp_path, seconds=12.0).read_bytes()
    assert len(audio) > 5 * CHUNK
    web, base_url = ting.start_web()
    studio = Studio(base_url, seeded["session"])
    url = studio.create(album=seeded["album"], filename="断电.mp3", size=len(audio))
    for offset in range(0, 3 * CHUNK, CHUNK):
        assert studio.patch(url, offset, audio[offset : offset + CHUNK]).status_code == 204

    # The fourth chunk is half sent when the server dies.
    half_sent = threading.Event()
    never = threading.Event()

    def slow_body() -> Iterator[bytes]:
        yield audio[3 * CHUNK : 3 * CHUNK + CHUNK // 2]
        half_sent.set()
        never.wait(30)
        yield audio[3 * CHUNK + CHUNK // 2 : 4 * CHUNK]

    outcome: list[BaseException | httpx.Response] = []

    def send() -> None:
        try:
            outcome.append(studio.patch(url, 3 * CHUNK, slow_body()))
        except BaseException as exc:
            outcome.append(exc)

    sender = threading.Thread(target=send)
    sender.start()
    assert half_sent.wait(30)
    kill_9(web)
    never.set()
    sender.join(30)
    assert outcome and isinstance(outcome[0], httpx.TransportError), outcome

    _web, base_url = ting.start_web()
    studio.moved_to(base_url)
    resume_at = studio.offset(url)
    assert resume_at == 3 * CHUNK
    final = studio.send_from(url, audio, resume_at, CHUNK)
    assert final.status_code == 200, final.text
    assert final.json()["status"] == "complete"
    assert not list((ting.media / "uploads").glob("*.part"))

    ting.start_worker()
    ting.wait_for(lambda: _asset_status(ting) in {"ready", "failed"}, "processing")
    _assert_processed_once(ting, audio, attempts=1)


def test_killing_a_worker_mid_processing_completes_the_job_once_after_the_reaper(
    ting: Ting, seeded: dict[str, Any], tmp_path: Path
) -> None:
    audio = speech_mp3(tmp_path, seconds=12.0).read_bytes()
    _web, base_url = ting.start_web()
    studio = Studio(base_url, seeded["session"])
    url = studio.create(album=seeded["album"], filename="加班.mp3", size=len(audio))
    assert studio.send_from(url, audio, 0, 1024 * 1024).status_code == 200

    worker = ting.start_worker()
    ting.wait_for(
        lambda: (
            ting.query("SELECT status, stage FROM media_audioasset")
            in ([("processing", "measuring")], [("processing", "encoding")])
        ),
        "a worker to be in the middle of the job",
    )
    kill_9(worker)
    assert _asset(ting)["status"] == "processing"
    # The killed run left its per-asset work folder (kill -9 runs no cleanup).
    work = ting.data_dir / "work"
    assert [p for p in work.iterdir() if p.name.startswith("asset-")]

    # The claim outlives its deadline (TING_PROCESSING_DEADLINE=60 here): an hour has passed.
    ting.query("UPDATE media_audioasset SET claimed_at = datetime('now', '-1 hour')")
    ting.start_worker()
    ting.manage("run_periodic", "--once")  # enqueues the reaper, as `ting serve` does
    ting.wait_for(lambda: _asset_status(ting) in {"ready", "failed"}, "the requeued job")
    _assert_processed_once(ting, audio, attempts=2)
    # The run that took the job over emptied the killed run's folder, and removed its own.
    assert not [p for p in work.iterdir() if p.name.startswith("asset-")]
    assert not [p for p in ting.scratch.iterdir() if p.name.startswith("ting-")]
