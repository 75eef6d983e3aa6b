"""猜你喜歡 neighbours: hybrid, explainable, computed in bulk with sparse matrices (no Django).

The same function serves the app (`ting.discovery.services.neighbours_refresh`) and the
evaluation (`bench/recommend_eval.py`). How it scores, in order of weight:

1. Album similarity. An episode's neighbours come mostly from albums that are similar as a
   whole: an album vector is the sum of its tracks' vectors, so one episode that happens to
   mention 小米 cannot pull a children's story album next to car news.
2. Track similarity inside those albums picks the most topical episodes.
3. Co-listening (plays, likes, subscriptions, finished positions) as it accrues.
4. Category affinity, and a small popularity and freshness prior.

Term weights are TF-IDF with sublinear tf; document frequency counts albums, not episodes (a
900-episode album must not make its own vocabulary look common). Terms that an album repeats
but others rarely use (host names, staff credits, 订阅 boilerplate) carry no topic, so:

- an intro line repeated in several tracks of one album is dropped before counting;
- each term is weighted by how evenly it spreads over albums, ``(1 - concentration)``, where
  concentration is the share of the term's per-album rates that its top album holds;
- a term that appears in most of one album's tracks and is concentrated there is dropped from
  that album's cross-album vectors altogether.

Results obey the diversity rule (at most `per_album` from one album and `per_anchor` from one
anchor) and carry a reason for the page.
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from ting.discovery.recommend.features import TrackText

FloatArray = npt.NDArray[np.float64]


class Reason(StrEnum):
    ALBUM = "album"  # more from the same album
    CATEGORY = "category"  # "Also in %(category)s"
    CO_LISTEN = "co_listen"  # "People who listened to %(title)s also listen to this"
    TOPIC = "topic"  # "Similar topic"


@dataclass(frozen=True)
class Item:
    track_id: int
    album_id: int
    anchor_id: int
    text: TrackText
    category_id: int | None = None
    plays: float = 0.0
    published_at: float = 0.0  # epoch seconds


@dataclass(frozen=True)
class Interaction:
    """A listener's signal on a track: a play, a like, a finished listen, a subscription."""

    user_key: int
    track_id: int
    weight: float = 1.0


@dataclass(frozen=True)
class Neighbour:
    id: int
    score: float
    reason: Reason
    via: int | None = None  # the co-listened track, or the shared category


@dataclass(frozen=True)
class Params:
    title_weight: float = 3.0
    tag_weight: float = 2.0
    line_weight: float = 1.0
    boilerplate_repeats: int = 3
    concentration_power: float = 1.0
    album_constant_share: float = 0.6
    album_constant_concentration: float = 0.5
    album_weight: float = 1.0
    own_album_affinity: float = 1.0
    track_weight: float = 0.05
    category_weight: float = 0.2
    co_listen_weight: float = 0.5
    co_listen_min: int = 2
    popularity_weight: float = 0.02
    freshness_weight: float = 0.01
    freshness_days: float = 180.0
    candidate_albums: int = 12
    smoothing: float = 0.45
    smoothing_min_albums: int = 8
    idf_power: float = 1.0
    idf_floor: float = 0.0
    max_album_share: float = 1.0
    per_album: int = 2
    per_anchor: int = 2
    k: int = 24
    # Below this, an item is not related at all (priors alone stay under it): better a short
    # list than bedtime stories under car news.
    min_score: float = 0.05
    album_k: int = 12


@dataclass
class Neighbours:
    tracks: dict[int, list[Neighbour]] = field(default_factory=dict)
    albums: dict[int, list[Neighbour]] = field(default_factory=dict)
    seconds: float = 0.0


def _l2_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ matrix)


