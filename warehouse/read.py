"""Typed reads of the published warehouse through read-only connections (profile pages, CLI).

A full profile is one point read: ``profile_pages`` holds each author's whole page as one JSON document,
indexed by ``author_id`` (built from ``author_profiles``, ``author_works``, ``author_topics``,
``collaborations``, ``author_affiliations`` and ``author_graph``, which analysts query). DuckDB
fetches a single VARCHAR value in about a millisecond where the same data as nested lists costs ten
times more.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import orjson

__all__ = [
    "PAGE_COLLABORATORS",
    "PAGE_TOPICS",
    "PAGE_WORKS",
    "Affiliation",
    "Collaborator",
    "GraphNode",
    "Profile",
    "ProfileReader",
    "ProfileTopic",
    "ProfileWork",
    "WarehouseBusy",
    "WarehouseMissing",
    "find_authors",
    "open_readonly",
    "read_profile",
]


PAGE_WORKS = 200  # works on a page (newest first); works_count counts them all
PAGE_TOPICS = 10
PAGE_COLLABORATORS = 20


class WarehouseMissing(FileNotFoundError):
    """No warehouse has been published at the path yet."""


class WarehouseBusy(RuntimeError):
    """Publishes kept replacing the warehouse while it was being opened (open it again)."""


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
class GraphNode:
    """A node of the profile's research graph slice (``author_graph``): the top 5 of each kind."""

    kind: str  # paper, person, topic or institution
    target_id: str
    label: str | None
    weight: float | None  # year (papers), shared works (people), topic weight, works (institutions)
    rank: int


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
    graph: tuple[GraphNode, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        data = asdict(self)
        data["updated_at"] = self.updated_at.isoformat()
        return data


def open_readonly(warehouse_path: Path) -> duckdb.DuckDBPyConnection:
    """Open the published warehouse read-only (never blocks, never blocked by a publish).

    Raises:
        WarehouseMissing: Nothing published yet; run ``bzpeer nightly`` (or ``make demo``).
    """
    return _open_file(warehouse_path)[0]


_OPEN_ATTEMPTS = 5
_FileId = tuple[int, int, int]  # device, inode, modification time (ns)


def _file_id(warehouse_path: Path) -> _FileId:
    try:
        stat = warehouse_path.stat()
    except FileNotFoundError:
        raise WarehouseMissing(
            f"no warehouse at {warehouse_path}: run `bzpeer nightly` or `make demo` first"
        ) from None
    return stat.st_dev, stat.st_ino, stat.st_mtime_ns


def _open_file(warehouse_path: Path) -> tuple[duckdb.DuckDBPyConnection, _FileId]:
    """A read-only connection to one published file, and that file's identity.

    DuckDB opens the path three times while connecting (measured with strace, duckdb 2.0.1): a publish
    that renames a new file in between would hand it the header of one file and the blocks of another
    ("Metadata block index ... exceeds metadata block count"). So the connection is kept only if the
    path named the same file before and after connecting; otherwise it is opened again.
    """
    for _ in range(_OPEN_ATTEMPTS):
        before = _file_id(warehouse_path)
        try:
            con = duckdb.connect(str(warehouse_path), read_only=True)
        except duckdb.Error:
            if _file_id(warehouse_path) != before:
                continue  # a publish swapped the file while DuckDB was opening it
            raise
        if _file_id(warehouse_path) == before:
            return con, before
        con.close()
    raise WarehouseBusy(f"{warehouse_path} was replaced {_OPEN_ATTEMPTS} times while opening it: try again")


def find_authors(
    con: duckdb.DuckDBPyConnection, id_or_name: str, limit: int = 10
) -> tuple[list[tuple[str, str, int]], int]:
    """Authors whose id equals, or whose name contains, the text: at most ``limit`` of them as
    (author_id, name, works), the id's match first, then by works; and how many match in all."""
    rows = con.execute(
        "SELECT author_id, display_name, works_count, count(*) OVER () FROM author_profiles "
        "WHERE author_id = $q OR display_name ILIKE '%' || $q || '%' "
        "ORDER BY author_id = $q DESC, works_count DESC, author_id LIMIT $n",
        {"q": id_or_name, "n": limit},
    ).fetchall()
    return [(str(r[0]), str(r[1]), int(r[2])) for r in rows], int(rows[0][3]) if rows else 0


def read_profile(
    con: duckdb.DuckDBPyConnection, author_id: str, max_works: int = PAGE_WORKS
) -> Profile | None:
    """The full profile of one author (one point read of ``profile_pages``), or None if unknown.

    ``max_works`` cuts the works list; a page holds at most :data:`PAGE_WORKS` works.
    """
    row = con.execute(
        "SELECT page, updated_at FROM profile_pages WHERE author_id = ?", [author_id]
    ).fetchone()
    if row is None:
        return None
    page: dict[str, Any] = orjson.loads(row[0])
    return Profile(
        author_id=page["author_id"],
        display_name=page["display_name"],
        name_variants=tuple(page["name_variants"] or ()),
        summary=page["summary"],
        affiliation=page["affiliation"],
        works_count=page["works_count"],
        topics_count=page["topics_count"],
        close_collaborators_count=page["close_collaborators_count"],
        coauthor_count=page["coauthor_count"],
        first_year=page["first_year"],
        last_year=page["last_year"],
        orcid=page["orcid"],
        source_author_ids=tuple(page["source_author_ids"] or ()),
        identity_confidence=page["identity_confidence"],
        mentions_in_review=page["mentions_in_review"],
        verification_level=page["verification_level"],
        updated_at=row[1],
        works=tuple(
            ProfileWork(
                w["work_id"],
                w["type"],
                bool(w["has_preprint"]),
                w["display_year"],
                w["venue"],
                w["title"],
                w["abstract"],
                tuple(w["links"] or ()),
            )
            for w in page["works"][:max_works]
        ),
        topics=tuple(ProfileTopic(**t) for t in page["topics"]),
        collaborators=tuple(Collaborator(**c) for c in page["collaborators"]),
        affiliations=tuple(Affiliation(**a) for a in page["affiliations"]),
        graph=tuple(GraphNode(**node) for node in page["graph"]),
    )


class ProfileReader:
    """Profile reads for a long-running reader (a page server): one connection, following publishes.

    Opening the warehouse costs far more than a point read, so the read-only connection stays open; a
    publish swaps in a new file (a new inode), which the reader notices with one ``stat`` per read and
    reopens. It never holds a lock a publish waits for, and never sees a half-published state.
    """

    def __init__(self, warehouse_path: Path) -> None:
        self.path = warehouse_path
        self._con: duckdb.DuckDBPyConnection | None = None
        self._file: _FileId | None = None

    def read(self, author_id: str) -> Profile | None:
        """The profile of ``author_id``; a retired id reads its successor's profile (author_redirects).

        Raises:
            WarehouseMissing: Nothing published yet.
        """
        con = self._connection()
        profile = read_profile(con, author_id)
        if profile is None:
            row = con.execute(
                "SELECT successor_id FROM author_redirects WHERE retired_id = ?", [author_id]
            ).fetchone()
            if row and row[0]:
                profile = read_profile(con, str(row[0]))
        return profile

    def close(self) -> None:
        """Close the connection (the next read opens a new one)."""
        if self._con is not None:
            self._con.close()
        self._con, self._file = None, None

    def __enter__(self) -> ProfileReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _connection(self) -> duckdb.DuckDBPyConnection:
        if self._con is None or _file_id(self.path) != self._file:
            self.close()
            self._con, self._file = _open_file(self.path)
        return self._con
