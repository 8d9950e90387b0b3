"""Precision-first clustering of author mentions into people.

Per unit (see :mod:`dedupe.blocking`): must-links are applied first (operator must-links, equal ORCID
iDs, the same authorship recorded twice), then clusters merge best-first while the score of their
pooled evidence (:func:`dedupe.scoring.score_profiles`) reaches the threshold. Scoring pooled evidence
rather than single pairs lets a person's papers chain through changing co-authors, while each merge
still needs the two clusters, taken whole, to look alike. Cannot-links (operator, ORCID conflict,
incompatible given names, two positions on one work) are never crossed.

The result does not depend on input order: mentions are sorted by id, ties are broken by mention ids,
and a cluster's key is its smallest mention id.
"""

from __future__ import annotations

import gc
import heapq
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import Any

from dedupe.blocking import _UnionFind, candidate_pairs, group_units
from dedupe.mentions import AuthorMention, MentionFeatures, MentionRows, extract_features
from dedupe.names import UnusableNameError
from dedupe.scoring import (
    DEFAULT_WEIGHTS,
    Evidence,
    EvidenceValues,
    Profile,
    ScoringWeights,
    evidence_values,
    inverse_frequencies,
)

__all__ = [
    "ClusteringConfig",
    "Prepared",
    "Resolution",
    "Seed",
    "Workers",
    "cluster_units",
    "fewer_collections",
    "prepare",
    "resolve_authors",
]


@dataclass(frozen=True, slots=True)
class ClusteringConfig:
    """Thresholds of the clustering.

    Attributes:
        threshold: Merge when the pooled-evidence score reaches this (kept at 0.5; the bias was tuned).
        review_low: Pairs of final clusters scoring in ``[review_low, threshold)`` go to review.
        weights: Scoring weights.
    """

    threshold: float = 0.5
    review_low: float = 0.2
    weights: ScoringWeights = field(default_factory=lambda: DEFAULT_WEIGHTS)


@dataclass(frozen=True, slots=True)
class Resolution:
    """Outcome of :func:`resolve_authors`.

    Attributes:
        clusters: mention_id -> cluster key (the cluster's smallest mention id).
        evidence: cluster key -> the joins that built it (must-links first, then merges in order).
        reviews: Pairs of clusters kept apart with a score in the review band, for ``identity_reviews``.
        quarantined: mention_id -> reason, for mentions whose name is unusable (never clustered).
    """

    clusters: dict[str, str]
    evidence: dict[str, tuple[Evidence, ...]]
    reviews: tuple[Evidence, ...]
    quarantined: dict[str, str]


@dataclass(frozen=True, slots=True)
class Seed:
    """The clusters a unit had before new mentions joined it (see :mod:`dedupe.incremental`).

    Attributes:
        clusters: Every earlier mention of the unit -> its cluster key.
        evidence: Cluster key -> the joins that built it.
        reviews: The unit's review pairs of that run.
    """

    clusters: Mapping[str, str]
    evidence: Mapping[str, tuple[Evidence, ...]]
    reviews: tuple[Evidence, ...]


def resolve_authors(
    mentions: Iterable[AuthorMention] | MentionRows,
    *,
    must_link: Iterable[tuple[str, str]] = (),
    cannot_link: Iterable[tuple[str, str]] = (),
    config: ClusteringConfig | None = None,
    workers: int = 1,
) -> Resolution:
    """Cluster author mentions into people.

    Args:
        mentions: Mentions with unique ``mention_id``, any order; or batches of rows the worker
            processes turn into mentions (:class:`~dedupe.mentions.MentionRows`).
        must_link: Operator decisions "same person" (pairs of mention ids); applied first.
        cannot_link: Operator decisions "different people"; never crossed. A pair in both lists is kept
            apart (precision first).
        config: Thresholds and weights; defaults to :class:`ClusteringConfig`.
        workers: Processes to extract features and cluster units in (units are independent; the result
            is the same); a run of fewer than :data:`PARALLEL_MIN_MENTIONS` mentions stays in this one.

    Returns:
        The clusters, their evidence, pairs for review and quarantined mentions.

    Raises:
        ValueError: Two mentions share a mention_id.
    """
    config = config or ClusteringConfig()
    with Workers(workers) as processes:
        prepared = prepare(mentions, must_link, cannot_link, processes)
        clusters, evidence, reviews = cluster_units(prepared.units, prepared, config, processes)
    return Resolution(clusters, evidence, tuple(reviews), prepared.quarantined)


