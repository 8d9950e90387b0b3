"""Incremental resolution: a nightly import re-clusters only the units its new mentions touch.

A *unit* is what :func:`dedupe.blocking.group_units` forms (one name key, joined by must-links); units
are clustered independently. Each unit gets a signature: a hash of its mentions (every field the
scoring reads), its links and cannot-links and the clustering configuration. A unit whose signature
was resolved before keeps that result; the others are clustered with the current weights. Term
weights (idf) of a reused unit are those of the run that resolved it: a full rebuild
(``previous={}``) recomputes every unit with the current ones.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dedupe.clustering import ClusteringConfig, Prepared, Resolution, cluster_units, prepare
from dedupe.mentions import AuthorMention, MentionFeatures
from dedupe.scoring import Evidence

__all__ = ["IncrementalResolution", "UnitResult", "resolve_incrementally"]


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
    mentions: Iterable[AuthorMention],
    previous: Mapping[str, UnitResult],
    *,
    must_link: Iterable[tuple[str, str]] = (),
    cannot_link: Iterable[tuple[str, str]] = (),
    config: ClusteringConfig | None = None,
) -> IncrementalResolution:
    """Resolve all mentions, reusing the result of every unit whose signature is in ``previous``."""
    config = config or ClusteringConfig()
    by_id = {m.mention_id: m for m in mentions}
    prepared = prepare(by_id.values(), must_link, cannot_link)
    signed = [(_signature(unit, by_id, prepared, config), unit) for unit in prepared.units]
    todo = [unit for signature, unit in signed if signature not in previous]
    clusters, evidence, reviews = cluster_units(todo, prepared, config)
    results = {}
    for signature, unit in signed:
        known = previous.get(signature)
        results[signature] = known or _unit_result(signature, unit, clusters, evidence, reviews)
    merged = _merge(results.values(), prepared.quarantined)
    return IncrementalResolution(merged, results, recomputed=len(todo), reused=len(signed) - len(todo))


def _signature(
    unit: list[MentionFeatures],
    by_id: Mapping[str, AuthorMention],
    prepared: Prepared,
    config: ClusteringConfig,
) -> str:
    ids = {f.mention_id for f in unit}
    parts = [repr(by_id[m]) for m in sorted(ids)]
    parts += sorted(repr(link) for link in prepared.links if link[0] in ids or link[1] in ids)
    parts += sorted(repr(sorted(pair)) for pair in prepared.cannot if pair & ids)
    parts.append(repr(config))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


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
