"""COMMENTs on every published table and column (source schemas carry their own)."""

from __future__ import annotations

import duckdb

from warehouse.schemas import TABLE_COMMENTS, column_comment
from warehouse.state import PIPELINE_RUNS, WATERMARKS

__all__ = ["apply_comments"]

# Columns of derived tables that are not in a source schema.
DERIVED_COLUMNS: dict[str, dict[str, str]] = {
    "authorships": {"author_id": "Author of the mention (provisional id: see README)"},
    "authors": {
        "author_id": "Author id (provisional: 'openalex:A…' or 'name:<normalized name>')",
        "display_name": "Most used name of the author",
        "name_variants": "Every name the author's mentions use",
        "orcid": "ORCID iD given by a source, if any",
        "source_author_ids": "OpenAlex author ids of the mentions",
        "works_count": "Number of works",
        "first_year": "Year of the earliest work",
        "last_year": "Year of the latest work",
    },
    "author_profiles": {
        "author_id": "Author id (key for point reads)",
        "display_name": "Name shown on the profile",
        "orcid": "ORCID iD, if any",
        "affiliation": "Institution of the most recent work naming one (NULL: no source says)",
        "works_count": "Number of works",
        "topics_count": "Distinct topics and arXiv categories over the author's works",
        "coauthor_count": "Distinct co-authors over the author's works",
        "first_year": "Year of the earliest work",
        "last_year": "Year of the latest work",
        "updated_at": "When this row was built",
    },
}


def apply_comments(con: duckdb.DuckDBPyConnection) -> None:
    """Set a COMMENT on every table and column of the warehouse.

    Raises:
        KeyError: A table or column has no comment defined: add it where the table is defined.
    """
    state = {"pipeline_runs": PIPELINE_RUNS, "watermarks": WATERMARKS}
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
