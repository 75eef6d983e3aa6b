"""Is 猜你喜歡 topically right? Precision@8 and the keyword-trap rate on real podcasts.

    .venv/bin/python bench/recommend_eval.py            # 600 query episodes (seed 11)
    .venv/bin/python bench/recommend_eval.py --all      # every episode as a query

Catalog: the podcasts of ../shared/data/catalog-xiaoyuzhou/ that genres.json labels (podcast =
album, author = anchor, episode = track), loaded WITHOUT categories. Genres are grouped into
five families, which are the answer key only:

    business  商务 投资 创业 营销 职业          tech     科技
    comedy    幽默对谈 喜剧 即兴表演            life     个人日记 情感与人际关系 爱好 休闲
    society   社会与文化 新闻评论 历史 纪实 图书 艺术 表演艺术 犯罪纪实

For each query episode, with the diversity rule in force (at most 2 from one album or anchor):

- precision@8: share of the 8 related tracks whose family is the query's (missing slots miss);
- keyword-trap rate: share of recommended tracks that are outside the query's family AND whose
  title shares a word (jieba, 2+ characters, not a stop word) with the query's title.

Three methods in the same run: Ting's recommender (`ting.discovery.recommend.compute`, the code
the app serves), title-word overlap, and plain TF-IDF cosine over title + description (episode
document frequency, no cleaning), plus random. Prints a table, a JSON line for the trap rate,
then the main JSON line; exits 1 when precision@8 < 0.65 or the trap rate > 5%.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pickle
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ting.discovery.recommend import Item, Params, TrackText, compute, track_text
from ting.discovery.text import content_terms, normalise, title_words

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "catalog-xiaoyuzhou"
PRECISION_GOAL = 0.65
TRAP_GOAL = 0.05
K = 8
FAMILIES = {
    "business": ["商务", "投资", "创业", "营销", "职业"],
    "tech": ["科技"],
    "comedy": ["幽默对谈", "喜剧", "即兴表演"],
    "society": ["社会与文化", "新闻评论", "历史", "纪实", "图书", "艺术", "表演艺术", "犯罪纪实"],
    "life": ["个人日记", "情感与人际关系", "爱好", "休闲"],
}
FAMILY_OF = {genre: family for family, genres in FAMILIES.items() for genre in genres}


@dataclass(frozen=True)
class Episode:
    index: int
    album: int
    anchor: int
    family: str
    title: str
    description: str
    published_at: float


def load(data: Path) -> list[Episode]:
    genres = json.loads((data / "genres.json").read_text())
    family = {
        pid: FAMILY_OF[g["xyzrank_primaryGenreName"]]
        for pid, g in genres.items()
        if g.get("xyzrank_primaryGenreName") in FAMILY_OF
    }
    albums: dict[str, int] = {}
    anchors: dict[str, int] = {}
    episodes: list[Episode] = []
    with (data / "episodes.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if row["pid"] not in family:
                continue
            episodes.append(
                Episode(
                    index=len(episodes),
                    album=albums.setdefault(row["pid"], len(albums) + 1),
                    anchor=anchors.setdefault(row.get("author") or row["pid"], len(anchors) + 1),
                    family=family[row["pid"]],
                    title=row.get("title") or "",
                    description=row.get("description") or "",
                    published_at=float(row.get("pubDate") or 0),
                )
            )
    return episodes


def _features(episode: Episode) -> tuple[TrackText, list[str]]:
    """Ting's features, and the plain bag of words the TF-IDF baseline uses."""
    text = track_text(title=episode.title, intro=episode.description)
    plain = list(content_terms(normalise(episode.title + "\n" + episode.description)))
    return text, plain


def featurise(episodes: Sequence[Episode], workers: int) -> list[tuple[TrackText, list[str]]]:
    if workers <= 1:
        return [_features(e) for e in episodes]
    with ProcessPoolExecutor(workers) as pool:
        return list(pool.map(_features, episodes, chunksize=64))


def diverse(order: Sequence[int], episodes: Sequence[Episode], query: int) -> list[int]:
    per_album: Counter[int] = Counter()
    per_anchor: Counter[int] = Counter()
    picked: list[int] = []
    for j in order:
        if j == query:
            continue
        e = episodes[j]
        if per_album[e.album] >= 2 or per_anchor[e.anchor] >= 2:
            continue
        per_album[e.album] += 1
        per_anchor[e.anchor] += 1
        picked.append(j)
        if len(picked) == K:
            break
    return picked


def by_scores(scores: np.ndarray, episodes: Sequence[Episode], query: int) -> list[int]:
    top = min(len(scores), 400)
    head = np.argpartition(-scores, top - 1)[:top]
    head = head[np.lexsort((head, -scores[head]))]
    picked = diverse([int(j) for j in head], episodes, query)
    if len(picked) < K:
        picked = diverse([int(j) for j in np.argsort(-scores, kind="stable")], episodes, query)
    return picked


