"""Track page requests/s against a trivial Django view, same server, same run, 100,000 tracks.

    .venv/bin/python bench/pages.py                  # 100,000 tracks, 3 rounds × 5 s per page
    .venv/bin/python bench/pages.py --tracks 20000 --seconds 3 --profile

Builds a fresh SQLite catalog under a temporary TING_DATA_DIR with bulk_create (2,000 albums ×
50 tracks by default, Chinese titles and intros), serves it with uvicorn (2 workers,
TING_ENV=development, DEBUG=0) through `bench.support.pages_app`, which adds
`/bench/trivial/`, and loads
it with wrk (a Python client when wrk is missing): the track page at random ids from the whole
catalog, then the trivial view, alternately, with warm-ups. Readers are Traditional Chinese
(OpenCC s2twp on every title and intro) unless `--language` says otherwise.

Prints a table, then one JSON line; exits 1 when track/trivial is below the goal (0.35).
`--profile` adds an in-process breakdown of one track page: queries, templates, OpenCC.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from unittest.mock import patch
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ting.core.cli import UVICORN_SPEED  # noqa: E402 (needs the repo on sys.path)

GOAL = 0.35
TRIVIAL_PATH = "/bench/trivial/"  # served by bench/support/pages_app.py
TRACKS_PER_ALBUM = 50

# --- a realistic catalog --------------------------------------------------------------------

CATEGORIES = [
    ("news", "新闻", "新聞", "News"),
    ("tech", "科技", "科技", "Tech"),
    ("history", "历史", "歷史", "History"),
    ("audiobooks", "有声书", "有聲書", "Audiobooks"),
    ("business", "商业财经", "商業財經", "Business"),
    ("crosstalk", "相声评书", "相聲評書", "Crosstalk"),
]
ANCHORS = [
    "红星新闻", "晨间播报", "科技早知道", "老梁讲历史", "三联中读", "财经夜读", "郭德纲相声",
    "凯叔讲故事", "喜马拉雅电台", "深夜书房", "每日经济新闻", "澎湃新闻", "得到听书", "读者",
]  # fmt: skip
SUBJECTS = [
    "小米汽车", "人工智能", "新能源电池", "半导体产业", "量子计算", "大运河", "唐朝诗人",
    "丝绸之路", "城市更新", "乡村振兴", "跨境电商", "网络安全", "深海探测", "航天工程",
    "长江经济带", "数字人民币",
]  # fmt: skip
ANGLES = [
    "背后的故事", "发展简史", "最新动态", "十个关键问题", "专家访谈", "深度解读", "现场报道",
    "保密拍摄内容曝光", "未来五年展望", "争议与回应", "入门指南", "幕后花絮",
]  # fmt: skip
SENTENCES = [
    "近日，网络上出现了一段引发热议的视频，相关部门随即作出回应。",
    "本期节目邀请了行业专家，从技术、市场和政策三个角度进行分析。",
    "我们梳理了事件的来龙去脉，并整理了听众最关心的几个问题。",
    "软件更新之后，用户反馈续航和导航体验都有明显改善。",
    "这座城市的历史可以追溯到两千多年前，留下了丰富的文化遗产。",
    "节目最后，主播推荐了三本延伸阅读的书籍，欢迎在评论区留言讨论。",
    "据了解，该公司计划在明年发布新一代产品，并扩大海外市场。",
    "记者在现场看到，排队的市民络绎不绝，许多人专程从外地赶来。",
]


def _rich(rng: random.Random, paragraphs: int) -> str:
    return "".join("<p>" + "".join(rng.sample(SENTENCES, 3)) + "</p>" for _ in range(paragraphs))


def build_catalog(tracks: int, seed: int = 2025) -> tuple[int, int]:
    """Migrate the (empty) database and bulk-create the catalog; returns the track id range."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction
    from django.db.models import Max, Min

    from ting.accounts.models import User
    from ting.catalog.models import Album, Anchor, Category, Track

    call_command("migrate", "--no-input", verbosity=0)
    unusable = make_password(None)  # the anchors never sign in
    rng = random.Random(seed)
    newest = datetime(2025, 6, 1, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    album_count = max(1, -(-tracks // TRACKS_PER_ALBUM))
    with transaction.atomic():
        categories = Category.objects.bulk_create(
            Category(slug=slug, name_zh_hans=hans, name_zh_hant=hant, name_en=en, position=i)
            for i, (slug, hans, hant, en) in enumerate(CATEGORIES)
        )
        users = User.objects.bulk_create(
            User(username=f"anchor{i}", password=unusable, email=f"anchor{i}@example.com")
            for i in range(len(ANCHORS))
        )
        anchors = Anchor.objects.bulk_create(
            Anchor(
                user=user,
                display_name=name,
                bio=_rich(rng, 1),
                verified=i % 3 == 0,
                follower_count=rng.randrange(100, 2_000_000),
                play_count=rng.randrange(10_000, 90_000_000),
            )
            for i, (user, name) in enumerate(zip(users, ANCHORS, strict=True))
        )
        albums = Album.objects.bulk_create(
            (
                Album(
                    anchor=anchors[i % len(anchors)],
                    title=f"{rng.choice(SUBJECTS)}{rng.choice(ANGLES)}·第{i // 16 + 1}季",
                    intro=_rich(rng, 2),
                    category=categories[i % len(categories)],
                    published_track_count=TRACKS_PER_ALBUM,
                    last_published_at=newest - timedelta(hours=i),
                    play_count=rng.randrange(0, 10_000_000),
                )
                for i in range(album_count)
            ),
            batch_size=500,
        )
        remaining = tracks
        for a, album in enumerate(albums):
            count = min(TRACKS_PER_ALBUM, remaining)
            remaining -= count
            Track.objects.bulk_create(
                (
                    Track(
                        album=album,
                        title=f"{rng.choice(SUBJECTS)}{rng.choice(ANGLES)}（{position}）",
                        intro=_rich(rng, rng.randint(1, 3)),
                        position=position,
                        duration=float(rng.randrange(60, 3_600)),
                        status=Track.Status.PUBLISHED,
                        published_at=newest
                        - timedelta(hours=a, minutes=TRACKS_PER_ALBUM - position),
                        play_count=rng.randrange(0, 500_000),
                    )
                    for position in range(1, count + 1)
                ),
                batch_size=1_000,
            )
    ids = Track.objects.aggregate(low=Min("pk"), high=Max("pk"))
    return int(ids["low"]), int(ids["high"])


# --- the server -----------------------------------------------------------------------------


def server_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        TING_ENV="development",
        DEBUG="0",
        TING_DATA_DIR=str(data_dir),
        DATABASE_URL=f"sqlite:///{data_dir / 'ting.sqlite3'}",
        DJANGO_SETTINGS_MODULE="config.settings",
        LOG_LEVEL="WARNING",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    return env


@contextmanager
def serve(env: dict[str, str], workers: int, log: Path) -> Iterator[tuple[str, int]]:
    """uvicorn on a loopback socket this process binds (no port race): (base URL, pid)."""
    import httpx

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1024)
    base_url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    command = [
        sys.executable, "-m", "uvicorn", "--factory", "bench.support.pages_app:create_app",
        *UVICORN_SPEED,
        "--fd", str(listener.fileno()), "--workers", str(workers),
        "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
            pass_fds=[listener.fileno()],
        )  # fmt: skip
    listener.close()
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"uvicorn exited with {process.returncode}:\n{log.read_text()}")
            try:
                if httpx.get(base_url + TRIVIAL_PATH, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"uvicorn did not answer within 60 s:\n{log.read_text()}")
            time.sleep(0.2)
        yield base_url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- load -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    base_url: str
    headers: dict[str, str]
    track_ids: tuple[int, int]
    connections: int


@dataclass(frozen=True)
class Result:
    rps: float
    requests: int
    bad: int  # non-2xx responses and socket errors
    latency_ms: float
    server_cpu_ms: float = float("nan")  # uvicorn's CPU time per request (Linux /proc)


WRK_SCRIPT = """
math.randomseed(os.time() + math.floor(os.clock() * 1000000))
local low, high = {low}, {high}
request = function()
  return wrk.format("GET", "/track/" .. math.random(low, high) .. "/")
end
"""


def _wrk(load: Load, path: str, seconds: float, script: Path) -> Result:
    command = ["wrk", "-t", "1", "-c", str(load.connections), "-d", f"{seconds:g}s"]
    for name, value in load.headers.items():
        command += ["-H", f"{name}: {value}"]
    if path == "track":
        command += ["-s", str(script)]
    command.append(load.base_url + (TRIVIAL_PATH if path == "trivial" else "/"))
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    bad = sum(
        int(n)
        for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output)
        + re.findall(r"(?:connect|read|write|timeout) (\d+)", output)
    )
    latency = re.search(r"Latency\s+([\d.]+)(us|ms|s)", output)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    latency_ms = float(latency.group(1)) * scale[latency.group(2)] if latency else float("nan")
    return Result(rps=rps, requests=requests, bad=bad, latency_ms=latency_ms)