def _term_counts(items: Sequence[Item], params: Params) -> list[dict[str, float]]:
    """Weighted term counts per item, without lines its album repeats (boilerplate)."""
    # A line that several tracks carry word for word (a sponsor read, a network's promo for its
    # other shows, a subscribe note) is boilerplate wherever it repeats: in one album or across.
    seen: Counter[tuple[str, ...]] = Counter()
    for item in items:
        seen.update(set(item.text.lines))
    counts: list[dict[str, float]] = []
    for item in items:
        counter: dict[str, float] = defaultdict(float)
        for term in item.text.title:
            counter[term] += params.title_weight
        for term in item.text.tags:
            counter[term] += params.tag_weight
        for line in item.text.lines:
            if seen[line] >= params.boilerplate_repeats:
                continue
            for term in line:
                counter[term] += params.line_weight
        counts.append(counter)
    return counts


@dataclass
class _Model:
    album_ids: list[int]
    album_of: npt.NDArray[np.int64]  # item index → album index
    own: sp.csr_matrix  # track vectors for comparisons inside an album
    cross: sp.csr_matrix  # track vectors for comparisons across albums
    album_sim: FloatArray  # album × album
    vocabulary: dict[str, int] | None = None


def _model(items: Sequence[Item], params: Params) -> _Model:
    counts = _term_counts(items, params)
    vocabulary: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for row, counter in enumerate(counts):
        for term, count in counter.items():
            rows.append(row)
            cols.append(vocabulary.setdefault(term, len(vocabulary)))
            vals.append(1.0 + math.log(count) if count >= 1 else count)
    n, v = len(items), max(len(vocabulary), 1)
    tf = sp.csr_matrix((vals, (rows, cols)), shape=(n, v), dtype=np.float64)

    album_ids = sorted({item.album_id for item in items})
    album_index = {album_id: i for i, album_id in enumerate(album_ids)}
    album_of = np.array([album_index[item.album_id] for item in items], dtype=np.int64)
    a = len(album_ids)
    membership = sp.csr_matrix((np.ones(n), (album_of, np.arange(n))), shape=(a, n))
    sizes = np.asarray(membership.sum(axis=1)).ravel()

    presence = tf.copy()
    presence.data[:] = 1.0
    # Share of each album's tracks that use each term.
    rate = sp.csr_matrix(sp.diags(1.0 / sizes) @ (membership @ presence))
    album_df = np.asarray((rate > 0).sum(axis=0)).ravel()
    idf = (np.log((1.0 + a) / (1.0 + album_df)) + params.idf_floor) ** params.idf_power
    idf[album_df > params.max_album_share * a] = 0.0
    rate_sum = np.asarray(rate.sum(axis=0)).ravel()
    rate_max = rate.max(axis=0).toarray().ravel()
    concentration = np.divide(rate_max, rate_sum, out=np.ones(v), where=rate_sum > 0)
    spread = np.clip(1.0 - concentration, 0.0, 1.0) ** params.concentration_power

    own = _l2_rows(sp.csr_matrix(tf @ sp.diags(idf)))
    cross = sp.csr_matrix(tf @ sp.diags(idf * spread))
    # A term in most of one album's tracks and concentrated there is that album's signature
    # (its host, its sponsor), not a topic it shares with anyone.
    signature = rate.multiply(rate > params.album_constant_share).tocsr()
    signature = signature.multiply(
        (concentration > params.album_constant_concentration).astype(np.float64)
    ).tocsr()
    signature.data[:] = 1.0
    if signature.nnz:
        mask = sp.csr_matrix(membership.T @ signature)
        cross = sp.csr_matrix(cross - cross.multiply(mask))
    cross.eliminate_zeros()
    cross = _l2_rows(cross)

    album_vectors = _l2_rows(sp.csr_matrix(membership @ cross))
    album_sim = np.asarray((album_vectors @ album_vectors.T).todense(), dtype=np.float64)
    if params.smoothing and a >= params.smoothing_min_albums:
        # Albums near the same albums are near each other: a second-order view of the graph.
        profile = album_sim.copy()
        np.fill_diagonal(profile, 0.0)
        profile -= profile.mean(axis=1, keepdims=True)
        norms = np.linalg.norm(profile, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        profile /= norms
        second = profile @ profile.T
        album_sim = (1 - params.smoothing) * album_sim + params.smoothing * second
    return _Model(album_ids, album_of, own, cross, album_sim, vocabulary)


def _co_listening(
    items: Sequence[Item], interactions: Iterable[Interaction], params: Params
) -> sp.csr_matrix:
    """Track × track cosine of listener sets, kept where at least `co_listen_min` overlap."""
    position = {item.track_id: i for i, item in enumerate(items)}
    users: dict[int, int] = {}
    rows, cols = [], []
    for interaction in interactions:
        column = position.get(interaction.track_id)
        if column is None:
            continue
        rows.append(users.setdefault(interaction.user_key, len(users)))
        cols.append(column)
    n = len(items)
    if not rows:
        return sp.csr_matrix((n, n))
    listened = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(users), n))
    listened.data[:] = 1.0  # duplicates collapse: a listener counts once per track
    listened.sum_duplicates()
    listened.data[:] = 1.0
    together = sp.csr_matrix(listened.T @ listened)
    together.setdiag(0)
    together.data[together.data < params.co_listen_min] = 0
    together.eliminate_zeros()
    listeners = np.sqrt(np.asarray(listened.sum(axis=0)).ravel())
    listeners[listeners == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / listeners) @ together @ sp.diags(1.0 / listeners))


