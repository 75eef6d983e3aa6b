"""Real servers on loopback for the tests and bench/stream.py: uvicorn and nginx."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from ting.core.cli import UVICORN_SPEED

REPO_ROOT: Final = Path(__file__).resolve().parents[3]
NGINX_REFERENCE_CONF: Final = REPO_ROOT / "docs" / "deploy" / "nginx.conf"
# For servers whose signed location nobody uses (the x-accel tests): any valid secret.
UNUSED_SECRET: Final = "unused-" + "0" * 32
NGINX_MISSING: Final = (
    "nginx is not installed; these tests run a real nginx. Install it with "
    "`apt-get install -y nginx` (Debian/Ubuntu) and run them again."
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server did not listen on {port} within 30 s:\n{log.read_text()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def uvicorn_server(
    *,
    media_root: Path,
    log_dir: Path,
    app: str = "ting.playback.tests.asgi_app:application",
    workers: int = 1,
    app_dir: Path = REPO_ROOT,
    extra_env: dict[str, str] | None = None,
) -> Iterator[tuple[int, int]]:
    """Run uvicorn with ``app`` in a subprocess; yields its port and process id."""
    port = free_port()
    log = log_dir / f"uvicorn-{port}.log"
    env = {**os.environ, "TING_TEST_MEDIA_ROOT": str(media_root), **(extra_env or {})}
    command = [
        sys.executable, "-m", "uvicorn", app, *UVICORN_SPEED,
        "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(workers), "--app-dir", str(app_dir),
        "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        wait_for_port(port, process, log)
        yield port, process.pid
    finally:
        _stop(process)


def render_nginx_conf(
    *,
    listen: str,
    upstream: str,
    media_root: Path,
    static_root: Path,
    server_name: str = "_",
    secret: str = UNUSED_SECRET,
    stream_log: Path | None = None,
    signed_prefix: str = "/listen/",
) -> str:
    """docs/deploy/nginx.conf with its placeholders filled in.

    ``secret``, ``stream_log`` and ``signed_prefix`` serve MEDIA_DELIVERY=nginx-signed (the
    settings TING_NGINX_SECRET, TING_NGINX_STREAM_LOG and TING_NGINX_SIGNED_PREFIX); without a
    ``stream_log`` nginx logs that location to /dev/null.
    """
    text = NGINX_REFERENCE_CONF.read_text()
    for placeholder, value in {
        "@LISTEN@": listen,
        "@SERVER_NAME@": server_name,
        "@APP_UPSTREAM@": upstream,
        "@MEDIA_ROOT@": str(media_root),
        "@STATIC_ROOT@": str(static_root),
        "@NGINX_SECRET@": secret,
        "@STREAM_LOG@": str(stream_log or "/dev/null"),
        "@SIGNED_PREFIX@": signed_prefix,
    }.items():
        text = text.replace(placeholder, value)
    leftover = [word for word in text.split() if word.startswith("@") and "@" in word[1:]]
    if leftover:
        raise ValueError(f"unfilled placeholders in nginx.conf: {leftover}")
    return text


def nginx_main_conf(*, prefix: Path, http_body: str, workers: int = 1) -> str:
    """A whole nginx.conf whose pid, logs and temp files all live under ``prefix``."""
    # Workers drop to `nobody` when the master runs as root, and could not read the tests'
    # private temporary directories.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {name}_temp_path {prefix / name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}worker_processes {workers};
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
{temp}
{http_body}
}}
"""


@contextmanager
def nginx_server(
    *, prefix: Path, http_body: str, port: int, workers: int = 1
) -> Iterator[tuple[int, int]]:
    """Run nginx in the foreground with ``http_body`` in its http block; yields port and pid."""
    binary = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )
    if binary is None:
        raise FileNotFoundError(NGINX_MISSING)
    prefix.mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(nginx_main_conf(prefix=prefix, http_body=http_body, workers=workers))
    log = prefix / "error.log"
    log.touch()
    command = [binary, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"]
    with (prefix / "stdout.log").open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, process, log)
        yield port, process.pid
    finally:
        _stop(process)


@contextmanager
def nginx_signed_server(
    *,
    prefix: Path,
    media_root: Path,
    secret: str,
    stream_log: Path,
    signed_prefix: str = "/listen/",
) -> Iterator[tuple[str, int]]:
    """docs/deploy/nginx.conf for MEDIA_DELIVERY=nginx-signed, without an app behind it (the
    signed location never asks one); yields the base URL and the master's pid."""
    port = free_port()
    body = render_nginx_conf(
        listen=f"127.0.0.1:{port}",
        upstream="127.0.0.1:9",  # discard: nothing here may reach the app
        media_root=media_root,
        static_root=prefix,
        secret=secret,
        stream_log=stream_log,
        signed_prefix=signed_prefix,
    )
    with nginx_server(prefix=prefix, http_body=body, port=port) as (_, pid):
        yield f"http://127.0.0.1:{port}", pid


@dataclass(frozen=True)
class SignedNginx:
    """A running nginx-signed server: where to ask, whom to signal, where it logs."""

    base_url: str
    pid: int
    log: Path


@contextmanager
def signed_nginx(*, media_root: Path, secret: str, workdir: Path) -> Iterator[SignedNginx]:
    """``nginx_signed_server`` for a test: MEDIA_ROOT created, the stream log under
    ``workdir``, and a loud failure (not a skip) where nginx is not installed."""
    media_root.mkdir(parents=True, exist_ok=True)
    log = workdir / "stream.log"
    try:
        with nginx_signed_server(
            prefix=workdir / "nginx", media_root=media_root, secret=secret, stream_log=log
        ) as (base_url, pid):
            yield SignedNginx(base_url, pid, log)
    except FileNotFoundError:
        import pytest  # here, not at the top: bench/stream.py imports this module without it

        pytest.fail(NGINX_MISSING)


def flush_nginx_logs(pid: int, log: Path, *, lines: int, timeout: float = 10) -> None:
    """Make nginx write its buffered access log (what logrotate's reopen does) and wait until
    ``log`` holds ``lines`` lines."""
    os.kill(pid, signal.SIGUSR1)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.exists() and log.read_bytes().count(b"\n") >= lines:
            return
        time.sleep(0.02)
    held = log.read_bytes().count(b"\n") if log.exists() else 0
    raise AssertionError(f"{log} holds {held} lines, not {lines}")
