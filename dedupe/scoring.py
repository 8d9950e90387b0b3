"""Evidence between two mentions, or two clusters of mentions, and the score that weighs it.

The score is a logistic model over a handful of symmetric similarities (see :class:`ScoringWeights`
for every constant and where it comes from), so it is bounded in [0, 1] and ``score(a, b) ==
score(b, a)``. Two things are not weighed but decide alone: equal ORCID iDs join (a must-link, applied
before scoring) and different ORCID iDs, incompatible given names or two positions on one work keep
apart (a cannot-link, score 0).
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from functools import lru_cache
from operator import attrgetter
from typing import Any

import numpy
from rapidfuzz import fuzz, process

from dedupe.mentions import AuthorMention, MentionFeatures, extract_features
from dedupe.names import (
    ParsedName,
    given_name_similarity,
    is_east_asian,
    is_east_asian_key,
    is_long_chinese_given,
)

__all__ = [
    "DEFAULT_WEIGHTS",
    "EVIDENCE_FIELDS",
    "Evidence",
    "Profile",
    "ScoringWeights",
    "evidence_field_values",
    "evidence_values",
    "inverse_frequencies",
    "score_pair",
    "score_profiles",
]

_MAX_AFFILIATIONS = 12  # per side, most frequent first: bounds the cdist matrix of big clusters


@dataclass(frozen=True, slots=True)
class ScoringWeights:
    """Log-odds weights of the evidence; the score is ``sigmoid(sum(weight * feature))``.

    Where the numbers come from: a logistic regression on mention pairs of the tuning half of the Qian
    DBLP set (names whose sha1 is even) gave the relative sizes of the co-author, venue and title
    weights; bias, east_asian, coauthor, coauthor_cosine, title, topic, size_damping and the merge
    threshold were then set by a small grid on that half (B-cubed F1 with pairwise precision >= 0.97),
    rounded. Affiliation and affiliation_cosine were checked on the tuning half of S2AND-qian (the only
    labeled set here with affiliations: any affiliation_cosine from 0.6 to 5 gave the same clustering
    there; the smallest round value that clears the East Asian prior was kept). On Qian joined with
    S2AND's affiliations (``benchmarks/qian_affiliations.py``: both kinds of evidence), no single move
    of these weights scored better on its tuning half (docs/RESOLUTION-EXPERIMENTS.md). Institution
    ids, source ids and the name-mismatch cost have no labeled data here and are set by hand. A
    shared venue or a similar affiliation alone joins names, Chinese names with a given name of two
    syllables or more just, but not the other common Chinese or Korean names (bias + east_asian +
    weight < 0): precision first where namesakes abound; the same affiliation text joins them, just.
    """

    bias: float = -1.5
    east_asian: float = -2.0  # added to the bias when both sides carry common Chinese/Korean names
    # Added instead of `east_asian` when every one of those names has a Chinese given name of two or more
    # syllables (`is_long_chinese_given`: Jianping, not Wei), which fewer people share. On Qian
    # (2026-11-27, venue then undamped as for other names): B-cubed F1 tune 0.8951 -> 0.8988
    # (pairwise P 0.9865 -> 0.9866), held out 0.8645 -> 0.8698; -0.5 to -1.0 scored alike on the
    # tuning half, the more cautious end was kept (docs/RESOLUTION-EXPERIMENTS.md).
    # The base rates agree: two mentions of one name are the same person 71% of the time for other
    # names, 44% for these and 25% for the rest of the Chinese/Korean ones (log-odds 0.9, -0.2, -1.1).
    east_asian_long_given: float = -1.0
    name_mismatch: float = -4.0  # times (1 - given-name similarity): initials vs full names cost
    coauthor: float = 4.0  # per shared co-author, up to `coauthor_cap`
    coauthor_cap: int = 1
    # What a lone shared co-author counts (of `coauthor`) when it has a common Chinese/Korean name
    # (`is_east_asian_key`: "wang, wei"): many people carry it, so it may be two people. Chosen on
    # the tuning half of Qian joined with S2AND's affiliations (2026-11-27; the set nearest to data
    # with affiliations and many Chinese names): B-cubed F1 0.9334 -> 0.9338, pairwise P 0.9858 ->
    # 0.9880; held out 0.9118 -> 0.9195 (0.8978 -> 0.9752: 39 papers of one database researcher
    # named Wei Wang no longer join 65 of another's). On Qian alone the tuning half moves by noise
    # (0.8988 -> 0.8978); docs/RESOLUTION-EXPERIMENTS.md.
    common_coauthor: float = 0.6
    coauthor_cosine: float = 12.0  # times cosine of co-author counts (size-normalised overlap)
    institution: float = 3.0  # any shared institution id
    # Times fuzzy similarity of the closest affiliations above 0.5: alone, a shared affiliation joins
    # other names but only sends Chinese/Korean names to review (namesakes share universities).
    affiliation: float = 3.0
    # Times cosine of normalised affiliation-string counts: the same affiliation text on both sides
    # (1.0 for two mentions) adds this to `affiliation`, enough to join Chinese/Korean names alone but
    # only just (logit +0.5). On the tuning half of S2AND-qian, East Asian mention pairs with the same
    # affiliation were the same person 98% of the time, pairs with merely similar ones (fuzzy 0.5 to
    # 0.7) 5 to 12%. A cosine, not the closest pair, so a big cluster's many affiliations do not make
    # any newcomer from one of them look like a match (the fuzzy maximum does, and stays weak).
    affiliation_cosine: float = 1.0
    venue: float = 3.0  # times cosine of venue counts: alone, as affiliation above
    title: float = 12.0  # times cosine of idf-weighted title-word counts
    topic: float = 6.0  # times cosine of idf-weighted topic counts
    year_gap: float = 0.0  # per year between the closest publications: no signal on Qian (kept 0)
    source_id: float = 2.5  # same source author id (OpenAlex): evidence, not truth
    # Big clusters share a co-author or a topic by chance: shared-co-author and content evidence is
    # divided by (1 + this * ln(size of the smaller side)); cosines are already size-normalised.
    size_damping: float = 0.7
    # The same for the venue cosine, except between common Chinese/Korean names (which take
    # `size_damping`; those of `east_asian_long_given` do not). Two big clusters whose venue
    # distributions agree are more alike than two mentions at one venue, so no damping; but
    # namesakes who publish in one field abound among Chinese/Korean names, where it stays damped.
    # On Qian (2026-11-27): B-cubed F1 tune 0.8883 -> 0.8951 (pairwise P 0.989 -> 0.987), held out
    # 0.8559 -> 0.8645 (0.892 -> 0.897); undamped for every name joins two database researchers named
    # Wei Wang (held-out pairwise P 0.72).
    venue_size_damping: float = 0.0
    # Times ln(size of the smaller side) when the only shared evidence is title or topic words (no
    # co-author, venue, institution, affiliation or source id): two established profiles that share
    # nothing but their field are namesakes more often than not. On the Qian tuning half, such merges
    # with 5+ mentions on the smaller side were wrong 11 times in 12 (pairwise precision 0.981 -> 0.989).
    uncorroborated: float = -1.0


DEFAULT_WEIGHTS = ScoringWeights()


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why two clusters (or mentions) were joined, kept apart or sent to review.

    Attributes:
        left: Smallest mention id of the first side (the sides are ordered: ``left < right``).
        right: Smallest mention id of the second side.
        score: Probability-like score in [0, 1] (0 for a cannot-link, 1 for a must-link).
        rule: ``"score"``, or the rule that decided alone: ``"orcid"``, ``"operator"``,
            ``"same_authorship"``, ``"orcid_conflict"``, ``"name_conflict"``, ``"same_work"``.
        name_similarity: Given-name compatibility (see ``given_name_similarity``).
        east_asian: Both sides carry common Chinese/Korean names (``is_east_asian``): a lower prior.
        long_given: ``east_asian``, and every name on both sides has a Chinese given name of two or
            more syllables (``is_long_chinese_given``): a milder prior than ``east_asian`` alone.
        shared_coauthors: Distinct co-author keys on both sides.
        common_coauthor: The one shared co-author has a common Chinese/Korean name
            (``is_east_asian_key``): it counts ``ScoringWeights.common_coauthor`` of a co-author.
        coauthor_similarity: Cosine of co-author counts.
        shared_institutions: Distinct institution ids on both sides.
        affiliation_similarity: Fuzzy similarity of the closest affiliation strings.
        affiliation_cosine: Cosine of normalised affiliation-string counts.
        venue_similarity: Cosine of venue counts.
        title_similarity: Cosine of title-token counts.
        topic_similarity: Cosine of topic counts.
        year_gap: Years between the closest publications (None when a side has no year).
        same_source_id: Whether a source author id is shared.
        smaller_size: Mentions in the smaller side.
        uncorroborated: Nothing but title or topic words, if anything, is shared (no co-author, venue,
            institution, affiliation above 0.5 or source id): weighed against big sides (``ScoringWeights``).
    """

    left: str
    right: str
    score: float
    rule: str = "score"
    name_similarity: float = 0.0
    east_asian: bool = False
    long_given: bool = False
    shared_coauthors: int = 0
    common_coauthor: bool = False
    coauthor_similarity: float = 0.0
    shared_institutions: int = 0
    affiliation_similarity: float = 0.0
    affiliation_cosine: float = 0.0
    venue_similarity: float = 0.0
    title_similarity: float = 0.0
    topic_similarity: float = 0.0
    year_gap: int | None = None
    same_source_id: bool = False
    smaller_size: int = 1
    uncorroborated: bool = False

    def __reduce__(self) -> tuple[type[Evidence], tuple[Any, ...]]:
        # Pickled by position (see ParsedName.__reduce__): an extended unit sends its earlier joins
        # to a worker and gets them back, by the hundred thousand in a big warehouse.
        return Evidence, evidence_field_values(self)


