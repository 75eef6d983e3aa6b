"""TASKS_BACKEND=rq: tasks the app enqueues run in a real RQ worker process on a real Redis."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django_tasks import task_backends
from django_tasks.base import TaskResultStatus

from ting.core.cli import _worker_args
from ting.core.tests.redis_db import claimed_redis_db
from ting.core.tests.rq_tasks import measure_audio
from ting.media.audio.testing import sine, write_audio

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def rq_url(settings: object) -> Iterator[str]:
    with claimed_redis_db() as url:
        settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}  # type: ignore[attr-defined]
        settings.RQ_QUEUES = {"default": {"URL": url, "DEFAULT_TIMEOUT": 60}}  # type: ignore[attr-defined]
        yield url


def run_worker(url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`ting worker` as an operator starts it, in burst mode: run what is queued, then exit."""
    env = {
        **os.environ,
        "TING_ENV": "test",
        "TASKS_BACKEND": "rq",
        "REDIS_URL": url,
        "TING_DATA_DIR": str(tmp_path / "worker"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
    }
    return subprocess.run(
        [sys.executable, "-m", "ting.core.cli", "worker", "--burst", "default"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_an_enqueued_task_waits_in_redis_until_a_worker_process_runs_it(
    rq_url: str, tmp_path: Path
) -> None:
    audio = tmp_path / "tone.wav"
    write_audio(audio, sine(2.0, 48000, amplitude=0.25, channels=2, freq=440.0), 48000)

    result = measure_audio.enqueue(path=str(audio))
    assert task_backends["default"].get_result(result.id).status == TaskResultStatus.READY
    assert not Path(str(audio) + ".json").exists()

    worker = run_worker(rq_url, tmp_path)
    assert worker.returncode == 0, worker.stderr

    done = task_backends["default"].get_result(result.id)
    assert done.status == TaskResultStatus.SUCCESSFUL, (
        done.errors[0].traceback if done.errors else ""
    )
    found = done.return_value
    assert found is not None
    assert found["seconds"] == pytest.approx(2.0, abs=0.01)
    assert found["peak"] == pytest.approx(0.25, abs=0.01)
    assert found["pid"] != os.getpid()
    assert found["request_id"] == f"task-{result.id}"  # the task's log lines share its id
    assert json.loads(Path(str(audio) + ".json").read_text()) == found


def test_a_task_that_fails_is_marked_failed_with_its_error_not_left_queued(
    rq_url: str, tmp_path: Path
) -> None:
    not_audio = tmp_path / "notes.wav"
    not_audio.write_text("this is not audio")

    result = measure_audio.enqueue(path=str(not_audio))
    worker = run_worker(rq_url, tmp_path)
    assert worker.returncode == 0, worker.stderr

    failed = task_backends["default"].get_result(result.id)
    assert failed.status == TaskResultStatus.FAILED
    assert failed.errors and "InvalidDataError" in failed.errors[0].exception_class_path


def test_ting_serve_starts_the_worker_of_the_configured_backend() -> None:
    assert _worker_args("rq")[0] == "rqworker"
    assert _worker_args("db")[0] == "db_worker"
