"""How fast Ting hands out audio bytes, next to nginx, on loopback.

    .venv/bin/python bench/stream.py [--seconds 10] [--rounds 3] [--listeners-seconds 60]

Ting here is the real thing: `config.asgi` under uvicorn with `ting serve`'s options (2
workers), its whole middleware stack, a scratch SQLite database (TING_ENV=test), and one
published public track whose 30 MB AAC rendition is the bench file; every byte request goes
through the stream view (access rules, the stream log row, metrics, the access log).

Figure 1: 32 connections asking for random 1 MiB ranges of the 30 MB file (wrk with a Lua
script), in four modes, all behind the same nginx (2 workers) where nginx is involved:
- `nginx`: nginx alone serving the file (static location, sendfile): the baseline;
- `app`: `/stream/<track>/aac64` of a Ting with MEDIA_DELIVERY=app;
- `x-accel`: docs/deploy/nginx.conf in front of a second Ting with MEDIA_DELIVERY=x-accel:
  every range request goes through Django (authorise, stream-log INSERT), nginx sends. Kept and
  labelled `x-accel (per request)`; informational since nginx-signed exists (ADR 0014);
- `nginx-signed`: a third Ting with MEDIA_DELIVERY=nginx-signed answers `/stream/<track>/aac64`
  once with a 302 to a signed URL; wrk then asks that URL of docs/deploy/nginx.conf's
  secure_link location for every range, as a browser's media element does after following the
  redirect (and as the web player does with the URL from its data). nginx checks the MD5 and
  the expiry and writes one JSON line per request to the stream log: that cost is measured
  here; Django's is not paid per range.
Medians of interleaved rounds (in each: app, nginx, x-accel, nginx-signed, 2 s apart);
goals: app/nginx >= 0.5, nginx-signed/nginx >= 0.9 (the issue's x-accel goal, met by the nginx
deployment's signed-URL mode).

Figure 1b: the lines nginx logged during the nginx-signed rounds, ingested into the stream log
by `ting.stats.nginxlog.ingest_nginx_log` in one process (lines/s, wall and CPU); the cost
moved from the request path to the periodic ingest, so it is shown, not hidden. No goal; it is
compared with the rate at which nginx served those requests.

Figure 2: 1,000 listeners, each reading the whole file from the app's stream URL at 64 kb/s;
the share that never waited more than 2 s for their next bytes (goal >= 99%), while the track
page (`/track/<id>/` on the same server) is fetched every 200 ms: its p95 (goal < 200 ms).

Ends with one JSON line per figure, the main figure (app vs nginx) last; exits 1 when a goal is
missed, 2 when a tool is missing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from ting.playback.tests.servers import (  # noqa: E402 (needs the repo on sys.path)
    flush_nginx_logs,
    free_port,
    nginx_server,
    render_nginx_conf,
    uvicorn_server,
)

FILE_SIZE = 30 * 1000 * 1000
# A round runs app, nginx, x-accel, nginx-signed. Each wrk run starts after a pause, and both
# rows that nginx sends follow a row through Django: measured on the shared machine, whichever
# row followed x-accel lost 10-20% (nginx's CPU per request unchanged), and in the order nginx,
# app, x-accel, nginx-signed that penalised only nginx-signed.
SETTLE_SECONDS = 2.0
# TING_NGINX_SECRET of the nginx-signed Ting and the nginx in front of it.
BENCH_SECRET = "bench-only-" + "s" * 32
# Where the seeded track's rendition lives under MEDIA_ROOT (bench/support/stream_seed.py).
STREAM_KEY = "audio/bench/stream/aac64.m4a"
STREAM_FORMAT = "aac64"
RANGE_SIZE = 1024 * 1024
CONNECTIONS = 32
LISTENERS = 1000
LISTENER_BYTES_PER_SECOND = 64_000 // 8
LISTENER_TICK = 0.25
MAX_WAIT = 2.0
LISTENER_BUFFER = 32 * 1024

WRK_SCRIPT = """
local size = %(size)d
local chunk = %(chunk)d
math.randomseed(%(seed)d)
request = function()
  local first = math.random(0, size - chunk)
  return wrk.format("GET", nil, {["Range"] = "bytes=" .. first .. "-" .. (first + chunk - 1)})
