"""The synthetic population: persons, groups, institutions, topics, and who wrote which paper.

Everything here is a few numpy arrays (one entry per person or per author slot), so a million works
take some tens of megabytes; the records themselves are built and written part by part later.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sources.synthetic import distributions as dist
from sources.synthetic.names import draw_name_keys
from sources.synthetic.vocabulary import TOPICS

__all__ = ["Population", "build_population"]

# A person's slots go to their home group in chunks of at most this many; further chunks go to other
# groups, so a prolific person (a PI, a consortium member) co-authors across several groups instead
# of filling one small group's papers (which would put them twice on one paper).
_CHUNK = 4
_MAX_FIX_ROUNDS = 200
_CONSORTIUM = 1200  # members of one collaboration consortium (>= the largest collaboration paper)
_CONSORTIUM_PAPERS = 50  # collaboration papers per consortium
_MOVES_P = (0.6, 0.3, 0.1)  # persons with 1, 2, 3 institutions over time


@dataclass
class Population:
    """Who wrote what: per-paper slot ranges and per-person attributes (all numpy arrays)."""

    sizes: np.ndarray  # authors per paper (int32)
    offsets: np.ndarray  # paper p's authors are slot_person[offsets[p]:offsets[p + 1]]
    slot_person: np.ndarray  # person index of each author slot (int32)
    slot_group: np.ndarray  # the group in which the person wrote that paper (int32)
    productivity: np.ndarray  # works per person (int32)
    group: np.ndarray  # home group of each person (int32)
    name_key: np.ndarray  # packed name key (int64), see names.draw_name_keys
    block_size: np.ndarray  # persons sharing the person's canonical name (1 = no homonym)
    has_orcid: np.ndarray  # bool
    author_id: np.ndarray  # OpenAlex author number (merges point at a homonym's number)
    split_id: np.ndarray  # second OpenAlex author number of a split person, else -1
    institutions: np.ndarray  # (persons, 3) institution numbers over time, -1 when none
    move_years: np.ndarray  # (persons, 2) years of the moves to institution 2 and 3
    topics: np.ndarray  # (persons, 3) topic indexes, -1 when none
    institution_count: int

    @property
    def persons(self) -> int:
        """Number of persons."""
        return int(self.productivity.size)

    @property
    def homonym_blocks(self) -> int:
        """Canonical names shared by two or more persons."""
        _, counts = np.unique(self.name_key, return_counts=True)
        return int((counts >= 2).sum())


def build_population(rng: np.random.Generator, papers: int, works: int) -> Population:
    """Draw the population for ``papers`` papers (OpenAlex works plus arXiv-only entries).

    Args:
        rng: The generator to draw from (only the population's own stream).
        papers: Number of papers to staff.
        works: Number of OpenAlex works (bounds the most productive person).

    Returns:
        The population.
    """
    sizes = dist.draw_authors_per_paper(rng, papers)
    offsets = np.zeros(papers + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    slot_person, slot_group, group, groups = _staff(rng, sizes, works)
    productivity = np.bincount(slot_person).astype(np.int32)
    persons = productivity.size
    name_key = draw_name_keys(rng, persons)
    block_size, first_of_block = _homonym_blocks(name_key)
    author_id, split_id = _openalex_ids(rng, productivity, block_size, first_of_block)
    institutions, move_years, institution_count = _institutions(rng, group, groups)
    return Population(
        sizes=sizes,
        offsets=offsets,
        slot_person=slot_person,
        slot_group=slot_group,
        productivity=productivity,
        group=group,
        name_key=name_key,
        block_size=block_size,
        has_orcid=rng.random(persons) < dist.ORCID_RATE,
        author_id=author_id,
        split_id=split_id,
        institutions=institutions,
        move_years=move_years,
        topics=_topics(rng, group, groups),
        institution_count=institution_count,
    )


def _staff(
    rng: np.random.Generator, sizes: np.ndarray, works: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Person and group of every author slot, each person's home group, and the group count.

    Regular papers are staffed from Lotka-productive persons in groups; collaboration papers from
    consortia (numbered after the regular persons and groups).
    """
    collab = sizes >= dist.COLLAB_MIN
    regular = dist.draw_productivity(rng, int(sizes[~collab].sum()), works)
    group_sizes = dist.draw_group_sizes(rng, regular.size)
    group = np.repeat(np.arange(group_sizes.size, dtype=np.int32), group_sizes)
    regular_person, regular_group = _assign_slots(rng, regular, group, group_sizes.size)
    _fix_duplicates(rng, regular_person, regular_group, sizes[~collab])
    collab_person, collab_group = _consortia(rng, sizes[collab], regular.size, group_sizes.size)
    in_collab = np.repeat(collab, sizes)
    slot_person = np.empty(in_collab.size, dtype=np.int32)
    slot_group = np.empty(in_collab.size, dtype=np.int32)
    slot_person[~in_collab], slot_person[in_collab] = regular_person, collab_person
    slot_group[~in_collab], slot_group[in_collab] = regular_group, collab_group
    consortia = int(collab_group.max(initial=group_sizes.size - 1)) + 1 - group_sizes.size
    group = np.concatenate([group, collab_group[np.unique(collab_person, return_index=True)[1]]])
    return slot_person, slot_group, group, group_sizes.size + consortia


def _assign_slots(
    rng: np.random.Generator, productivity: np.ndarray, group: np.ndarray, groups: int
) -> tuple[np.ndarray, np.ndarray]:
    """Person and group of each author slot, ordered group by group so papers stay in a group."""
    persons = productivity.size
    slot_person = np.repeat(np.arange(persons, dtype=np.int32), productivity)
    starts = np.zeros(persons, dtype=np.int64)
    np.cumsum(productivity[:-1], out=starts[1:])
    occurrence = np.arange(slot_person.size, dtype=np.int64) - np.repeat(starts, productivity)
    chunk_start = occurrence % _CHUNK == 0
    chunk_id = np.cumsum(chunk_start) - 1
    chunk_group = rng.integers(0, groups, int(chunk_start.sum()), dtype=np.int32)
    first_chunks = occurrence[chunk_start] == 0
    chunk_group[first_chunks] = group[slot_person[chunk_start][first_chunks]]
    group_rank = rng.permutation(groups).astype(np.int64)
    slot_group = chunk_group[chunk_id]
    # Spread each person's slots evenly over their group's run (j/m plus jitter), so that a paper,
    # a short stretch of the run, rarely holds one person twice.
    chunk_length = np.minimum(
        _CHUNK, np.repeat(productivity, productivity) - (occurrence - occurrence % _CHUNK)
    )
    spread = (occurrence % _CHUNK + rng.random(slot_person.size)) / chunk_length
    order = np.lexsort((spread, group_rank[slot_group]))
    slot_person, slot_group = slot_person[order], slot_group[order]
    moved = np.flatnonzero(rng.random(slot_person.size) < dist.CROSS_GROUP_RATE)
    source = rng.permutation(moved)
    slot_person[moved], slot_group[moved] = slot_person[source], slot_group[source]
    return slot_person, slot_group


def _consortia(
    rng: np.random.Generator, sizes: np.ndarray, first_person: int, first_group: int
) -> tuple[np.ndarray, np.ndarray]:
    """Authors of the collaboration papers: each drawn, without repeats, from one consortium.

    Consortia have ``_CONSORTIUM`` members and about ``_CONSORTIUM_PAPERS`` papers each, like the
    large experiment collaborations whose members sign every paper. Members are numbered from
    ``first_person`` in order of first appearance, so no person is left without a work.
    """
    consortia = max(1, -(-sizes.size // _CONSORTIUM_PAPERS))
    which = rng.integers(0, consortia, sizes.size)
    members = [
        rng.permutation(_CONSORTIUM)[:size] + c * _CONSORTIUM for size, c in zip(sizes, which, strict=True)
    ]
    raw = np.concatenate(members) if members else np.zeros(0, dtype=np.int64)
    _, first_seen, inverse = np.unique(raw, return_index=True, return_inverse=True)
    rank = np.empty(first_seen.size, dtype=np.int64)
    rank[np.argsort(first_seen, kind="stable")] = np.arange(first_seen.size)
    person = (first_person + rank[inverse]).astype(np.int32)
    return person, (first_group + raw // _CONSORTIUM).astype(np.int32)


def _fix_duplicates(
    rng: np.random.Generator, slot_person: np.ndarray, slot_group: np.ndarray, sizes: np.ndarray
) -> None:
    """Swap away a person's second slot on one paper until nobody is twice on a paper.

    Swaps keep every person's number of works.

    Raises:
        RuntimeError: Duplicates remain after many rounds (a person with more works than papers).
    """
    paper = np.repeat(np.arange(sizes.size, dtype=np.int64), sizes)
    persons = int(slot_person.max()) + 1
    for _ in range(_MAX_FIX_ROUNDS):
        key = paper * persons + slot_person
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        duplicate = order[1:][sorted_key[1:] == sorted_key[:-1]]
        if duplicate.size == 0:
            return
        targets = rng.integers(0, slot_person.size, duplicate.size)
        # Only disjoint pairs, so the swap is a permutation (the rest waits for the next round).
        _, first = np.unique(targets, return_index=True)
        keep = np.zeros(targets.size, dtype=bool)
        keep[first] = True
        keep &= ~np.isin(targets, duplicate)
        duplicate, targets = duplicate[keep], targets[keep]
        for array in (slot_person, slot_group):
            array[duplicate], array[targets] = array[targets], array[duplicate]
    raise RuntimeError("could not place every author once per paper: raise works or lower LOTKA_MAX")


def _homonym_blocks(name_key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Size of each person's homonym block and the first person of that block."""
    _, first, inverse, counts = np.unique(
        name_key, return_index=True, return_inverse=True, return_counts=True
    )
    return counts[inverse].astype(np.int32), first[inverse].astype(np.int64)


def _openalex_ids(
    rng: np.random.Generator, productivity: np.ndarray, block_size: np.ndarray, first: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """OpenAlex author numbers with OpenAlex-like wrong merges and splits."""
    persons = productivity.size
    author_id = np.arange(persons, dtype=np.int64)
    own = np.arange(persons)
    merged = _pick(rng, (block_size >= 2) & (first != own), dist.MERGE_RATE * persons)
    author_id[merged] = first[merged]
    split = _pick(rng, productivity >= 2, dist.SPLIT_RATE * persons)
    split_id = np.full(persons, -1, dtype=np.int64)
    split_id[split] = persons + np.arange(split.size)
    return author_id, split_id


def _pick(rng: np.random.Generator, eligible: np.ndarray, wanted: float) -> np.ndarray:
    """``wanted`` (rounded) of the eligible persons, in increasing order, fewer if not enough."""
    candidates = np.flatnonzero(eligible)
    count = min(candidates.size, round(wanted))
    return np.sort(rng.choice(candidates, count, replace=False))


def _institutions(
    rng: np.random.Generator, group: np.ndarray, groups: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """Each person's 1-3 institutions over time: the group's, then moves to others."""
    persons = group.size
    count = max(4, groups // 3)
    home = rng.integers(0, count, groups)
    institutions = rng.integers(0, count, (persons, 3)).astype(np.int32)
    institutions[:, 0] = home[group]
    moves = rng.choice(3, size=persons, p=_MOVES_P)
    institutions[moves < 1, 1] = -1
    institutions[moves < 2, 2] = -1
    move_years = np.sort(rng.integers(1995, 2025, (persons, 2)), axis=1).astype(np.int16)
    return institutions, move_years, count


def _topics(rng: np.random.Generator, group: np.ndarray, groups: int) -> np.ndarray:
    """Each person's 1-3 main topics: mostly their group's two topics, sometimes one of their own."""
    persons = group.size
    group_topics = rng.integers(0, len(TOPICS), (groups, 2))
    topics = np.full((persons, 3), -1, dtype=np.int16)
    swap = rng.random(persons) < 0.5
    topics[:, 0] = np.where(swap, group_topics[group, 1], group_topics[group, 0])
    count = rng.choice(3, size=persons, p=(0.3, 0.4, 0.3)) + 1
    topics[count >= 2, 1] = np.where(swap, group_topics[group, 0], group_topics[group, 1])[count >= 2]
    topics[count >= 3, 2] = rng.integers(0, len(TOPICS), int((count >= 3).sum()))
    return topics
