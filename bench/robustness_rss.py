"""Import every feed in a folder, served on loopback, and tabulate what happened to each.

    .venv/bin/python bench/robustness_rss.py ../shared/data/fixtures/rss-podcastparser/
    .venv/bin/python bench/robustness_rss.py ../shared/data/catalog-xiaoyuzhou/sample-feed.xml

Each `*.rss`/`*.xml` file is served by an http.server thread on 127.0.0.1 and imported through
the real path (SSRF-checked fetch with TING_FEED_IMPORT_ALLOW_PRIVATE on, encoding detection,
podcastparser) into a fresh SQLite database, metadata only (no enclosure downloads). Where a
`NAME.json` beside the feed holds gPodder's expected parse, the imported album and tracks are
compared with it: title, and the episodes that have an enclosure (titles and GUIDs).
Outcomes: `ok` (imported, matches), `mismatch`, `refused` (a clear message, no exception) and
`crash` (an exception: a bug). Exits 1 on any crash.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import tempfile
import threading
from collections import Counter
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


def _expected_episodes(expected: dict[str, Any]) -> list[dict[str, Any]]:
    """Episodes gPodder found with audio. Its expectations were made from file:// URLs, so a
    relative enclosure appears as file://…; served over HTTP it resolves to http://…."""
    schemes = ("http://", "https://", "file://")
    return [
        e
        for e in expected.get("episodes", [])
        if any(str(enc.get("url", "")).startswith(schemes) for enc in e.get("enclosures", []))
    ]


def _compare(feed_import: Any, expected: dict[str, Any]) -> list[str]:
    from ting.catalog.models import Track
    from ting.feeds.models import ImportedEpisode

    problems: list[str] = []
    album = feed_import.album
    if expected.get("title") and album.title != str(expected["title"]).strip()[:120]:
        problems.append(f"title {album.title!r} != {expected['title']!r}")
    want = _expected_episodes(expected)
    got = list(ImportedEpisode.objects.filter(feed_import=feed_import).select_related("track"))
    if len(got) != len({str(e.get("guid") or "") for e in want}):
        problems.append(f"{len(got)} episodes, expected {len(want)}")
    want_titles = sorted(str(e.get("title") or "").strip()[:200] for e in want if e.get("title"))
    got_titles = sorted(
        t for t in Track.objects.filter(album=album).values_list("title", flat=True)
    )
    missing = [t for t in want_titles if t not in got_titles]
    if missing:
        problems.append(f"titles missing: {missing[:3]}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path", type=Path, help="a folder of feeds, or one feed file")
    options = parser.parse_args()
    path: Path = options.path.resolve()
    feeds = (
        sorted(p for p in path.iterdir() if p.suffix in (".rss", ".xml"))
        if path.is_dir()
        else [path]
    )
    folder = path if path.is_dir() else path.parent

    data_dir = tempfile.mkdtemp(prefix="ting-bench-rss-")
    os.environ.update(
        TING_ENV="test",
        TING_DATA_DIR=data_dir,
        DJANGO_SETTINGS_MODULE="config.settings",
        TING_FEED_IMPORT_ALLOW_PRIVATE="1",
    )
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.core.management import call_command

    from ting.catalog.models import Anchor
    from ting.catalog.tests.factories import make_user
    from ting.feeds import services
    from ting.feeds.models import FeedImport

    call_command("migrate", "--no-input", "-v", "0")
    anchor = Anchor.objects.create(user=make_user(username="robustness"), display_name="测试")

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    rows: list[tuple[str, str, str]] = []
    for feed in feeds:
        expected_path = feed.with_suffix(".json")
        expected = json.loads(expected_path.read_text()) if expected_path.exists() else None
        try:
            started = services.feed_import_start(anchor=anchor, url=base + feed.name, enqueue=False)
            result = services.feed_import_sync(import_id=started.pk, enqueue_episodes=False)
        except Exception as exc:
            rows.append((feed.name, "crash", f"{exc.__class__.__name__}: {exc}"[:90]))
            continue
        assert result is not None
        if result.status == FeedImport.Status.FAILED:
            rows.append((feed.name, "refused", result.message[:90]))
            continue
        problems = _compare(result, expected) if expected is not None else []
        detail = "; ".join(problems) if problems else result.message
        rows.append((feed.name, "mismatch" if problems else "ok", detail[:90]))
    server.shutdown()

    width = max(len(name) for name, _, _ in rows)
    for name, outcome, detail in rows:
        print(f"{name:<{width}}  {outcome:<9} {detail}")
    counts = Counter(outcome for _, outcome, _ in rows)
    clean = len(rows) - counts.get("crash", 0)
    # Every feed must end imported or refused with a message; a crash is the only failure.
    print(json.dumps({
        "figure": "rss_feeds_ending_cleanly",
        "value": clean,
        "unit": "feeds",
        "goal": len(rows),
        "baseline": len(rows),
        "ratio": round(clean / len(rows), 3) if rows else 1.0,
        "pass": not counts.get("crash"),
        **counts,
    }))  # fmt: skip
    return 1 if counts.get("crash") else 0


if __name__ == "__main__":
    sys.exit(main())