EVIDENCE_FIELDS = tuple(f.name for f in fields(Evidence))
"""The names of an Evidence's fields, in order."""
evidence_field_values: Callable[[Evidence], tuple[Any, ...]] = attrgetter(*EVIDENCE_FIELDS)
"""An Evidence's field values, in order: ``Evidence(*values)`` builds it back."""


class Profile:
    """The pooled evidence of one cluster of mentions (a singleton or a merge of two profiles)."""

    __slots__ = (
        "_norms",
        "_top_affiliations",
        "affiliations",
        "anchor",
        "coauthors",
        "institutions",
        "names",
        "orcids",
        "size",
        "source_ids",
        "title_tokens",
        "topics",
        "venues",
        "works",
        "years",
    )

    def __init__(self, features: Iterable[MentionFeatures], idf: Mapping[str, float] | None = None) -> None:
        self.anchor = ""
        self.size = 0
        self.names: frozenset[ParsedName] = frozenset()  # frozen: hashable, for the caches below
        self.coauthors: Counter[str] = Counter()
        self.institutions: Counter[str] = Counter()
        self.affiliations: Counter[str] = Counter()
        # Title and topic vectors are weighted by inverse document frequency over the run
        # (see `inverse_frequencies`): words everybody uses say little about who wrote the paper.
        self.venues: Counter[str] = Counter()
        self.title_tokens: dict[str, float] = {}
        self.topics: dict[str, float] = {}
        self.years: set[int] = set()
        self.orcids: set[str] = set()
        self.source_ids: set[str] = set()
        self.works: dict[str, set[int]] = {}
        self._norms: dict[str, float] = {}
        self._top_affiliations: tuple[str, ...] | None = None
        for item in features:
            self._add(item, idf or {})

    def _add(self, m: MentionFeatures, idf: Mapping[str, float]) -> None:
        self.anchor = min(self.anchor, m.mention_id) if self.anchor else m.mention_id
        self.size += 1
        self.names = self.names | {m.name}
        self.coauthors.update(m.coauthors)
        self.institutions.update(m.institutions)
        self.affiliations.update(m.affiliations)
        if m.venue:
            self.venues[m.venue] += 1
        for token, count in m.title_tokens.items():
            weight = count * idf.get("t:" + token, 1.0)
            self.title_tokens[token] = self.title_tokens.get(token, 0.0) + weight
        for topic in m.topics:
            self.topics[topic] = self.topics.get(topic, 0.0) + idf.get("k:" + topic, 1.0)
        if m.year is not None:
            self.years.add(m.year)
        if m.orcid:
            self.orcids.add(m.orcid)
        if m.source_author_id:
            self.source_ids.add(m.source_author_id)
        if m.work_id:
            self.works.setdefault(m.work_id, set()).add(m.position)

    def norm(self, vector: str) -> float:
        """Euclidean norm of one of the count vectors, cached until the profile absorbs another."""
        value = self._norms.get(vector)
        if value is None:
            counts: Mapping[str, float] = getattr(self, vector)
            value = self._norms[vector] = math.sqrt(math.fsum([c * c for c in counts.values()]))
        return value

    def top_affiliations(self) -> tuple[str, ...]:
        """The most frequent affiliations (ties by text), at most ``_MAX_AFFILIATIONS``, cached."""
        if self._top_affiliations is None:
            counts = self.affiliations
            top = sorted(counts, key=lambda k: (-counts[k], k))[:_MAX_AFFILIATIONS]
            self._top_affiliations = tuple(top)
        return self._top_affiliations

    def absorb(self, other: Profile) -> Profile:
        """Pool ``other`` into the larger of the two, which is returned (the other is not to be used).

        Adding the smaller side into the larger keeps a growing cluster's merges linear in what it
        gains, not in what it has.
        """
        big, small = (self, other) if self.size >= other.size else (other, self)
        big.anchor = min(big.anchor, small.anchor)
        big.size += small.size
        big.names = big.names | small.names
        big.coauthors.update(small.coauthors)
        big.institutions.update(small.institutions)
        big.affiliations.update(small.affiliations)
        big.venues.update(small.venues)
        for key, value in small.title_tokens.items():
            big.title_tokens[key] = big.title_tokens.get(key, 0.0) + value
        for key, value in small.topics.items():
            big.topics[key] = big.topics.get(key, 0.0) + value
        big.years |= small.years
        big.orcids |= small.orcids
        big.source_ids |= small.source_ids
        for work, positions in small.works.items():
            big.works.setdefault(work, set()).update(positions)
        big._norms = {}
        big._top_affiliations = None
        return big