def _priors(items: Sequence[Item], params: Params, now: float) -> FloatArray:
    plays = np.log1p(np.array([max(item.plays, 0.0) for item in items], dtype=np.float64))
    top = plays.max() if len(plays) and plays.max() > 0 else 1.0
    age_days = np.array(
        [max(now - item.published_at, 0.0) / 86400.0 for item in items], dtype=np.float64
    )
    freshness = np.exp(-age_days / params.freshness_days)
    return np.asarray(
        params.popularity_weight * plays / top + params.freshness_weight * freshness,
        dtype=np.float64,
    )


def _diverse(
    order: Iterable[int],
    items: Sequence[Item],
    params: Params,
    limit: int,
) -> list[int]:
    per_album: Counter[int] = Counter()
    per_anchor: Counter[int] = Counter()
    picked: list[int] = []
    for j in order:
        item = items[j]
        if per_album[item.album_id] >= params.per_album:
            continue
        if per_anchor[item.anchor_id] >= params.per_anchor:
            continue
        per_album[item.album_id] += 1
        per_anchor[item.anchor_id] += 1
        picked.append(j)
        if len(picked) >= limit:
            break
    return picked


def _album_heads(
    scores: FloatArray, cand_album: npt.NDArray[np.int64], per_album: int
) -> list[npt.NDArray[np.int64]]:
    """Per query row, the columns of the best `per_album` candidates of each album."""
    order = np.argsort(cand_album, kind="stable")
    groups = np.split(order, np.flatnonzero(np.diff(cand_album[order])) + 1)
    parts: list[npt.NDArray[np.int64]] = []
    for columns in groups:
        if len(columns) <= per_album:
            parts.append(np.broadcast_to(columns, (scores.shape[0], len(columns))))
            continue
        block = scores[:, columns]
        best = np.argpartition(-block, per_album - 1, axis=1)[:, :per_album]
        parts.append(columns[best])
    stacked = np.hstack(parts) if parts else np.zeros((scores.shape[0], 0), dtype=np.int64)
    return [stacked[row] for row in range(scores.shape[0])]


