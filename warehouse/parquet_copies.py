"""Parquet copies of the published tables, for Spark, Dask or any other Parquet reader.

DESIGN keeps the canonical tables in DuckDB, also as Parquet. Each publish writes every table but
``profile_pages`` (the pages' JSON read model) to ``<data>/parquet/.<run_id>/<table>.parquet``
while it builds; once the warehouse file is swapped in, the folder is renamed to
``<data>/parquet/<run_id>/`` and the ``<data>/parquet/current`` symlink is pointed at it (an atomic
replace). A reader that lists ``parquet/current/`` sees one publish's tables, never a mix. The
previous publish's folder stays (a reader may still be at work in it); older ones are removed.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

__all__ = ["CURRENT", "PARQUET_DIR", "make_current", "remove_stale_copies", "write_copies"]

PARQUET_DIR = "parquet"
CURRENT = "current"
_READ_MODEL = "profile_pages"


def write_copies(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """Write each table of the connection's database (but the page read model) to ``folder``."""
    folder.mkdir(parents=True)
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE NOT temporary AND table_name <> ? ORDER BY 1",
        [_READ_MODEL],
    ).fetchall()
    tables = [str(row[0]) for row in rows]
    for table in tables:
        target = str(folder / f"{table}.parquet").replace("'", "''")
        # COPY takes no bound file name; table names are the warehouse's own.
        con.execute(f"COPY {table} TO '{target}' (FORMAT parquet, COMPRESSION zstd)")


def make_current(root: Path, run_id: str) -> None:
    """Publish ``root/.<run_id>`` as ``root/<run_id>``, point ``root/current`` at it, drop older ones.

    A run id published before (runs never reuse one; a script may) has its old folder replaced.
    """
    if (root / run_id).is_dir():
        shutil.rmtree(root / run_id)  # os.replace cannot replace a folder that is not empty
    os.replace(root / f".{run_id}", root / run_id)
    current = root / CURRENT
    previous = os.readlink(current) if current.is_symlink() else None
    if current.is_dir() and not current.is_symlink():
        shutil.rmtree(current)  # a copy of the data folder that followed the link (cp -r)
    link = root / f".{CURRENT}-{run_id}"
    link.symlink_to(run_id, target_is_directory=True)
    os.replace(link, current)
    for folder in root.iterdir():
        if folder.name not in {CURRENT, run_id, previous} and not folder.name.startswith("."):
            shutil.rmtree(folder)


def remove_stale_copies(root: Path) -> list[Path]:
    """Delete the half-written copies (``.<run_id>`` folders, links) of an interrupted publish."""
    stale = sorted(root.glob(".*")) if root.is_dir() else []
    for path in stale:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    return stale
