"""Incremental resolution: a nightly import re-clusters only the units its new mentions touch.

A *unit* is what :func:`dedupe.blocking.group_units` forms (one name key, joined by must-links); units
are clustered independently. Each unit gets a signature: a hash of its mentions' features (every
field blocking and scoring read, so no mention is kept once its features are extracted), the links
and cannot-links between its mentions, the clustering configuration and :data:`RESOLVER_VERSION`.

- A unit whose signature was resolved before keeps that result.
- A unit made of whole earlier units, unchanged (their mentions, with the links between them, give
  those units' signatures), and new mentions or new links, is *extended*: it starts from those units'
  clusters, new links are applied, and only pairs with a cluster that holds a new mention or took a
  new link are scored; a new mention joins a cluster, bridges two (the merged cluster is rescored
  against its neighbours) or starts its own. Earlier clusters are never split. This skips scoring
  earlier clusters among themselves, but a new mention that joins a big earlier cluster gets that
  cluster rescored against all its neighbours, so a touched big name block still costs about its size.
- Any other unit (a mention changed or left, a link or cannot-link between earlier mentions of one
  earlier unit was added or removed) is clustered from scratch.

Term weights (idf) of reused clusters are those of the run that formed them. A full rebuild
(``previous={}``) clusters every unit from scratch with the current weights; it can draw a few
boundaries differently from a chain of nightly runs, since best-first merging saw the mentions in
another grouping.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import orjson

from dedupe.clustering import ClusteringConfig, Prepared, Resolution, Seed, Workers, cluster_units, prepare
from dedupe.mentions import AuthorMention, MentionFeatures, MentionRows, feature_values
from dedupe.scoring import Evidence

__all__ = ["RESOLVER_VERSION", "IncrementalResolution", "UnitResult", "resolve_incrementally"]


# Bump when blocking, features or scoring change in a way the configuration does not show: every
# unit is then resolved again instead of reusing results of the previous code.
RESOLVER_VERSION = 4


@dataclass(frozen=True, slots=True)
class UnitResult:
    """What one unit resolved to: its clusters, the joins that built them, its review pairs."""

    signature: str
    clusters: dict[str, str]
    evidence: dict[str, tuple[Evidence, ...]]
    reviews: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class IncrementalResolution:
    """The whole resolution, every unit's result (to keep for the next run), and what was redone.

    ``recomputed`` counts the units clustered in this run, ``extended`` those of them that started
    from their earlier clusters, ``reused`` the units kept as they were.
    """

    resolution: Resolution
    units: dict[str, UnitResult]
    recomputed: int
    reused: int
    extended: int = 0


def resolve_incrementally(
    mentions: Iterable[AuthorMention] | MentionRows,
    previous: Mapping[str, UnitResult],
    *,
    must_link: Iterable[tuple[str, str]] = (),
    cannot_link: Iterable[tuple[str, str]] = (),
    config: ClusteringConfig | None = None,
    workers: int = 1,
) -> IncrementalResolution:
    """Resolve all mentions, reusing the result of every unit whose signature is in ``previous``.

    ``workers`` processes extract features and cluster the units (the result is the same).
    """
    config = config or ClusteringConfig()
    with Workers(workers) as processes:
        prepared = prepare(mentions, must_link, cannot_link, processes)
        index = _LinkIndex(prepared)
        unit_of = {m: signature for signature, result in previous.items() for m in result.clusters}
        signed: list[tuple[str, list[MentionFeatures]]] = []
        todo: list[list[MentionFeatures]] = []
        seeds: list[Seed | None] = []
        for unit in prepared.units:
            # Each mention's text once, for the unit's signature and then its earlier parts' (_seed).
            texts = {f.mention_id: _features_text(f) for f in unit}
            signature = _signature(unit, index, config, texts)
            signed.append((signature, unit))
            if signature not in previous:
                todo.append(unit)
                seeds.append(_seed(unit, previous, unit_of, index, config, texts))
        clusters, evidence, reviews = cluster_units(todo, prepared, config, processes, seeds)
    results = {}
    # Each unit's review pairs, by their left mention (in the sorted order of `reviews`): a scan of
    # all of them per unit took 2 s on the 100k-work nightly delta's 6,203 units.
    reviews_of: dict[str, list[Evidence]] = {}
    for review in reviews:
        reviews_of.setdefault(review.left, []).append(review)
    for signature, unit in signed:
        known = previous.get(signature)
        results[signature] = known or _unit_result(signature, unit, clusters, evidence, reviews_of)
    merged = _merge(results.values(), prepared.quarantined)
    extended = sum(seed is not None for seed in seeds)
    return IncrementalResolution(merged, results, len(todo), len(signed) - len(todo), extended)


def _seed(
    unit: list[MentionFeatures],
    previous: Mapping[str, UnitResult],
    unit_of: Mapping[str, str],
    index: _LinkIndex,
    config: ClusteringConfig,
    texts: Mapping[str, str],
) -> Seed | None:
    """The earlier clusters of a unit made of whole, unchanged earlier units and new mentions, else None.

    ``texts`` holds the unit's feature texts by mention id (see :func:`_signature`).
    """
    parts: dict[str, list[MentionFeatures]] = {}
    for f in unit:
        if f.mention_id in unit_of:
            parts.setdefault(unit_of[f.mention_id], []).append(f)
    if not parts:
        return None
    for signature, earlier in parts.items():
        whole = len(previous[signature].clusters) == len(earlier)
        if not whole or _signature(earlier, index, config, texts) != signature:
            return None
    known = [previous[signature] for signature in parts]
    if len(known) == 1:
        return Seed(known[0].clusters, known[0].evidence, known[0].reviews)
    # Units joined by a new link: their clusters side by side (the link then merges two of them).
    clusters = {m: key for result in known for m, key in result.clusters.items()}
    evidence = {key: joins for result in known for key, joins in result.evidence.items()}
    return Seed(clusters, evidence, tuple(r for result in known for r in result.reviews))


class _LinkIndex:
    """The run's links and cannot-links by mention id, so a unit finds its own without a scan."""

    def __init__(self, prepared: Prepared) -> None:
        self.links = prepared.links
        self.links_of: dict[str, list[int]] = {}
        for position, (a, b, _) in enumerate(prepared.links):
            self.links_of.setdefault(a, []).append(position)
            self.links_of.setdefault(b, []).append(position)
        self.cannot_of: dict[str, list[frozenset[str]]] = {}
        for pair in prepared.cannot:
            for mention_id in pair:
                self.cannot_of.setdefault(mention_id, []).append(pair)