def compute(
    items: Sequence[Item],
    *,
    interactions: Iterable[Interaction] = (),
    now: float | None = None,
    params: Params | None = None,
    only_albums: set[int] | None = None,
) -> Neighbours:
    """Top-k track neighbours per track and album neighbours per album.

    `only_albums` limits whose neighbour lists are computed (a periodic refresh of changed
    albums); every item still counts as a candidate and in the statistics.
    """
    started = time.perf_counter()
    params = params or Params()
    result = Neighbours()
    if not items:
        return result
    now = time.time() if now is None else now
    model = _model(items, params)
    co = _co_listening(items, interactions, params)
    prior = _priors(items, params, now)
    a = len(model.album_ids)
    category = np.array(
        [-1] * a, dtype=np.int64
    )  # album index → category id (-1: none); first item's category wins
    members: list[list[int]] = [[] for _ in range(a)]
    for i, item in enumerate(items):
        album = int(model.album_of[i])
        members[album].append(i)
        if category[album] == -1 and item.category_id is not None:
            category[album] = item.category_id
    same_category = (category[:, None] == category[None, :]) & (category[:, None] >= 0)
    affinity = model.album_sim + params.category_weight * same_category
    np.fill_diagonal(affinity, -np.inf)

    anchor_of_album = {items[m[0]].album_id: items[m[0]].anchor_id for m in members if m}
    for album in range(a):
        album_id = model.album_ids[album]
        order = np.argsort(-affinity[album], kind="stable")
        picked: list[Neighbour] = []
        per_anchor: Counter[int] = Counter()
        for other in order[: params.album_k * 4]:
            other_id = model.album_ids[int(other)]
            anchor_id = anchor_of_album[other_id]
            if affinity[album, other] < params.min_score:
                break
            if per_anchor[anchor_id] >= params.per_anchor or not members[int(other)]:
                continue
            per_anchor[anchor_id] += 1
            reason = Reason.CATEGORY if same_category[album, other] else Reason.TOPIC
            via = int(category[album]) if reason is Reason.CATEGORY else None
            picked.append(Neighbour(other_id, float(affinity[album, other]), reason, via))
            if len(picked) >= params.album_k:
                break
        if only_albums is None or album_id in only_albums:
            result.albums[album_id] = picked

        if only_albums is not None and album_id not in only_albums:
            continue
        near = [int(x) for x in order[: params.candidate_albums] if np.isfinite(affinity[album, x])]
        queries = members[album]
        candidates = list(queries) + [j for other in near for j in members[other]]
        co_rows = co[queries] if co.nnz else None
        if co_rows is not None and co_rows.nnz:
            extra = set(co_rows.indices.tolist()) - set(candidates)
            candidates += sorted(extra)
        cand = np.array(candidates, dtype=np.int64)
        cand_album = model.album_of[cand]
        own_cols = cand_album == album
        album_part = np.where(own_cols, params.own_album_affinity, affinity[album, cand_album])
        album_part = np.where(np.isfinite(album_part), album_part, 0.0)
        cross_sim = np.asarray((model.cross[queries] @ model.cross[cand].T).todense())
        own_sim = np.asarray((model.own[queries] @ model.own[cand[own_cols]].T).todense())
        content = cross_sim
        content[:, own_cols] = own_sim
        base = params.album_weight * album_part + prior[cand]
        co_part = (
            np.asarray(co_rows[:, cand].todense()) * params.co_listen_weight
            if co_rows is not None and co_rows.nnz
            else None
        )
        scores = base[None, :] + params.track_weight * content
        if co_part is not None:
            scores = scores + co_part
        for row, query in enumerate(queries):
            scores[row, cand == query] = -np.inf
        heads = _album_heads(scores, cand_album, params.per_album + 1)
        for row, query in enumerate(queries):
            head = heads[row]
            head = head[np.argsort(-scores[row, head], kind="stable")]
            chosen = _diverse(
                (int(cand[h]) for h in head if scores[row, h] >= params.min_score),
                items,
                params,
                params.k,
            )
            position = {int(cand[h]): int(h) for h in head}
            neighbours: list[Neighbour] = []
            for j in chosen:
                h = position[j]
                if cand_album[h] == album:
                    reason, via = Reason.ALBUM, None
                elif co_part is not None and co_part[row, h] > params.co_listen_weight * 0.1:
                    reason, via = Reason.CO_LISTEN, items[query].track_id
                elif same_category[album, cand_album[h]]:
                    reason, via = Reason.CATEGORY, int(category[album])
                else:
                    reason, via = Reason.TOPIC, None
                neighbours.append(Neighbour(items[j].track_id, float(scores[row, h]), reason, via))
            result.tracks[items[query].track_id] = neighbours
    result.seconds = time.perf_counter() - started
    return result