def tfidf_baseline(bags: Sequence[list[str]]) -> sp.csr_matrix:
    vocabulary: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for row, bag in enumerate(bags):
        for term, count in Counter(bag).items():
            rows.append(row)
            cols.append(vocabulary.setdefault(term, len(vocabulary)))
            vals.append(float(count))
    matrix = sp.csr_matrix((vals, (rows, cols)), shape=(len(bags), max(len(vocabulary), 1)))
    df = np.asarray((matrix > 0).sum(axis=0)).ravel()
    idf = np.log((1 + len(bags)) / (1 + df)) + 1
    matrix = sp.csr_matrix(matrix @ sp.diags(idf))
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1
    return sp.csr_matrix(sp.diags(1 / norms) @ matrix)


def measure(
    name: str,
    recommend: Callable[[int], list[int]],
    queries: Sequence[int],
    episodes: Sequence[Episode],
    words: Sequence[set[str]],
) -> dict[str, float | str]:
    hits = traps = shown = same_album = 0
    for q in queries:
        picked = recommend(q)
        for j in picked:
            shown += 1
            if episodes[j].album == episodes[q].album:
                same_album += 1
            if episodes[j].family == episodes[q].family:
                hits += 1
            elif words[q] & words[j]:
                traps += 1
    total = K * len(queries)
    return {
        "method": name,
        "precision_at_8": hits / total,
        "trap_rate": traps / max(shown, 1),
        "same_album_share": same_album / max(shown, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--all", action="store_true", help="every episode is a query")
    parser.add_argument("--queries", type=int, default=600)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--cache", type=Path, help="keep segmented features here between runs")
    args = parser.parse_args()

    started = time.perf_counter()
    episodes = load(args.data)
    if args.cache is not None and args.cache.exists():
        features = pickle.loads(args.cache.read_bytes())  # noqa: S301 (a file this bench wrote)
    else:
        features = featurise(episodes, args.workers)
        if args.cache is not None:
            args.cache.write_bytes(pickle.dumps(features))
    featurised = time.perf_counter() - started
    words = [title_words(e.title) for e in episodes]
    rng = random.Random(args.seed)
    queries = (
        list(range(len(episodes)))
        if args.all
        else sorted(rng.sample(range(len(episodes)), min(args.queries, len(episodes))))
    )

    items = [
        Item(
            track_id=e.index,
            album_id=e.album,
            anchor_id=e.anchor,
            text=features[e.index][0],
            published_at=e.published_at,
        )
        for e in episodes
    ]
    t0 = time.perf_counter()
    # No plays in this catalog, and freshness would only favour whichever show posted last.
    params = Params(freshness_weight=0.0, popularity_weight=0.0)
    neighbours = compute(items, now=max(e.published_at for e in episodes), params=params)
    computed = time.perf_counter() - t0

    def ting(q: int) -> list[int]:
        return [n.id for n in neighbours.tracks.get(q, [])][:K]

    matrix = tfidf_baseline([f[1] for f in features])

    def tfidf(q: int) -> list[int]:
        scores = np.asarray((matrix[q] @ matrix.T).todense()).ravel()
        return by_scores(scores, episodes, q)

    word_index: dict[str, list[int]] = {}
    for j, ws in enumerate(words):
        for w in ws:
            word_index.setdefault(w, []).append(j)

    def title_overlap(q: int) -> list[int]:
        scores = np.zeros(len(episodes))
        for w in words[q]:
            scores[word_index[w]] += 1
        scores += np.random.default_rng(q).random(len(episodes)) * 0.5  # random tie-break
        return by_scores(scores, episodes, q)

    def random_pick(q: int) -> list[int]:
        order = list(range(len(episodes)))
        random.Random(q).shuffle(order)
        return diverse(order, episodes, q)

    rows = [
        measure("ting", ting, queries, episodes, words),
        measure("title words", title_overlap, queries, episodes, words),
        measure("tf-idf", tfidf, queries, episodes, words),
        measure("random", random_pick, queries, episodes, words),
    ]
    print(
        f"{len(episodes)} episodes in {len({e.album for e in episodes})} albums, "
        f"{len(queries)} queries; features {featurised:.1f} s, neighbours {computed:.1f} s"
    )
    print(f"{'method':<12} {'precision@8':>12} {'trap rate':>10} {'same album':>11}")
    for row in rows:
        print(
            f"{row['method']:<12} {row['precision_at_8']:>12.3f} {row['trap_rate']:>10.1%}"
            f" {row['same_album_share']:>11.1%}"
        )
    ours, baseline = rows[0], rows[2]
    precision = float(ours["precision_at_8"])
    trap = float(ours["trap_rate"])
    base = float(baseline["precision_at_8"])
    trap_ok = trap <= TRAP_GOAL
    print(
        json.dumps(
            {
                "figure": "recommend_keyword_trap_rate",
                "value": round(trap, 4),
                "unit": "share",
                "goal": TRAP_GOAL,
                "baseline": round(float(baseline["trap_rate"]), 4),
                "pass": trap_ok,
            }
        )
    )
    ok = precision >= PRECISION_GOAL
    print(
        json.dumps(
            {
                "figure": "recommend_precision_at_8",
                "value": round(precision, 4),
                "unit": "share",
                "goal": PRECISION_GOAL,
                "baseline": round(base, 4),
                "ratio": round(precision / base, 3) if base else math.inf,
                "pass": ok,
            }
        )
    )
    return 0 if ok and trap_ok else 1


if __name__ == "__main__":
    sys.exit(main())
