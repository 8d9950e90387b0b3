"""Read-only queries behind the operators' identity commands (explain, review, merge, split)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

__all__ = [
    "AuthorJoin",
    "MentionLine",
    "author_joins",
    "author_mentions",
    "current_author_id",
    "review_pairs",
]


@dataclass(frozen=True, slots=True)
class MentionLine:
    """One mention of an author, as an operator sees it."""

    mention_id: str
    raw_name: str
    year: int | None
    title: str
    affiliations: tuple[str, ...]
    orcid: str | None


@dataclass(frozen=True, slots=True)
class AuthorJoin:
    """One join that built an author (or one pair under review), with its evidence."""

    left_mention: str
    right_mention: str
    score: float
    rule: str
    evidence: str
    left_author: str | None = None
    right_author: str | None = None


def current_author_id(con: duckdb.DuckDBPyConnection, author_id: str) -> str | None:
    """The live id for ``author_id``, following ``author_redirects``; None if unknown or removed."""
    if con.execute("SELECT 1 FROM authors WHERE author_id = ?", [author_id]).fetchone():
        return author_id
    row = con.execute(
        "SELECT successor_id FROM author_redirects WHERE retired_id = ?", [author_id]
    ).fetchone()
    return str(row[0]) if row and row[0] else None


def author_mentions(con: duckdb.DuckDBPyConnection, author_id: str) -> list[MentionLine]:
    """Every mention of an author, newest work first."""
    rows = con.execute(
        "SELECT a.mention_id, a.raw_name, w.display_year, w.title, a.raw_affiliations, a.orcid "
        "FROM authorships a JOIN works w USING (work_id) WHERE a.author_id = ? "
        "ORDER BY w.display_year DESC NULLS LAST, a.mention_id",
        [author_id],
    ).fetchall()
    return [MentionLine(r[0], r[1], r[2], r[3], tuple(r[4] or ()), r[5]) for r in rows]


def author_joins(con: duckdb.DuckDBPyConnection, author_id: str) -> list[AuthorJoin]:
    """The joins that built an author, in order."""
    rows = con.execute(
        "SELECT left_mention, right_mention, score, rule, evidence FROM author_evidence "
        "WHERE author_id = ? ORDER BY step",
        [author_id],
    ).fetchall()
    return [AuthorJoin(*r) for r in rows]


def review_pairs(
    con: duckdb.DuckDBPyConnection, limit: int, author_id: str | None = None
) -> list[AuthorJoin]:
    """Uncertain pairs kept apart, highest score first (optionally those of one author)."""
    rows = con.execute(
        "SELECT left_mention, right_mention, score, rule, evidence, left_author, right_author "
        "FROM identity_reviews WHERE $author IS NULL OR left_author = $author OR right_author = $author "
        "ORDER BY score DESC, left_mention, right_mention LIMIT $limit",
        {"author": author_id, "limit": limit},
    ).fetchall()
    return [AuthorJoin(*r) for r in rows]
