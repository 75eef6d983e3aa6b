"""Ting as real processes for the kill -9 tests: a uvicorn web server and `db_worker`s that
share one data folder and SQLite file, and a studio client that speaks the upload protocol.

pytest-django's test database lives in the test process, so these processes get their own
database (migrated and seeded by subprocesses), as the browser harness does. The test reads the
outcome straight from that SQLite file.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
CSRF = "f" * 32  # any 32-character secret: the cookie and the header only have to match


class Ting:
    """One data folder; start and kill its web servers and workers as the test needs."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.database = data_dir / "ting.sqlite3"
        self.media = data_dir / "media"
        self.scratch = data_dir / "tmp"
        self.scratch.mkdir(parents=True, exist_ok=True)
        self.processes: list[subprocess.Popen[bytes]] = []
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "DJANGO_SETTINGS_MODULE"}
        }
        self.env.update(
            TING_ENV="test",
            TING_DATA_DIR=str(data_dir),
            DATABASE_URL=f"sqlite:///{self.database}",
            DJANGO_SETTINGS_MODULE="config.settings",
            TASKS_BACKEND="db",
            TING_PROCESSING_DEADLINE="60",
            TMPDIR=str(self.scratch),
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            LOG_LEVEL="WARNING",
        )

    def manage(self, *args: str) -> str:
        return self._run(["manage.py", *args])

    def _run(self, args: list[str]) -> str:
        done = subprocess.run(
            [sys.executable, *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        if done.returncode != 0:
            pytest.fail(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
        return done.stdout

    def setup(self) -> dict[str, Any]:
        """Migrate, then seed an anchor's album and session; returns what the seed printed."""
        self.manage("migrate", "--no-input", "-v", "0")
        seeded: dict[str, Any] = json.loads(
            self._run(["-m", "tests.faults.seed"]).strip().splitlines()[-1]
        )
        return seeded

    def _spawn(self, command: list[str], log_name: str, **kwargs: Any) -> subprocess.Popen[bytes]:
        log = self.data_dir / log_name
        with log.open("ab") as output:
            process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=output, stderr=subprocess.STDOUT, **kwargs
            )
        self.processes.append(process)
        return process

    def start_web(self) -> tuple[subprocess.Popen[bytes], str]:
        """uvicorn on a socket this process binds and hands over, so no other can take it."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        port = listener.getsockname()[1]
        command = [
            sys.executable, "-m", "uvicorn", "config.asgi:application",
            "--fd", str(listener.fileno()), "--no-access-log", "--log-level", "warning",
        ]  # fmt: skip
        process = self._spawn(command, "web.log", pass_fds=[listener.fileno()])
        listener.close()
        base_url = f"http://127.0.0.1:{port}"
        self._wait(lambda: _answers(base_url), process, "uvicorn")
        return process, base_url

    def start_worker(self) -> subprocess.Popen[bytes]:
        command = [
            sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay",
        ]  # fmt: skip
        return self._spawn(command, "worker.log")

    def _wait(self, ready: Callable[[], bool], process: subprocess.Popen[bytes], what: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"{what} exited with {process.returncode}:\n{self.logs()}")
            if ready():
                return
            time.sleep(0.1)
        pytest.fail(f"{what} was not ready within 60 s:\n{self.logs()}")

    def logs(self) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}"
            for log in sorted(self.data_dir.glob("*.log"))
        )

    def query(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.database, timeout=30) as connection:
            return connection.execute(sql, params).fetchall()

    def wait_for(self, condition: Callable[[], bool], what: str, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.02)
        pytest.fail(f"timed out waiting for {what}:\n{self.logs()}")

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def kill_9(process: subprocess.Popen[bytes]) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def _answers(base_url: str) -> bool:
    try:
        return httpx.get(base_url + "/", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


class Studio:
    """The studio's upload client (static/ting/studio.js, ADR 0008), in Python."""

    def __init__(self, base_url: str, session: str) -> None:
        self.session = session
        self.http = self._client(base_url)

    def _client(self, base_url: str) -> httpx.Client:
        return httpx.Client(
            base_url=base_url,
            cookies={"sessionid": self.session, "csrftoken": CSRF},
            headers={"X-CSRFToken": CSRF},
            timeout=60,
        )

    def moved_to(self, base_url: str) -> None:
        """The server came back (on another port): same session, new connection."""
        self.http.close()
        self.http = self._client(base_url)

    def create(self, *, album: int, filename: str, size: int) -> str:
        response = self.http.post(
            "/studio/uploads/", json={"album": album, "filename": filename, "size": size}
        )
        assert response.status_code == 201, response.text
        url: str = response.json()["url"]
        return url

    def offset(self, url: str) -> int:
        response = self.http.head(url)
        assert response.status_code == 200, response.status_code
        return int(response.headers["Upload-Offset"])

    def patch(self, url: str, offset: int, body: bytes | Iterator[bytes]) -> httpx.Response:
        headers = {
            "Upload-Offset": str(offset),
            "Content-Type": "application/offset+octet-stream",
        }
        return self.http.patch(url, content=body, headers=headers)

    def send_from(self, url: str, data: bytes, offset: int, chunk: int) -> httpx.Response:
        """PATCH the rest of `data` from `offset`; returns the last answer."""
        while True:
            response = self.patch(url, offset, data[offset : offset + chunk])
            offset = min(offset + chunk, len(data))
            if offset == len(data):
                return response
            assert response.status_code == 204, response.text
