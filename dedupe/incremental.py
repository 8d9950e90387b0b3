"""Incremental resolution: a nightly import re-clusters only the units its new mentions touch.

A *unit* is what :func:`dedupe.blocking.group_units` forms (one name key, joined by must-links); units
are clustered independently. Each unit gets a signature: a hash of its mentions' features (every
field blocking and scoring read, so no mention is kept once its features are extracted), its links
and cannot-links, the clustering configuration and :data:`RESOLVER_VERSION`. A unit whose signature
was resolved before keeps that result; the others are clustered with the current weights. Term
weights (idf) of a reused unit are those of the run that resolved it: a full rebuild
(``previous={}``) recomputes every unit with the current ones.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dedupe.clustering import ClusteringConfig, Prepared, Resolution, Workers, cluster_units, prepare
from dedupe.mentions import AuthorMention, MentionFeatures, MentionRows, feature_values
from dedupe.scoring import Evidence

__all__ = ["RESOLVER_VERSION", "IncrementalResolution", "UnitResult", "resolve_incrementally"]


# Bump when blocking, features or scoring change in a way the configuration does not show: every
# unit is then resolved again instead of reusing results of the previous code.
RESOLVER_VERSION = 3


@dataclass(frozen=True, slots=True)
class UnitResult:
    """What one unit resolved to: its clusters, the joins that built them, its review pairs."""

    signature: str
    clusters: dict[str, str]
    evidence: dict[str, tuple[Evidence, ...]]
    reviews: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class IncrementalResolution:
    """The whole resolution, every unit's result (to keep for the next run), and what was redone."""

    resolution: Resolution
    units: dict[str, UnitResult]
    recomputed: int
    reused: int


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
        signed = [(_signature(unit, index, config), unit) for unit in prepared.units]
        todo = [unit for signature, unit in signed if signature not in previous]
        clusters, evidence, reviews = cluster_units(todo, prepared, config, processes)
    results = {}
    for signature, unit in signed:
        known = previous.get(signature)
        results[signature] = known or _unit_result(signature, unit, clusters, evidence, reviews)
    merged = _merge(results.values(), prepared.quarantined)
    return IncrementalResolution(merged, results, recomputed=len(todo), reused=len(signed) - len(todo))


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


def _signature(unit: list[MentionFeatures], index: _LinkIndex, config: ClusteringConfig) -> str:
    ordered = sorted(unit, key=lambda f: f.mention_id)
    ids = [f.mention_id for f in ordered]
    parts = [_features_text(f) for f in ordered]
    # Every link and cannot-link with an end in the unit, once each (as a scan of all of them would).
    positions = {p for m in ids for p in index.links_of.get(m, ())}
    parts += sorted(repr(index.links[p]) for p in positions)
    pairs = {pair for m in ids for pair in index.cannot_of.get(m, ())}
    parts += sorted(repr(sorted(pair)) for pair in pairs)
    parts.append(repr(config))
    parts.append(f"resolver {RESOLVER_VERSION}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _features_text(f: MentionFeatures) -> str:
    """Every field of a mention's features (what blocking and scoring read), sets and counts sorted
    so the text is the same in every process."""
    return repr(tuple(_sorted(value) for value in feature_values(f)))


def _sorted(value: object) -> object:
    if isinstance(value, Counter):
        return sorted(value.items())
    if isinstance(value, frozenset):
        return sorted(value)
    return value


def _unit_result(
    signature: str,
    unit: list[MentionFeatures],
    clusters: Mapping[str, str],
    evidence: Mapping[str, tuple[Evidence, ...]],
    reviews: list[Evidence],
) -> UnitResult:
    ids = {f.mention_id for f in unit}
    own = {m: clusters[m] for m in sorted(ids)}
    keys = set(own.values())
    return UnitResult(
        signature,
        own,
        {k: evidence[k] for k in sorted(keys) if k in evidence},
        tuple(r for r in reviews if r.left in ids),
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
