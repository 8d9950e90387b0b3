"""What a publish changed, and how complete the data is: the numbers a run reports."""

from __future__ import annotations

from pathlib import Path

import duckdb

__all__ = ["COVERAGE", "changes_since", "coverage"]

COVERAGE = {
    "abstracts": "SELECT avg((abstract IS NOT NULL)::INT) FROM works",
    "affiliations": (
        "SELECT avg((len(institution_ids) > 0 OR len(raw_affiliations) > 0)::INT) FROM authorships"
    ),
    "orcid": "SELECT avg((orcid IS NOT NULL)::INT) FROM authors",
}
# Added: ids not in the previous warehouse. Changed: ids in both whose displayed fields differ.
_CHANGES = {
    "works_added": "SELECT count(*) FROM works w ANTI JOIN previous.works p USING (work_id)",
    "works_changed": (
        "SELECT count(*) FROM works w JOIN previous.works p USING (work_id) "
        "WHERE w.title IS DISTINCT FROM p.title OR w.abstract IS DISTINCT FROM p.abstract "
        "OR w.type IS DISTINCT FROM p.type "
        "OR w.display_year IS DISTINCT FROM p.display_year OR w.venue IS DISTINCT FROM p.venue "
        "OR w.doi IS DISTINCT FROM p.doi"
    ),
    "authors_added": "SELECT count(*) FROM authors a ANTI JOIN previous.authors p USING (author_id)",
    "authors_changed": (
        "SELECT count(*) FROM authors a JOIN previous.authors p USING (author_id) "
        "WHERE a.display_name IS DISTINCT FROM p.display_name "
        "OR a.works_count IS DISTINCT FROM p.works_count OR a.orcid IS DISTINCT FROM p.orcid"
    ),
}


def coverage(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    """Share of works with an abstract, of mentions with an affiliation, of authors with an ORCID."""
    shares = {}
    for label, sql in COVERAGE.items():
        row = con.execute(sql).fetchone()
        shares[label] = round(float(row[0] or 0.0), 4) if row else 0.0
    return shares


def changes_since(con: duckdb.DuckDBPyConnection, previous: Path) -> dict[str, int]:
    """Works and authors added or changed since the previously published warehouse.

    Everything counts as added when nothing was published before. The previous file is attached
    read-only, which never blocks its readers.
    """
    if not previous.is_file():
        return {
            "works_added": _count(con, "SELECT count(*) FROM works"),
            "works_changed": 0,
            "authors_added": _count(con, "SELECT count(*) FROM authors"),
            "authors_changed": 0,
        }
    con.execute("ATTACH ? AS previous (READ_ONLY)", [str(previous)])
    try:
        return {name: _count(con, sql) for name, sql in _CHANGES.items()}
    finally:
        con.execute("DETACH previous")


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0
