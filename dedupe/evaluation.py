"""Evaluation of author resolution on labeled sets: B-cubed and pairwise metrics, with a baseline.

Metrics are computed per name group (XML file / S2AND block) and reported micro (over all mentions or
pairs) and macro (mean over names). Conventions: a name with no predicted pairs has pairwise precision
1; with no true pairs, pairwise recall 1. Names are split for tuning by the parity of the sha1 of the
group name: even = ``tune``, odd = ``holdout``.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson
from rapidfuzz import fuzz, process

from dedupe.clustering import ClusteringConfig, resolve_authors
from dedupe.labeled import EvaluationDataError, LabeledMention, read_aminer_xml, read_s2and
from dedupe.names import UnusableNameError, normalize_name

__all__ = [
    "EvaluationDataError",
    "EvaluationReport",
    "Metrics",
    "NameErrors",
    "evaluate_aminer",
    "evaluate_labeled",
    "evaluate_s2and",
    "name_errors",
    "name_only_clusters",
    "partition_metrics",
    "split_of",
]

_BASELINE_RATIO = 90.0  # name-only baseline: same person when fuzz.ratio of normalised names >= this


@dataclass(frozen=True, slots=True)
class Metrics:
    """B-cubed and pairwise precision/recall/F1, micro and macro, over some names."""

    names: int
    mentions: int
    bcubed_micro: tuple[float, float, float]
    bcubed_macro: tuple[float, float, float]
    pairwise_micro: tuple[float, float, float]
    pairwise_macro: tuple[float, float, float]

    def to_text(self) -> str:
        def row(label: str, values: tuple[float, float, float]) -> str:
            return f"  {label:<16} P={values[0]:.4f} R={values[1]:.4f} F1={values[2]:.4f}"

        return "\n".join(
            [
                f"  {self.names} names, {self.mentions} mentions",
                row("B-cubed micro", self.bcubed_micro),
                row("B-cubed macro", self.bcubed_macro),
                row("pairwise micro", self.pairwise_micro),
                row("pairwise macro", self.pairwise_macro),
            ]
        )


@dataclass(frozen=True, slots=True)
class NameErrors:
    """Where the resolver went wrong on one name: the pairs it kept apart or joined against the labels.

    Attributes:
        name: The group (XML file stem, or S2AND block).
        split: ``tune`` or ``holdout`` (see :func:`split_of`).
        mentions: Its labeled mentions.
        persons: True people among them.
        clusters: Predicted clusters among them.
        missed_pairs: Mention pairs of one person that were kept apart.
        wrong_pairs: Mention pairs of different people that were joined.
    """

    name: str
    split: str
    mentions: int
    persons: int
    clusters: int
    missed_pairs: int
    wrong_pairs: int


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    """Model and name-only baseline metrics on one labeled set, overall and per tuning split.

    Attributes:
        dataset: What was read (reader and folder).
        model: split (``all``, ``tune``, ``holdout``) -> metrics of the resolver.
        baseline: split -> metrics of the name-only baseline.
        seconds: Wall time of the resolver over the whole set (reading excluded).
        predictions: (name, publication_id, predicted cluster) per labeled mention.
        errors: Every name with a wrong pair, most wrong pairs (missed + joined) first.
    """

    dataset: str
    model: Mapping[str, Metrics]
    baseline: Mapping[str, Metrics]
    seconds: float
    predictions: tuple[tuple[str, str, str], ...]
    errors: tuple[NameErrors, ...] = ()

    def to_text(self) -> str:
        lines = [f"{self.dataset}: resolved in {self.seconds:.1f} s"]
        for split in self.model:
            lines += [f" model, {split}:", self.model[split].to_text()]
            lines += [f" name-only baseline, {split}:", self.baseline[split].to_text()]
        return "\n".join(lines)

    def write_predictions(self, path: str | Path) -> None:
        """Write one JSON line per publication: ``{"name", "publication_id", "cluster"}`` (its folder
        is made if missing)."""
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        with Path(path).open("wb") as out:
            for name, publication_id, cluster in self.predictions:
                row = {"name": name, "publication_id": publication_id, "cluster": cluster}
                out.write(orjson.dumps(row) + b"\n")


def split_of(name: str) -> str:
    """``"tune"`` when the sha1 of the name (UTF-8) is even, else ``"holdout"``."""
    return "tune" if hashlib.sha1(name.encode("utf-8")).digest()[-1] % 2 == 0 else "holdout"


def evaluate_aminer(directory: str | Path, config: ClusteringConfig | None = None) -> EvaluationReport:
    """Resolve and score an AMiner/Qian XML folder (see :func:`dedupe.labeled.read_aminer_xml`).

    Raises:
        EvaluationDataError: The folder or one of its files cannot be read.
    """
    return evaluate_labeled(f"aminer-xml {directory}", read_aminer_xml(directory), config)


def evaluate_s2and(directory: str | Path, config: ClusteringConfig | None = None) -> EvaluationReport:
    """Resolve and score an S2AND folder (see :func:`dedupe.labeled.read_s2and`).

    Raises:
        EvaluationDataError: The folder or one of its files cannot be read.
    """
    return evaluate_labeled(f"s2and {directory}", read_s2and(directory), config)


def evaluate_labeled(
    dataset: str, rows: Sequence[LabeledMention], config: ClusteringConfig | None = None
) -> EvaluationReport:
    """Resolve each name group of labeled mentions, then score against the labels."""
    groups: dict[str, list[LabeledMention]] = defaultdict(list)
    for row in rows:
        groups[row.name].append(row)
    started = time.perf_counter()
    # One run over all names, as in production: word weights come from the whole set, and blocking
    # (not the file or block of the data set) decides what is compared.
    resolution = resolve_authors([r.mention for r in rows], config=config)
    predicted = dict(resolution.clusters)
    # A quarantined mention (unusable name) is its own cluster: it was not merged with anyone.
    predicted.update({m: f"quarantined:{m}" for m in resolution.quarantined})
    seconds = time.perf_counter() - started
    baseline = {m: c for g in groups.values() for m, c in name_only_clusters(g).items()}
    return EvaluationReport(
        dataset=dataset,
        model=_by_split(groups, predicted),
        baseline=_by_split(groups, baseline),
        seconds=seconds,
        predictions=tuple((r.name, r.publication_id, predicted[r.mention.mention_id]) for r in rows),
        errors=name_errors(groups, predicted),
    )


def name_errors(
    groups: Mapping[str, Sequence[LabeledMention]], predicted: Mapping[str, str]
) -> tuple[NameErrors, ...]:
    """The names with a wrong pair, most wrong pairs first (then by name): where to look first."""
    errors = []
    for name, group in groups.items():
        truth = {r.mention.mention_id: r.label for r in group}
        pred = {m: predicted[m] for m in truth}
        right, joined, same_person = _pair_counts(truth, pred)  # right pairs of the joined ones
        missed, wrong = same_person - right, joined - right
        if missed or wrong:
            persons, clusters = len(set(truth.values())), len(set(pred.values()))
            errors.append(NameErrors(name, split_of(name), len(truth), persons, clusters, missed, wrong))
    return tuple(sorted(errors, key=lambda e: (-(e.missed_pairs + e.wrong_pairs), e.name)))


def name_only_clusters(rows: Sequence[LabeledMention]) -> dict[str, str]:
    """Baseline: join mentions whose normalised names have rapidfuzz ratio >= 90 (transitively)."""
    names = [_baseline_name(r.mention.raw_name) for r in rows]
    ids = [r.mention.mention_id for r in rows]
    distinct = sorted(set(names))
    matrix = process.cdist(distinct, distinct, scorer=fuzz.ratio)
    parent = list(range(len(distinct)))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i, j in zip(*(matrix >= _BASELINE_RATIO).nonzero(), strict=True):
        ri, rj = find(int(i)), find(int(j))
        parent[max(ri, rj)] = min(ri, rj)
    index = {name: i for i, name in enumerate(distinct)}
    first: dict[int, str] = {}
    for mention_id, name in sorted(zip(ids, names, strict=True)):
        first.setdefault(find(index[name]), mention_id)
    return {m: first[find(index[n])] for m, n in zip(ids, names, strict=True)}


def _baseline_name(raw: str) -> str:
    try:
        return normalize_name(raw)
    except UnusableNameError:
        return raw.lower()


def partition_metrics(rows: Sequence[LabeledMention], predicted: Mapping[str, str]) -> Metrics:
    """Metrics of a predicted partition (mention_id -> cluster) against labeled rows."""
    groups: dict[str, list[LabeledMention]] = defaultdict(list)
    for row in rows:
        groups[row.name].append(row)
    return _metrics([groups[name] for name in sorted(groups)], predicted)


def _by_split(
    groups: Mapping[str, Sequence[LabeledMention]], predicted: Mapping[str, str]
) -> dict[str, Metrics]:
    splits: dict[str, list[Sequence[LabeledMention]]] = {"all": [], "tune": [], "holdout": []}
    for name in sorted(groups):
        splits["all"].append(groups[name])
        splits[split_of(name)].append(groups[name])
    return {split: _metrics(members, predicted) for split, members in splits.items()}


def _metrics(groups: Iterable[Sequence[LabeledMention]], predicted: Mapping[str, str]) -> Metrics:
    per_name: list[tuple[int, tuple[float, float], tuple[int, int, int]]] = []
    for group in groups:
        truth = {r.mention.mention_id: r.label for r in group}
        pred = {m: predicted[m] for m in truth}
        per_name.append((len(truth), _bcubed(truth, pred), _pair_counts(truth, pred)))
    total = sum(n for n, _, _ in per_name) or 1
    micro_b = tuple(sum(n * b[k] for n, b, _ in per_name) / total for k in (0, 1))
    macro_b = tuple(sum(b[k] for _, b, _ in per_name) / (len(per_name) or 1) for k in (0, 1))
    tp, pp, tt = (sum(c[k] for _, _, c in per_name) for k in range(3))
    pair_rates = [_rates(*c) for _, _, c in per_name]
    macro_p = tuple(sum(r[k] for r in pair_rates) / (len(pair_rates) or 1) for k in (0, 1))
    return Metrics(
        names=len(per_name),
        mentions=sum(n for n, _, _ in per_name),
        bcubed_micro=_with_f1(micro_b[0], micro_b[1]),
        bcubed_macro=_with_f1(macro_b[0], macro_b[1]),
        pairwise_micro=_with_f1(*_rates(tp, pp, tt)),
        pairwise_macro=_with_f1(macro_p[0], macro_p[1]),
    )


def _bcubed(truth: Mapping[str, str], pred: Mapping[str, str]) -> tuple[float, float]:
    joint = Counter((truth[m], pred[m]) for m in truth)
    true_sizes, pred_sizes = Counter(truth.values()), Counter(pred.values())
    precision = sum(c * c / pred_sizes[p] for (_, p), c in joint.items()) / len(truth)
    recall = sum(c * c / true_sizes[t] for (t, _), c in joint.items()) / len(truth)
    return precision, recall


def _pair_counts(truth: Mapping[str, str], pred: Mapping[str, str]) -> tuple[int, int, int]:
    def pairs(counts: Iterable[int]) -> int:
        return sum(c * (c - 1) // 2 for c in counts)

    joint = Counter((truth[m], pred[m]) for m in truth)
    return (
        pairs(joint.values()),
        pairs(Counter(pred.values()).values()),
        pairs(Counter(truth.values()).values()),
    )


def _rates(true_positive: int, predicted: int, actual: int) -> tuple[float, float]:
    return (true_positive / predicted if predicted else 1.0, true_positive / actual if actual else 1.0)


def _with_f1(precision: float, recall: float) -> tuple[float, float, float]:
    total = precision + recall
    return precision, recall, (2 * precision * recall / total if total else 0.0)