end
done = function(summary, latency, requests)
  io.write(string.format("TING %%d %%d %%d %%d\\n", summary.bytes, summary.duration,
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read))
end
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="per mode and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--listeners-seconds", type=int, default=60)
    parser.add_argument("--listeners", type=int, default=LISTENERS)
    parser.add_argument("--arrival-seconds", type=float, default=2.0, help="listeners' spread")
    args = parser.parse_args()

    wrk = shutil.which("wrk")
    if wrk is None:
        print("wrk is missing: apt-get install -y wrk", file=sys.stderr)
        return 2
    # A thousand listeners need more descriptors than the usual soft limit of 1,024; servers
    # started below inherit the raised limit.
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    with tempfile.TemporaryDirectory(prefix="ting-bench-") as tmp, servers(Path(tmp)) as urls:
        page_url = urls.pop("page")
        signed_log = Path(urls.pop("signed-log"))
        nginx_pid = int(urls.pop("nginx-pid"))
        signed_env = json.loads(urls.pop("signed-env"))
        rates: dict[str, list[float]] = {mode: [] for mode in urls}
        signed_requests = 0
        signed_seconds = 0.0
        for round_number in range(max(args.rounds, 1)):
            for mode, url in urls.items():
                time.sleep(SETTLE_SECONDS)
                rate, requests, seconds = run_wrk(wrk, url, seconds=args.seconds, seed=round_number)
                rates[mode].append(rate)
                if mode == "nginx-signed":
                    signed_requests += requests
                    signed_seconds += seconds
                print(f"round {round_number + 1} {mode:12s} {rate:.3f} GB/s", flush=True)
        median = {mode: statistics.median(values) for mode, values in rates.items()}
        ingest = ingest_rate(signed_log, nginx_pid, env=signed_env, lines=signed_requests)
        ingest["served_per_s"] = signed_requests / signed_seconds
        listeners = asyncio.run(
            run_listeners(
                urls["app"], count=args.listeners, seconds=args.listeners_seconds,
                arrival=args.arrival_seconds, page_url=page_url,
            )
        )  # fmt: skip

    figures = [listeners_figure(listeners), page_figure(listeners), ingest_figure(ingest)]
    per_request = ratio_figure(
        "stream_xaccel_per_request_vs_nginx", median["x-accel"], median["nginx"], None
    )
    per_request["mode"] = "x-accel (per request): every range through Django"
    figures.append(per_request)
    figures.append(
        ratio_figure("stream_nginx_signed_vs_nginx", median["nginx-signed"], median["nginx"], 0.9)
    )
    figures.append(ratio_figure("stream_app_vs_nginx", median["app"], median["nginx"], 0.5))
    print(
        "median GB/s: "
        + "  ".join(f"{mode} {value:.3f}" for mode, value in median.items())
        + f"  app/nginx {median['app'] / median['nginx']:.2f}"
        + f"  x-accel (per request)/nginx {median['x-accel'] / median['nginx']:.2f}"
        + f"  nginx-signed/nginx {median['nginx-signed'] / median['nginx']:.2f}"
    )
    for figure in figures:
        print(json.dumps(figure))
    return 0 if all(figure["pass"] is not False for figure in figures) else 1


