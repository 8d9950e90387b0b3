"""Typed reads of the published warehouse through read-only connections (profile pages, CLI).

A full profile is five point reads by ``author_id`` on precomputed tables (``author_profiles``,
``author_works``, ``author_topics``, ``collaborations``, ``author_affiliations``); no joins over
the big tables happen at read time.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

__all__ = [
    "Affiliation",
    "Collaborator",
    "Profile",
    "ProfileTopic",
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
    """One line of a profile's works list, in display order."""

    work_id: str
    type: str | None
    has_preprint: bool
    display_year: int | None
    venue: str | None
    title: str
    abstract: str | None
    links: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ProfileTopic:
    """A topic of the author, strongest first."""

    topic_id: str
    name: str
    field: str | None
    works: int
    weight: float


@dataclass(frozen=True, slots=True)
class Collaborator:
    """A co-author (resolved identity) with the works they share."""

    author_id: str
    name: str
    shared_works: int
    first_year: int | None
    last_year: int | None


@dataclass(frozen=True, slots=True)
class Affiliation:
    """One entry of the affiliation history."""

    name: str
    institution_id: str | None
    first_year: int | None
    last_year: int | None
    works: int


@dataclass(frozen=True, slots=True)
class Profile:
    """Everything a profile page shows of one author."""

    author_id: str
    display_name: str
    name_variants: tuple[str, ...]
    summary: str | None
    affiliation: str | None
    works_count: int
    topics_count: int
    close_collaborators_count: int
    coauthor_count: int
    first_year: int | None
    last_year: int | None
    orcid: str | None
    source_author_ids: tuple[str, ...]
    identity_confidence: float
    mentions_in_review: int
    verification_level: str
    updated_at: datetime
    works: tuple[ProfileWork, ...]
    topics: tuple[ProfileTopic, ...]
    collaborators: tuple[Collaborator, ...]
    affiliations: tuple[Affiliation, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        data = asdict(self)
        data["updated_at"] = self.updated_at.isoformat()
        return data


_HEADER = (
    "author_id",
    "display_name",
    "name_variants",
    "summary",
    "affiliation",
    "works_count",
    "topics_count",
    "close_collaborators_count",
    "coauthor_count",
    "first_year",
    "last_year",
    "orcid",
    "source_author_ids",
    "identity_confidence",
    "mentions_in_review",
    "verification_level",
    "updated_at",
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


def read_profile(con: duckdb.DuckDBPyConnection, author_id: str, max_works: int = 200) -> Profile | None:
    """The full profile of one author, or None if the id is unknown."""
    header = con.execute(
        f"SELECT {', '.join(_HEADER)} FROM author_profiles WHERE author_id = ?",  # noqa: S608
        [author_id],
    ).fetchone()
    if header is None:
        return None
    fields = dict(zip(_HEADER, header, strict=True))
    fields["name_variants"] = tuple(fields["name_variants"] or ())
    fields["source_author_ids"] = tuple(fields["source_author_ids"] or ())
    return Profile(
        **fields,
        works=tuple(_works(con, author_id, max_works)),
        topics=tuple(
            ProfileTopic(*r)
            for r in con.execute(
                "SELECT topic_id, display_name, field, works, weight FROM author_topics "
                "WHERE author_id = ? ORDER BY rank LIMIT 10",
                [author_id],
            ).fetchall()
        ),
        collaborators=tuple(
            Collaborator(*r)
            for r in con.execute(
                "SELECT c.coauthor_id, p.display_name, c.shared_works, c.first_year, c.last_year "
                "FROM collaborations c JOIN author_profiles p ON p.author_id = c.coauthor_id "
                "WHERE c.author_id = ? "
                "ORDER BY c.shared_works DESC, c.last_year DESC, c.coauthor_id LIMIT 20",
                [author_id],
            ).fetchall()
        ),
        affiliations=tuple(
            Affiliation(*r)
            for r in con.execute(
                "SELECT name, institution_id, first_year, last_year, works FROM author_affiliations "
                "WHERE author_id = ? ORDER BY last_year DESC NULLS LAST, works DESC, name",
                [author_id],
            ).fetchall()
        ),
    )


def _works(con: duckdb.DuckDBPyConnection, author_id: str, limit: int) -> list[ProfileWork]:
    rows = con.execute(
        "SELECT work_id, type, has_preprint, display_year, venue, title, abstract, links "
        "FROM author_works WHERE author_id = ? ORDER BY rank LIMIT ?",
        [author_id, limit],
    ).fetchall()
    return [ProfileWork(r[0], r[1], bool(r[2]), r[3], r[4], r[5], r[6], tuple(r[7] or ())) for r in rows]
