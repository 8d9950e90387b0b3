"""The field rules of a merged work, in one place (README: "Works: one row per paper").

- ``first_version_date``: the earliest arXiv ``published`` (v1); without arXiv, a preprint record's date.
- ``publication_date``: the published version's date; an OpenAlex year-only placeholder (YYYY-01-01)
  never overrides a precise date from another record.
- ``display_year``: the published version's year where known (OpenAlex published record, else the
  year in arXiv's journal reference), else the first version's year; never the latest revision's.
- ``type``: the published type when a published version exists (OpenAlex published record, or an
  arXiv record with a journal reference or publisher DOI: ``article``), else ``preprint``;
  ``has_preprint`` says a preprint is also available. ``venue``: the published venue over arXiv.
- Every displayed field records the source record that supplied it (``field_sources``).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from dedupe.work_keys import PREPRINT_TYPES, WorkRecord

__all__ = ["is_year_placeholder", "resolve_fields"]

_YEAR_IN_REF = re.compile(r"\b(19[5-9]\d|20\d\d)\b")


def is_year_placeholder(record: WorkRecord, value: date | None) -> bool:
    """OpenAlex gives YYYY-01-01 when it only knows the year."""
    return value is not None and record.source == "openalex" and (value.month, value.day) == (1, 1)


def resolve_fields(records: list[WorkRecord]) -> tuple[dict[str, Any], dict[str, str]]:
    """The displayed fields of one paper from its source records, and which record gave each.

    Args:
        records: The paper's records (any order; the result does not depend on it).

    Returns:
        (fields, field_sources): field values, and field name -> source_work_id.
    """
    records = sorted(records, key=lambda r: r.source_work_id)
    published = sorted((r for r in records if r.is_published_version), key=_published_rank)
    arxiv = [r for r in records if r.source == "arxiv"]
    arxiv_published = [r for r in arxiv if r.journal_ref or r.doi]
    preprints = arxiv + [r for r in records if r.source == "openalex" and (r.type or "") in PREPRINT_TYPES]
    fields: dict[str, Any] = {}
    sources: dict[str, str] = {}

    def take(field: str, value: Any, record: WorkRecord | None) -> None:
        fields[field] = value
        if record is not None and value is not None:
            sources[field] = record.source_work_id

    first = _first_version(arxiv, preprints)
    take("first_version_date", first[0], first[1])
    pub = _publication_date(published)
    take("publication_date", pub[0], pub[1])
    if published:
        best = published[0]
        take("type", best.type, best)
        take("venue", best.venue, best)
        take("display_year", best.display_year, best)
    elif arxiv_published:
        best = arxiv_published[0]
        take("type", "article", best)
        take("venue", best.journal_ref, best)
        years = _YEAR_IN_REF.findall(best.journal_ref or "")
        take("display_year", int(years[-1]) if years else None, best)
    else:
        best = preprints[0] if preprints else records[0]
        take("type", best.type or "preprint", best)
        take("venue", best.venue, best)
        take("display_year", None, None)
    if fields["display_year"] is None:
        year_source = first[1] or best
        year = first[0].year if first[0] else year_source.display_year
        take("display_year", year, year_source)
    title_record = published[0] if published else (arxiv[0] if arxiv else records[0])
    take("title", title_record.title, title_record)
    take("doi", *_doi(published, arxiv, records))
    fields["has_preprint"] = bool(preprints)
    fields["title_record"] = title_record.source_work_id
    with_abstract = [r for r in [title_record, *arxiv, *records] if r.has_abstract]
    fields["abstract_record"] = with_abstract[0].source_work_id if with_abstract else None
    authors = [*published, *(r for r in records if r.source == "openalex"), *records]
    fields["authors_record"] = next((r for r in authors if r.surnames), records[0]).source_work_id
    fields["arxiv_id"] = min((r.arxiv_id for r in records if r.arxiv_id), default=None)
    openalex = published or [r for r in records if r.openalex_id]
    fields["openalex_id"] = openalex[0].openalex_id if openalex else None
    return fields, sources


def _published_rank(record: WorkRecord) -> tuple[bool, bool, bool, str]:
    # Not a preprint server's record (SSRN's are typed "article"), with a venue and a precise date
    # first, then by id for determinism.
    return (
        record.has_preprint_doi,
        record.venue is None,
        is_year_placeholder(record, record.publication_date),
        record.source_work_id,
    )


def _first_version(
    arxiv: list[WorkRecord], preprints: list[WorkRecord]
) -> tuple[date | None, WorkRecord | None]:
    dated = [(r.first_version_date, r) for r in arxiv if r.first_version_date]
    if dated:
        return min(dated, key=lambda pair: (pair[0], pair[1].source_work_id))
    others = [(r.publication_date, r) for r in preprints if r.publication_date]
    precise = [pair for pair in others if not is_year_placeholder(pair[1], pair[0])]
    candidates = precise or others
    if not candidates:
        return None, None
    return min(candidates, key=lambda pair: (pair[0], pair[1].source_work_id))


def _publication_date(published: list[WorkRecord]) -> tuple[date | None, WorkRecord | None]:
    dated = [r for r in published if r.publication_date]
    precise = [r for r in dated if not is_year_placeholder(r, r.publication_date)]
    chosen = precise or dated
    return (chosen[0].publication_date, chosen[0]) if chosen else (None, None)


def _doi(
    published: list[WorkRecord], arxiv: list[WorkRecord], records: list[WorkRecord]
) -> tuple[str | None, WorkRecord | None]:
    for record in [*published, *arxiv, *records]:
        if record.publisher_doi:
            return record.publisher_doi, record
    for record in records:
        if record.doi:
            return record.doi, record
    return None, None