def inverse_frequencies(mentions: Sequence[MentionFeatures]) -> dict[str, float]:
    """Smoothed inverse document frequency of title words (``t:``) and topics (``k:``).

    Computed over all mentions of a run (not per block), so a word is weighed by how common it is in
    the literature: ``log(1 + (n + 10) / (df + 1))``; the +10 keeps tiny runs near uniform weights.
    """
    frequencies: Counter[str] = Counter()
    for f in mentions:
        frequencies.update({"t:" + t for t in f.title_tokens})
        frequencies.update({"k:" + t for t in f.topics})
    n = len(mentions)
    return {key: math.log(1.0 + (n + 10) / (df + 1)) for key, df in frequencies.items()}


def score_pair(
    left: AuthorMention, right: AuthorMention, weights: ScoringWeights = DEFAULT_WEIGHTS
) -> Evidence:
    """Score two mentions (symmetric, in [0, 1]).

    Raises:
        UnusableNameError: One of the names is unusable.
    """
    return score_profiles(Profile([extract_features(left)]), Profile([extract_features(right)]), weights)


def score_profiles(a: Profile, b: Profile, weights: ScoringWeights = DEFAULT_WEIGHTS) -> Evidence:
    """Score two clusters' pooled evidence; the result does not depend on argument order."""
    return Evidence(*evidence_values(a, b, weights))