# Below this many mentions one process resolves faster than two that must first start (each imports
# the resolver) and exchange features: measured on the synthetic set, 20,000 mentions took 4.6 s in
# one process and 4.9 s in two, 50,000 took 17.0 s and 13.8 s.
PARALLEL_MIN_MENTIONS = 30_000


# Resolving allocates small containers by the million (features, profiles, score tuples) and frees
# few of them until it ends, so the cyclic garbage collector's default first threshold (700
# allocations) has it scan young objects thousands of times a second and, as they pile up, the old
# ones too, for next to no garbage: a fifth of the resolver's time on 100,000 synthetic mentions.
# During a resolution (in this process and in the workers) it collects a hundred times less often;
# reference counting still frees everything that is not a cycle as soon as it is dropped.
GC_FIRST_THRESHOLD = 100_000


def _collect_less() -> tuple[int, int, int]:
    """Raise the collector's first threshold to :data:`GC_FIRST_THRESHOLD`; the thresholds before."""
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], GC_FIRST_THRESHOLD), before[1], before[2])
    return before


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the block with the collector's first threshold at :data:`GC_FIRST_THRESHOLD`, restored after.

    For other batch steps that keep millions of objects alive, such as a warehouse build (which
    resolves identities, and reads and writes them around that).
    """
    before = _collect_less()
    try:
        yield
    finally:
        gc.set_threshold(*before)


class Workers:
    """The worker processes of one resolution, started on first use.

    Features are extracted in spawned processes (:meth:`pool`), started once per run; units are
    clustered in processes forked once the features exist (:meth:`cluster`). A run of fewer than
    :data:`PARALLEL_MIN_MENTIONS` mentions starts neither. Use as a context manager: leaving it
    stops the processes. While it is entered, this process and the workers run the garbage
    collector less often (:data:`GC_FIRST_THRESHOLD`).
    """

    def __init__(self, count: int = 1) -> None:
        self.count = max(1, count)
        self._pool: ProcessPoolExecutor | None = None
        self._thresholds: tuple[int, int, int] | None = None

    def pool(self) -> ProcessPoolExecutor:
        """The processes, started now if they are not yet."""
        if self._pool is None:
            # Spawned, not forked: they start before the features exist, so forking would only
            # give them a copy of this process's memory to carry.
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(
                max_workers=self.count, mp_context=context, initializer=_collect_less
            )
        return self._pool

    def cluster(self, tasks: list[_Task]) -> list[_Part]:
        """Cluster the tasks in ``count`` processes forked from this one, a task at a time each.

        Forked, the processes find the tasks' features in the memory they share with this one
        instead of receiving them pickled: on the 100k-work nightly delta, pickling the 588,788
        features of the units it touched took this process 8.3 s, and unpickling them took the
        workers as much again (clustering on 2 processes: 21.2-21.7 s spawned, 15.5-17.3 s
        forked). A forked process's peak RSS counts the pages it shares with this one. Where fork
        is not available, the spawned processes receive the tasks pickled.
        """
        if "fork" not in multiprocessing.get_all_start_methods():
            return list(self.pool().map(_cluster_task, tasks))
        _FORKED_TASKS[:] = tasks
        # Every object now alive is left out of the forked processes' garbage collections: a
        # collection there would otherwise walk them all, and touching them copies their pages.
        # (They inherit this process's raised threshold, so they need no initializer.)
        gc.freeze()
        try:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=self.count, mp_context=context) as forked:
                return list(forked.map(_forked_task, range(len(tasks))))
        finally:
            gc.unfreeze()
            _FORKED_TASKS.clear()

    @property
    def started(self) -> bool:
        """Whether the processes were started."""
        return self._pool is not None

    def __enter__(self) -> Workers:
        self._thresholds = _collect_less()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
            self._thresholds = None


@dataclass(frozen=True, slots=True)
class Prepared:
    """Mentions turned into features and units, with the links and term weights of the run."""

    features: list[MentionFeatures]
    quarantined: dict[str, str]
    links: list[tuple[str, str, str]]
    cannot: set[frozenset[str]]
    units: list[list[MentionFeatures]]
    idf: dict[str, float]


def prepare(
    mentions: Iterable[AuthorMention] | MentionRows,
    must_link: Iterable[tuple[str, str]],
    cannot_link: Iterable[tuple[str, str]],
    workers: Workers | None = None,
) -> Prepared:
    """Features, must-links, cannot-links, units and term weights of a set of mentions.

    ``mentions`` is read once, in chunks: pass a generator (or :class:`MentionRows`) to not hold every
    mention at once. With ``workers`` of more than one process, the features are extracted in them.
    """
    features, quarantined = _features(mentions, workers)
    cannot = {frozenset(p) for p in cannot_link if p[0] != p[1]}
    links = _must_links(features, must_link, cannot)
    units = group_units(features, [(a, b) for a, b, _ in links])
    return Prepared(features, quarantined, links, cannot, units, inverse_frequencies(features))


def cluster_units(
    units: Sequence[Sequence[MentionFeatures]],
    prepared: Prepared,
    config: ClusteringConfig,
    workers: Workers | None = None,
    seeds: Sequence[Seed | None] = (),
) -> tuple[dict[str, str], dict[str, tuple[Evidence, ...]], list[Evidence]]:
    """Cluster some of the prepared units: (clusters, evidence per cluster, review pairs sorted).

    ``seeds``, when given, has one entry per unit: a unit with a seed starts from the seed's clusters
    and only its other mentions are placed (they join a cluster, bridge two, or start their own).
    """
    count = workers.count if workers is not None else 1
    seeds = seeds or [None] * len(units)
    tasks = _tasks(units, seeds, prepared.links, prepared.cannot, prepared.idf, config, count)
    mentions = sum(len(unit) for unit in units)
    if workers is not None and count > 1 and len(tasks) > 1 and mentions >= PARALLEL_MIN_MENTIONS:
        parts = workers.cluster(tasks)
    else:
        parts = [_cluster_task(task) for task in tasks]
    earlier = {key: joins for seed in seeds if seed is not None for key, joins in seed.evidence.items()}
    clusters: dict[str, str] = {}
    evidence: dict[str, tuple[Evidence, ...]] = {}
    reviews: list[Evidence] = []
    for part_clusters, part_evidence, part_reviews in parts:
        clusters.update(part_clusters)
        for key, joins in part_evidence.items():
            evidence[key] = tuple(
                e for join in joins for e in (earlier.get(join, ()) if isinstance(join, str) else (join,))
            )
        reviews.extend(part_reviews)
    reviews.sort(key=lambda e: (e.left, e.right))
    return clusters, evidence, reviews


_Task = tuple[
    list[tuple[Sequence[MentionFeatures], Seed | None]],
    list[tuple[str, str, str]],
    set[frozenset[str]],
    dict[str, float],
    ClusteringConfig,
]
# A cluster's joins as a task returns them: an earlier cluster's joins are named by its seed key
# (a str), which cluster_units replaces with them, so they never cross processes.
_Joins = tuple[Evidence | str, ...]
_Part = tuple[dict[str, str], dict[str, _Joins], list[Evidence]]


def _tasks(
    units: Sequence[Sequence[MentionFeatures]],
    seeds: Sequence[Seed | None],
    links: Sequence[tuple[str, str, str]],
    cannot: set[frozenset[str]],
    idf: dict[str, float],
    config: ClusteringConfig,
    workers: int,
) -> list[_Task]:
    """Cut units into a few tasks of similar size, each with only the links it needs."""
    chunks = 1 if workers == 1 else workers * 8
    unit_of = {f.mention_id: i % chunks for i, unit in enumerate(units) for f in unit}
    tasks: list[_Task] = [([], [], set(), idf, config) for _ in range(chunks)]
    for i, (unit, seed) in enumerate(zip(units, seeds, strict=True)):
        # The seed's joins stay here (see _Joins): clustering never reads them.
        light = Seed(seed.clusters, {}, seed.reviews) if seed is not None else None
        tasks[i % chunks][0].append((unit, light))
    for link in links:
        if link[0] in unit_of and unit_of[link[0]] == unit_of.get(link[1]):
            tasks[unit_of[link[0]]][1].append(link)
    for pair in cannot:
        a, b = sorted(pair)
        if a in unit_of and unit_of[a] == unit_of.get(b):
            tasks[unit_of[a]][2].add(pair)
    return [task for task in tasks if task[0]]


# The tasks of the forked clustering processes while they run (see Workers.cluster).
_FORKED_TASKS: list[_Task] = []


def _forked_task(index: int) -> _Part:
    return _cluster_task(_FORKED_TASKS[index])


def _cluster_task(task: _Task) -> _Part:
    units, links, cannot, idf, config = task
    links_of: dict[str, list[int]] = {}
    for index, (a, b, _) in enumerate(links):
        links_of.setdefault(a, []).append(index)
        links_of.setdefault(b, []).append(index)
    cannot_of: dict[str, list[frozenset[str]]] = {}
    for pair in cannot:
        for mention_id in pair:
            cannot_of.setdefault(mention_id, []).append(pair)
    clusters: dict[str, str] = {}
    evidence: dict[str, _Joins] = {}
    reviews: list[Evidence] = []
    for unit, seed in units:
        ids = [f.mention_id for f in unit]
        unit_links = [links[i] for i in sorted({i for m in ids for i in links_of.get(m, ())})]
        unit_cannot = {pair for m in ids for pair in cannot_of.get(m, ())}
        _cluster_unit(unit, seed, unit_links, unit_cannot, idf, config, clusters, evidence, reviews)
    return clusters, evidence, reviews


_CHUNK = 5_000  # mentions per feature-extraction chunk


def _features(
    mentions: Iterable[AuthorMention] | MentionRows, workers: Workers | None = None
) -> tuple[list[MentionFeatures], dict[str, str]]:
    """Features sorted by mention id, and the quarantined mentions (by id, sorted)."""
    features: list[MentionFeatures] = []
    quarantined: dict[str, str] = {}
    seen: set[str] = set()
    for chunk_features, chunk_quarantined in _extracted(mentions, workers):
        ids = [f.mention_id for f in chunk_features] + [m for m, _ in chunk_quarantined]
        for mention_id in ids:
            if mention_id in seen:
                raise ValueError(f"duplicate mention_id {mention_id!r}: give every authorship its own id")
            seen.add(mention_id)
        features.extend(chunk_features)
        quarantined.update(chunk_quarantined)
    features.sort(key=lambda f: f.mention_id)
    return features, dict(sorted(quarantined.items()))


_Extracted = tuple[list[MentionFeatures], list[tuple[str, str]]]
_Chunk = tuple[Callable[[Any], list[AuthorMention]], Any]  # (to_mentions, a batch of rows)


def _chunks(mentions: Iterable[AuthorMention] | MentionRows) -> Iterator[_Chunk]:
    if isinstance(mentions, MentionRows):
        for batch in mentions.batches:
            yield mentions.to_mentions, batch
        return
    iterator = iter(mentions)
    while chunk := list(islice(iterator, _CHUNK)):
        yield list, chunk


def _extracted(
    mentions: Iterable[AuthorMention] | MentionRows, workers: Workers | None
) -> Iterator[_Extracted]:
    """Features of the mentions, chunk by chunk; at most two chunks per process in flight."""
    chunks = _chunks(mentions)
    count = workers.count if workers is not None else 1
    # Read ahead until the run is known to be big enough (and in chunks enough) to repay starting
    # the processes.
    head: list[_Chunk] = []
    size = 0
    while count > 1 and (size < PARALLEL_MIN_MENTIONS or len(head) < 2):
        chunk = next(chunks, None)
        if chunk is None:
            break
        head.append(chunk)
        size += len(chunk[1])
    if workers is None or size < PARALLEL_MIN_MENTIONS or len(head) < 2:
        yield from map(_extract_chunk, chain(head, chunks))
        return
    pool = workers.pool()
    pending: deque[Future[_Extracted]] = deque()
    for chunk in chain(head, chunks):
        pending.append(pool.submit(_extract_chunk, chunk))
        if len(pending) >= 2 * count:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _extract_chunk(chunk: _Chunk) -> _Extracted:
    to_mentions, rows = chunk
    features: list[MentionFeatures] = []
    quarantined: list[tuple[str, str]] = []
    for mention in to_mentions(rows):
        try:
            features.append(extract_features(mention))
        except UnusableNameError as error:
            quarantined.append((mention.mention_id, error.reason))
    return features, quarantined


def _must_links(
    features: Sequence[MentionFeatures],
    operator: Iterable[tuple[str, str]],
    cannot: set[frozenset[str]],
) -> list[tuple[str, str, str]]:
    """Must-link pairs with their rule, in priority order, minus any pair an operator cannot-linked."""
    links = [(a, b, "operator") for a, b in operator]
    first_by_authorship: dict[tuple[str, int, str], str] = {}
    first_by_orcid: dict[str, str] = {}
    for f in features:
        if f.work_id and f.position >= 0:
            authorship = (f.work_id, f.position, f.name.key)
            first = first_by_authorship.setdefault(authorship, f.mention_id)
            if first != f.mention_id:
                links.append((first, f.mention_id, "same_authorship"))
        if f.orcid:
            first = first_by_orcid.setdefault(f.orcid, f.mention_id)
            if first != f.mention_id:
                links.append((first, f.mention_id, "orcid"))
    return [(a, b, rule) for a, b, rule in links if a != b and frozenset((a, b)) not in cannot]


def _cluster_unit(
    unit: Sequence[MentionFeatures],
    seed: Seed | None,
    links: Sequence[tuple[str, str, str]],
    cannot: set[frozenset[str]],
    idf: Mapping[str, float],
    config: ClusteringConfig,
    clusters: dict[str, str],
    evidence: dict[str, _Joins],
    reviews: list[Evidence],
) -> None:
    state = _UnitState(unit, cannot, idf, seed)
    state.apply_links(links)
    state.agglomerate(config)
    for mention_id, root in state.roots().items():
        clusters[mention_id] = state.profiles[root].anchor
    for root, joins in state.joins.items():
        evidence[state.profiles[root].anchor] = tuple(joins)
    reviews.extend(state.review_pairs(config))
    if seed is not None:
        # Earlier review pairs stand while neither cluster changed (a changed one was rescored).
        unchanged = {root for root, version in state.version.items() if version == 0}
        reviews.extend(r for r in seed.reviews if r.left in unchanged and r.right in unchanged)


# Rules that stay true when either side grows (merging only adds names, works and cannot-links): a
# pair apart by one of them is apart for good, so it is dropped from the neighbours, not rescored
# after every merge. In a big block most candidate pairs are such (``Wang Yu`` and ``Wang Yan``).
# ORCIDs cannot later overturn them: mentions sharing an ORCID are must-linked before agglomeration
# (those kept apart are so by a cannot-link, which is kept), so a cluster never gains an ORCID that
# another cluster holds, and two clusters with different ORCIDs never come to share one.
_FOREVER_APART = frozenset({"orcid_conflict", "name_conflict", "same_work"})


class _UnitState:
    """Clusters of one unit while they merge; clusters are named by a root mention id."""

    def __init__(
        self,
        unit: Sequence[MentionFeatures],
        cannot: set[frozenset[str]],
        idf: Mapping[str, float],
        seed: Seed | None = None,
    ) -> None:
        """Every mention its own cluster; with a ``seed``, its earlier mentions in their clusters."""
        self.unit = unit
        self.seed = seed
        self.uf = _UnionFind(f.mention_id for f in unit)
        groups: dict[str, list[int]] = {}
        earlier: set[str] = set()  # the keys of the seed's clusters
        for index, f in enumerate(unit):
            key = seed.clusters.get(f.mention_id) if seed is not None else None
            if key is not None:
                earlier.add(key)
            groups.setdefault(key or f.mention_id, []).append(index)
        self.profiles: dict[str, Profile] = {}
        self.joins: dict[str, list[Evidence | str]] = {}  # an earlier cluster's by its seed key
        for key, group in groups.items():
            root = min(unit[i].mention_id for i in group)
            for i in group:
                self.uf.parent[unit[i].mention_id] = root
            self.profiles[root] = Profile((unit[i] for i in group), idf)
            self.joins[root] = [key] if key in earlier else []
        self.cannot: dict[str, set[str]] = {root: set() for root in self.profiles}
        for pair in cannot:
            a, b = sorted(pair)
            if a in self.uf.parent and b in self.uf.parent and self.uf.find(a) != self.uf.find(b):
                a, b = self.uf.find(a), self.uf.find(b)
                self.cannot[a].add(b)
                self.cannot[b].add(a)
        self.neighbours: dict[str, set[str]] = {root: set() for root in self.profiles}
        self.version = dict.fromkeys(self.profiles, 0)
        # The last score of every pair at or above review_low: its evidence (as a tuple, see
        # `evidence_values`) and the versions of the two clusters it was computed for.
        self.last: dict[tuple[str, str], tuple[EvidenceValues, int, int]] = {}

    def roots(self) -> dict[str, str]:
        return {f.mention_id: self.uf.find(f.mention_id) for f in self.unit}

    def _merge(self, a: str, b: str, joined: Evidence) -> str:
        root, other = min(a, b), max(a, b)
        self.uf.union(a, b)
        self.profiles[root] = self.profiles[root].absorb(self.profiles.pop(other))
        self.joins[root].extend(self.joins.pop(other))
        self.joins[root].append(joined)
        self.cannot[root] |= self.cannot.pop(other)
        self.neighbours[root] |= self.neighbours.pop(other)
        self.neighbours[root] -= {root, other}
        for nodes in (self.cannot, self.neighbours):
            for node in nodes[root]:
                if other in nodes[node]:
                    nodes[node].discard(other)
                    nodes[node].add(root)
        self.version[root] += 1
        del self.version[other]
        return root

    def apply_links(self, links: Sequence[tuple[str, str, str]]) -> None:
        for x, y, rule in links:
            if x not in self.uf.parent or y not in self.uf.parent:
                continue
            a, b = self.uf.find(x), self.uf.find(y)
            if a in self.profiles and b in self.profiles and a != b and b not in self.cannot[a]:
                left, right = sorted((self.profiles[a].anchor, self.profiles[b].anchor))
                self._merge(a, b, Evidence(left, right, 1.0, rule=rule))

    def agglomerate(self, config: ClusteringConfig) -> None:
        """Merge the best-scoring pair of clusters while one reaches the threshold.

        Extending a seed, only pairs with a cluster that holds a new mention or took a new link are
        scored at first: pairs of earlier clusters scored below the threshold when those formed
        (each merge then rescores the merged cluster against all its neighbours, as always).
        """
        ids = [f.mention_id for f in self.unit]
        roots = [self.uf.find(m) for m in ids]
        for i, j in candidate_pairs(self.unit, roots):
            a, b = roots[i], roots[j]
            self.neighbours[a].add(b)
            self.neighbours[b].add(a)
        fresh = None
        if self.seed is not None:
            # Clusters with a new mention, and those a new link joined (the earlier ones are at 0).
            fresh = {self.uf.find(m) for m in ids if m not in self.seed.clusters}
            fresh.update(root for root, version in self.version.items() if version > 0)
        # The heap holds only pairs at or above the threshold (a pair below it never merges), and
        # `last` only pairs at or above `review_low` (the others are never looked at again): most
        # candidate pairs of a big unit share one common word and score far below both.
        heap: list[tuple[float, str, str, int, int]] = []
        for a in sorted(self.neighbours):
            for b in sorted(self.neighbours[a]):
                if a < b and (fresh is None or a in fresh or b in fresh):
                    self._push(heap, a, b, config)
        while heap:
            _, a, b, va, vb = heapq.heappop(heap)
            if self.version.get(a, -1) != va or self.version.get(b, -1) != vb:
                continue
            root = self._merge(a, b, Evidence(*self.last.pop((a, b))[0]))
            for other in sorted(self.neighbours[root]):
                low, high = sorted((root, other))
                self._push(heap, low, high, config)

    def _push(
        self, heap: list[tuple[float, str, str, int, int]], a: str, b: str, config: ClusteringConfig
    ) -> None:
        if b in self.cannot[a]:
            self.last.pop((a, b), None)
            self._forget(a, b)
            return
        scored = evidence_values(self.profiles[a], self.profiles[b], config.weights)
        score, rule = scored[2], scored[3]
        if score < config.review_low:
            self.last.pop((a, b), None)
            if rule in _FOREVER_APART:
                self._forget(a, b)
            return
        self.last[(a, b)] = (scored, self.version[a], self.version[b])
        if score >= config.threshold:
            heapq.heappush(heap, (-score, a, b, self.version[a], self.version[b]))

    def _forget(self, a: str, b: str) -> None:
        # Not neighbours any more: the pair is never scored again, nor are the clusters they grow into.
        self.neighbours[a].discard(b)
        self.neighbours[b].discard(a)

    def review_pairs(self, config: ClusteringConfig) -> list[Evidence]:
        out = []
        for (a, b), (scored, va, vb) in self.last.items():
            live = self.version.get(a, -1) == va and self.version.get(b, -1) == vb
            if live and config.review_low <= scored[2] < config.threshold:
                out.append(Evidence(*scored))
        return out