def _signature(
    unit: list[MentionFeatures],
    index: _LinkIndex,
    config: ClusteringConfig,
    texts: Mapping[str, str] | None = None,
) -> str:
    """The unit's signature; ``texts``, when given, holds its mentions' :func:`_features_text`."""
    ordered = sorted(unit, key=lambda f: f.mention_id)
    ids = [f.mention_id for f in ordered]
    inside = set(ids)
    parts = [texts[f.mention_id] for f in ordered] if texts else [_features_text(f) for f in ordered]
    # Every link and cannot-link between two of the mentions (the only ones their clustering reads),
    # once each, as a scan of all of them would find them.
    positions = {p for m in ids for p in index.links_of.get(m, ()) if inside.issuperset(index.links[p][:2])}
    parts += sorted(repr(index.links[p]) for p in positions)
    pairs = {pair for m in ids for pair in index.cannot_of.get(m, ()) if pair <= inside}
    parts += sorted(repr(sorted(pair)) for pair in pairs)
    parts.append(repr(config))
    parts.append(f"resolver {RESOLVER_VERSION}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _features_text(f: MentionFeatures) -> str:
    """Every field of a mention's features (what blocking and scoring read) as JSON, sets and counts
    sorted so the text is the same in every process (twice as fast as their repr)."""
    return orjson.dumps(feature_values(f), default=_sorted_set, option=orjson.OPT_SORT_KEYS).decode()


def _sorted_set(value: object) -> list[str]:
    if isinstance(value, frozenset):
        return sorted(value)
    raise TypeError(f"no JSON form for {type(value).__name__}")


def _unit_result(
    signature: str,
    unit: list[MentionFeatures],
    clusters: Mapping[str, str],
    evidence: Mapping[str, tuple[Evidence, ...]],
    reviews_of: Mapping[str, list[Evidence]],
) -> UnitResult:
    own = {m: clusters[m] for m in sorted(f.mention_id for f in unit)}
    keys = set(own.values())
    return UnitResult(
        signature,
        own,
        {k: evidence[k] for k in sorted(keys) if k in evidence},
        tuple(r for m in own for r in reviews_of.get(m, ())),
    )


def _merge(results: Iterable[UnitResult], quarantined: dict[str, str]) -> Resolution:
    clusters: dict[str, str] = {}
    evidence: dict[str, tuple[Evidence, ...]] = {}
    reviews: list[Evidence] = []
    for result in results:
        clusters.update(result.clusters)
        evidence.update(result.evidence)
        reviews.extend(result.reviews)
    reviews.sort(key=lambda e: (e.left, e.right))
    return Resolution(clusters, evidence, tuple(reviews), quarantined)