# The fields of an Evidence, in order, as a plain tuple: clustering scores far more pairs than it keeps
# evidence of (a pair is rescored after every merge of either side), and a tuple costs a tenth of an
# Evidence to build. Its score is at index 2, its rule at 3.
EvidenceValues = tuple[Any, ...]


def evidence_values(a: Profile, b: Profile, w: ScoringWeights = DEFAULT_WEIGHTS) -> EvidenceValues:
    """What :func:`score_profiles` returns, as the tuple of its fields (``Evidence(*values)``)."""
    if b.anchor < a.anchor:
        a, b = b, a
    if a.orcids and b.orcids and a.orcids.isdisjoint(b.orcids):
        return _decided(a, b, 0.0, "orcid_conflict")
    if a.orcids & b.orcids:
        return _decided(a, b, 1.0, "orcid")
    name = _name_similarity(a.names, b.names)
    if name <= 0.0:
        return _decided(a, b, 0.0, "name_conflict")
    if _same_work_other_position(a, b):
        return _decided(a, b, 0.0, "same_work")
    left_east_asian, left_long = _east_asian_kind(a.names)
    right_east_asian, right_long = _east_asian_kind(b.names)
    east_asian = left_east_asian and right_east_asian
    long_given = east_asian and left_long and right_long
    most_common = east_asian and not long_given
    shared_coauthors, coauthor = _overlap(a, b, "coauthors")
    common_coauthor = shared_coauthors == 1 and _common_coauthor(a, b)
    shared_institutions = _shared(a.institutions, b.institutions)
    affiliation = _affiliation_similarity(a, b)
    affiliation_cosine = _cosine(a, b, "affiliations")
    venue = _cosine(a, b, "venues")
    title = _cosine(a, b, "title_tokens")
    topic = _cosine(a, b, "topics")
    year_gap = _year_gap(a.years, b.years)
    same_source_id = bool(a.source_ids & b.source_ids)
    smaller = min(a.size, b.size)
    uncorroborated = not (
        shared_coauthors or venue or shared_institutions or affiliation > 0.5 or same_source_id
    )
    log_size = math.log(smaller)
    venue_damping = w.size_damping if most_common else w.venue_size_damping
    logit = (
        w.bias
        + w.east_asian * most_common
        + w.east_asian_long_given * long_given
        + w.name_mismatch * (1.0 - name)
        + w.coauthor_cosine * coauthor
        + w.institution * (shared_institutions > 0)
        + w.affiliation * max(0.0, 2.0 * affiliation - 1.0)
        + w.affiliation_cosine * affiliation_cosine
        + (
            w.coauthor * _coauthors_count(shared_coauthors, common_coauthor, w)
            + w.title * title
            + w.topic * topic
        )
        / (1.0 + w.size_damping * log_size)
        + w.venue * venue / (1.0 + venue_damping * log_size)
        + w.uncorroborated * log_size * uncorroborated
        + w.year_gap * min(year_gap or 0, 20)
        + w.source_id * same_source_id
    )
    score = round(1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, logit)))), 6)
    return (
        a.anchor,
        b.anchor,
        score,
        "score",
        name,
        east_asian,
        long_given,
        shared_coauthors,
        common_coauthor,
        coauthor,
        shared_institutions,
        affiliation,
        affiliation_cosine,
        venue,
        title,
        topic,
        year_gap,
        same_source_id,
        smaller,
        uncorroborated,
    )


