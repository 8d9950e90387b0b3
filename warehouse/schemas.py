"""Canonical Arrow schemas of the normalized source tables, with the comment of every column.

The normalizers in sources/ produce exactly these schemas; the lake stores them as Parquet and the
warehouse build reads them. Each field's ``description`` metadata becomes a DuckDB COMMENT.
"""

from __future__ import annotations

import pyarrow as pa

__all__ = ["SOURCE_TABLES", "TABLE_COMMENTS", "column_comment", "described_field"]


def described_field(name: str, type_: pa.DataType, comment: str, nullable: bool = True) -> pa.Field:
    """An Arrow field whose ``description`` metadata becomes the column's DuckDB COMMENT."""
    return pa.field(name, type_, nullable=nullable, metadata={"description": comment})


_field = described_field


_STR = pa.string()
_STRS = pa.list_(pa.string())
_TS = pa.timestamp("us", tz="UTC")

WORKS = pa.schema(
    [
        _field("work_id", _STR, "Work id: 'openalex:W…' or 'arxiv:<id without version>'", False),
        _field("source", _STR, "Source that supplied the record: openalex or arxiv", False),
        _field("title", _STR, "Title cleaned for display (LaTeX and markup to Unicode text)", False),
        _field("title_raw", _STR, "Title exactly as the source gives it", False),
        _field("abstract", _STR, "Abstract cleaned for display (LaTeX and markup to Unicode text)"),
        _field("abstract_raw", _STR, "Abstract as the source gives it (OpenAlex: rebuilt from its index)"),
        _field("type", _STR, "Work type: preprint, article, proceedings-article, ..."),
        _field("first_version_date", pa.date32(), "Date of the first version (arXiv v1)"),
        _field("publication_date", pa.date32(), "Publication date the source gives"),
        _field("source_updated_at", _TS, "When the source last changed the record"),
        _field("display_year", pa.int32(), "Year shown on profiles"),
        _field("venue", _STR, "Venue name (journal, conference, repository)"),
        _field("venue_type", _STR, "journal, conference, repository, ... (OpenAlex source type)"),
        _field("doi", _STR, "DOI, lower case, without https://doi.org/"),
        _field("arxiv_id", _STR, "arXiv id without version, e.g. 1609.08144"),
        _field("openalex_id", _STR, "OpenAlex work id, e.g. W2525778437"),
        _field("language", _STR, "Language code the source gives"),
        _field("journal_ref", _STR, "arXiv journal reference, as the authors wrote it"),
        _field("landing_url", _STR, "Landing page of the primary location"),
        _field("raw_ref", _STR, "Raw page and record index: raw/<source>/<run>/...#<index>", False),
    ]
)

AUTHORSHIPS = pa.schema(
    [
        _field("mention_id", _STR, "One author mention: '<work_id>#<position>'", False),
        _field("work_id", _STR, "Work of the mention", False),
        _field("position", pa.int32(), "1-based position in the author list", False),
        _field("raw_name", _STR, "Author name as the source prints it", False),
        _field("name_key", _STR, "Lower-case ASCII name for grouping; see README", False),
        _field("source_author_id", _STR, "Source's author id (OpenAlex A…), if any"),
        _field("orcid", _STR, "ORCID iD (0000-0000-0000-0000), if the source gives one"),
        _field("institution_ids", _STRS, "OpenAlex institution ids (I…) of this mention"),
        _field("raw_affiliations", _STRS, "Affiliation strings as printed on the work"),
        _field("is_corresponding", pa.bool_(), "Marked as corresponding author by the source"),
        _field("raw_ref", _STR, "Raw reference of the work record the mention came from", False),
    ]
)

INSTITUTIONS = pa.schema(
    [
        _field("institution_id", _STR, "OpenAlex institution id (I…)", False),
        _field("display_name", _STR, "Institution name", False),
        _field("ror", _STR, "ROR id URL, if any"),
        _field("country_code", _STR, "ISO country code"),
        _field("type", _STR, "education, company, facility, ..."),
    ]
)

TOPICS = pa.schema(
    [
        _field("topic_id", _STR, "'openalex:T…' or 'arxiv:<category>'", False),
        _field("scheme", _STR, "openalex-topic or arxiv-category", False),
        _field("display_name", _STR, "Topic or category name", False),
        _field("subfield", _STR, "OpenAlex subfield (or arXiv archive)"),
        _field("field", _STR, "OpenAlex field (or arXiv group)"),
        _field("domain", _STR, "OpenAlex domain"),
    ]
)

WORK_TOPICS = pa.schema(
    [
        _field("work_id", _STR, "Work", False),
        _field("topic_id", _STR, "Topic or category", False),
        _field("score", pa.float64(), "Source's score (OpenAlex topic score; arXiv: 1.0)"),
        _field("is_primary", pa.bool_(), "Primary topic or primary arXiv category", False),
        _field("raw_ref", _STR, "Raw reference of the work record the row came from", False),
    ]
)

QUARANTINE = pa.schema(
    [
        _field("source", _STR, "Source of the bad record", False),
        _field("record_type", _STR, "work or authorship", False),
        _field("record_id", _STR, "Id of the record, when it has one"),
        _field("reason", _STR, "Why the record was not published", False),
        _field("raw_ref", _STR, "Raw page and record index, to inspect or replay it", False),
    ]
)

SOURCE_TABLES: dict[str, pa.Schema] = {
    "works": WORKS,
    "authorships": AUTHORSHIPS,
    "institutions": INSTITUTIONS,
    "topics": TOPICS,
    "work_topics": WORK_TOPICS,
    "quarantine": QUARANTINE,
}

TABLE_COMMENTS: dict[str, str] = {
    "works": "One row per paper, merged across sources and versions (field rules: README)",
    "work_sources": "Every source record of a paper, how it was matched, and its raw reference",
    "authorships": "One row per author mention on a work",
    "authors": "One row per resolved author (identity resolution: see README)",
    "author_evidence": "Every join that built an author, with its evidence (bzpeer authors explain)",
    "identity_reviews": "Uncertain pairs kept apart, for operators (bzpeer authors review)",
    "identity_overrides": "Operator decisions: must_link and cannot_link mention pairs, replayed every run",
    "author_redirects": "Retired author ids and the id each profile moved to",
    "author_topics": "Weighted topics per author (score, recency, works); rule in README",
    "collaborations": "Co-author pairs of resolved authors, with shared works and years",
    "author_affiliations": "Affiliation history per author, with years and how each was matched",
    "author_works": "A profile's works list, display order by rank (rows are not stored in it)",
    "author_graph": "Top-5 nearby papers, people, topics and institutions per author (graph panel)",
    "institutions": "Institutions named by OpenAlex authorships",
    "topics": "OpenAlex topics with hierarchy, and arXiv categories",
    "work_topics": "Topics and categories of each work",
    "quarantine": "Records and mentions not published, with the reason and raw reference",
    "pipeline_runs": "One row per pipeline run: window, counts, timings, status",
    "watermarks": "Per source and scope: the end of the last published window",
    "author_profiles": "One row per author: everything a profile header shows, precomputed",
    "profile_pages": "The profile read model: one row per author, the whole page as one JSON document",
}


def column_comment(table: str, column: str) -> str | None:
    """The comment of a source-table column, or None if the column is not in a source schema."""
    schema = SOURCE_TABLES.get(table)
    if schema is None or column not in schema.names:
        return None
    metadata = schema.field(column).metadata or {}
    return metadata.get(b"description", b"").decode() or None
