"""How fast the stream log turns into counts, and what logging costs a stream request.

    .venv/bin/python bench/counting.py [--rows 1000000] [--requests 2000]
        [--engines sqlite,postgres]

Figure 1, per engine: ``--rows`` synthetic stream-log rows (1,000 tracks, 40,000 listeners over
7 days: podcast apps fetching whole files, browsers seeking with ranges, probes, HEADs, bots)
counted by one ``counting_run`` in one process (one core); goal ≤ 60 s.
Figure 2, per engine: the same stream request (Django test client, app delivery, a 100 KiB
rendition) with the stream log on and off, interleaved in one run; goal: p95(on) − p95(off)
≤ 1 ms. The earlier logger (four round trips: BEGIN, SET LOCAL, INSERT, COMMIT) is interleaved
too and printed as "Δp95 4-trip" for comparison.

PostgreSQL runs in a scratch database ``ting_bench_counting`` on ``--postgres`` (created and
dropped here). Each engine runs in a child process (Django's settings are per process). Ends
with one JSON line per figure, the main figure (counting on PostgreSQL) last; exits 1 when a goal
is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
COUNT_GOAL_S = 60.0
OVERHEAD_GOAL_MS = 1.0
SCRATCH_DB = "ting_bench_counting"
TRACKS = 1000
LISTENERS = 40_000
START = datetime(2025, 3, 3, tzinfo=UTC)
AGENTS = [
    ("Podcasts/1555.2.1 CFNetwork/1410.0.3 Darwin/22.6.0", "whole"),
    ("Overcast/3.0 (+http://overcast.fm/; iOS podcast app)", "whole"),
    ("Spotify/8.8.0 iOS/16.5 (iPhone14,2)", "ranges"),
    ("Xiaoyuzhou/2.60.1 (iPhone; iOS 17.0; Scale/3.00)", "ranges"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/126.0.0.0 Safari/537.36", "ranges"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
     "Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "ranges"),
    ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "whole"),
    ("curl/8.5.0", "whole"),
    ("atc/1.0 watchOS/10.4 model/Watch6,2", "whole"),
]  # fmt: skip


# --- the parent: run each engine in a child, print the table and the figures -----------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=2000, help="per mode, for the overhead")
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/")
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        print(json.dumps(child(options)))
        return 0
    results: dict[str, dict[str, Any]] = {}
    for engine in options.engines.split(","):
        command = [sys.executable, __file__, "--child", engine, "--rows", str(options.rows),
                   "--requests", str(options.requests), "--postgres", options.postgres]  # fmt: skip
        done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(done.stdout, done.stderr, file=sys.stderr)
            return 2
        results[engine] = json.loads(done.stdout.strip().splitlines()[-1])
    return report(results, options.rows)


def report(results: dict[str, dict[str, Any]], rows: int) -> int:
    print(f"{'engine':10} {'rows':>9} {'count s':>8} {'cpu s':>7} {'rows/s':>9} {'downloads':>9} "
          f"{'p50 off':>8} {'p50 on':>7} {'p95 off':>8} {'p95 on':>7} {'Δp95 ms':>8} "
          f"{'Δp95 4-trip':>11}")  # fmt: skip
    for engine, r in results.items():
        print(f"{engine:10} {r['rows']:>9,} {r['count_s']:>8.1f} {r['cpu_s']:>7.1f} "
              f"{r['rows'] / r['count_s']:>9,.0f} {r['downloads']:>9,} {r['p50_off']:>8.3f} "
              f"{r['p50_on']:>7.3f} {r['p95_off']:>8.3f} {r['p95_on']:>7.3f} "
              f"{r['p95_on'] - r['p95_off']:>8.3f} "
              f"{r['p95_four'] - r['p95_off']:>11.3f}")  # fmt: skip
    figures = []
    for engine, r in results.items():
        delta = r["p95_on"] - r["p95_off"]
        figures.append({
            "figure": f"stream log overhead, p95 on - off ({engine})", "value": round(delta, 3),
            "unit": "ms", "goal": OVERHEAD_GOAL_MS, "baseline": round(r["p95_off"], 3),
            "ratio": round(r["p95_on"] / r["p95_off"], 3), "pass": delta <= OVERHEAD_GOAL_MS,
        })  # fmt: skip
    for engine in sorted(results, key=lambda e: e == "postgres"):
        r = results[engine]
        figures.append({
            "figure": f"count {rows:,} log rows ({engine}, one core)",
            "value": round(r["count_s"], 1),
            "unit": "s", "goal": COUNT_GOAL_S, "baseline": None,
            "ratio": round(r["count_s"] / COUNT_GOAL_S, 3), "pass": r["count_s"] <= COUNT_GOAL_S,
        })  # fmt: skip
    for figure in figures:
        print(json.dumps(figure, ensure_ascii=False))
    return 0 if all(f["pass"] for f in figures) else 1


# --- a child: one engine ----------------------------------------------------------------------


def child(options: argparse.Namespace) -> dict[str, Any]:
    scratch = Path(tempfile.mkdtemp(prefix="ting-bench-counting-"))
    os.environ["TING_ENV"] = "test"
    os.environ["TING_DATA_DIR"] = str(scratch)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    admin_url = options.postgres.rstrip("/") + "/postgres"
    if options.child == "postgres":
        _psql(admin_url, f"DROP DATABASE IF EXISTS {SCRATCH_DB}")
        _psql(admin_url, f"CREATE DATABASE {SCRATCH_DB}")
        os.environ["DATABASE_URL"] = options.postgres.rstrip("/") + "/" + SCRATCH_DB
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch / 'bench.sqlite3'}"
    sys.path.insert(0, str(REPO_ROOT))
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        result = {"rows": options.rows, **overhead(options.requests)}
        result.update(counting(options.rows))
        return result
    finally:
        from django.db import connections

        connections.close_all()
        if options.child == "postgres":
            _psql(admin_url, f"DROP DATABASE IF EXISTS {SCRATCH_DB}")


def _psql(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(sql)


def _catalog() -> list[int]:
    from ting.catalog.models import Album, Anchor, Track
    from ting.catalog.tests.factories import make_anchor

    anchor: Anchor = make_anchor(display_name="基准主播")
    albums = Album.objects.bulk_create([Album(anchor=anchor, title=f"专辑{n}") for n in range(10)])
    now = datetime.now(UTC) - timedelta(days=30)
    tracks = Track.objects.bulk_create(
        [
            Track(
                album=albums[n % 10],
                title=f"声音{n}",
                position=n,
                duration=3600.0,
                status=Track.Status.PUBLISHED,
                published_at=now,
            )
            for n in range(TRACKS)
        ],
        batch_size=500,
    )
    return [t.pk for t in tracks]


def counting(rows: int) -> dict[str, Any]:
    from django.db import connection

    from ting.stats.counting.run import counting_run
    from ting.stats.models import StreamLog
    from ting.stats.privacy import hash_ip

    track_ids = _catalog()
    rng = random.Random(7)
    bitrate, duration, header = 64_000, 3600.0, 40_000
    size = header + bitrate // 8 * int(duration)
    salt = b"b" * 32
    listeners = [
        (hash_ip(f"10.{n // 65536}.{n // 256 % 256}.{n % 256}", salt), rng.choice(AGENTS))
        for n in range(LISTENERS)
    ]
    span = 7 * 24 * 3600
    columns = ("at", "track_id", "format", "method", "status", "ip_hash", "ip_hash_prev",
               "user_agent", "range_header", "bytes_planned", "size", "bitrate", "duration",
               "referrer", "user_id")  # fmt: skip
    # Table and column names are constants of this file, never input.
    placeholders = ", ".join(["%s"] * len(columns))
    table = StreamLog._meta.db_table
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608
    batch: list[tuple[Any, ...]] = []
    written = 0
    with connection.cursor() as cursor:
        while written < rows:
            ip_hash, (agent, style) = rng.choice(listeners)
            track_id = rng.choice(track_ids)
            at = START + timedelta(seconds=span * written / rows)
            referrer = rng.choice(["", "", "https://ting.example/track/1/", "https://weibo.com/"])
            kind = rng.random()
            requests: list[tuple[str, str, int]] = []
            if kind < 0.03:
                requests = [("HEAD", "", 200)]
            elif kind < 0.06:
                requests = [("GET", "bytes=0-1", 206)]
            elif style == "whole":
                requests = [("GET", "", 200)]
            else:
                for _ in range(rng.randint(1, 12)):  # a listener seeking around
                    first = rng.randrange(0, size - 600_000)
                    requests.append(("GET", f"bytes={first}-{first + 524_287}", 206))
            for method, range_header, status in requests:
                planned = 0 if method == "HEAD" else (size if not range_header else 524_288)
                row = (at, track_id, "aac64", method, status, ip_hash, ip_hash, agent,
                       range_header, planned, size, bitrate, duration, referrer, None)  # fmt: skip
                batch.append(row)
                written += 1
            if len(batch) >= 20_000 or written >= rows:
                cursor.executemany(sql, batch)
                batch = []
    connection.close()
    now = START + timedelta(seconds=span) + timedelta(minutes=5)
    wall, cpu = time.perf_counter(), time.process_time()
    result = counting_run(now=now)
    return {
        "count_s": time.perf_counter() - wall,
        "cpu_s": time.process_time() - cpu,
        "downloads": result.downloads,
        "counted_rows": result.log_rows,
    }


class _StreamUrls:
    """A URLconf module stand-in holding just the playback URLs."""

    @property
    def urlpatterns(self) -> list[Any]:
        from django.urls import include, path

        return [path("", include("ting.playback.urls"))]


def four_round_trips(event: Any) -> None:
    """The logger as it was before one-statement commits: BEGIN, SET LOCAL, INSERT, COMMIT."""
    from django.db import connection, transaction

    from ting.stats.models import StreamLog
    from ting.stats.streamlog import stream_log_values

    row = StreamLog(**stream_log_values(event))
    if connection.vendor != "postgresql":
        row.save(force_insert=True)
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")
        row.save(force_insert=True)


def overhead(requests: int) -> dict[str, float]:
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from ting.catalog.tests.factories import make_track
    from ting.core import streams
    from ting.stats.models import StreamLog
    from ting.stats.tests.factories import with_audio

    settings.MEDIA_ROOT = Path(settings.DATA_DIR) / "media"
    # Only the stream URL: the figure is about that request, not about the rest of the site.
    settings.ROOT_URLCONF = _StreamUrls()
    track = with_audio(make_track(title="基准"))
    url = reverse("playback:stream", args=[track.pk, "aac64"])
    client = Client(headers={"User-Agent": AGENTS[0][0], "Range": "bytes=0-65535"})
    logger = settings.TING_STREAM_LOGGER
    # Ting's logger, none, and the earlier four-round-trip logger for comparison.
    modes = {"on": logger, "off": "", "four": "__main__.four_round_trips"}
    timings: dict[str, list[float]] = {mode: [] for mode in modes}
    # Rotate request by request, so load from elsewhere hits every mode alike.
    for n in range(len(modes) * requests):
        mode = list(modes)[n % len(modes)]
        settings.TING_STREAM_LOGGER = modes[mode]
        streams._logger.cache_clear()
        started = time.perf_counter()
        response = client.get(url)
        b"".join(response.streaming_content)  # type: ignore[attr-defined]
        timings[mode].append((time.perf_counter() - started) * 1000)
    settings.TING_STREAM_LOGGER = logger
    streams._logger.cache_clear()
    assert StreamLog.objects.count() == len(timings["on"]) + len(timings["four"])
    StreamLog.objects.all().delete()

    def p95(values: list[float]) -> float:
        return statistics.quantiles(values, n=20)[-1]

    return {
        "p50_on": statistics.median(timings["on"]),
        "p50_off": statistics.median(timings["off"]),
        "p95_on": p95(timings["on"]),
        "p95_off": p95(timings["off"]),
        "p95_four": p95(timings["four"]),
    }


if __name__ == "__main__":
    sys.exit(main())