def _decided(a: Profile, b: Profile, score: float, rule: str) -> EvidenceValues:
    """A pair one rule decides alone: the other fields keep their defaults."""
    return (a.anchor, b.anchor, score, rule, *_DETAIL_DEFAULTS)


_DETAIL_DEFAULTS = tuple(f.default for f in fields(Evidence))[4:]  # after left, right, score, rule


# Clusters are rescored after every merge, mostly with the same few name variants: cache per name set.
@lru_cache(maxsize=1 << 16)
def _name_similarity(a: frozenset[ParsedName], b: frozenset[ParsedName]) -> float:
    return min((given_name_similarity(x, y) for x in a for y in b), default=0.0)


@lru_cache(maxsize=1 << 16)
def _east_asian_kind(names: frozenset[ParsedName]) -> tuple[bool, bool]:
    """Whether all the names are :func:`is_east_asian`, and all :func:`is_long_chinese_given`."""
    return all(is_east_asian(n) for n in names), all(is_long_chinese_given(n) for n in names)


def _common_coauthor(a: Profile, b: Profile) -> bool:
    """Whether the co-author the two sides share (there is one) has a common Chinese/Korean name."""
    (key,) = a.coauthors.keys() & b.coauthors.keys()
    return is_east_asian_key(key)


def _coauthors_count(shared: int, common: bool, w: ScoringWeights) -> float:
    """How many shared co-authors count: up to ``coauthor_cap``, a lone common-named one less."""
    return w.common_coauthor if common else min(shared, w.coauthor_cap)


