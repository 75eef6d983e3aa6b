"""A private PostgreSQL and a private Redis that a test may stop and start again.

The system services are shared with other test runs and must never go down; these run on free
loopback ports from temporary folders. A missing initdb, pg_ctl or redis-server fails the test
loudly: these tests are part of `make test`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, *, up: bool, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.2)
            answering = sock.connect_ex(("127.0.0.1", port)) == 0
        if answering == up:
            return
        time.sleep(0.1)
    raise TimeoutError(f"port {port} still {'closed' if up else 'open'} after {seconds} s")


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(
            f"{name} is not installed: these tests start a private server with it "
            "(apt-get install postgresql redis-server).",
            pytrace=False,
        )
    return found


class PrivatePostgres:
    def __init__(self) -> None:
        initdb, self.pg_ctl = _program("initdb"), _program("pg_ctl")
        self.folder = Path(tempfile.mkdtemp(prefix="ting-pg-"))
        self.port = free_port()
        # PostgreSQL refuses to run as root; run it as the postgres user when we are root.
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.folder, user="postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self._run(initdb, "-D", str(self.folder / "data"), "-U", "postgres", "--auth=trust")
        self.start()

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        subprocess.run(
            [*self.as_user, *command], check=True, capture_output=True, timeout=120, cwd="/"
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            self.pg_ctl, "start", "-w", "-D", str(self.folder / "data"), "-o", options,
            "-l", str(self.folder / "log"),
        )  # fmt: skip

    def stop(self) -> None:
        self._run(self.pg_ctl, "stop", "-w", "-m", "immediate", "-D", str(self.folder / "data"))

    def close(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


class PrivateRedis:
    def __init__(self) -> None:
        self.program = _program("redis-server")
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.program, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port, up=True)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
        wait_for_port(self.port, up=False)

    def close(self) -> None:
        self.stop()
