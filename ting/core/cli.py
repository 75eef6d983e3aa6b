"""`ting`: the one command a person types. `ting serve` runs web and worker together.

Every other sub-command is a Django management command (`ting migrate`, `ting demo` …).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# uvloop and httptools (pinned in pyproject.toml) cost a quarter less CPU a request than
# asyncio and h11 (docs/benchmarks.md, "Streaming"). Named, not auto-detected, so that a broken
# install stops the server instead of silently serving slower. The httptools protocol is ours
# only to bound each connection's kernel send buffer (ting/core/uvicorn_http.py says why).
UVICORN_SPEED = [
    "--loop", "uvloop" if sys.platform != "win32" else "asyncio",
    "--http", "ting.core.uvicorn_http:BoundedSendBufferProtocol",
]  # fmt: skip


def _manage(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="ting serve", description="Run Ting: web + worker.")
    parser.add_argument("--host", default=os.environ.get("TING_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("TING_PORT", "8000")))
    parser.add_argument("--workers", type=int, default=1, help="web server processes")
    parser.add_argument("--demo", action="store_true", help="load the demo catalog first")
    parser.add_argument("--no-worker", action="store_true", help="do not start a task worker")
    options = parser.parse_args(argv)

    _setup()
    from django.conf import settings
    from django.core.management.base import CommandError

    try:
        _manage("migrate", "--no-input", "-v", "0")
        if options.demo:
            _manage("demo")
        if settings.DEBUG or options.demo:
            _manage("createadmin", "--url", f"http://{options.host}:{options.port}/admin/")
    except CommandError as error:
        # Ctrl-C during the demo load, say: the message is enough, the next run resumes.
        print(f"\n{error}")
        return error.returncode or 1
    except KeyboardInterrupt:
        print("\nStopped before serving; run it again to carry on.")
        return 130

    python = sys.executable
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    # Every web and task worker on this host writes its metrics here and /metrics adds them up.
    env.setdefault("PROMETHEUS_MULTIPROC_DIR", _fresh_metrics_dir(Path(settings.DATA_DIR)))
    web_cmd = [
        python, "-m", "uvicorn", "config.asgi:application", *UVICORN_SPEED,
        "--host", options.host, "--port", str(options.port),
        "--workers", str(options.workers), "--no-access-log", "--timeout-graceful-shutdown", "5",
    ]  # fmt: skip
    children = [subprocess.Popen(web_cmd, cwd=BASE_DIR, env=env)]  # noqa: S603
    if not options.no_worker and settings.TASKS_BACKEND != "immediate":
        worker_cmd = [python, str(BASE_DIR / "manage.py"), *_worker_args(settings.TASKS_BACKEND)]
        children.append(subprocess.Popen(worker_cmd, cwd=BASE_DIR, env=env))  # noqa: S603
        periodic_cmd = [python, str(BASE_DIR / "manage.py"), "run_periodic"]
        children.append(subprocess.Popen(periodic_cmd, cwd=BASE_DIR, env=env))  # noqa: S603

    print(f"\n  Ting is running on http://{options.host}:{options.port}/  (Ctrl-C stops it)\n")
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for child in children:
            code = child.poll()
            if code is not None:
                print(f"A Ting process stopped (exit {code}); stopping the others.")
                exit_code = code or 1
                stopping = True
        time.sleep(0.3)
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 10
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
    print("Ting stopped.")
    return exit_code


def web(argv: list[str]) -> int:
    """The web server alone, for a process manager (docs/deploy/systemd/ting-web.service).

    Unlike `ting serve` it neither migrates nor starts workers: at scale, migrations run once
    per upgrade and workers are units of their own. It becomes uvicorn (exec), so the process
    manager's signals reach uvicorn itself.
    """
    parser = argparse.ArgumentParser(prog="ting web", description="Run the ASGI web server.")
    parser.add_argument("--host", default=os.environ.get("TING_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("TING_PORT", "8000")))
    parser.add_argument("--uds", default=os.environ.get("TING_SOCKET", ""), help="a unix socket")
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("TING_WEB_WORKERS") or 0) or (os.cpu_count() or 1),
        help="processes (default TING_WEB_WORKERS, else one per core)",
    )
    options = parser.parse_args(argv)
    if options.workers < 1:
        parser.error("--workers must be at least 1")
    where = ["--uds", options.uds] if options.uds else ["--host", options.host]
    command = [
        sys.executable, "-m", "uvicorn", "config.asgi:application", *UVICORN_SPEED,
        *where, "--port", str(options.port), "--workers", str(options.workers),
        "--no-access-log", "--timeout-graceful-shutdown", "20",
    ]  # fmt: skip
    os.execv(sys.executable, command)  # noqa: S606
    return 0  # pragma: no cover (execv does not return)


def _worker_args(backend: str) -> list[str]:
    """The worker command for TASKS_BACKEND (`ting worker` and `ting serve` both start it)."""
    if backend == "rq":
        # RQ must build django-tasks-rq's Job, which knows how to call a django-tasks Task;
        # --with-scheduler runs tasks enqueued with run_after when they fall due.
        return ["rqworker", "--job-class", "django_tasks_rq.Job", "--with-scheduler"]
    return ["db_worker", "--interval", "0.5"]


def _fresh_metrics_dir(data_dir: Path) -> str:
    # Samples from processes of an earlier run would be added to this run's: start empty.
    folder = data_dir / "prometheus"
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()
    return str(folder)


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.chdir(BASE_DIR)
    if args and args[0] == "serve":
        sys.exit(serve(args[1:]))
    if args and args[0] == "web":
        sys.exit(web(args[1:]))
    # The commands people type read as words; Django's own names use underscores.
    aliases = {
        "import-rss": "import_rss",
        "run-periodic": "run_periodic",
        # `ting check` connects to the services (and runs Django's system checks first);
        # Django's own `check` with its options stays reachable as `ting django-check`.
        "check": "check_services",
        "django-check": "check",
    }
    if args and args[0] == "worker":
        args = [*_worker_args(os.environ.get("TASKS_BACKEND", "").strip().lower()), *args[1:]]
    elif args and args[0] in aliases:
        args = [aliases[args[0]], *args[1:]]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["ting", *args])


if __name__ == "__main__":
    main()
