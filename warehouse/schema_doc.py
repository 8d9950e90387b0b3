"""docs/SCHEMA.md, generated from the warehouse itself: every table and column with its COMMENT."""

from __future__ import annotations

from pathlib import Path

import duckdb

__all__ = ["example_queries", "schema_markdown"]

_HEADER = """# Warehouse schema

Generated from the published warehouse's own COMMENTs by `bzpeer schema --write docs/SCHEMA.md`
(a test fails when this file is out of date). Open the warehouse read-only with any DuckDB client:
`duckdb -readonly data/warehouse.duckdb`.
"""


def schema_markdown(con: duckdb.DuckDBPyConnection, examples: Path) -> str:
    """The schema document: tables, columns, types, comments, then the example queries."""
    lines = [_HEADER]
    tables = con.execute(
        "SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY table_name"
    ).fetchall()
    for table, comment in tables:
        lines += [f"## `{table}`", "", comment or "", "", "| column | type | meaning |", "|---|---|---|"]
        columns = con.execute(
            "SELECT column_name, data_type, comment FROM duckdb_columns() "
            "WHERE table_name = ? AND schema_name = 'main' ORDER BY column_index",
            [table],
        ).fetchall()
        lines += [
            f"| `{name}` | {dtype} | {(text or '').replace('|', '/')} |" for name, dtype, text in columns
        ]
        lines.append("")
    lines += ["# Example queries", "", f"Each is tested against the demo data (`docs/{examples.name}`).", ""]
    for name, sql in example_queries(examples):
        lines += [f"## {name.replace('_', ' ')}", "", "```sql", sql, "```", ""]
    return "\n".join(lines)


def example_queries(path: Path) -> list[tuple[str, str]]:
    """(name, sql) of each query in the examples file (blocks start with ``-- name: ...``)."""
    queries = []
    for block in path.read_text().split("-- name: ")[1:]:
        name, _, sql = block.partition("\n")
        queries.append((name.strip(), sql.strip()))
    return queries