async def _python_load(load: Load, path: str, seconds: float) -> Result:
    import httpx

    low, high = load.track_ids
    done = bad = 0
    latencies: list[float] = []
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=load.connections)

    async with httpx.AsyncClient(
        base_url=load.base_url, headers=load.headers, limits=limits, timeout=30
    ) as client:

        async def one_connection() -> None:
            nonlocal done, bad
            while time.monotonic() < deadline:
                url = TRIVIAL_PATH if path == "trivial" else f"/track/{random.randint(low, high)}/"
                started = time.perf_counter()
                try:
                    response = await client.get(url)
                    bad += response.status_code >= 300
                except httpx.HTTPError:
                    bad += 1
                latencies.append((time.perf_counter() - started) * 1000)
                done += 1

        started = time.monotonic()
        await asyncio.gather(*(one_connection() for _ in range(load.connections)))
        elapsed = time.monotonic() - started
    return Result(
        rps=done / elapsed,
        requests=done,
        bad=bad,
        latency_ms=statistics.fmean(latencies) if latencies else float("nan"),
    )


def process_tree_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process and its descendants (Linux /proc; NaN elsewhere)."""
    proc = Path("/proc")
    if not (proc / str(pid) / "stat").exists():
        return float("nan")
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # from field 3 (state) on
        parents[int(entry.name)] = int(fields[1])
        ticks[int(entry.name)] = int(fields[11]) + int(fields[12])  # utime + stime
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, ppid in parents.items() if ppid == parent]
        tree.update(children)
        frontier.extend(children)
    return sum(ticks.get(p, 0) for p in tree) / os.sysconf("SC_CLK_TCK")


def measure(load: Load, path: str, seconds: float, script: Path, server_pid: int) -> Result:
    """One load run, with the server's CPU time per request it cost."""
    before = process_tree_cpu_s(server_pid)
    result = run_load(load, path, seconds, script)
    spent = process_tree_cpu_s(server_pid) - before
    return replace(result, server_cpu_ms=spent * 1000 / max(1, result.requests))