@contextmanager
def servers(tmp: Path) -> Iterator[dict[str, str]]:
    """nginx (static and x-accel) and two Tings on loopback; yields a URL per mode and "page"."""
    data = tmp / "ting"
    media = data / "media"
    bench_file = media / STREAM_KEY
    bench_file.parent.mkdir(parents=True)
    with bench_file.open("wb") as out:
        block = bytes(range(256)) * 4096
        for _ in range(FILE_SIZE // len(block)):
            out.write(block)
        out.write(block[: FILE_SIZE % len(block)])
    env = {
        "TING_ENV": "test",
        "TING_DATA_DIR": str(data),
        "DATABASE_URL": f"sqlite:///{data / 'ting.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "TASKS_BACKEND": "db",
    }
    run_env = {**os.environ, **env}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=REPO_ROOT,
                   env=run_env, check=True)  # fmt: skip
    seeded = subprocess.run(
        [sys.executable, "-m", "bench.support.stream_seed", STREAM_KEY, STREAM_FORMAT],
        cwd=REPO_ROOT, env=run_env,
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    track_id = int(seeded.stdout.split()[-1])
    stream_path = f"/stream/{track_id}/{STREAM_FORMAT}"
    ting = "config.asgi:application"
    signed_log = tmp / "nginx-stream.log"
    signed_env = {
        **env, "MEDIA_DELIVERY": "nginx-signed", "TING_NGINX_SECRET": BENCH_SECRET,
        "TING_NGINX_STREAM_LOG": str(signed_log),
    }  # fmt: skip
    with (
        uvicorn_server(media_root=media, log_dir=tmp, app=ting, workers=2,
                       extra_env={**env, "MEDIA_DELIVERY": "app"}) as (app_port, _),
        uvicorn_server(media_root=media, log_dir=tmp, app=ting, workers=2,
                       extra_env={**env, "MEDIA_DELIVERY": "x-accel"}) as (xaccel_app_port, _),
        # Asked once per listen (the 302), not per range: one worker.
        uvicorn_server(media_root=media, log_dir=tmp, app=ting, workers=1,
                       extra_env=signed_env) as (signed_app_port, _),
    ):  # fmt: skip
        static_port, xaccel_port = free_port(), free_port()
        http_body = f"""
server {{
    listen 127.0.0.1:{static_port};
    location /media/ {{ alias {media}/; sendfile on; tcp_nopush on; }}
}}
{render_nginx_conf(
    listen=f"127.0.0.1:{xaccel_port}", upstream=f"127.0.0.1:{xaccel_app_port}",
    media_root=media, static_root=tmp, secret=BENCH_SECRET, stream_log=signed_log,
)}"""  # fmt: skip
        with nginx_server(
            prefix=tmp / "nginx", http_body=http_body, port=static_port, workers=2
        ) as (_, nginx_pid):
            # What a media element does with the stream URL: follow Ting's redirect once.
            redirect = httpx.get(f"http://127.0.0.1:{signed_app_port}{stream_path}", timeout=30)
            if redirect.status_code != 302:
                raise RuntimeError(f"nginx-signed Ting answered {redirect.status_code}, not 302")
            # The order of a round (see SETTLE_SECONDS): each nginx-sent row right after a row
            # through Django.
            urls = {
                "app": f"http://127.0.0.1:{app_port}{stream_path}",
                "nginx": f"http://127.0.0.1:{static_port}/media/{STREAM_KEY}",
                "x-accel": f"http://127.0.0.1:{xaccel_port}{stream_path}",
                "nginx-signed": f"http://127.0.0.1:{xaccel_port}{redirect.headers['location']}",
            }
            for url in urls.values():
                check_range(url)
            page = f"http://127.0.0.1:{app_port}/track/{track_id}/"
            httpx.get(page, timeout=30).raise_for_status()
            yield {
                **urls, "page": page, "signed-log": str(signed_log), "nginx-pid": str(nginx_pid),
                "signed-env": json.dumps({**run_env, **signed_env}),
            }  # fmt: skip


def check_range(url: str) -> None:
    response = httpx.get(url, headers={"Range": "bytes=1000-1099"}, timeout=10)
    if response.status_code != 206 or response.content != (bytes(range(256)) * 2)[232:332]:
        raise RuntimeError(f"{url} answered {response.status_code} with wrong bytes")


def ingest_rate(log: Path, nginx_pid: int, *, env: dict[str, str], lines: int) -> dict[str, Any]:
    """Flush nginx's buffered stream log and time its ingest into the bench's database."""
    expected = lines + 1  # check_range's request
    flush_nginx_logs(nginx_pid, log, lines=expected)
    output = subprocess.run(
        [sys.executable, "-m", "bench.support.ingest_timed", str(log)], cwd=REPO_ROOT,
        env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    if result["lines"] < expected or result["malformed"] or result["rerun_rows"]:
        raise RuntimeError(f"ingest of {expected} lines went wrong: {result}")
    print(f"ingest: {result}", flush=True)
    return result


def ingest_figure(ingest: dict[str, Any]) -> dict[str, Any]:
    per_second = ingest["lines"] / ingest["seconds"]
    return {
        "figure": "stream_log_ingest_lines_per_s",
        "value": round(per_second),
        "unit": "lines/s",
        "goal": None,
        "lines": ingest["lines"],
        "cpu_lines_per_s": round(ingest["lines"] / ingest["cpu_seconds"]),
        "nginx_signed_requests_per_s": round(ingest["served_per_s"]),
        "pass": None,
    }


def run_wrk(wrk: str, url: str, *, seconds: int, seed: int) -> tuple[float, int, float]:
    """GB/s of 1 MiB range responses over ``seconds``, the requests made and the seconds."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_SCRIPT % {"size": FILE_SIZE, "chunk": RANGE_SIZE, "seed": seed + 1})
        script.flush()
        command = [wrk, "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "-s", script.name, url]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = re.search(r"^TING (\d+) (\d+) (\d+) (\d+)$", output, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"no summary from wrk:\n{output}")
    total, micros, requests, errors = (int(group) for group in match.groups())
    if errors or requests == 0:
        raise RuntimeError(f"{url}: {errors} errors in {requests} requests:\n{output}")
    return total / (micros / 1e6) / 1e9, requests, micros / 1e6


async def listen(url: str, seconds: float) -> float:
    """One listener at 64 kb/s; returns the longest it waited for bytes it wanted."""
    host_port, path = url.removeprefix("http://").split("/", 1)
    host, port = host_port.split(":")
    started = time.monotonic()
    sock = socket.socket()
    # A player that reads at its bitrate keeps a small buffer; the defaults would let every
    # listener pull megabytes at loopback speed first, measuring the bench, not the server.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, LISTENER_BUFFER)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, (host, int(port)))
    reader, writer = await asyncio.open_connection(sock=sock, limit=LISTENER_BUFFER)
    try:
        writer.write(f"GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        await reader.readuntil(b"\r\n\r\n")
        longest = time.monotonic() - started
        per_tick = int(LISTENER_BYTES_PER_SECOND * LISTENER_TICK)
        next_tick = time.monotonic()
        while next_tick - started < seconds:
            asked = time.monotonic()
            await reader.readexactly(per_tick)
            longest = max(longest, time.monotonic() - asked)
            next_tick += LISTENER_TICK
            await asyncio.sleep(max(0.0, next_tick - time.monotonic()))
        return longest
    finally:
        writer.close()


async def time_page(url: str, stop: asyncio.Event) -> list[float]:
    timings: list[float] = []
    async with httpx.AsyncClient(timeout=30) as client:
        while not stop.is_set():
            started = time.monotonic()
            (await client.get(url)).raise_for_status()
            timings.append(time.monotonic() - started)
            await asyncio.sleep(0.2)
    return timings


async def run_listeners(
    url: str, *, count: int, seconds: int, arrival: float, page_url: str | None
) -> dict[str, Any]:
    async def staggered(index: int) -> float:
        # Arrivals spread out (two seconds by default), not one SYN burst.
        await asyncio.sleep(arrival * index / count)
        try:
            return await listen(url, seconds)
        except (OSError, asyncio.IncompleteReadError):
            return float("inf")

    stop = asyncio.Event()
    page = asyncio.create_task(time_page(page_url, stop)) if page_url else None
    waits = await asyncio.gather(*(staggered(index) for index in range(count)))
    stop.set()
    result: dict[str, Any] = {
        "count": count,
        "seconds": seconds,
        "ok": sum(1 for wait in waits if wait <= MAX_WAIT),
        "worst_wait_s": max(waits),
        "page_p95_ms": None,
    }
    if page is not None:
        timings = sorted(await page)
        if timings:
            result["page_p95_ms"] = round(timings[int(0.95 * (len(timings) - 1))] * 1000, 1)
    print(f"listeners: {result}", flush=True)
    return result


def listeners_figure(listeners: dict[str, Any]) -> dict[str, Any]:
    share = 100.0 * listeners["ok"] / listeners["count"]
    return {
        "figure": "stream_listeners_64k_waited_under_2s",
        "value": round(share, 2),
        "unit": "%",
        "goal": 99,
        "listeners": listeners["count"],
        "seconds": listeners["seconds"],
        "worst_wait_s": round(listeners["worst_wait_s"], 3),
        "pass": share >= 99,
    }


def page_figure(listeners: dict[str, Any]) -> dict[str, Any]:
    p95 = listeners["page_p95_ms"]
    return {
        "figure": "track_page_p95_under_listeners",
        "value": p95,
        "unit": "ms",
        "goal": 200,
        "pass": p95 is not None and p95 < 200,
    }


def ratio_figure(name: str, value: float, baseline: float, goal: float | None) -> dict[str, Any]:
    ratio = value / baseline
    return {
        "figure": name,
        "value": round(value, 3),
        "unit": "GB/s",
        "goal": goal,
        "baseline": round(baseline, 3),
        "ratio": round(ratio, 3),
        "pass": None if goal is None else ratio >= goal,
    }


if __name__ == "__main__":
    sys.exit(main())
