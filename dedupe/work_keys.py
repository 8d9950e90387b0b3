"""What two work records share or must not share: title keys, ids, and distinct-paper markers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from unidecode import unidecode

__all__ = ["WorkRecord", "distinct_paper_reason", "surname", "title_tokens"]

_TOKEN = re.compile(r"[a-z0-9]+")
# Words that make a title a different paper from its look-alike ("Erratum: X" is not "X").
_NOTICE = re.compile(
    r"\b(errat(?:um|a)|corrigend(?:um|a)|correction|retraction|retracted|reply|comment(?:s|ary)? on|"
    r"response to|rebuttal|addendum|withdrawn)\b"
)
_PART = re.compile(r"\b(?:part|paper|chapter|volume|vol)\s+([ivxlc]+|\d+|one|two|three|four|five)\b")
_TRAILING_NUMERAL = re.compile(r"(?:\s|:|-)((?:[ivx]+)|\d{1,2})\s*$")
PREPRINT_TYPES = frozenset({"preprint", "posted-content"})
# DOIs of preprint servers and working-paper archives (bioRxiv and medRxiv, SSRN, OSF's servers,
# Research Square, Preprints.org, Authorea, ChemRxiv, TechRxiv, JMIR Preprints, ESS Open Archive):
# such a DOI names one version of a paper that may also have a journal DOI. OpenAlex types some of
# them "article" (SSRN).
_PREPRINT_DOI = re.compile(
    r"10\.(?:1101/\d|2139/ssrn\.|\d+/osf\.io/|21203/rs\.|20944/preprints|22541/au\.|26434/chemrxiv|"
    r"36227/techrxiv|2196/preprints\.|1002/essoar\.)"
)
THESIS_TYPES = frozenset({"dissertation", "thesis"})


@dataclass(frozen=True, slots=True)
class WorkRecord:
    """One source record of a work, as the merge sees it."""

    source_work_id: str
    source: str
    title: str
    type: str | None
    display_year: int | None
    first_version_date: date | None
    publication_date: date | None
    venue: str | None
    venue_type: str | None
    doi: str | None
    arxiv_id: str | None
    openalex_id: str | None
    journal_ref: str | None
    surnames: tuple[str, ...]
    has_abstract: bool = False

    @property
    def publisher_doi(self) -> str | None:
        """The DOI unless it is arXiv's own (10.48550/arxiv.*), which names the preprint."""
        return None if self.doi is None or self.doi.startswith("10.48550/arxiv.") else self.doi

    @property
    def paper_doi(self) -> str | None:
        """The publisher DOI when it names the paper, not one preprint of it (a preprint server's
        DOI, or an OpenAlex preprint record's): records with two paper DOIs are two papers, while a
        preprint's DOI may join its paper's journal version."""
        openalex_preprint = self.source == "openalex" and (self.type or "") in PREPRINT_TYPES
        return None if self.has_preprint_doi or openalex_preprint else self.publisher_doi

    @property
    def has_preprint_doi(self) -> bool:
        """Whether the DOI is a preprint server's."""
        return bool(self.doi and _PREPRINT_DOI.match(self.doi))

    @property
    def is_published_version(self) -> bool:
        """An OpenAlex record of a version published in a venue (not a preprint or repository copy)."""
        return (
            self.source == "openalex"
            and (self.type or "") not in PREPRINT_TYPES
            and (self.venue_type or "") != "repository"
        )


def title_tokens(title: str) -> tuple[str, ...]:
    """Lower-case ASCII word tokens of a title."""
    return tuple(_TOKEN.findall(unidecode(title).lower()))


def surname(raw_name: str) -> str:
    """The family name of a printed name: before a comma, else the last word (lower ASCII)."""
    name = unidecode(raw_name).lower()
    part = name.split(",", 1)[0] if "," in name else (name.split() or [""])[-1]
    return "".join(_TOKEN.findall(part))


def distinct_paper_reason(a: WorkRecord, b: WorkRecord) -> str | None:
    """Why two look-alike records are different papers, or None if nothing says so."""
    title_a, title_b = " ".join(title_tokens(a.title)), " ".join(title_tokens(b.title))
    if _markers(_NOTICE, title_a) != _markers(_NOTICE, title_b):
        return "erratum, comment or reply"
    if _part_of(title_a) != _part_of(title_b):
        return "different parts"
    if ((a.type or "") in THESIS_TYPES) != ((b.type or "") in THESIS_TYPES):
        return "thesis and paper"
    if a.arxiv_id and b.arxiv_id and a.arxiv_id != b.arxiv_id:
        return "different arXiv ids"
    if a.paper_doi and b.paper_doi and a.paper_doi != b.paper_doi:
        return "different DOIs"
    return None


def _markers(pattern: re.Pattern[str], title: str) -> frozenset[str]:
    return frozenset(m.group(1) for m in pattern.finditer(title))


def _part_of(title: str) -> str | None:
    match = _PART.search(title) or _TRAILING_NUMERAL.search(title)
    return match.group(1) if match else None
