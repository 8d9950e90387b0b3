"""Stage 2 of the build: merge the source records into papers with dedupe.merge_works."""

from __future__ import annotations

from typing import Any

import duckdb
import orjson
import pyarrow as pa

from dedupe import WorkRecord, merge_works, surname
from warehouse.duck import create_from_arrow, fetch_dicts

__all__ = ["register_merged_works"]

_RECORDS = """
SELECT r.work_id, r.source, r.title, r.type, r.display_year, r.first_version_date, r.publication_date,
       r.venue, r.venue_type, r.doi, r.arxiv_id, r.openalex_id, r.journal_ref,
       r.abstract IS NOT NULL AS has_abstract,
       coalesce(m.names, []) AS names
FROM work_records r
LEFT JOIN (
    SELECT work_id, list(raw_name ORDER BY position) AS names FROM record_mentions GROUP BY work_id
) m USING (work_id)
"""

MERGED_WORKS = pa.schema(
    [
        ("work_id", pa.string()),
        ("title_record", pa.string()),
        ("abstract_record", pa.string()),
        ("authors_record", pa.string()),
        ("type", pa.string()),
        ("has_preprint", pa.bool_()),
        ("first_version_date", pa.date32()),
        ("publication_date", pa.date32()),
        ("display_year", pa.int32()),
        ("venue", pa.string()),
        ("doi", pa.string()),
        ("arxiv_id", pa.string()),
        ("openalex_id", pa.string()),
        ("sources", pa.list_(pa.string())),
        ("field_sources", pa.string()),
    ]
)
# A set, not the schema's `names` (a list pyarrow builds anew on every call): read for every field
# of every paper.
_MERGED_FIELDS = frozenset(MERGED_WORKS.names)
MERGED_SOURCES = pa.schema(
    [
        ("work_id", pa.string()),
        ("source_work_id", pa.string()),
        ("matched_by", pa.string()),
        ("match_score", pa.float64()),
    ]
)


def register_merged_works(con: duckdb.DuckDBPyConnection) -> None:
    """Read work_records, merge them into papers, create merged_works and merged_sources."""
    rows = fetch_dicts(con, _RECORDS)
    sources = {r["work_id"]: r["source"] for r in rows}
    papers = merge_works(_record(r) for r in rows)
    works: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    for paper in papers:
        members = [m for m, _, _ in paper.records]
        fields = {k: v for k, v in paper.fields.items() if k in _MERGED_FIELDS}
        works.append(
            {
                **fields,
                "work_id": paper.work_id,
                "sources": sorted({sources[m] for m in members}),
                "field_sources": orjson.dumps(paper.field_sources, option=orjson.OPT_SORT_KEYS).decode(),
            }
        )
        links += [
            {"work_id": paper.work_id, "source_work_id": m, "matched_by": how, "match_score": score}
            for m, how, score in paper.records
        ]
    create_from_arrow(con, "merged_works", pa.Table.from_pylist(works, schema=MERGED_WORKS), temp=True)
    create_from_arrow(con, "merged_sources", pa.Table.from_pylist(links, schema=MERGED_SOURCES), temp=True)


def _record(row: dict[str, Any]) -> WorkRecord:
    return WorkRecord(
        source_work_id=row["work_id"],
        source=row["source"],
        title=row["title"],
        type=row["type"],
        display_year=row["display_year"],
        first_version_date=row["first_version_date"],
        publication_date=row["publication_date"],
        venue=row["venue"],
        venue_type=row["venue_type"],
        doi=row["doi"],
        arxiv_id=row["arxiv_id"],
        openalex_id=row["openalex_id"],
        journal_ref=row["journal_ref"],
        surnames=tuple(surname(n) for n in row["names"]),
        has_abstract=row["has_abstract"],
    )
