"""Soak: signed-in listeners browse, search, play, comment and like for ten minutes.

    .venv/bin/python bench/soak.py                        # 10 minutes, 200 listeners
    .venv/bin/python bench/soak.py --minutes 1 --users 20 # the smoke run

Starts what `make run` starts — `ting serve --demo` (uvicorn, a `db_worker`, the periodic
scheduler) — on a free port with its own TING_DATA_DIR (default `var/soak-<demo>`, kept, so the
demo loads once; `--demo quick` loads the four-track quick demo first), creates the listener
accounts and their sessions (bench/support/soak_seed.py), then runs `--users` simulated
listeners with asyncio + httpx. Each listener loops: think (uniform 0–2×`--think` s), then one
action, by weight: the home page, an album page, a track page, a search, a play (the player's
JSON, then two Range requests on the stream URL it gives, signed for unlisted tracks), a
comment, a like. Every response is counted by status; anything that is not 2xx/3xx (or a
dropped connection) is an error. The server's RSS (every process `ting serve` started: web,
worker, scheduler) is sampled every 10 s.

The goal: memory growth < 10 % from minute 2 to the last minute (medians of the samples in each),
and no error response. Prints latency per kind (p50/p95), statuses, the RSS series, then one JSON
line; exits 1 when either is missed.

The comment rate limit (TING_COMMENT_RATE, per user and per IP) is raised for the server: every
simulated listener comes from 127.0.0.1, and the limit is not what this measures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
GOAL_GROWTH_PCT = 10.0
CSRF = "s" * 32  # the cookie and the header only have to match
SAMPLE_EVERY_S = 10.0
# One TLS context for all clients: building 200 of them stalls the event loop for a minute.
TLS = ssl.create_default_context()
WEIGHTS = {
    "home": 15,
    "album": 15,
    "track": 20,
    "search": 10,
    "play": 25,
    "comment": 5,
    "like": 10,
}
COMMENTS = ["讲得真好，受益匪浅。", "每天通勤都在听。", "主播的声音很舒服！", "期待下一期。"]


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    retries: int = 0

    def record(self, kind: str, status: int, seconds: float, url: str) -> None:
        self.latencies[kind].append(seconds)
        self.statuses[(kind, status)] += 1
        if (status >= 400 or status == 0) and len(self.errors) < 20:
            self.errors.append(f"{status} {kind} {url}")

    @property
    def error_count(self) -> int:
        return sum(n for (_kind, status), n in self.statuses.items() if status >= 400 or not status)


# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def server_env(data_dir: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "TING_ENV", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(TING_DATA_DIR=str(data_dir), TING_COMMENT_RATE="100000", PYTHONUNBUFFERED="1")
    return env


def start_server(data_dir: Path, port: int, demo: str) -> subprocess.Popen[bytes]:
    data_dir.mkdir(parents=True, exist_ok=True)
    log = (data_dir / "serve.log").open("ab")
    ting = Path(sys.executable).parent / "ting"
    if demo == "quick":
        # Loaded first, `serve --demo` finds the demo there and goes straight to serving.
        subprocess.run(
            [str(ting), "demo", "--quick"], cwd=ROOT, env=server_env(data_dir), stdout=log,
            stderr=subprocess.STDOUT, check=True,
        )  # fmt: skip
    return subprocess.Popen(
        [str(ting), "serve", "--demo", "--port", str(port)],
        cwd=ROOT,
        env=server_env(data_dir),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_until_up(base_url: str, server: subprocess.Popen[bytes], data_dir: Path) -> None:
    deadline = time.monotonic() + 1800  # a first run loads and encodes the demo catalog
    while time.monotonic() < deadline:
        if server.poll() is not None:
            tail = (data_dir / "serve.log").read_text(errors="replace")[-3000:]
            sys.exit(f"`ting serve --demo` exited with {server.returncode}:\n{tail}")
        try:
            if httpx.get(base_url + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(1)
    sys.exit("the server did not come up within 30 minutes")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def descendants(pid: int) -> list[int]:
    found: list[int] = []
    queue = [pid]
    while queue:
        current = queue.pop()
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for child in children:
            found.append(int(child))
            queue.append(int(child))
    return found


def rss_bytes(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def process_name(pid: int) -> str:
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    text = " ".join(part.decode(errors="replace") for part in args)
    for name in ("uvicorn", "db_worker", "run_periodic"):
        if name in text:
            return name
    return text[:40]


# --- the listeners ---------------------------------------------------------------------------


def seed(data_dir: Path, users: int) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.support.soak_seed", "--users", str(users)],
        cwd=ROOT,
        env={**server_env(data_dir), "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"seeding listeners failed:\n{done.stdout}{done.stderr}")
    seeded: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return seeded


async def timed(
    tally: Tally, kind: str, client: httpx.AsyncClient, method: str, url: str, **kwargs: Any
) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        try:
            response = await client.request(method, url, **kwargs)
        except (httpx.RemoteProtocolError, httpx.ReadError):
            if method != "GET":
                raise
            # A kept-alive connection the server closed as we reused it: browsers resend an
            # idempotent request once in that case, and so do we (counted, and printed).
            tally.retries += 1
            response = await client.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        tally.record(kind, 0, time.perf_counter() - started, f"{url} ({exc!r})")
        return None
    tally.record(kind, response.status_code, time.perf_counter() - started, url)
    return response


async def play(tally: Tally, client: httpx.AsyncClient, track: int, rng: random.Random) -> None:
    data = await timed(tally, "player_json", client, "GET", f"/playback/track/{track}.json")
    if data is None or data.status_code != 200 or not data.json()["sources"]:
        return
    src = data.json()["sources"][0]["src"]
    first = await timed(
        tally, "stream_range", client, "GET", src, headers={"Range": "bytes=0-65535"}
    )
    if first is None or first.status_code != 206:
        return
    total = int(first.headers["Content-Range"].rsplit("/", 1)[1])
    start = rng.randrange(0, max(1, total - 65536))
    headers = {"Range": f"bytes={start}-{start + 65535}"}
    await timed(tally, "stream_range", client, "GET", src, headers=headers)


async def listener(
    number: int, base_url: str, seeded: dict[str, Any], tally: Tally, until: float, think: float
) -> None:
    rng = random.Random(number)
    cookies = {seeded["session_cookie"]: seeded["sessions"][number], "csrftoken": CSRF}
    kinds, weights = zip(*WEIGHTS.items(), strict=True)
    htmx = {"HX-Request": "true", "X-CSRFToken": CSRF}
    client = httpx.AsyncClient(
        base_url=base_url,
        cookies=cookies,
        timeout=60,
        verify=TLS,
        # Below uvicorn's 5 s keep-alive timeout, as browsers do: a connection the server is
        # closing at that very moment would otherwise fail the next request with a ReadError.
        limits=httpx.Limits(keepalive_expiry=2.0),
    )
    async with client:
        sent = 0
        await asyncio.sleep(rng.uniform(0, think))  # arrivals spread out
        while time.monotonic() < until:
            kind = rng.choices(kinds, weights)[0]
            track = rng.choice(seeded["tracks"])
            if kind == "home":
                await timed(tally, kind, client, "GET", "/")
            elif kind == "album":
                await timed(tally, kind, client, "GET", f"/album/{rng.choice(seeded['albums'])}/")
            elif kind == "track":
                await timed(tally, kind, client, "GET", f"/track/{track}/")
            elif kind == "search":
                params = {"q": rng.choice(seeded["words"])}
                await timed(tally, kind, client, "GET", "/search/", params=params)
            elif kind == "play":
                await play(tally, client, track, rng)
            elif kind == "comment":
                # Distinct texts: posting the same comment twice is refused (409) by design.
                sent += 1
                body = {"body": f"{rng.choice(COMMENTS)}（{number}-{sent}）"}
                url = f"/social/track/{track}/comments/"
                await timed(tally, kind, client, "POST", url, data=body, headers=htmx)
            elif kind == "like":
                body = {"on": rng.choice(["1", "0"])}
                url = f"/social/track/{track}/like"
                await timed(tally, kind, client, "POST", url, data=body, headers=htmx)
            await asyncio.sleep(rng.uniform(0, 2 * think))


async def sample_memory(
    server_pid: int, started: float, until: float, series: list[tuple[float, int, dict[str, int]]]
) -> None:
    while True:
        parts = {f"{process_name(pid)}[{pid}]": rss_bytes(pid) for pid in descendants(server_pid)}
        series.append((time.monotonic() - started, sum(parts.values()), parts))
        if time.monotonic() >= until:
            return
        await asyncio.sleep(min(SAMPLE_EVERY_S, max(0.0, until - time.monotonic())))


async def soak(
    base_url: str, server_pid: int, seeded: dict[str, Any], options: argparse.Namespace
) -> tuple[Tally, list[tuple[float, int, dict[str, int]]]]:
    tally = Tally()
    series: list[tuple[float, int, dict[str, int]]] = []
    started = time.monotonic()
    until = started + options.minutes * 60
    users = [
        listener(n, base_url, seeded, tally, until, options.think) for n in range(options.users)
    ]
    await asyncio.gather(sample_memory(server_pid, started, until, series), *users)
    return tally, series


# --- the report ------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def growth_windows(minutes: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """Minute 2 and the last minute; a short smoke run compares its second and last fifths."""
    total = minutes * 60
    if minutes >= 3:
        return (60.0, 120.0), (total - 60.0, total + 1.0)
    return (total * 0.2, total * 0.4), (total * 0.8, total + 1.0)


def report(tally: Tally, series: list[tuple[float, int, dict[str, int]]], minutes: float) -> int:
    print(f"{'kind':<14}{'requests':>10}{'p50 ms':>10}{'p95 ms':>10}")
    for kind, values in sorted(tally.latencies.items()):
        p50, p95 = percentile(values, 0.5) * 1000, percentile(values, 0.95) * 1000
        print(f"{kind:<14}{len(values):>10}{p50:>10.0f}{p95:>10.0f}")
    print("\nstatuses:", ", ".join(f"{k} {s}: {n}" for (k, s), n in sorted(tally.statuses.items())))
    for line in tally.errors:
        print("  error:", line)
    print(f"GETs resent once after the server closed a kept-alive connection: {tally.retries}")
    print("\nRSS of web + worker + scheduler (MB):")
    for at, total, parts in series:
        detail = ", ".join(f"{name} {rss / 2**20:.0f}" for name, rss in sorted(parts.items()))
        print(f"  {at:6.0f} s  {total / 2**20:7.1f}   ({detail})")
    (first_from, first_to), (last_from, last_to) = growth_windows(minutes)
    early = [total for at, total, _ in series if first_from <= at < first_to]
    late = [total for at, total, _ in series if last_from <= at < last_to]
    if not early or not late:
        print("not enough memory samples for a growth figure")
        return 1
    baseline, final = statistics.median(early), statistics.median(late)
    growth = (final / baseline - 1) * 100
    errors = tally.error_count
    print(
        f"\nmemory {baseline / 2**20:.1f} MB (t {first_from:.0f}–{first_to:.0f} s) → "
        f"{final / 2**20:.1f} MB (last window): {growth:+.1f} %; errors {errors} of "
        f"{sum(tally.statuses.values())} responses"
    )
    passed = growth < GOAL_GROWTH_PCT and errors == 0
    figure = {
        "figure": "soak memory growth, minute 2 to the end (errors must be 0)",
        "value": round(growth, 2),
        "unit": "%",
        "goal": f"< {GOAL_GROWTH_PCT:.0f} and 0 errors (errors: {errors})",
        "baseline": round(baseline / 2**20, 1),
        "ratio": round(final / baseline, 4),
        "pass": passed,
    }
    print(json.dumps(figure, ensure_ascii=False))
    return 0 if passed else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--think", type=float, default=10.0, help="mean seconds between actions")
    parser.add_argument(
        "--demo",
        choices=("full", "quick"),
        default="full",
        help="full: the catalog `make run` loads (86 tracks, long to encode the first time); "
        "quick: `ting demo --quick` (4 short tracks)",
    )
    parser.add_argument("--data-dir", type=Path, help="default: var/soak-<demo>, kept")
    options = parser.parse_args()
    data_dir = options.data_dir or ROOT / "var" / f"soak-{options.demo}"

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    server = start_server(data_dir, port, options.demo)
    try:
        wait_until_up(base_url, server, data_dir)
        seeded = seed(data_dir, options.users)
        print(
            f"{options.users} listeners, {options.minutes:g} min against {base_url} "
            f"({len(seeded['tracks'])} tracks, {len(seeded['albums'])} albums); "
            f"load average {os.getloadavg()[0]:.1f}"
        )
        tally, series = asyncio.run(soak(base_url, server.pid, seeded, options))
    finally:
        stop_server(server)
    one, five, _fifteen = os.getloadavg()
    print(f"load average at the end {one:.1f} (1 min), {five:.1f} (5 min)")
    return report(tally, series, options.minutes)


if __name__ == "__main__":
    sys.exit(main())
