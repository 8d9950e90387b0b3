"""Render a synthetic paper as an entry of arXiv's bulk metadata snapshot (JSON lines).

The shape follows ``arxiv-metadata-oai-snapshot.json`` (the Kaggle snapshot): LaTeX accents in
``authors``, Unicode in ``authors_parsed``, abstracts wrapped and indented with two spaces, version
dates in RFC 2822 form. ``authors_parsed`` splits each name the naive way arXiv's own parsing does
(last word = surname), so a surname-first "Wang Wei" is parsed the wrong way round, as happens.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sources.synthetic.names import INVERTED, person_name
from sources.synthetic.openalex_shape import SYNTHETIC_DOI_PREFIX, WORK_BASE, arxiv_id
from sources.synthetic.papers import SHARED_PUBLISHED, Mention, Paper, PaperPlan
from sources.synthetic.population import Population
from sources.synthetic.vocabulary import TOPICS

__all__ = ["arxiv_entry", "arxiv_name"]

_LICENSES = (
    "http://arxiv.org/licenses/nonexclusive-distrib/1.0/",
    "http://creativecommons.org/licenses/by/4.0/",
    None,
)
# Unicode letters to the LaTeX accents arXiv's metadata uses in author lists.
_LATEX = {"á": "\\'a", "é": "\\'e", "í": "\\'i", "ó": "\\'o", "ú": "\\'u", "è": "\\`e",
          "ä": '\\"a', "ö": '\\"o', "ü": '\\"u', "ë": '\\"e', "ñ": "\\~n", "ç": "\\c{c}",
          "ã": "\\~a", "ø": "{\\o}", "Å": "\\AA", "å": "\\aa", "ř": "\\v{r}", "š": "\\v{s}",
          "č": "\\v{c}", "ć": "\\'c", "ł": "{\\l}", "Ł": "{\\L}", "ß": "{\\ss}"}  # fmt: skip
_LATEX_TABLE = str.maketrans(_LATEX)


def arxiv_name(mention: Mention, pop: Population) -> str:
    """The name as written on arXiv: the byline form, but never ``Surname, Given``."""
    if mention.variant == INVERTED:
        return person_name(int(pop.name_key[mention.person])).display_name
    return mention.raw_name


def arxiv_entry(paper: Paper, plan: PaperPlan, pop: Population) -> dict[str, Any]:
    """The arXiv snapshot entry of ``paper``.

    Args:
        paper: The paper (it must be on arXiv).
        plan: The paper plan (dates, kind).
        pop: The population (names).

    Returns:
        A JSON-serializable dict with the snapshot's keys.
    """
    index = paper.paper_id
    names = [arxiv_name(m, pop) for m in paper.mentions]
    published = int(plan.kind[index]) == SHARED_PUBLISHED
    number = WORK_BASE + int(plan.work_number[index])
    versions = _versions(paper, plan)
    return {
        "id": arxiv_id(plan, index),
        "submitter": names[0],
        "authors": _author_list(names),
        "title": _wrap(paper.title, "", "  "),
        "comments": f"{8 + paper.seconds % 30} pages, {paper.seconds % 9} figures"
        if paper.seconds % 4
        else None,
        "journal-ref": f"Synthetic J. {paper.venue + 1}, {paper.seconds % 900 + 1} ({plan.year[index]})"
        if published
        else None,
        "doi": f"{SYNTHETIC_DOI_PREFIX}{number}" if published else None,
        "report-no": None,
        "categories": " ".join(dict.fromkeys(c for t in paper.topics for c in TOPICS[t].arxiv_categories)),
        "license": _LICENSES[paper.seconds % len(_LICENSES)],
        "abstract": _wrap(" ".join(paper.abstract_words).capitalize() + ".", "  ", "") + "\n",
        "versions": [{"version": f"v{n}", "created": _rfc2822(d)} for n, d in enumerate(versions, 1)],
        "update_date": versions[-1].strftime("%Y-%m-%d"),
        "authors_parsed": [_parsed(name) for name in names],
    }


def _author_list(names: list[str]) -> str:
    escaped = [name.translate(_LATEX_TABLE) for name in names]
    if len(escaped) == 1:
        return escaped[0]
    return ", ".join(escaped[:-1]) + " and " + escaped[-1]


def _parsed(name: str) -> list[str]:
    words = name.split()
    return [words[-1], " ".join(words[:-1]), ""]


def _wrap(text: str, first: str, rest: str, width: int = 78) -> str:
    """Greedy line wrapping like the snapshot's (textwrap is several times slower)."""
    lines: list[str] = []
    line = first
    for word in text.split():
        if len(line) + len(word) + 1 > width and line.strip():
            lines.append(line)
            line = rest + word
        else:
            line = f"{line} {word}" if line.strip() else line + word
    lines.append(line)
    return "\n".join(lines)


def _versions(paper: Paper, plan: PaperPlan) -> list[datetime]:
    index = paper.paper_id
    first = datetime(
        int(plan.year[index]), int(plan.month[index]), int(plan.day[index]), tzinfo=UTC
    ) + timedelta(seconds=paper.seconds // 1_000_000)
    count = 1 + paper.seconds % 3
    return [first + timedelta(days=30 * n + (paper.seconds % 7 if n else 0)) for n in range(count)]


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _rfc2822(moment: datetime) -> str:
    """``Mon, 2 Apr 2007 19:18:42 GMT``, independent of the process locale."""
    day, month = _DAYS[moment.weekday()], _MONTHS[moment.month - 1]
    return f"{day}, {moment.day} {month} {moment.year} {moment:%H:%M:%S} GMT"
