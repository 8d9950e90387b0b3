"""Typed reads of the published warehouse through read-only connections (profile pages, CLI)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb

__all__ = [
    "Profile",
    "ProfileWork",
    "WarehouseMissing",
    "find_authors",
    "open_readonly",
    "read_profile",
]


class WarehouseMissing(FileNotFoundError):
    """No warehouse has been published at the path yet."""


@dataclass(frozen=True, slots=True)
class ProfileWork:
    """One line of a profile's works list."""

    work_id: str
    type: str | None
    display_year: int | None
    venue: str | None
    title: str


@dataclass(frozen=True, slots=True)
class Profile:
    """What a profile page shows of one author."""

    author_id: str
    display_name: str
    orcid: str | None
    affiliation: str | None
    works_count: int
    topics_count: int
    coauthor_count: int
    first_year: int | None
    last_year: int | None
    works: tuple[ProfileWork, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return asdict(self)


_HEADER = (
    "author_id",
    "display_name",
    "orcid",
    "affiliation",
    "works_count",
    "topics_count",
    "coauthor_count",
    "first_year",
    "last_year",
)


def open_readonly(warehouse_path: Path) -> duckdb.DuckDBPyConnection:
    """Open the published warehouse read-only (never blocks, never blocked by a publish).

    Raises:
        WarehouseMissing: Nothing published yet; run ``bzpeer nightly`` (or ``make demo``).
    """
    if not warehouse_path.is_file():
        raise WarehouseMissing(f"no warehouse at {warehouse_path}: run `bzpeer nightly` or `make demo` first")
    return duckdb.connect(str(warehouse_path), read_only=True)


def find_authors(
    con: duckdb.DuckDBPyConnection, id_or_name: str, limit: int = 10
) -> list[tuple[str, str, int]]:
    """Authors whose id equals, or whose name contains, the text: (author_id, name, works)."""
    return [
        (str(r[0]), str(r[1]), int(r[2]))
        for r in con.execute(
            "SELECT author_id, display_name, works_count FROM author_profiles "
            "WHERE author_id = $q OR display_name ILIKE '%' || $q || '%' "
            "ORDER BY author_id = $q DESC, works_count DESC, author_id LIMIT $n",
            {"q": id_or_name, "n": limit},
        ).fetchall()
    ]


def read_profile(con: duckdb.DuckDBPyConnection, author_id: str) -> Profile | None:
    """The profile of one author, or None if the id is unknown."""
    header = con.execute(
        f"SELECT {', '.join(_HEADER)} FROM author_profiles WHERE author_id = ?",  # noqa: S608
        [author_id],
    ).fetchone()
    if header is None:
        return None
    works = con.execute(
        "SELECT DISTINCT w.work_id, w.type, w.display_year, w.venue, w.title FROM authorships a "
        "JOIN works w USING (work_id) WHERE a.author_id = ? "
        "ORDER BY w.display_year DESC NULLS LAST, w.title",
        [author_id],
    ).fetchall()
    return Profile(**dict(zip(_HEADER, header, strict=True)), works=tuple(ProfileWork(*r) for r in works))
