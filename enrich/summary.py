"""A one-line research summary per author, built only from the author's own data.

"Works on <topic> and on <topic>; <affiliation>, <first year>–<last year>". It is left empty when the
evidence is thin (fewer than two works, or no topic): a generic phrase that could describe anyone is
worse than none.
"""

from __future__ import annotations

__all__ = ["summary_line"]

MIN_WORKS = 2


def summary_line(
    topics: list[str], affiliation: str | None, first_year: int | None, last_year: int | None, works: int
) -> str | None:
    """The summary line, or None when the evidence is thin.

    Args:
        topics: The author's topics, strongest first (at most two are used).
        affiliation: Current affiliation, if known.
        first_year: Year of the earliest work.
        last_year: Year of the latest work.
        works: Number of works.
    """
    if works < MIN_WORKS or not topics:
        return None
    top = [t for t in topics if t][:2]
    line = "Works on " + " and on ".join(top)
    years = None
    if first_year and last_year:
        years = str(first_year) if first_year == last_year else f"{first_year}–{last_year}"
    where = ", ".join(part for part in (affiliation, years) if part)
    return f"{line}; {where}" if where else line
