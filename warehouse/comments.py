"""COMMENTs on every published table and column (source schemas carry their own)."""

from __future__ import annotations

import duckdb

from warehouse.identity_state import AUTHOR_REDIRECTS, IDENTITY_OVERRIDES
from warehouse.schemas import TABLE_COMMENTS, column_comment
from warehouse.state import PIPELINE_RUNS, WATERMARKS

__all__ = ["apply_comments"]

# Columns of derived tables that are not in a source schema.
DERIVED_COLUMNS: dict[str, dict[str, str]] = {
    "works": {
        "work_id": "Paper id: 'arxiv:<id>', else 'doi:<publisher doi>', else 'openalex:W…'",
        "type": "Published type when a published version exists, else preprint",
        "has_preprint": "A preprint version (arXiv or repository) is also available",
        "venue": "Published venue over arXiv",
        "first_version_date": "Date of the first version (arXiv v1), else of the preprint record",
        "publication_date": "Date of the published version (a YYYY-01-01 placeholder never wins)",
        "display_year": "Published year where known, else the first version's year",
        "doi": "Publisher DOI, else the arXiv DOI",
        "sources": "Sources that contributed a record",
        "field_sources": "Which source record supplied each displayed field (JSON)",
        "authors_record": "Source record whose author list the paper uses",
        "source_updated_at": "Latest update of any of the paper's source records",
    },
    "work_sources": {
        "work_id": "Paper",
        "source_work_id": "Source record: 'openalex:W…' or 'arxiv:<id>'",
        "source": "openalex or arxiv",
        "matched_by": "self (first record), arxiv_id, doi, openalex_id or title (fuzzy)",
        "match_score": "100 for shared ids; the title similarity for fuzzy matches",
        "raw_ref": "Raw page and record index of the source record",
    },
    "authorships": {
        "author_id": "Resolved author of the mention (NULL: name quarantined)",
        "work_id": "Paper of the mention",
        "raw_affiliations": "Affiliation strings of this mention in every record of the paper",
        "merged_mention_ids": "The same mention in the paper's other records (e.g. arXiv)",
    },
    "authors": {
        "author_id": "Resolved author id (stable across runs; retired ids in author_redirects)",
        "orcids_seen": "Distinct ORCIDs among the mentions (more than 1: a conflict to review)",
        "mentions_count": "Author mentions resolved to this author",
        "identity_confidence": "Score of the weakest join that built the author (1.0: one mention)",
        "mentions_in_review": "Pairs involving this author listed in identity_reviews",
        "display_name": "Most used name of the author",
        "name_variants": "Every name the author's mentions use",
        "orcid": "ORCID iD given by a source, if any",
        "source_author_ids": "OpenAlex author ids of the mentions",
        "works_count": "Number of works",
        "first_year": "Year of the earliest work",
        "last_year": "Year of the latest work",
    },
    "author_evidence": {
        "author_id": "Author built by the join",
        "step": "Order of the join",
        "left_mention": "Smallest mention id of one side",
        "right_mention": "Smallest mention id of the other side",
        "score": "Join score in [0, 1] (1: operator or ORCID)",
        "rule": "score, or the rule that decided alone (orcid, operator, ...)",
        "evidence": "Name similarity, shared co-authors, institutions, venues, years (JSON)",
    },
    "identity_reviews": {
        "left_mention": "Smallest mention id of one cluster",
        "right_mention": "Smallest mention id of the other",
        "score": "Score of the pair: below the join threshold, above the review floor",
        "rule": "score",
        "evidence": "Evidence of the pair (JSON)",
        "left_author": "Author of the left cluster",
        "right_author": "Author of the right cluster",
    },
    "author_profiles": {
        "author_id": "Author id (key for point reads)",
        "display_name": "Name shown on the profile",
        "name_variants": "Every name the author's mentions use",
        "summary": "One-line research summary from the author's data (NULL when evidence is thin)",
        "orcid": "ORCID iD when the sources give exactly one",
        "source_author_ids": "OpenAlex author ids of the author's mentions",
        "affiliation": "Current affiliation: of the most recent works (NULL: no source says anything)",
        "works_count": "Number of works",
        "topics_count": "Topics carried with score >= 0.5 by at least one work (arXiv categories count)",
        "close_collaborators_count": "Co-authors with at least close_collaborator_min_works shared works",
        "coauthor_count": "Distinct resolved co-authors (papers over the author cap excluded)",
        "first_year": "Year of the earliest work",
        "last_year": "Year of the latest work",
        "identity_confidence": "Score of the weakest join that built the author (1.0: one mention)",
        "mentions_in_review": "Pairs involving this author listed in identity_reviews",
        "verification_level": "L2: one consistent ORCID across the mentions; L1: public metadata only",
        "updated_at": "When this row was built",
    },
    "author_topics": {
        "author_id": "Author",
        "topic_id": "Topic or arXiv category",
        "display_name": "Topic name",
        "field": "OpenAlex field (arXiv categories placed where a sound mapping exists)",
        "domain": "OpenAlex domain",
        "works": "Author's works carrying the topic",
        "weight": "Sum of topic scores, times 0.8 per year before the author's latest work",
        "counted": "Counts toward topics_count (score >= 0.5 on some work)",
        "rank": "1 = strongest topic",
    },
    "collaborations": {
        "author_id": "Author",
        "coauthor_id": "Co-author (resolved identity)",
        "shared_works": "Works both wrote (papers with more than collaboration_max_authors authors excluded)",
        "first_year": "Year of the first shared work",
        "last_year": "Year of the latest shared work",
    },
    "author_affiliations": {
        "author_id": "Author",
        "institution_id": "OpenAlex institution id (NULL: a raw string that matched no institution)",
        "name": "Institution name, or the raw affiliation string",
        "matched_by": "id (given by the source), matched (raw string matched with rapidfuzz) or raw",
        "first_year": "First year of a work with this affiliation",
        "last_year": "Latest year of a work with this affiliation",
        "works": "Works with this affiliation",
    },
    "author_works": {
        "author_id": "Author (key for point reads)",
        "rank": "Display order: newest first",
        "work_id": "Paper",
        "type": "Published type, else preprint",
        "has_preprint": "A preprint is also available",
        "display_year": "Year shown",
        "venue": "Venue shown",
        "title": "Clean title",
        "abstract": "Clean abstract",
        "doi": "DOI",
        "arxiv_id": "arXiv id",
        "position": "The author's position on the paper (1-based)",
        "links": "Landing page, DOI and arXiv links",
    },
    "author_graph": {
        "author_id": "Author",
        "kind": "paper, person, topic or institution",
        "target_id": "Id of the nearby node",
        "label": "Label to show",
        "weight": "Year (papers), shared works (people), topic weight, works (institutions)",
        "rank": "1..5 within the kind",
    },
    "profile_pages": {
        "author_id": "Author (unique index: the key of point reads)",
        "updated_at": "When the build that published the page ran (also for a page it copied unchanged)",
        "page": "JSON: the author_profiles row plus works (first 200, display order), topics (top 10), "
        "collaborators (top 20), affiliations and the graph slice; read with warehouse.read.read_profile",
        "inputs_digest": "Digest of everything the page is built from: the next build copies the page "
        "while it is unchanged",
    },
}


