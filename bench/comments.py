"""A track's comment list with 1,000,000 comments: p95 time to answer a page, goal ≤ 50 ms.

    .venv/bin/python bench/comments.py                     # 1,000,000 comments, 40 samples a page
    .venv/bin/python bench/comments.py --comments 100000 --samples 20

Builds a scratch SQLite database under a temporary TING_DATA_DIR (migrated, then bulk-inserted
with executemany: one track, 1,000 authors, like counts with a long tail, the newest 5,000
comments with two replies each, two pinned). Then asks the real view, in process through
Django's test client, for the htmx fragment of pages at several depths in both sorts (newest,
most liked), following keyset cursors as the "More comments" button does. Each page is timed
`--samples` times after warm-ups; the figure is the p95 over every sample of every page.

The baseline is what the keyset replaces: the same page fetched with OFFSET (the list query
alone, no rendering), p95 over the same depths. Prints a table, then one JSON line; exits 1
when the p95 is over the goal.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOAL_MS = 50.0
DEPTHS: tuple[int, ...] = (0, 1_000, 10_000, 100_000, 500_000, 990_000)


def _setup(data_dir: Path) -> None:
    os.environ.update(
        TING_ENV="test",
        TING_DATA_DIR=str(data_dir),
        DATABASE_URL=f"sqlite:///{data_dir / 'bench.sqlite3'}",
        DJANGO_SETTINGS_MODULE="config.settings",
        LOG_LEVEL="WARNING",
        DEBUG="0",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _fill(comments: int) -> int:
    """Insert the comments; the track's id."""
    from django.db import connection, transaction

    from ting.accounts.models import User
    from ting.catalog.tests.factories import make_anchor, make_track

    rng = random.Random(20231220)
    anchor = make_anchor(display_name="紅星新聞")
    track = make_track(album__anchor=anchor, title="泄密小米汽车保密拍摄内容", duration=224.0)
    User.objects.bulk_create([User(username=f"listener{n}") for n in range(1_000)])
    authors = list(User.objects.values_list("pk", flat=True))
    start = datetime(2023, 12, 20, 9, 0, tzinfo=UTC)
    phrases = [
        "说得好",
        "支持主播",
        "12:34 这里最精彩",
        "第一次听",
        "小米汽车加油 👍🏽",
        "👨‍👩‍👧‍👦 全家一起听",
    ]

    def stamp(moment: datetime) -> str:
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f")

    sql = (
        "INSERT INTO social_comment (track_id, album_id, author_id, parent_id, body, body_key,"
        " status, pinned_at, like_count, reply_count, created_at)"
        " VALUES (%s, NULL, %s, %s, %s, %s, 'visible', NULL, %s, %s, %s)"
    )
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous=OFF")
    chunk = 50_000
    for first in range(0, comments, chunk):
        rows = []
        for n in range(first, min(first + chunk, comments)):
            likes = min(int(rng.paretovariate(1.2)) - 1, 50_000)
            moment = start + timedelta(seconds=n * 3, microseconds=rng.randrange(1_000_000))
            body = f"{rng.choice(phrases)} #{n}"
            rows.append(
                (track.pk, rng.choice(authors), None, body, f"{n:064x}", likes, 0, stamp(moment))
            )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)
    newest = list(
        connection.cursor()
        .execute(
            "SELECT id, created_at FROM social_comment WHERE track_id = %s"
            " ORDER BY created_at DESC, id DESC LIMIT 5000",
            [track.pk],
        )
        .fetchall()
    )
    replies = [
        (track.pk, rng.choice(authors), pk, f"回复 {pk}-{k}", f"r{pk}-{k}", 0, 0, f"{created}")
        for pk, created in newest
        for k in range(2)
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, replies)
        cursor.executemany(
            "UPDATE social_comment SET reply_count = 2 WHERE id = %s", [(pk,) for pk, _ in newest]
        )
        cursor.execute(
            "UPDATE social_comment SET pinned_at = %s WHERE id IN (%s, %s)",
            [stamp(start), newest[100][0], newest[4000][0]],
        )
        cursor.execute("PRAGMA optimize")
    print(f"inserted {comments + len(replies):,} comments in {time.perf_counter() - began:.1f} s")
    return int(track.pk)


