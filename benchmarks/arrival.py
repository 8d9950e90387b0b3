"""How the order papers arrive in changes the people found: Qian/DBLP fed in chains of nightly runs.

``python -m benchmarks.arrival`` resolves the labeled set once in full, then in chains of runs over
growing prefixes (papers by year, then id; or in a seeded random order), each run extending the
previous one's units as a nightly import does (:mod:`dedupe.incremental`). It prints one line per
chain: B-cubed precision / recall / F1 and pairwise precision / recall, micro over all mentions.
Quality, not speed: a few seconds per chain; the table is in docs/RESOLUTION-EXPERIMENTS.md.
"""

from __future__ import annotations

import random

from benchmarks.common import REPO
from dedupe.evaluation import partition_metrics
from dedupe.incremental import UnitResult, resolve_incrementally
from dedupe.labeled import LabeledMention, read_aminer_xml

# (name, share of the papers in the first run, runs after it, arrival order random)
CHAINS = [
    ("99%, then 1%", 0.99, 1, False),
    ("90%, then 10%", 0.9, 1, False),
    ("90%, then 10 runs of 1%", 0.9, 10, False),
    ("50%, then 50%", 0.5, 1, False),
    ("10 runs of 10%", 0.1, 9, False),
    ("40 runs of 2.5%", 0.025, 39, False),
    ("2 runs of 50%, papers in random order", 0.5, 1, True),
]


def chain(rows: list[LabeledMention], first: float, runs: int, shuffled: bool) -> dict[str, str]:
    """The clusters (mention -> key) after the chain's last run."""
    if shuffled:
        ordered = random.Random(1).sample(rows, len(rows))
    else:
        ordered = sorted(rows, key=lambda r: (r.mention.year or 0, r.mention.mention_id))
    start = int(len(ordered) * first)
    cuts = [start + (len(ordered) - start) * k // max(runs, 1) for k in range(runs + 1)]
    units: dict[str, UnitResult] = {}
    clusters: dict[str, str] = {}
    for cut in cuts:
        outcome = resolve_incrementally([r.mention for r in ordered[:cut]], units)
        units, clusters = outcome.units, outcome.resolution.clusters
    return clusters


def line(name: str, rows: list[LabeledMention], clusters: dict[str, str]) -> str:
    metrics = partition_metrics(rows, clusters)
    bcubed = " / ".join(f"{x:.4f}" for x in metrics.bcubed_micro)
    pairwise = " / ".join(f"{x:.4f}" for x in metrics.pairwise_micro[:2])
    return f"| {name} | {bcubed} | {pairwise} |"


def main() -> None:
    rows = read_aminer_xml(REPO / "recorded" / "disambiguation" / "qian-dblp-xml")
    print("| how the mentions arrived | B-cubed P / R / F1 (micro) | pairwise P / R |")
    print("|---|---|---|")
    print(line("all at once (full run)", rows, chain(rows, 1.0, 0, False)), flush=True)
    for name, first, runs, shuffled in CHAINS:
        print(line(name, rows, chain(rows, first, runs, shuffled)), flush=True)


if __name__ == "__main__":
    main()