def apply_comments(con: duckdb.DuckDBPyConnection) -> None:
    """Set a COMMENT on every table and column of the warehouse.

    Raises:
        KeyError: A table or column has no comment defined: add it where the table is defined.
    """
    state = {
        "pipeline_runs": PIPELINE_RUNS,
        "watermarks": WATERMARKS,
        "identity_overrides": IDENTITY_OVERRIDES,
        "author_redirects": AUTHOR_REDIRECTS,
    }
    columns = con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'main' AND NOT internal "
        "ORDER BY table_name, column_index"
    ).fetchall()
    for table in sorted({t for t, _ in columns}):
        con.execute(f"COMMENT ON TABLE {table} IS {_literal(TABLE_COMMENTS[table])}")
    for table, column in columns:
        if table in state:
            metadata = state[table].field(column).metadata or {}
            comment = metadata[b"description"].decode()
        else:
            comment = DERIVED_COLUMNS.get(table, {}).get(column) or column_comment(table, column) or ""
        if not comment:
            raise KeyError(f"no comment for {table}.{column}: add one in warehouse/comments.py")
        con.execute(f"COMMENT ON COLUMN {table}.{column} IS {_literal(comment)}")


def _literal(text: str) -> str:
    # COMMENT ON takes no bound parameters; these strings are our own constants, not input.
    return "'" + text.replace("'", "''") + "'"
