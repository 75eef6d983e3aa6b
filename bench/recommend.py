"""猜你喜歡 at scale: neighbour precomputation time and serving latency on SQLite.

    .venv/bin/python bench/recommend.py                     # 100,000 tracks
    .venv/bin/python bench/recommend.py --tracks 20000 --lookups 500

Catalog: the same replicated ../shared/data/catalog-xiaoyuzhou/ corpus as bench/search.py (albums
of 50 tracks), in a fresh SQLite database. Figure 1: `services.neighbours_refresh()` for every
track in one process (one core): segmenting recommender features for tracks that lack them,
the sparse computation (`ting.discovery.recommend.compute`) and storing the rows; goal ≤ 600 s.
Figure 2: p95 of `selectors.related_tracks()` (what the track page asks) for random tracks and
a signed-in listener with finished tracks; goal ≤ 30 ms. One JSON line per figure; exits 1 on a
miss.
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from search import build_catalog, setup_django

PRECOMPUTE_GOAL_S = 600.0
P95_GOAL_MS = 30.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ting-bench-recommend-") as tmp:
        setup_django(Path(tmp))
        from ting.catalog.models import Track
        from ting.catalog.tests.factories import make_user
        from ting.discovery import index, selectors, services
        from ting.playback.models import ListeningPosition

        build_catalog(args.tracks, args.seed)
        index.rebuild()
        started = time.perf_counter()
        cpu_started = time.process_time()
        result = services.neighbours_refresh()
        precompute = time.perf_counter() - started
        precompute_cpu = time.process_time() - cpu_started
        ids = list(Track.objects.values_list("pk", flat=True))
        rng = random.Random(args.seed)
        listener = make_user(username="bench-listener")
        ListeningPosition.objects.bulk_create(
            ListeningPosition(user=listener, track_id=i, position=1, finished=True)
            for i in rng.sample(ids, min(200, len(ids)))
        )
        times = []
        for track_id in rng.sample(ids, min(args.lookups, len(ids))):
            track = Track.objects.select_related("album", "album__category").get(pk=track_id)
            t0 = time.perf_counter()
            selectors.related_tracks(track=track, user=listener)
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        print(
            f"{result.tracks} tracks, {result.albums} albums: precompute {precompute:.1f} s"
            f" ({precompute_cpu:.1f} s CPU, compute {result.seconds:.1f} s;"
            f" load average {os.getloadavg()[0]:.1f})"
        )
        print(f"related_tracks: p50 {statistics.median(times):.2f} ms, p95 {p95:.2f} ms")
        ok_pre = precompute <= PRECOMPUTE_GOAL_S
        ok_p95 = p95 <= P95_GOAL_MS
        print(json.dumps({"figure": "recommend_precompute_seconds", "value": round(precompute, 1),
                          "unit": "s", "goal": PRECOMPUTE_GOAL_S, "tracks": result.tracks,
                          "baseline": None, "ratio": None, "pass": ok_pre}))  # fmt: skip
        print(json.dumps({"figure": "recommend_serve_p95", "value": round(p95, 2),
                          "unit": "ms", "goal": P95_GOAL_MS, "tracks": result.tracks,
                          "baseline": None, "ratio": None, "pass": ok_p95}))  # fmt: skip
        return 0 if ok_pre and ok_p95 else 1


if __name__ == "__main__":
    sys.exit(main())
