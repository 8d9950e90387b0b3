"""Render a synthetic paper as an OpenAlex work object, in the shape of the real API records.

The key set of a work and of its nested objects is that of the real records recorded under
``recorded/openalex/works`` (2024-2025 schema, without the search-only ``relevance_score``).
Fields the pipeline does not read (concepts, keywords, counts_by_year, ...) are present but empty.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sources.synthetic.distributions import synthetic_orcid
from sources.synthetic.names import person_name
from sources.synthetic.papers import (
    BAD_KINDS,
    SHARED_PREPRINT,
    SHARED_PUBLISHED,
    Mention,
    Paper,
    PaperPlan,
)
from sources.synthetic.population import Population
from sources.synthetic.vocabulary import TOPICS, institution_name, venue_name

__all__ = [
    "AUTHOR_BASE",
    "INSTITUTION_BASE",
    "NULL_AUTHOR_ID",
    "SYNTHETIC_DOI_PREFIX",
    "WORK_BASE",
    "arxiv_id",
    "openalex_work",
]

# Reserved synthetic id ranges: real OpenAlex ids are below these (works W1..W7xxxxxxxxx, authors
# A5xxxxxxxxx), and A9999999999 is OpenAlex's real NULL AUTHOR_ID placeholder, which only the
# deliberate bad mentions use.
WORK_BASE = 9_000_000_000
AUTHOR_BASE = 9_100_000_000
INSTITUTION_BASE = 9_200_000_000
TOPIC_BASE = 9_300_000_000
SOURCE_BASE = 9_400_000_000
NULL_AUTHOR_ID = "A9999999999"
# 10.5555 is the DOI prefix reserved for tests and examples; "synthetic." says what these are.
SYNTHETIC_DOI_PREFIX = "10.5555/synthetic."
_OPENALEX = "https://openalex.org/"
# The real arXiv repository source: synthetic preprints are "on arXiv" like real ones.
_ARXIV_SOURCE = {
    "id": "https://openalex.org/S4306400194",
    "display_name": "arXiv (Cornell University)",
    "issn_l": None,
    "issn": None,
    "is_oa": True,
    "is_in_doaj": False,
    "is_indexed_in_scopus": False,
    "is_core": False,
    "host_organization": "https://openalex.org/I205783295",
    "host_organization_name": "Cornell University",
    "host_organization_lineage": ["https://openalex.org/I205783295"],
    "host_organization_lineage_names": ["Cornell University"],
    "type": "repository",
}
_POSITIONS = ("first", "middle", "last")


def arxiv_id(plan: PaperPlan, paper: int) -> str:
    """The synthetic arXiv id ``YYMM.9NNNN`` of a paper that is on arXiv."""
    return f"{int(plan.year[paper]) % 100:02d}{int(plan.month[paper]):02d}.{int(plan.arxiv_seq[paper])}"


def openalex_work(paper: Paper, plan: PaperPlan, pop: Population, updated: str) -> dict[str, Any]:
    """The OpenAlex work object of ``paper``.

    Args:
        paper: The paper.
        plan: The paper plan (kind, dates, bad fields).
        pop: The population (names, ORCIDs of the author ids).
        updated: The record's ``updated_date`` timestamp.

    Returns:
        A JSON-serializable dict with the real record's keys.
    """
    index = paper.paper_id
    number = int(plan.work_number[index])
    work_url = f"{_OPENALEX}W{WORK_BASE + number}"
    kind = int(plan.kind[index])
    doi = _doi(plan, paper)
    date = f"{int(plan.year[index])}-{int(plan.month[index]):02d}-{int(plan.day[index]):02d}"
    locations = _locations(paper, plan, doi)
    count = len(paper.mentions)
    authorships = [_authorship(m, i, count) for i, m in enumerate(paper.mentions)]
    work = _work_skeleton(work_url, doi, paper.title, date, int(plan.year[index]))
    work.update(
        type="preprint" if kind == SHARED_PREPRINT else "article",
        type_crossref="posted-content" if kind == SHARED_PREPRINT else "journal-article",
        indexed_in=["datacite"] if kind == SHARED_PREPRINT else ["crossref"],  # as real arXiv preprints
        primary_location=locations[0],
        locations=locations,
        locations_count=len(locations),
        best_oa_location=next((loc for loc in locations if loc["is_oa"]), None),
        open_access=_open_access(locations),
        authorships=authorships,
        **_author_summaries(authorships),
        cited_by_count=paper.cited_by_count,
        primary_topic=_topic(paper.topics[0], 0),
        topics=[_topic(t, rank) for rank, t in enumerate(paper.topics)],
        referenced_works_count=len(paper.references),
        referenced_works=[f"{_OPENALEX}W{WORK_BASE + n}" for n in paper.references],
        abstract_inverted_index=_inverted_index(paper.abstract_words) if paper.has_abstract else None,
        cited_by_api_url=f"https://api.openalex.org/works?filter=cites:W{WORK_BASE + number}",
        updated_date=updated,
        created_date=_created_date(date),
    )
    _spoil(work, int(plan.bad_kind[index]))
    return work


def _work_skeleton(work_url: str, doi: str, title: str, date: str, year: int) -> dict[str, Any]:
    """Every key of a real work, in the real order; the caller fills in the rest.

    Longer than our usual function: it is the record's key list, kept in one place on purpose.
    """
    return {
        "id": work_url,
        "doi": doi,
        "title": title,
        "display_name": title,
        "publication_year": year,
        "publication_date": date,
        "ids": {"openalex": work_url, "doi": doi},
        "language": "en",
        "primary_location": None,
        "type": None,
        "type_crossref": None,
        "indexed_in": [],
        "open_access": None,
        "authorships": [],
        "institution_assertions": [],
        "countries_distinct_count": 0,
        "institutions_distinct_count": 0,
        "corresponding_author_ids": [],
        "corresponding_institution_ids": [],
        "apc_list": None,
        "apc_paid": None,
        "fwci": None,
        "has_fulltext": False,
        "fulltext_origin": None,
        "cited_by_count": 0,
        "citation_normalized_percentile": None,
        "cited_by_percentile_year": None,
        "biblio": {"volume": None, "issue": None, "first_page": None, "last_page": None},
        "is_retracted": False,
        "is_paratext": False,
        "primary_topic": None,
        "topics": [],
        "keywords": [],
        "concepts": [],
        "mesh": [],
        "locations_count": 0,
        "locations": [],
        "best_oa_location": None,
        "sustainable_development_goals": [],
        "grants": [],
        "datasets": [],
        "versions": [],
        "referenced_works_count": 0,
        "referenced_works": [],
        "related_works": [],
        "abstract_inverted_index": None,
        "cited_by_api_url": None,
        "counts_by_year": [],
        "updated_date": None,
        "created_date": None,
    }


def _doi(plan: PaperPlan, paper: Paper) -> str:
    if int(plan.kind[paper.paper_id]) == SHARED_PREPRINT:
        return f"https://doi.org/10.48550/arxiv.{arxiv_id(plan, paper.paper_id)}"
    return f"https://doi.org/{SYNTHETIC_DOI_PREFIX}{WORK_BASE + int(plan.work_number[paper.paper_id])}"


def _locations(paper: Paper, plan: PaperPlan, doi: str) -> list[dict[str, Any]]:
    kind = int(plan.kind[paper.paper_id])
    journal = _location(_venue(paper.topics[0], paper.venue), doi, is_oa=paper.venue % 2 == 0)
    if kind == SHARED_PREPRINT:
        return [_arxiv_location(arxiv_id(plan, paper.paper_id))]
    if kind == SHARED_PUBLISHED:
        return [journal, _arxiv_location(arxiv_id(plan, paper.paper_id))]
    return [journal]


def _location(source: dict[str, Any], url: str, *, is_oa: bool) -> dict[str, Any]:
    return {
        "is_oa": is_oa,
        "landing_page_url": url,
        "pdf_url": None,
        "source": source,
        "license": "cc-by" if is_oa else None,
        "license_id": "https://openalex.org/licenses/cc-by" if is_oa else None,
        "version": "publishedVersion",
        "is_accepted": True,
        "is_published": True,
    }


def _arxiv_location(identifier: str) -> dict[str, Any]:
    location = _location(_ARXIV_SOURCE, f"https://arxiv.org/abs/{identifier}", is_oa=True)
    location.update(license="other-oa", license_id="https://openalex.org/licenses/other-oa")
    location.update(version="submittedVersion", is_accepted=False, is_published=False)
    return location


@lru_cache(maxsize=256)
def _venue(topic: int, number: int) -> dict[str, Any]:
    """A synthetic journal (shared, read-only: the records only serialize it)."""
    source_number = SOURCE_BASE + topic * 10 + number
    return {
        "id": f"{_OPENALEX}S{source_number}",
        "display_name": venue_name(topic, number),
        "issn_l": None,
        "issn": None,
        "is_oa": number % 2 == 0,
        "is_in_doaj": False,
        "is_indexed_in_scopus": False,
        "is_core": False,
        "host_organization": None,
        "host_organization_name": None,
        "host_organization_lineage": [],
        "host_organization_lineage_names": [],
        "type": "journal",
    }


def _open_access(locations: list[dict[str, Any]]) -> dict[str, Any]:
    best = next((loc for loc in locations if loc["is_oa"]), None)
    status = "closed" if best is None else ("gold" if best is locations[0] else "green")
    return {
        "is_oa": best is not None,
        "oa_status": status,
        "oa_url": best["landing_page_url"] if best else None,
        "any_repository_has_fulltext": any(loc["source"] is _ARXIV_SOURCE for loc in locations),
    }


def _authorship(mention: Mention, index: int, count: int) -> dict[str, Any]:
    institutions, countries, raw, affiliations = _affiliation(mention.institution, mention.affiliation_style)
    return {
        "author_position": _POSITIONS[0 if index == 0 else (2 if index == count - 1 else 1)],
        "author": _NULL_AUTHOR
        if mention.null_author
        else _author(mention.author_number, mention.display_key, mention.orcid_person),
        "institutions": institutions,
        "countries": countries,
        "is_corresponding": index == 0,
        "raw_author_name": mention.raw_name,
        "raw_affiliation_strings": raw,
        "affiliations": affiliations,
    }


# OpenAlex's real placeholder for an unidentified author (shared, read-only).
_NULL_AUTHOR = {"id": f"{_OPENALEX}{NULL_AUTHOR_ID}", "display_name": "NULL AUTHOR_ID", "orcid": None}


@lru_cache(maxsize=500_000)
def _author(number: int, display_key: int, orcid_person: int) -> dict[str, Any]:
    """The ``author`` object of an OpenAlex author id (shared between records, read-only)."""
    return {
        "id": f"{_OPENALEX}A{AUTHOR_BASE + number}",
        "display_name": person_name(display_key).display_name,
        "orcid": f"https://orcid.org/{synthetic_orcid(orcid_person)}" if orcid_person >= 0 else None,
    }


_Affiliation = tuple[list[dict[str, Any]], list[str], list[str], list[dict[str, Any]]]


@lru_cache(maxsize=200_000)
def _affiliation(institution: int, style: int) -> _Affiliation:
    """Institutions, countries, raw strings and affiliations of a mention (shared, read-only).

    ROR ids are null: a made-up ROR id could be a real one.
    """
    if institution < 0:
        return [], [], [], []
    name, kind, country = institution_name(institution)
    url = f"{_OPENALEX}I{INSTITUTION_BASE + institution}"
    record: dict[str, Any] = {
        "id": url,
        "display_name": name,
        "ror": None,
        "country_code": country,
        "type": kind,
    }
    record["lineage"] = [url]
    raw = (name, f"Department of Research, {name}, {country}", name.upper())[style]
    return [record], [country], [raw], [{"raw_affiliation_string": raw, "institution_ids": [url]}]


def _author_summaries(authorships: list[dict[str, Any]]) -> dict[str, Any]:
    institutions = {i["id"] for a in authorships for i in a["institutions"]}
    countries = {c for a in authorships for c in a["countries"]}
    corresponding = [a for a in authorships if a["is_corresponding"]]
    return {
        "countries_distinct_count": len(countries),
        "institutions_distinct_count": len(institutions),
        "corresponding_author_ids": [a["author"]["id"] for a in corresponding],
        "corresponding_institution_ids": [i["id"] for a in corresponding for i in a["institutions"]],
    }


@lru_cache(maxsize=64)
def _topic(topic: int, rank: int) -> dict[str, Any]:
    spec = TOPICS[topic]
    return {
        "id": f"{_OPENALEX}T{TOPIC_BASE + topic}",
        "display_name": spec.name,
        "score": round(0.99 - 0.07 * rank, 4),
        "subfield": {"id": f"{_OPENALEX}subfields/{spec.subfield[0]}", "display_name": spec.subfield[1]},
        "field": {"id": f"{_OPENALEX}fields/{spec.field[0]}", "display_name": spec.field[1]},
        "domain": {"id": f"{_OPENALEX}domains/{spec.domain[0]}", "display_name": spec.domain[1]},
    }


def _inverted_index(words: list[str]) -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for position, word in enumerate(words):
        index.setdefault(word, []).append(position)
    return index


def _created_date(publication_date: str) -> str:
    # OpenAlex records of older works were created when OpenAlex (then MAG) first listed them.
    return publication_date if publication_date >= "2016-06-24" else "2016-06-24"


def _spoil(work: dict[str, Any], bad_kind: int) -> None:
    """Give a record its deliberate bad field, so the quarantine paths run at scale."""
    if bad_kind < 0:
        return
    kind = BAD_KINDS[bad_kind]
    if kind == "null_title":
        work.update(title=None, display_name=None)
    elif kind == "blank_title":
        work.update(title="", display_name="")
    elif kind == "bad_publication_date":
        work["publication_date"] = f"{work['publication_year']}-02-30"
    elif work["authorships"]:  # unnamed_author
        first = work["authorships"][0]
        first["raw_author_name"] = None
        first["author"] = dict(first["author"], display_name=None)