def _cursor_at(track_id: int, sort: str, depth: int) -> str | None:
    """The cursor a reader holds after reading `depth` comments (set-up, not timed)."""
    from ting.social.models import Comment
    from ting.social.selectors import _encode_cursor

    if depth == 0:
        return None
    keys = ("-like_count", "-id") if sort == "top" else ("-created_at", "-id")
    row = (
        Comment.objects.filter(
            track_id=track_id, parent__isnull=True, status="visible", pinned_at__isnull=True
        )
        .order_by(*keys)
        .only("id", "created_at", "like_count")[depth - 1 : depth]
        .get()
    )
    return _encode_cursor(sort, row)


def _explain(track_id: int) -> None:
    """SQLite's plan for every query of a deep page, as the view runs them."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    for sort in ("new", "top"):
        cursor = _cursor_at(track_id, sort, 1_000)
        with CaptureQueriesContext(connection) as queries:
            Client().get(
                f"/social/track/{track_id}/comments/?sort={sort}&after={cursor}",
                HTTP_HX_REQUEST="true",
            )
        for query in queries.captured_queries:
            with connection.cursor() as db:
                plan = db.execute("EXPLAIN QUERY PLAN " + query["sql"]).fetchall()
            print(query["sql"][:160], "\n   ", [step[-1] for step in plan])


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def _measure(track_id: int, samples: int) -> tuple[list[dict[str, Any]], list[float], list[float]]:
    from django.test import Client

    from ting.social.models import Comment

    client = Client()
    url = f"/social/track/{track_id}/comments/"
    rows: list[dict[str, Any]] = []
    every: list[float] = []
    baseline: list[float] = []
    for sort in ("new", "top"):
        keys = ("-like_count", "-id") if sort == "top" else ("-created_at", "-id")
        for depth in DEPTHS:
            cursor = _cursor_at(track_id, sort, depth)
            query = f"?sort={sort}" + (f"&after={cursor}" if cursor else "")
            times: list[float] = []
            for attempt in range(samples + 3):
                began = time.perf_counter()
                response = client.get(url + query, HTTP_HX_REQUEST="true")
                elapsed = (time.perf_counter() - began) * 1000
                assert response.status_code == 200, response.status_code
                if attempt >= 3:
                    times.append(elapsed)
            offset_times: list[float] = []
            listed = Comment.objects.filter(
                track_id=track_id, parent__isnull=True, status="visible", pinned_at__isnull=True
            ).select_related("author", "author__anchor")
            for attempt in range(max(3, samples // 4) + 1):
                began = time.perf_counter()
                list(listed.order_by(*keys)[depth : depth + 21])
                if attempt:
                    offset_times.append((time.perf_counter() - began) * 1000)
            every += times
            baseline += offset_times
            rows.append(
                {
                    "sort": sort,
                    "depth": depth,
                    "median": statistics.median(times),
                    "p95": _p95(times),
                    "offset_p95": _p95(offset_times),
                    "bytes": len(response.content),
                }
            )
    return rows, every, baseline


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--explain", action="store_true", help="print each query's plan")
    args = parser.parse_args()
    global DEPTHS
    DEPTHS = tuple(d for d in DEPTHS if d < args.comments - 100)
    with tempfile.TemporaryDirectory(prefix="ting-bench-comments-") as tmp:
        _setup(Path(tmp))
        track_id = _fill(args.comments)
        if args.explain:
            _explain(track_id)
        rows, every, baseline = _measure(track_id, args.samples)
    print(f"{'sort':<5} {'depth':>8} {'median ms':>10} {'p95 ms':>8} {'OFFSET p95 ms':>14}")
    for row in rows:
        print(
            f"{row['sort']:<5} {row['depth']:>8,} {row['median']:>10.2f} {row['p95']:>8.2f}"
            f" {row['offset_p95']:>14.2f}"
        )
    value = _p95(every)
    base = _p95(baseline)
    result = {
        "figure": "comments_page_p95",
        "value": round(value, 2),
        "unit": "ms",
        "goal": GOAL_MS,
        "baseline": round(base, 2),
        "ratio": round(base / value, 2) if value else None,
        "pass": value <= GOAL_MS,
        "comments": args.comments,
        "samples": len(every),
    }
    print(json.dumps(result))
    return 0 if result["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
