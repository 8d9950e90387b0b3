"""One work per paper: merge source records by shared ids, then by title, year and authors.

Exact keys first: arXiv id (from arXiv, from OpenAlex's arXiv DOI or arXiv locations), publisher
DOI, OpenAlex id. Then fuzzy, for records without a shared id: titles blocked on their first and
last words, compared with rapidfuzz, accepted only with year proximity and author agreement, and
never across a distinct-paper marker (erratum, part number, thesis, two different arXiv ids or
paper DOIs: a preprint server's DOI names one version, so it may join its journal version). Merges
are applied strongest first in a fixed order, so the result does not depend on the order of the
input.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

from dedupe.work_fields import resolve_fields
from dedupe.work_keys import WorkRecord, distinct_paper_reason, title_tokens

__all__ = ["MergedWork", "merge_works"]

TITLE_SIMILARITY = 93.0  # token_sort_ratio; preprint and venue titles differ by case and punctuation
MAX_YEAR_GAP = 2  # a preprint may precede its published version by a year or two
MAX_BLOCK = 200  # a title-prefix block larger than this is too generic to compare pairwise


@dataclass(frozen=True, slots=True)
class MergedWork:
    """A paper: its id, its records with how each joined, and its resolved fields."""

    work_id: str
    records: tuple[tuple[str, str, float], ...]  # (source_work_id, matched_by, score)
    fields: dict[str, object]
    field_sources: dict[str, str]


@dataclass(frozen=True, slots=True)
class _Edge:
    strength: int  # 0 = exact id, 1 = fuzzy
    score: float
    a: str
    b: str
    matched_by: str


def merge_works(records: Iterable[WorkRecord]) -> list[MergedWork]:
    """Group records into papers and resolve each paper's fields.

    Returns:
        One MergedWork per paper, sorted by work id.
    """
    by_id = {r.source_work_id: r for r in records}
    edges = sorted(
        [*_exact_edges(by_id.values()), *_fuzzy_edges(by_id.values())],
        key=lambda e: (e.strength, -e.score, e.a, e.b),
    )
    clusters = _Clusters(by_id)
    joined: dict[str, tuple[str, float]] = {}
    for edge in edges:
        if clusters.union(edge.a, edge.b):
            joined.setdefault(edge.b if edge.b not in joined else edge.a, (edge.matched_by, edge.score))
    groups = [[by_id[m] for m in members] for members in clusters.groups()]
    merged = []
    for group, work_id in zip(groups, _work_ids(groups), strict=True):
        fields, sources = resolve_fields(group)
        how = tuple((r.source_work_id, *joined.get(r.source_work_id, ("self", 100.0))) for r in group)
        merged.append(MergedWork(work_id, how, fields, sources))
    return sorted(merged, key=lambda w: w.work_id)


def _work_ids(groups: list[list[WorkRecord]]) -> list[str]:
    """The id of each paper: its arXiv id, else its publisher DOI, else its smallest record id.

    An id two papers would share goes to neither: both take their next one. That happens when
    records that list one arXiv preprint carry different publisher DOIs (a conference and a journal
    version of it): they stay two papers, each named by its DOI. A paper's last choice is its
    smallest record id, which no other paper holds (a paper that reached it keeps it), so every
    paper ends with an id of its own, whatever the order of the groups.
    """
    choices = [_id_choices(group) for group in groups]
    level = [0] * len(groups)
    while True:
        ids = [options[at] for options, at in zip(choices, level, strict=True)]
        holders = Counter(ids)
        shared = [i for i, work_id in enumerate(ids) if holders[work_id] > 1]
        if not shared:
            return ids
        movable = [i for i in shared if level[i] + 1 < len(choices[i])]
        if not movable:  # two papers with one record id: records are grouped once, so never
            raise RuntimeError(f"papers share record ids: {sorted({ids[i] for i in shared})[:5]}")
        for i in movable:
            level[i] += 1


def _id_choices(group: list[WorkRecord]) -> list[str]:
    arxiv = sorted(f"arxiv:{r.arxiv_id}" for r in group if r.arxiv_id)
    # The paper's own DOI before a preprint server's (a paper may carry both).
    dois = sorted((r.paper_doi is None, f"doi:{r.publisher_doi}") for r in group if r.publisher_doi)
    return [*arxiv[:1], *(doi for _, doi in dois[:1]), min(r.source_work_id for r in group)]


def _exact_edges(records: Iterable[WorkRecord]) -> list[_Edge]:
    holders: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in records:
        for kind, value in (
            ("arxiv_id", r.arxiv_id),
            ("doi", r.publisher_doi),
            ("openalex_id", r.openalex_id),
        ):
            if value:
                holders[(kind, value)].append(r.source_work_id)
    edges = []
    for (kind, _), ids in holders.items():
        ordered = sorted(ids)
        edges += [_Edge(0, 100.0, ordered[0], other, kind) for other in ordered[1:]]
    return edges


def _fuzzy_edges(records: Iterable[WorkRecord]) -> list[_Edge]:
    tokens = {r.source_work_id: title_tokens(r.title) for r in records}
    by_id = {r.source_work_id: r for r in records}
    blocks: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for work_id, words in tokens.items():
        if len(words) >= 3:
            blocks[("head", *words[:4])].append(work_id)
            blocks[("tail", *words[-4:])].append(work_id)
    pairs = {
        (a, b)
        for ids in blocks.values()
        if 1 < len(ids) <= MAX_BLOCK
        for i, a in enumerate(sorted(ids))
        for b in sorted(ids)[i + 1 :]
    }
    edges = []
    for a, b in sorted(pairs):
        score = _fuzzy_score(by_id[a], by_id[b], " ".join(tokens[a]), " ".join(tokens[b]))
        if score is not None:
            edges.append(_Edge(1, score, a, b, "title"))
    return edges


def _fuzzy_score(a: WorkRecord, b: WorkRecord, title_a: str, title_b: str) -> float | None:
    if a.source == b.source == "arxiv":
        return None  # two arXiv ids are two papers
    score = float(fuzz.token_sort_ratio(title_a, title_b))
    if score < TITLE_SIMILARITY or distinct_paper_reason(a, b):
        return None
    if (
        a.display_year is None
        or b.display_year is None
        or abs(a.display_year - b.display_year) > MAX_YEAR_GAP
    ):
        return None
    return score if _authors_agree(a, b) else None


def _authors_agree(a: WorkRecord, b: WorkRecord) -> bool:
    """Same first author's surname, or at least half of the smaller author list shared."""
    if not a.surnames or not b.surnames:
        return False
    if a.surnames[0] == b.surnames[0]:
        return True
    shared = len(set(a.surnames) & set(b.surnames))
    return shared * 2 >= min(len(set(a.surnames)), len(set(b.surnames)))


