"""A service that goes down mid-run: 503 pages in the reader's language, then recovery.

A live Ting (uvicorn in a subprocess) runs against a private PostgreSQL and a private Redis; the
test stops each and starts it again, and the same server process answers 503 and then 200.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ting.core.tests.private_services import (
    PrivatePostgres,
    PrivateRedis,
    free_port,
    wait_for_port,
)

REPO = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.services


class LiveTing:
    def __init__(self, postgres: PrivatePostgres, redis: PrivateRedis) -> None:
        self.data = Path(tempfile.mkdtemp(prefix="ting-live-"))
        self.log_path = self.data / "server.log"
        self.env = {
            **os.environ,
            "TING_ENV": "test",
            "TING_DATA_DIR": str(self.data),
            "DATABASE_URL": postgres.url,
            "REDIS_URL": redis.url,
            "TASKS_BACKEND": "rq",
            "LOG_FORMAT": "json",
            "TING_RETRY_AFTER": "7",
        }
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "-v", "0"], cwd=REPO, env=self.env, check=True)
        self.port = free_port()
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "config.asgi:application", "--port", str(self.port),
             "--no-access-log"],
            cwd=REPO, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for_port(self.port, up=True, seconds=60)
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=20)

    def log_lines(self) -> list[dict[str, object]]:
        self.log.flush()
        lines = self.log_path.read_text(errors="replace").splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]

    def close(self) -> None:
        self.http.close()
        self.process.terminate()
        self.process.wait(timeout=20)
        self.log.close()
        shutil.rmtree(self.data, ignore_errors=True)


@pytest.fixture(scope="module")
def postgres() -> Iterator[PrivatePostgres]:
    server = PrivatePostgres()
    yield server
    server.close()


@pytest.fixture(scope="module")
def redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    yield server
    server.close()


@pytest.fixture(scope="module")
def live(postgres: PrivatePostgres, redis: PrivateRedis) -> Iterator[LiveTing]:
    server = LiveTing(postgres, redis)
    yield server
    server.close()


def test_the_database_going_down_answers_503_and_recovers_in_the_same_process(
    live: LiveTing, postgres: PrivatePostgres
) -> None:
    assert live.http.get("/").status_code == 200
    pid = live.process.pid

    postgres.stop()
    try:
        page = live.http.get("/", headers={"Accept-Language": "zh-Hant"})
        assert page.status_code == 503
        assert page.headers["Retry-After"] == "7"
        assert page.headers["content-type"].startswith("text/html")
        assert "暫時無法使用" in page.text
        assert "Traceback" not in page.text

        english = live.http.get("/", headers={"Accept-Language": "en"})
        assert english.status_code == 503
        assert "Temporarily unavailable" in english.text

        api = live.http.get("/api/v1/albums")
        assert api.status_code == 503
        assert api.headers["Retry-After"] == "7"
        assert api.json()["error"]["code"] == "service_unavailable"

        stream = live.http.get("/stream/1/mp3")
        assert stream.status_code == 503
        assert stream.headers["content-type"].startswith("text/plain")

        ready = live.http.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"].startswith("error:")
    finally:
        postgres.start()

    assert live.http.get("/").status_code == 200
    assert live.http.get("/api/v1/albums").status_code == 200
    assert live.http.get("/readyz").json()["ready"] is True
    assert live.process.pid == pid and live.process.poll() is None


def test_redis_going_down_answers_503_on_what_needs_it_and_recovers(
    live: LiveTing, redis: PrivateRedis
) -> None:
    assert live.http.get("/api/v1/albums").status_code == 200

    redis.stop()
    try:
        api = live.http.get("/api/v1/albums")
        assert api.status_code == 503
        assert api.json()["error"]["code"] == "service_unavailable"
        ready = live.http.get("/readyz").json()
        assert ready["checks"]["cache"].startswith("error:")
        assert ready["checks"]["queue"].startswith("error:")
        assert ready["checks"]["database"] == "ok"
    finally:
        redis.start()

    assert live.http.get("/api/v1/albums").status_code == 200
    assert live.http.get("/readyz").json()["ready"] is True


def test_every_log_line_of_a_request_carries_its_id(live: LiveTing) -> None:
    response = live.http.get("/readyz", headers={"X-Request-ID": "probe-0123456789"})
    assert response.headers["X-Request-ID"] == "probe-0123456789"
    forged = live.http.get("/healthz", headers={"X-Request-ID": "bad id <script>"})
    assert forged.headers["X-Request-ID"] != "bad id <script>"
    assert len(forged.headers["X-Request-ID"]) == 32

    mine = [line for line in live.log_lines() if line.get("request_id") == "probe-0123456789"]
    access = [line for line in mine if line["logger"] == "ting.access"]
    assert len(access) == 1
    assert access[0]["method"] == "GET"
    assert access[0]["path"] == "/readyz"
    assert access[0]["status"] == 200
    assert isinstance(access[0]["duration_ms"], float)
    assert isinstance(access[0]["bytes"], int) and access[0]["bytes"] > 0