def run_load(load: Load, path: str, seconds: float, script: Path) -> Result:
    if shutil.which("wrk"):
        return _wrk(load, path, seconds, script)
    # No wrk: a Python client in its own process, so it does not share a GIL with anything.
    command = [
        sys.executable, __file__, "--_load", json.dumps(
            {"load": load.__dict__, "path": path, "seconds": seconds}
        ),
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return Result(**json.loads(output.strip().splitlines()[-1]))


def _load_child(spec: str) -> None:
    data = json.loads(spec)
    load = Load(**{**data["load"], "track_ids": tuple(data["load"]["track_ids"])})
    result = asyncio.run(_python_load(load, data["path"], data["seconds"]))
    print(json.dumps(result.__dict__))


# --- profile --------------------------------------------------------------------------------


def profile(track_ids: tuple[int, int], language: str, pages: int) -> None:
    """Where a track page's CPU time goes: real requests in this process, parts clocked."""
    from django.conf import settings
    from django.db import connection
    from django.template.backends.django import Template
    from django.template.library import InclusionNode, SimpleNode
    from django.template.loader_tags import IncludeNode
    from django.test import Client

    import ting.core.templatetags.ting as filters
    from ting.catalog import selectors

    settings.ROOT_URLCONF = "bench.support.pages_app"
    client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE="zh-TW,zh;q=0.9")
    client.cookies["ting_language"] = language
    rng = random.Random(7)
    # Fresh ids for every measured request, as wrk sends them: pages repeated within a run
    # would be served from per-track caches the server hardly ever hits at 100k tracks.
    low, high = track_ids
    ids = iter(rng.sample(range(low, high + 1), min(high - low + 1, 3 * pages + 30)))

    def fresh(count: int) -> list[str]:
        return [f"/track/{next(ids, low)}/" for _ in range(count)]

    def cpu_ms(path_list: list[str], times: int = pages) -> float:
        iterator = itertools.cycle(path_list)
        started = time.process_time()
        for _ in range(times):
            response = client.get(next(iterator))
            assert response.status_code == 200, response.status_code
        return (time.process_time() - started) * 1000 / times

    cpu_ms(fresh(30), 30)  # warm: OpenCC converters, templates, imports
    cpu_ms([TRIVIAL_PATH], 30)
    trivial = cpu_ms([TRIVIAL_PATH])
    full = cpu_ms(fresh(pages))

    spent: dict[str, float] = {}
    calls: dict[str, int] = {}

    def clock(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        spent[name], calls[name] = 0.0, 0

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.process_time() - started
                calls[name] += 1

        return wrapper

    def sql(execute: Callable[..., Any], *args: Any) -> Any:
        return clock_sql(execute, *args)

    clock_sql = clock("sql", lambda execute, *args: execute(*args))
    with (
        patch.object(selectors, "track_get_visible", clock("track", selectors.track_get_visible)),
        patch.object(
            selectors, "track_album_neighbours", clock("next", selectors.track_album_neighbours)
        ),
        patch.object(Template, "render", clock("render", Template.render)),
        patch.object(IncludeNode, "render", clock("include", IncludeNode.render)),
        patch.object(SimpleNode, "render", clock("simple", SimpleNode.render)),
        patch.object(InclusionNode, "render", clock("inclusion", InclusionNode.render)),
        patch.object(filters, "convert", clock("opencc", filters.convert)),  # type: ignore[attr-defined]
        patch.object(filters, "sanitize_rich_text", clock("nh3", filters.sanitize_rich_text)),  # type: ignore[attr-defined]
        connection.execute_wrapper(sql),
    ):
        clocked = cpu_ms(fresh(pages))

    def reconnect() -> None:
        connection.ensure_connection()
        connection.close()

    started = time.process_time()
    for _ in range(200):
        reconnect()
    connect = (time.process_time() - started) * 1000 / 200

    ms = {name: spent[name] * 1000 / pages for name in spent}
    per = {name: calls[name] / pages for name in calls}
    print(f"\nIn-process CPU time per request, {pages} pages, reader {language} (ms):")
    print(f"  trivial view, whole middleware stack       {trivial:7.2f}")
    print(f"  track page, whole middleware stack         {full:7.2f}  ({clocked:.2f} clocked)")
    print(f"    track_get_visible()                      {ms['track']:7.2f}")
    print(f"      (a reconnect, not paid: CONN_MAX_AGE)  {connect:7.2f}")
    print(f"    track_album_neighbours()                 {ms['next']:7.2f}")
    print(f"    SQL execution, all {per['sql']:.0f} queries             {ms['sql']:7.2f}")
    print(f"    render catalog/track.html                {ms['render']:7.2f}")
    print(
        f"      in {per['include']:.0f} {{% include %}}s                     {ms['include']:7.2f}"
    )
    print(f"      in {per['simple']:.0f} simple tags (猜你喜歡, player, rows)  {ms['simple']:7.2f}")
    print(
        f"      in {per['inclusion']:.0f} inclusion tags (social)          {ms['inclusion']:7.2f}"
    )
    print(f"      OpenCC, {per['opencc']:.0f} script/rich calls          {ms['opencc']:7.2f}")
    print(f"      nh3, {per['nh3']:.0f} rich calls                      {ms['nh3']:7.2f}")
    rest = full - ms["track"] - ms["next"] - ms["render"]
    print(f"    middleware, URL resolving, response      {rest:7.2f}")


# --- main -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=5.0, help="per measurement")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--language", default="zh-hant", choices=["zh-hans", "zh-hant", "en"])
    parser.add_argument("--profile", action="store_true", help="add an in-process breakdown")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folder")
    parser.add_argument("--_load", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options._load:
        _load_child(options._load)
        return 0

    data_dir = Path(tempfile.mkdtemp(prefix="ting-bench-pages-"))
    env = server_env(data_dir)
    os.environ.update(env)  # this process builds the catalog with the server's settings
    sys.path.insert(0, str(ROOT))
    try:
        started = time.monotonic()
        track_ids = build_catalog(options.tracks)
        print(
            f"Catalog: {options.tracks:,} tracks in {-(-options.tracks // TRACKS_PER_ALBUM):,} "
            f"albums, built in {time.monotonic() - started:.1f} s ({data_dir})"
        )
        load_generator = "wrk" if shutil.which("wrk") else "python httpx client"
        print(
            f"Server: uvicorn, {options.workers} workers, TING_ENV=development DEBUG=0, SQLite; "
            f"load: {load_generator}, {options.connections} connections, "
            f"reader {options.language}, {os.cpu_count()} CPUs"
        )
        script = data_dir / "tracks.lua"
        script.write_text(WRK_SCRIPT.format(low=track_ids[0], high=track_ids[1]))
        with serve(env, options.workers, data_dir / "uvicorn.log") as (base_url, server_pid):
            load = Load(
                base_url=base_url,
                headers={
                    "Cookie": f"ting_language={options.language}",
                    "Accept-Language": "zh-TW,zh;q=0.9",
                },
                track_ids=track_ids,
                connections=options.connections,
            )
            check_page(load)
            for path in ("track", "trivial"):  # warm both: imports, converters, templates
                run_load(load, path, min(2.0, options.seconds), script)
            results: dict[str, list[Result]] = {"track": [], "trivial": []}
            print(f"\n{HEADER}")
            for round_number in range(1, options.rounds + 1):
                for path in ("track", "trivial"):
                    results[path].append(measure(load, path, options.seconds, script, server_pid))
                print(row(str(round_number), results["track"][-1], results["trivial"][-1]))
        bad = {path: sum(r.bad for r in rs) for path, rs in results.items()}
        track_rps = statistics.median(r.rps for r in results["track"])
        trivial_rps = statistics.median(r.rps for r in results["trivial"])
        ratio = track_rps / trivial_rps
        latency = {p: statistics.median(r.latency_ms for r in rs) for p, rs in results.items()}
        cpu = {p: statistics.median(r.server_cpu_ms for r in rs) for p, rs in results.items()}
        median = {
            p: Result(rps=statistics.median(r.rps for r in rs), requests=0, bad=bad[p],
                      latency_ms=latency[p], server_cpu_ms=cpu[p])
            for p, rs in results.items()
        }  # fmt: skip
        print(row("median", median["track"], median["trivial"]))
        print(
            f"mean latency: track {latency['track']:.1f} ms, trivial {latency['trivial']:.1f} ms; "
            f"failed responses: track {bad['track']}, trivial {bad['trivial']}\n"
            f"server CPU per request: track {cpu['track']:.2f} ms, trivial {cpu['trivial']:.2f} ms "
            f"(a CPU-bound server on an idle machine would reach "
            f"{cpu['trivial'] / cpu['track']:.2f} of the trivial rate)"
        )
        if options.profile:
            profile(track_ids, options.language, pages=300)
        passed = ratio >= GOAL and not any(bad.values())
        figure = {
            "figure": "track_page_rps_vs_trivial",
            "value": round(track_rps, 1),
            "unit": "requests/s",
            "goal": GOAL,
            "baseline": round(trivial_rps, 1),
            "ratio": round(ratio, 3),
            "pass": passed,
        }
        print(json.dumps(figure))
        return 0 if passed else 1
    finally:
        if options.keep:
            print(f"Kept {data_dir}", file=sys.stderr)
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


HEADER = (
    f"{'round':>6}  {'track req/s':>11}  {'trivial req/s':>13}  {'ratio':>6}  "
    f"{'track CPU ms/req':>16}  {'trivial CPU ms/req':>18}"
)


def row(label: str, track: Result, trivial: Result) -> str:
    return (
        f"{label:>6}  {track.rps:>11.1f}  {trivial.rps:>13.1f}  {track.rps / trivial.rps:>6.3f}  "
        f"{track.server_cpu_ms:>16.2f}  {trivial.server_cpu_ms:>18.2f}"
    )


def check_page(load: Load) -> None:
    """One track page and the trivial view answer 200 with what they should, or we stop."""
    import httpx

    track_id = (load.track_ids[0] + load.track_ids[1]) // 2
    with httpx.Client(base_url=load.base_url, headers=load.headers) as client:
        page = client.get(f"/track/{track_id}/")
        trivial = client.get(TRIVIAL_PATH)
    if page.status_code != 200 or 'class="anchor-card"' not in page.text:
        raise SystemExit(f"/track/{track_id}/ answered {page.status_code}:\n{page.text[:2000]}")
    if trivial.status_code != 200 or trivial.text != "ok":
        raise SystemExit(f"{TRIVIAL_PATH} answered {trivial.status_code}: {trivial.text[:200]}")


if __name__ == "__main__":
    sys.exit(main())
