"""Build stages around the author SQL: affiliations per mention before it, summary lines after."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from enrich.affiliations import match_affiliations
from enrich.summary import summary_line
from warehouse.duck import create_from_arrow

__all__ = ["create_mention_institutions", "fill_summaries"]

_RAW_ONLY = "coalesce(len(a.institution_ids), 0) = 0"  # a mention whose source gave no institution id


def create_mention_institutions(con: duckdb.DuckDBPyConnection) -> None:
    """Create ``mention_institutions``: each mention's institutions, by id or matched from raw strings.

    ``how`` is ``id`` (the source gave the institution id), ``matched`` (a raw string matched a known
    institution) or ``raw`` (a raw string that matched none, kept as printed). The raw strings of
    mentions with an institution id are not read.
    """
    institutions = dict(con.execute("SELECT institution_id, display_name FROM institutions").fetchall())
    raws = con.execute(
        f"SELECT DISTINCT raw FROM authorships a, unnest(a.raw_affiliations) AS r(raw) WHERE {_RAW_ONLY}"  # noqa: S608
    ).fetchall()
    matched = match_affiliations((raw for (raw,) in raws), institutions)
    matches = pa.table(
        {"raw": list(matched), "institution_id": list(matched.values())},
        schema=pa.schema([("raw", pa.string()), ("institution_id", pa.string())]),
    )
    create_from_arrow(con, "affiliation_matches", matches, temp=True)
    # UNION, not UNION ALL: a source may list one institution twice on a mention.
    con.execute(
        f"""
        CREATE TABLE mention_institutions AS
        SELECT a.mention_id, i.id AS institution_id, coalesce(n.display_name, i.id) AS name, 'id' AS how
        FROM authorships a, unnest(a.institution_ids) AS i(id)
        LEFT JOIN institutions n ON n.institution_id = i.id
        UNION
        SELECT a.mention_id, m.institution_id, coalesce(n.display_name, r.raw) AS name,
               CASE WHEN m.institution_id IS NULL THEN 'raw' ELSE 'matched' END AS how
        FROM authorships a, unnest(a.raw_affiliations) AS r(raw)
        LEFT JOIN affiliation_matches m ON m.raw = r.raw
        LEFT JOIN institutions n ON n.institution_id = m.institution_id
        WHERE {_RAW_ONLY}
        """  # noqa: S608
    )
    con.execute("DROP TABLE affiliation_matches")


def fill_summaries(con: duckdb.DuckDBPyConnection) -> None:
    """Set ``author_profiles.summary`` from each author's top topics, affiliation and years."""
    rows = con.execute(
        "SELECT p.author_id, list(t.display_name ORDER BY t.rank) FILTER (WHERE t.rank <= 2), "
        "p.affiliation, p.first_year, p.last_year, p.works_count "
        "FROM author_profiles p LEFT JOIN author_topics t USING (author_id) GROUP BY ALL"
    ).fetchall()
    summaries = [(r[0], summary_line(r[1] or [], r[2], r[3], r[4], r[5])) for r in rows]
    table = pa.table(
        {"author_id": [s[0] for s in summaries], "summary": [s[1] for s in summaries]},
        schema=pa.schema([("author_id", pa.string()), ("summary", pa.string())]),
    )
    create_from_arrow(con, "summaries", table, temp=True)
    con.execute(
        "UPDATE author_profiles SET summary = s.summary FROM summaries s "
        "WHERE author_profiles.author_id = s.author_id"
    )
    con.execute("DROP TABLE summaries")
