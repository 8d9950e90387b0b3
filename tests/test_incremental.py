"""Nightly resolution: a unit that only gained mentions extends its earlier clusters (dedupe.incremental).

The Qian/DBLP labeled set arrives in two nights, as a warehouse and its next delta would: the papers
of the earliest 90% (by year, then id) first, then the rest.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from dedupe import clustering, incremental
from dedupe.clustering import ClusteringConfig
from dedupe.evaluation import partition_metrics
from dedupe.incremental import IncrementalResolution, resolve_incrementally
from dedupe.labeled import LabeledMention, read_aminer_xml
from dedupe.mentions import AuthorMention, extract_features

QIAN = Path(__file__).resolve().parents[1] / "recorded" / "disambiguation" / "qian-dblp-xml"

Nights = tuple[list[AuthorMention], list[AuthorMention], IncrementalResolution, IncrementalResolution]


@pytest.fixture(scope="module")
def rows() -> list[LabeledMention]:
    return read_aminer_xml(QIAN)


@pytest.fixture(scope="module")
def nights(rows: list[LabeledMention]) -> Nights:
    """(the first night's mentions, every mention, the first night's resolution, the second's)."""
    every = [r.mention for r in sorted(rows, key=lambda r: (r.mention.year or 0, r.mention.mention_id))]
    earlier = every[: len(every) * 9 // 10]
    first = resolve_incrementally(earlier, {})
    return earlier, every, first, resolve_incrementally(every, first.units)


def _partition(clusters: dict[str, str]) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for mention, key in clusters.items():
        groups.setdefault(key, set()).add(mention)
    return {frozenset(g) for g in groups.values()}


def _joined_pair(nights: Nights) -> tuple[str, str]:
    """A new mention and an earlier one it joined in the second night."""
    earlier, every, first, second = nights
    after = second.resolution.clusters
    new = sorted({m.mention_id for m in every} - {m.mention_id for m in earlier})
    return next((n, after[n]) for n in new if after[n] in first.resolution.clusters)


def test_units_that_only_gained_mentions_extend_their_clusters(
    rows: list[LabeledMention], nights: Nights
) -> None:
    _, every, first, second = nights
    assert (first.recomputed, first.extended, first.reused) == (570, 0, 0)
    # 151 units gained mentions; 15 are new names; the other 419 are untouched.
    assert (second.recomputed, second.extended, second.reused) == (166, 151, 419)
    # No earlier cluster is split by the new mentions.
    after = second.resolution.clusters
    assert all(len({after[m] for m in group}) == 1 for group in _partition(first.resolution.clusters))
    # The people found score close to one full resolution of the whole set, which gives B-cubed
    # (0.9876, 0.8041, 0.8864) and pairwise precision 0.9859: the first run (90% of the papers)
    # joins two held-out Wei Wangs that the full run keeps apart, and extending never splits them; the
    # chain also keeps more of Lei Chen apart (docs/RESOLUTION-EXPERIMENTS.md).
    metrics = partition_metrics(rows, after)
    assert tuple(round(x, 4) for x in metrics.bcubed_micro) == (0.9801, 0.8006, 0.8813)
    assert round(metrics.pairwise_micro[0], 4) == 0.9459
    # Input order still does not matter.
    assert resolve_incrementally(list(reversed(every)), first.units).resolution == second.resolution


def test_an_extended_cluster_keeps_its_earlier_joins_then_adds_the_new_one(nights: Nights) -> None:
    _, _, first, second = nights
    new, key = _joined_pair(nights)
    assert (new, key) == ("Abdul_Sattar#00011", "Abdul_Sattar#00007")
    earlier = first.resolution.evidence[key]
    assert [(e.left, e.right) for e in earlier] == [(key, f"Abdul_Sattar#{i:05}") for i in (8, 9, 10)]
    # The earlier joins stay in the process that holds them (workers get the seeds without them)
    # and come back in order, before the join of the new mention.
    joins = second.resolution.evidence[key]
    assert joins[:3] == earlier
    assert [(e.left, e.right, e.rule) for e in joins[3:]] == [(key, new, "score")]


def test_extended_units_give_live_review_pairs(nights: Nights) -> None:
    second = nights[3].resolution
    config = ClusteringConfig()
    assert len(second.reviews) == 260
    for pair in second.reviews:
        # Both sides are clusters of this run (earlier pairs whose clusters changed were rescored).
        assert second.clusters[pair.left] == pair.left != pair.right == second.clusters[pair.right]
        assert config.review_low <= pair.score < config.threshold


def test_a_new_resolver_version_clusters_every_unit_from_scratch(
    nights: Nights, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, every, first, _ = nights
    monkeypatch.setattr(incremental, "RESOLVER_VERSION", incremental.RESOLVER_VERSION + 1)
    upgraded = resolve_incrementally(every, first.units)
    # No signature of the earlier code matches: 585 units, none extended or reused, as a rebuild.
    assert (upgraded.recomputed, upgraded.extended, upgraded.reused) == (585, 0, 0)
    assert upgraded.resolution == resolve_incrementally(every, {}).resolution


def test_a_changed_earlier_mention_or_new_split_clusters_its_unit_from_scratch(nights: Nights) -> None:
    _, every, first, _ = nights
    new, old = _joined_pair(nights)
    # A correction to an earlier paper of the unit (here its title) changes what its clusters rest on.
    edited = [replace(m, title=m.title + " (corrected)") if m.mention_id == old else m for m in every]
    again = resolve_incrementally(edited, first.units)
    assert (again.recomputed, again.extended) == (166, 150)
    # So does an operator's split between two earlier mentions of one cluster: it holds.
    other = next(m for m, key in first.resolution.clusters.items() if key == old and m != old)
    split = resolve_incrementally(every, first.units, cannot_link=[(old, other)])
    assert (split.recomputed, split.extended) == (166, 150)
    assert split.resolution.clusters[old] != split.resolution.clusters[other]
    # A split between a new mention and an earlier one still extends the unit, and holds.
    apart = resolve_incrementally(every, first.units, cannot_link=[(new, old)])
    assert (apart.recomputed, apart.extended) == (166, 151)
    assert apart.resolution.clusters[new] != apart.resolution.clusters[old]
    key = {m.mention_id: extract_features(m).name.key for m in every if m.mention_id in (new, old)}
    assert key[new] == key[old]  # one unit


def test_a_new_link_between_earlier_units_extends_them_joined(nights: Nights) -> None:
    _, every, first, second = nights
    _, old = _joined_pair(nights)
    # An operator links it to a mention of an earlier unit that no new mention touched.
    untouched = next(u for s, u in sorted(first.units.items()) if s in second.units and len(u.clusters) > 1)
    other = min(untouched.clusters)
    joined = resolve_incrementally(every, first.units, must_link=[(old, other)])
    # One unit fewer is reused: it is extended together with the other, not clustered from scratch.
    assert (joined.recomputed, joined.extended, joined.reused) == (166, 151, 418)
    after = joined.resolution.clusters
    assert after[old] == after[other]
    assert all(len({after[m] for m in group}) == 1 for group in _partition(first.resolution.clusters))


def test_extending_in_worker_processes_gives_the_same_clusters(
    nights: Nights, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, every, first, second = nights
    monkeypatch.setattr(clustering, "PARALLEL_MIN_MENTIONS", 0)  # this set is too small to use them
    assert resolve_incrementally(every, first.units, workers=2) == second
