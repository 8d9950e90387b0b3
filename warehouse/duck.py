"""Small DuckDB helpers the build stages share."""

from __future__ import annotations

import duckdb
import pyarrow as pa

__all__ = ["create_from_arrow", "row_count"]


def create_from_arrow(
    con: duckdb.DuckDBPyConnection, name: str, table: pa.Table, *, temp: bool = False
) -> None:
    """Create table ``name`` (one of our own table names, never input) from an Arrow table."""
    con.register("arrow_input", table)
    kind = "TEMP TABLE" if temp else "TABLE"
    con.execute(f"CREATE {kind} {name} AS SELECT * FROM arrow_input")  # noqa: S608
    con.unregister("arrow_input")


def row_count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Rows of table ``table`` (one of our own table names, never input)."""
    # fetchall, not fetchone: an unfinished result would block the connection's next con.sql().
    rows = con.execute(f"SELECT count(*) FROM {table}").fetchall()  # noqa: S608
    return int(rows[0][0])
