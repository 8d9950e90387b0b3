"""Stable author ids across runs: which id each cluster keeps, which ids retire, and to whom.

The rule (README, "Stable author ids"):

1. Each previous author id goes to the new cluster that holds the most of its previous mentions;
   pairs are taken by that count (highest first), then by id, so a cluster keeps at most one id
   and an id goes to at most one cluster. A person who gains works keeps their id; of two merged
   people, the id with more mentions survives; a split-off part gets a new id and the larger part
   keeps the old one.
2. A cluster left without an id gets a new one derived from its smallest mention id; when that id
   was ever given before (a split-off part holding the mention the old id was derived from, or a
   retired id), the next one free of ``<mention id>#1``, ``#2``, ... instead. An id never names two
   people: a profile link to an old id always reaches that id's person or their successor.
3. A previous id that no cluster kept is retired and redirects to the cluster holding the most of
   its previous mentions (``merged``), or to nothing when all its mentions are gone (``removed``).
   Redirect chains are followed, so every retired id points at a live id.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["IdAssignment", "Redirect", "assign_author_ids", "new_author_id"]


@dataclass(frozen=True, slots=True)
class Redirect:
    """A retired author id and the live id a profile link should follow (None: removed)."""

    retired_id: str
    successor_id: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class IdAssignment:
    """Author id per cluster key, and the redirects of every id retired so far."""

    author_of: dict[str, str]
    redirects: tuple[Redirect, ...]


def new_author_id(cluster_key: str) -> str:
    """A new author id, derived from the cluster's smallest mention id (deterministic)."""
    return "bz" + hashlib.sha1(cluster_key.encode()).hexdigest()[:14]


def assign_author_ids(
    clusters: Mapping[str, str],
    previous: Mapping[str, str],
    earlier_redirects: tuple[Redirect, ...] = (),
) -> IdAssignment:
    """Give every cluster an author id, keeping previous ids where the rule says so.

    Args:
        clusters: mention_id -> cluster key, from this run's resolution.
        previous: mention_id -> author id, as published by the last run.
        earlier_redirects: Redirects published by earlier runs (kept and re-pointed).

    Returns:
        The ids and the complete redirect table.
    """
    overlap: Counter[tuple[str, str]] = Counter(
        (old, clusters[m]) for m, old in previous.items() if m in clusters
    )
    author_of: dict[str, str] = {}
    kept: set[str] = set()
    for (old, cluster), _ in sorted(overlap.items(), key=lambda item: (-item[1], item[0])):
        if old not in kept and cluster not in author_of:
            author_of[cluster] = old
            kept.add(old)
    used = kept | set(previous.values()) | {r.retired_id for r in earlier_redirects}
    for cluster in sorted(set(clusters.values()) - author_of.keys()):
        author_id, attempt = new_author_id(cluster), 0
        while author_id in used:
            attempt += 1
            author_id = new_author_id(f"{cluster}#{attempt}")
        author_of[cluster] = author_id
        used.add(author_id)
    retired = _retire(set(previous.values()) - kept, overlap, author_of)
    return IdAssignment(author_of, _follow_chains([*earlier_redirects, *retired], set(author_of.values())))


def _retire(ids: set[str], overlap: Counter[tuple[str, str]], author_of: Mapping[str, str]) -> list[Redirect]:
    heirs: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for (old, cluster), count in overlap.items():
        heirs[old].append((-count, author_of[cluster]))
    return [
        Redirect(old, min(heirs[old])[1], "merged") if heirs[old] else Redirect(old, None, "removed")
        for old in sorted(ids)
    ]


def _follow_chains(redirects: list[Redirect], live: set[str]) -> tuple[Redirect, ...]:
    """Re-point every retired id at a live id; a retired id that is live again is dropped."""
    latest = {r.retired_id: r for r in redirects if r.retired_id not in live}
    resolved = []
    for retired_id in sorted(latest):
        redirect, seen = latest[retired_id], {retired_id}
        successor = redirect.successor_id
        while successor is not None and successor not in live and successor not in seen:
            seen.add(successor)
            successor = latest[successor].successor_id if successor in latest else None
        resolved.append(Redirect(retired_id, successor if successor in live else None, redirect.reason))
    return tuple(resolved)