def _same_work_other_position(a: Profile, b: Profile) -> bool:
    small, large = (a, b) if len(a.works) <= len(b.works) else (b, a)
    for work, positions in small.works.items():
        other = large.works.get(work)
        if other is not None and (positions != other or len(positions) > 1):
            return True
    return False


def _shared(a: Counter[str], b: Counter[str]) -> int:
    return len(a.keys() & b.keys())


def _cosine(left: Profile, right: Profile, vector: str) -> float:
    return _overlap(left, right, vector)[1]


def _overlap(left: Profile, right: Profile, vector: str) -> tuple[int, float]:
    """Keys the two count vectors share, and their cosine."""
    a: Mapping[str, float] = getattr(left, vector)
    b: Mapping[str, float] = getattr(right, vector)
    # The keys' intersection is taken in C (over the smaller side); most pairs share none.
    shared = a.keys() & b.keys()
    if not shared:
        return 0, 0.0
    # fsum is exact, so the result does not depend on the order of the keys (symmetry).
    dot = math.fsum([a[key] * b[key] for key in shared])
    if not dot:
        return len(shared), 0.0
    return len(shared), min(1.0, dot / (left.norm(vector) * right.norm(vector)))


def _affiliation_similarity(a: Profile, b: Profile) -> float:
    if not a.affiliations or not b.affiliations:
        return 0.0
    return _top_similarity(a.top_affiliations(), b.top_affiliations())


# A cluster's most frequent affiliations rarely change when it grows: cache per pair of lists.
@lru_cache(maxsize=1 << 16)
def _top_similarity(left: tuple[str, ...], right: tuple[str, ...]) -> float:
    if len(left) == 1 and len(right) == 1:
        # What cdist gives for one pair, without its matrix (cdist stores float32 scores).
        return float(numpy.float32(fuzz.token_set_ratio(left[0], right[0]))) / 100.0
    matrix = process.cdist(left, right, scorer=fuzz.token_set_ratio)
    return float(matrix.max()) / 100.0


def _year_gap(a: set[int], b: set[int]) -> int | None:
    if not a or not b:
        return None
    if len(a) == 1 and len(b) == 1:  # most pairs: two mentions, or clusters of one year each
        (x,), (y,) = a, b
        return abs(x - y)
    if min(b) <= max(a) and min(a) <= max(b):
        if not a.isdisjoint(b):
            return 0
        # The closest pair of the two (disjoint) sets is adjacent in their merged order.
        merged = sorted([(year, 0) for year in a] + [(year, 1) for year in b])
        return min(y - x for (x, i), (y, j) in itertools.pairwise(merged) if i != j)
    return min(abs(min(b) - max(a)), abs(min(a) - max(b)))
