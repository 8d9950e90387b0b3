"""Source-neutral synthetic papers: the plan for every paper, then papers built part by part.

A :class:`Paper` holds what both sources say about one paper (title, abstract, byline with the true
person of each mention); ``openalex_shape`` and ``arxiv_shape`` render it in each source's format.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from sources.synthetic import distributions as dist
from sources.synthetic.names import VARIANT_WEIGHTS, render_variant
from sources.synthetic.population import Population
from sources.synthetic.vocabulary import GENERAL_WORDS, TITLE_CONNECTORS, TOPICS

__all__ = [
    "ARXIV_ONLY",
    "BAD_KINDS",
    "OPENALEX_ONLY",
    "SHARED_PREPRINT",
    "SHARED_PUBLISHED",
    "Mention",
    "Paper",
    "PaperPlan",
    "build_papers",
    "plan_papers",
]

OPENALEX_ONLY, SHARED_PREPRINT, SHARED_PUBLISHED, ARXIV_ONLY = range(4)
BAD_KINDS = ("null_title", "blank_title", "bad_publication_date", "unnamed_author")
_BAD_KIND_P = (0.4, 0.1, 0.3, 0.2)
_ARXIV_FIRST_YEAR = 2015  # five-digit arXiv sequence numbers (YYMM.NNNNN) start in 2015
_ARXIV_SEQUENCE_BASE = 90_000  # far above any real month's submissions (about 24k a month in 2024)
_TITLE_WORDS = 10
_NO_INSTITUTION_RATE = 0.08


@dataclass
class PaperPlan:
    """Per-paper attributes drawn once for the whole data set (small numpy arrays)."""

    kind: np.ndarray  # OPENALEX_ONLY, SHARED_PREPRINT, SHARED_PUBLISHED or ARXIV_ONLY
    work_number: np.ndarray  # n of the OpenAlex id W(9000000000 + n), -1 for arXiv-only papers
    year: np.ndarray
    month: np.ndarray
    day: np.ndarray
    arxiv_seq: np.ndarray  # arXiv id sequence number within its month, -1 when not on arXiv
    bad_kind: np.ndarray  # index into BAD_KINDS, -1 for a good record


class Mention(NamedTuple):
    """One author mention on a paper, with its true person."""

    person: int
    group: int  # the group (lab) in which the person wrote this paper
    raw_name: str
    variant: int
    author_number: int  # OpenAlex author number as OpenAlex shows it (merged or split)
    display_key: int  # name key of the person OpenAlex's author id belongs to
    orcid_person: int  # person whose ORCID OpenAlex shows on that author id, -1 for none
    null_author: bool  # OpenAlex shows its NULL AUTHOR_ID placeholder for this mention
    institution: int  # -1 when the mention has no affiliation
    affiliation_style: int


class Paper(NamedTuple):
    """What both sources know about one synthetic paper."""

    paper_id: int  # index of the paper in the plan
    title: str
    abstract_words: list[str]
    has_abstract: bool  # OpenAlex has the abstract (arXiv always has it)
    topics: list[int]
    mentions: list[Mention]
    references: list[int]  # earlier OpenAlex work numbers
    cited_by_count: int
    venue: int
    seconds: int  # time of day of the record's last update


def plan_papers(rng: np.random.Generator, works: int, arxiv_entries: int, papers: int) -> PaperPlan:
    """Decide which papers are OpenAlex works, arXiv entries or both, and their dates.

    Args:
        rng: The generator to draw from.
        works: OpenAlex works wanted.
        arxiv_entries: arXiv entries wanted.
        papers: Total papers (works plus arXiv-only entries).

    Returns:
        The plan.
    """
    shared_wanted = round(arxiv_entries * dist.ARXIV_SHARED_SHARE)
    kind = np.full(papers, OPENALEX_ONLY, dtype=np.int8)
    kind[rng.choice(papers, papers - works, replace=False)] = ARXIV_ONLY
    year = dist.draw_years(rng, papers)
    year[kind == ARXIV_ONLY] = np.maximum(year[kind == ARXIV_ONLY], _ARXIV_FIRST_YEAR)
    eligible = np.flatnonzero((kind == OPENALEX_ONLY) & (year >= _ARXIV_FIRST_YEAR))
    shared = rng.choice(eligible, min(shared_wanted, eligible.size), replace=False)
    kind[shared] = np.where(rng.random(shared.size) < 0.5, SHARED_PREPRINT, SHARED_PUBLISHED)
    month = rng.integers(1, 13, papers).astype(np.int8)
    month[year == dist.YEAR_LAST] = rng.integers(1, 10, int((year == dist.YEAR_LAST).sum()))
    is_work = kind != ARXIV_ONLY
    work_number = np.where(is_work, np.cumsum(is_work) - 1, -1).astype(np.int64)
    bad = (rng.random(papers) < dist.BAD_RECORD_RATE) & is_work
    bad_kind = np.where(bad, rng.choice(len(BAD_KINDS), papers, p=_BAD_KIND_P), -1).astype(np.int8)
    return PaperPlan(
        kind=kind,
        work_number=work_number,
        year=year,
        month=month,
        day=rng.integers(1, 29, papers).astype(np.int8),
        arxiv_seq=_arxiv_sequence(kind, year, month),
        bad_kind=bad_kind,
    )


def _arxiv_sequence(kind: np.ndarray, year: np.ndarray, month: np.ndarray) -> np.ndarray:
    """Number arXiv papers within their month, in paper order, from the synthetic base."""
    on_arxiv = np.flatnonzero(kind != OPENALEX_ONLY)
    yymm = year[on_arxiv].astype(np.int64) * 100 + month[on_arxiv]
    order = np.lexsort((on_arxiv, yymm))
    sorted_yymm = yymm[order]
    group_start = np.r_[0, np.flatnonzero(sorted_yymm[1:] != sorted_yymm[:-1]) + 1]
    starts = np.repeat(group_start, np.diff(np.r_[group_start, sorted_yymm.size]))
    seq = np.full(kind.size, -1, dtype=np.int64)
    seq[on_arxiv[order]] = _ARXIV_SEQUENCE_BASE + np.arange(sorted_yymm.size) - starts
    if seq.max(initial=0) > 99_999:
        raise ValueError("more than 10,000 synthetic arXiv entries in one month: lower arxiv_share")
    return seq


def build_papers(
    rng: np.random.Generator, pop: Population, plan: PaperPlan, start: int, stop: int
) -> list[Paper]:
    """Build papers ``start..stop-1``, drawing their per-part randomness from ``rng`` in one go."""
    mentions = _draw_mentions(rng, pop, plan, start, stop)
    count = stop - start
    title_words = rng.random((count, 12)).argsort(axis=1)[:, :_TITLE_WORDS].tolist()  # no repeats
    title_length = rng.integers(5, _TITLE_WORDS + 1, count).tolist()
    abstract_length = rng.integers(30, 121, count)
    has_abstract = (rng.random(count) >= dist.NO_ABSTRACT_RATE).tolist()
    abstract_words = rng.integers(0, 12 + len(GENERAL_WORDS), int(abstract_length.sum())).tolist()
    topic_pick = rng.integers(0, 3, count).tolist()
    references = _draw_references(rng, plan, start, stop)
    cited = np.floor(np.exp(rng.normal(1.5, 1.5, count))).astype(np.int64).tolist()
    venue = rng.integers(0, 5, count).tolist()
    seconds = rng.integers(0, 86_400 * 1_000_000, count).tolist()
    bounds = (pop.offsets[start : stop + 1] - pop.offsets[start]).tolist()
    word_bounds = np.r_[0, np.cumsum(abstract_length)].tolist()
    papers = []
    for i in range(count):
        byline = mentions[bounds[i] : bounds[i + 1]]
        topics = _paper_topics(pop, byline[0].person, topic_pick[i])
        papers.append(
            Paper(
                paper_id=start + i,
                title=_title(topics[0], title_words[i][: title_length[i]]),
                abstract_words=_abstract(topics[0], abstract_words[word_bounds[i] : word_bounds[i + 1]]),
                has_abstract=has_abstract[i],
                topics=topics,
                mentions=byline,
                references=references[i],
                cited_by_count=cited[i],
                venue=venue[i],
                seconds=seconds[i],
            )
        )
    return papers


def _draw_mentions(
    rng: np.random.Generator, pop: Population, plan: PaperPlan, start: int, stop: int
) -> list[Mention]:
    """Every author mention of papers ``start..stop-1``, computed slot-wise with numpy."""
    first, last = int(pop.offsets[start]), int(pop.offsets[stop])
    slots = last - first
    variant = rng.choice(len(VARIANT_WEIGHTS), size=slots, p=VARIANT_WEIGHTS)
    use_split = rng.random(slots) < 0.5
    null_author = rng.random(slots) < dist.NULL_AUTHOR_RATE
    no_institution = rng.random(slots) < _NO_INSTITUTION_RATE
    style = rng.integers(0, 3, slots)
    person = pop.slot_person[first:last].astype(np.int64)
    split = pop.split_id[person]
    author_number = np.where(use_split & (split >= 0), split, pop.author_id[person])
    year = np.repeat(plan.year[start:stop], pop.sizes[start:stop])
    moves = (pop.move_years[person] <= year[:, None]).sum(axis=1)
    held = pop.institutions[person]
    # A person with fewer institutions than the year's moves stays at their last institution.
    last_held = np.where(held[:, 1] >= 0, np.where(held[:, 2] >= 0, 2, 1), 0)
    institution = held[np.arange(slots), np.minimum(moves, last_held)]
    institution = np.where(no_institution, -1, institution)
    owner = np.where(author_number < pop.persons, author_number, person)
    orcid_person = np.where((author_number < pop.persons) & pop.has_orcid[owner], owner, -1)
    keys = pop.name_key[person].tolist()
    variants = variant.tolist()
    return [
        Mention(*fields)
        for fields in zip(
            person.tolist(),
            pop.slot_group[first:last].tolist(),
            [render_variant(k, v) for k, v in zip(keys, variants, strict=True)],
            variants,
            author_number.tolist(),
            pop.name_key[owner].tolist(),
            orcid_person.tolist(),
            null_author.tolist(),
            institution.tolist(),
            style.tolist(),
            strict=True,
        )
    ]


def _draw_references(rng: np.random.Generator, plan: PaperPlan, start: int, stop: int) -> list[list[int]]:
    """Earlier OpenAlex works each paper cites (Poisson, mean 6; none for arXiv-only papers)."""
    number = plan.work_number[start:stop]
    counts = np.where(number > 0, rng.poisson(6, stop - start), 0)
    cited = (rng.random(int(counts.sum())) * np.repeat(number, counts)).astype(np.int64).tolist()
    bounds = np.r_[0, np.cumsum(counts)].tolist()
    return [sorted(set(cited[bounds[i] : bounds[i + 1]])) for i in range(stop - start)]


def _paper_topics(pop: Population, person: int, pick: int) -> list[int]:
    own = [t for t in pop.topics[person].tolist() if t >= 0]
    primary = own[pick % len(own)]
    return [primary, *[t for t in dict.fromkeys(own) if t != primary]]


def _title(topic: int, words: list[int]) -> str:
    vocab = TOPICS[topic].words
    parts = [vocab[w] for w in words]
    parts.insert(len(parts) // 2, TITLE_CONNECTORS[words[0] % len(TITLE_CONNECTORS)])
    title = " ".join(parts)
    return title[0].upper() + title[1:]


_ABSTRACT_VOCABULARY = [topic.words + GENERAL_WORDS for topic in TOPICS]


def _abstract(topic: int, words: list[int]) -> list[str]:
    vocab = _ABSTRACT_VOCABULARY[topic]
    return [vocab[w] for w in words]
