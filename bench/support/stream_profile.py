"""Where a byte request's CPU goes, in one process: the stream URL driven through
`config.asgi` in-process (no sockets), on a scratch database seeded as bench/stream.py seeds.

    .venv/bin/python -m bench.support.stream_profile [--requests 3000] [--profile]
    .venv/bin/python -m bench.support.stream_profile --wrk 5 [--rounds 3]

Prints CPU microseconds a request (process time: the event loop and the stream threads
together). ``--profile`` adds a cProfile of the thread side (the sync handler called directly,
so the profile sees all of it). Socket writes are not included there; ``--wrk`` measures them:
bench/stream.py's figure 1 (app and nginx, 2 workers each, wrk with 32 connections asking for
random 1 MiB ranges), with each server's CPU time (all its processes) per request.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import importlib.util
import os
import pstats
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
KEY = "audio/bench/stream/aac64.m4a"
FORMAT = "aac64"
SIZE = 30 * 1000 * 1000
RANGE = 1024 * 1024


def _prepare(data: Path) -> int:
    media = data / "media"
    (media / KEY).parent.mkdir(parents=True)
    block = bytes(range(256)) * 4096
    with (media / KEY).open("wb") as out:
        for _ in range(SIZE // len(block)):
            out.write(block)
        out.write(block[: SIZE % len(block)])
    env = {**os.environ}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=REPO_ROOT, env=env, check=True
    )
    seeded = subprocess.run(
        [sys.executable, "-m", "bench.support.stream_seed", KEY, FORMAT],
        cwd=REPO_ROOT, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return int(seeded.stdout.split()[-1])


def _scope(path: str, first: int) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"range", f"bytes={first}-{first + RANGE - 1}".encode()),
        ],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


async def _drive(app: Any, path: str, requests: int, concurrency: int) -> float:
    sent = 0

    async def receive() -> dict[str, Any]:
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: Any) -> None:
        nonlocal sent
        if message["type"] == "http.response.body":
            sent += len(message.get("body", b""))

    async def one(index: int) -> None:
        await app(_scope(path, (index * 7919 * 4096) % (SIZE - RANGE)), receive, send)

    started = time.process_time()
    for batch in range(0, requests, concurrency):
        await asyncio.gather(*(one(i) for i in range(batch, min(batch + concurrency, requests))))
    cpu = time.process_time() - started
    assert sent == requests * RANGE, (sent, requests * RANGE)
    return cpu


def _tree_cpu(port: int) -> float:
    """CPU seconds used so far by every process listening on ``port``, and their children."""
    listing = subprocess.run(
        ["ss", "-Hltnp", f"sport = :{port}"], capture_output=True, text=True, check=True
    ).stdout
    pids = {int(pid) for pid in re.findall(r"pid=(\d+)", listing)}
    for pid in list(pids):
        with contextlib.suppress(OSError):
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            pids.update(int(child) for child in children)
    ticks = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _wrk_cpu(*, seconds: int, rounds: int) -> None:
    # bench/ is a folder of scripts, not a package: load the bench by its path.
    spec = importlib.util.spec_from_file_location(
        "ting_bench_stream", REPO_ROOT / "bench/stream.py"
    )
    assert spec is not None and spec.loader is not None
    bench: Any = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(REPO_ROOT))
    spec.loader.exec_module(bench)
    RANGE_SIZE, run_wrk, servers = bench.RANGE_SIZE, bench.run_wrk, bench.servers

    wrk = shutil.which("wrk")
    assert wrk is not None, "wrk is missing"
    results: dict[str, list[tuple[float, float, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="ting-bench-") as tmp, servers(Path(tmp)) as urls:
        urls = {mode: urls[mode] for mode in ("nginx", "app")}
        for number in range(rounds):
            for mode, url in urls.items():
                port = int(url.split(":")[2].split("/")[0])
                cpu, wall = _tree_cpu(port), time.monotonic()
                children = resource.getrusage(resource.RUSAGE_CHILDREN)
                rate, _, _ = run_wrk(wrk, url, seconds=seconds, seed=number)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                wrk_cpu = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
                cpu, wall = _tree_cpu(port) - cpu, time.monotonic() - wall
                requests = rate * 1e9 * seconds / RANGE_SIZE
                results.setdefault(mode, []).append(
                    (rate, cpu / requests * 1e3, wrk_cpu / requests * 1e3)
                )
                print(
                    f"round {number + 1} {mode:6s} {rate:.3f} GB/s  server "
                    f"{cpu / requests * 1e3:.3f} ms CPU/request ({cpu / wall:.2f} cores)  "
                    f"wrk {wrk_cpu / requests * 1e3:.3f} ms/request  load "
                    f"{os.getloadavg()[0]:.2f}",
                    flush=True,
                )
    medians = {
        mode: [statistics.median(values[i] for values in runs) for i in range(3)]
        for mode, runs in results.items()
    }
    for mode, (rate, server, client) in medians.items():
        print(f"median {mode:6s} {rate:.3f} GB/s  server {server:.3f} ms  wrk {client:.3f} ms")
    print(f"app/nginx {medians['app'][0] / medians['nginx'][0]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--wrk", type=int, default=0, help="seconds per server and round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.wrk:
        _wrk_cpu(seconds=args.wrk, rounds=args.rounds)
        return

    with tempfile.TemporaryDirectory(prefix="ting-profile-") as tmp:
        data = Path(tmp)
        os.environ.update(
            TING_ENV="test",
            TING_DATA_DIR=str(data),
            DATABASE_URL=f"sqlite:///{data / 'ting.sqlite3'}",
            DJANGO_SETTINGS_MODULE="config.settings",
            TASKS_BACKEND="db",
            MEDIA_DELIVERY="app",
            TING_TEST_MEDIA_ROOT=str(data / "media"),
        )
        track_id = _prepare(data)
        path = f"/stream/{track_id}/{FORMAT}"
        sys.path.insert(0, str(REPO_ROOT))
        import logging

        import uvloop
        from django.core.handlers.base import BaseHandler

        from config.asgi import application

        # The access log goes where the bench's uvicorn sends it (a file), not to a terminal.
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler):
                handler.setStream(Path(os.devnull).open("w"))  # noqa: SIM115

        uvloop.run(_drive(application, path, 200, args.concurrency))  # warm up
        cpu = uvloop.run(_drive(application, path, args.requests, args.concurrency))
        print(f"whole request in-process: {cpu / args.requests * 1e6:.0f} µs CPU a request")

        from ting.playback.delivery.handoff import SCOPE_KEY, Handoff

        def respond(thread_side: Any, scope: dict[str, Any]) -> None:
            """The work StreamRoute sends to its thread pool for one request."""
            handoff = Handoff()
            scope[SCOPE_KEY] = handoff
            thread_side(scope)
            handoff.close()

        # Interleaved with what the route ran before StreamHandler (the whole MIDDLEWARE stack
        # and the URL resolver), so a busy machine slows both alike.
        from ting.playback.asgi import StreamHandler

        class DjangoHandler(StreamHandler):
            def load_middleware(self, is_async: bool = False) -> None:
                BaseHandler.load_middleware(self, is_async=False)

            def resolve_request(self, request: Any) -> Any:
                return BaseHandler.resolve_request(self, request)

        handlers = {"stream": application._handler.respond, "django": DjangoHandler().respond}
        times: dict[str, list[float]] = {name: [] for name in handlers}
        for _ in range(9):
            for name, thread_side in handlers.items():
                started = time.process_time()
                for index in range(args.requests // 9):
                    respond(thread_side, _scope(path, (index * 7919 * 4096) % (SIZE - RANGE)))
                times[name].append((time.process_time() - started) / (args.requests // 9))
        for name, values in times.items():
            print(f"thread side, {name}: {statistics.median(values) * 1e6:.0f} µs CPU a request")
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for index in range(args.requests):
                respond(handlers["stream"], _scope(path, (index * 7919 * 4096) % (SIZE - RANGE)))
            profiler.disable()
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats(60)
            stats.sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    main()