class _Clusters:
    """Union-find whose unions are refused when the two sides name different papers."""

    def __init__(self, records: dict[str, WorkRecord]) -> None:
        self.parent = {work_id: work_id for work_id in records}
        self.arxiv = {k: {r.arxiv_id} - {None} for k, r in records.items()}
        self.dois = {k: {r.paper_doi} - {None} for k, r in records.items()}

    def find(self, work_id: str) -> str:
        while self.parent[work_id] != work_id:
            self.parent[work_id] = self.parent[self.parent[work_id]]
            work_id = self.parent[work_id]
        return work_id

    def union(self, a: str, b: str) -> bool:
        root_a, root_b = sorted((self.find(a), self.find(b)))
        if root_a == root_b or _conflict(self.arxiv[root_a], self.arxiv[root_b]):
            return False
        if _conflict(self.dois[root_a], self.dois[root_b]):
            return False
        self.parent[root_b] = root_a
        self.arxiv[root_a] |= self.arxiv.pop(root_b)
        self.dois[root_a] |= self.dois.pop(root_b)
        return True

    def groups(self) -> list[list[str]]:
        members: dict[str, list[str]] = defaultdict(list)
        for work_id in sorted(self.parent):
            members[self.find(work_id)].append(work_id)
        return list(members.values())


def _conflict(left: set[str | None], right: set[str | None]) -> bool:
    return bool(left) and bool(right) and not (left & right)
