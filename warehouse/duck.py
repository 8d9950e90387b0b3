"""Small DuckDB helpers the build stages share."""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa

__all__ = ["create_from_arrow", "fetch_dicts", "row_count"]


def create_from_arrow(
    con: duckdb.DuckDBPyConnection, name: str, table: pa.Table, *, temp: bool = False
) -> None:
    """Create table ``name`` (one of our own table names, never input) from an Arrow table."""
    con.register("arrow_input", table)
    kind = "TEMP TABLE" if temp else "TABLE"
    con.execute(f"CREATE {kind} {name} AS SELECT * FROM arrow_input")  # noqa: S608
    con.unregister("arrow_input")


def fetch_dicts(con: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> list[dict[str, Any]]:
    """Rows of a query as dicts keyed by column name."""
    result = con.execute(sql, params) if params is not None else con.execute(sql)
    columns = [d[0] for d in result.description or []]
    return [dict(zip(columns, values, strict=True)) for values in result.fetchall()]


def row_count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Rows of table ``table`` (one of our own table names, never input)."""
    # fetchall, not fetchone: an unfinished result would block the connection's next con.sql().
    rows = con.execute(f"SELECT count(*) FROM {table}").fetchall()  # noqa: S608
    return int(rows[0][0])
