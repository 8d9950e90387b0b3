"""The stated distributions of the synthetic generator, as parameters and vectorized draws.

Every parameter here is listed, with its reason, in ``DISTRIBUTIONS.md``; the tests check the drawn
data against the bounds stated there.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "ARXIV_SHARED_SHARE",
    "BAD_RECORD_RATE",
    "COLLAB_MAX",
    "COLLAB_MIN",
    "COLLAB_RATE",
    "CROSS_GROUP_RATE",
    "LOTKA_EXPONENT",
    "MERGE_RATE",
    "NO_ABSTRACT_RATE",
    "NULL_AUTHOR_RATE",
    "ORCID_RATE",
    "SPLIT_RATE",
    "YEAR_FIRST",
    "YEAR_GROWTH",
    "YEAR_LAST",
    "draw_authors_per_paper",
    "draw_group_sizes",
    "draw_productivity",
    "draw_years",
    "orcid_check_digit",
    "synthetic_orcid",
]

# Authors per paper: discrete lognormal, median 4 (round(exp(N(ln 4, 0.75)))), capped at 99,
# plus 0.5 % "collaboration" papers with log-uniform 100..1000 authors.
AUTHORS_MEDIAN = 4.0
AUTHORS_SIGMA = 0.75
AUTHORS_CAP = 99
COLLAB_RATE = 0.005
COLLAB_MIN, COLLAB_MAX = 100, 1000

# Person productivity: Lotka's law P(k) ~ k^-2.1 for k = 1..kmax; kmax = min(1000, works // 20) so a
# small data set does not get one person on most of its works.
LOTKA_EXPONENT = 2.1
LOTKA_MAX = 1000

# Groups (labs with their regular collaborators): lognormal sizes, median 40 persons, 2..400;
# 10 % of author slots are re-drawn from anywhere (cross-group co-authorship).
GROUP_MEDIAN = 40.0
GROUP_SIGMA = 0.5
CROSS_GROUP_RATE = 0.10

# Publication years 1990..2026, P(year) ~ exp(0.045 * (year - 1990)): about 4.5 % growth a year.
YEAR_FIRST, YEAR_LAST = 1990, 2026
YEAR_GROWTH = 0.045

ORCID_RATE = 0.30  # persons with an ORCID
MERGE_RATE = 0.02  # share of persons shown under a homonym's OpenAlex id (a wrong merge)
SPLIT_RATE = 0.02  # share of persons (with 2+ works) that also get a second OpenAlex id
NO_ABSTRACT_RATE = 0.10
BAD_RECORD_RATE = 0.02  # works with a deliberately bad field
NULL_AUTHOR_RATE = 0.001  # authorships with OpenAlex's NULL AUTHOR_ID placeholder
ARXIV_SHARED_SHARE = 0.7  # arXiv entries that are also an OpenAlex work


def draw_authors_per_paper(rng: np.random.Generator, count: int) -> np.ndarray:
    """Authors on each of ``count`` papers (int32, at least 1).

    Args:
        rng: The generator to draw from.
        count: Number of papers.

    Returns:
        The author count of each paper.
    """
    normal = np.rint(np.exp(rng.normal(np.log(AUTHORS_MEDIAN), AUTHORS_SIGMA, count)))
    sizes = np.clip(normal, 1, AUTHORS_CAP).astype(np.int32)
    collab = rng.random(count) < COLLAB_RATE
    log_sizes = rng.uniform(np.log(COLLAB_MIN), np.log(COLLAB_MAX), int(collab.sum()))
    sizes[collab] = np.rint(np.exp(log_sizes)).astype(np.int32)
    return sizes


def lotka_max(works: int) -> int:
    """The largest number of works one person may get in a data set of ``works`` works."""
    return int(min(LOTKA_MAX, max(10, works // 20)))


def draw_productivity(rng: np.random.Generator, slots: int, works: int) -> np.ndarray:
    """Works per person (Lotka), drawn until they fill exactly ``slots`` author slots.

    Args:
        rng: The generator to draw from.
        slots: Total author slots (the sum of authors per paper).
        works: Number of works, which bounds the most productive person.

    Returns:
        One int32 count per person, summing to ``slots``.
    """
    kmax = lotka_max(works)
    support = np.arange(1, kmax + 1, dtype=np.float64)
    pmf = support**-LOTKA_EXPONENT
    pmf /= pmf.sum()
    mean = float((support * pmf).sum())
    counts = rng.choice(kmax, size=int(slots / mean * 1.2) + 16, p=pmf).astype(np.int32) + 1
    while int(counts.sum()) < slots:  # rare: the 20 % margin was not enough
        counts = np.concatenate([counts, rng.choice(kmax, size=1024, p=pmf).astype(np.int32) + 1])
    cut = int(np.searchsorted(np.cumsum(counts, dtype=np.int64), slots))
    counts = counts[: cut + 1].copy()
    counts[-1] -= int(counts.sum()) - slots  # trim the last person so the total is exact
    return counts


def draw_group_sizes(rng: np.random.Generator, persons: int) -> np.ndarray:
    """Group (lab) sizes that add up to ``persons``."""
    count = max(1, int(persons / GROUP_MEDIAN))
    sizes = np.clip(np.rint(np.exp(rng.normal(np.log(GROUP_MEDIAN), GROUP_SIGMA, count))), 2, 400)
    sizes = sizes.astype(np.int64)
    while int(sizes.sum()) < persons:
        sizes = np.concatenate([sizes, sizes[: max(1, sizes.size // 4)]])
    cut = int(np.searchsorted(np.cumsum(sizes), persons))
    sizes = sizes[: cut + 1].copy()
    sizes[-1] -= int(sizes.sum()) - persons
    return sizes


def draw_years(rng: np.random.Generator, count: int) -> np.ndarray:
    """Publication years with exponential growth toward recent years (int16)."""
    years = np.arange(YEAR_FIRST, YEAR_LAST + 1)
    weights = np.exp(YEAR_GROWTH * (years - YEAR_FIRST))
    return rng.choice(years, size=count, p=weights / weights.sum()).astype(np.int16)


def orcid_check_digit(base_digits: str) -> str:
    """The ORCID check character of 15 base digits (ISO 7064 MOD 11-2).

    Follows ORCID's published algorithm
    (https://support.orcid.org/hc/en-us/articles/360006897674).
    """
    total = 0
    for digit in base_digits:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def synthetic_orcid(number: int) -> str:
    """A checksum-valid ORCID iD in ``0009-9xxx-xxxx-xxxC``, above ORCID's issued ranges.

    ORCID issues from 0000-0001-5000-0007..0000-0003-5000-0001 and 0009-0000-0000-0000..
    0009-0010-0000-0000, so ``0009-9...`` cannot be a real person's iD.
    """
    if not 0 <= number < 10**10:
        raise ValueError(f"ORCID sequence number {number} is out of range 0..10**10-1")
    base = f"00099{number:010d}"
    digits = base + orcid_check_digit(base)
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))
