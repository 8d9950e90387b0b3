"""Build stages around the author SQL: affiliations per mention before it, summary lines after."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from enrich.affiliations import match_affiliations
from enrich.summary import summary_line
from warehouse.duck import create_from_arrow

__all__ = ["create_mention_institutions", "fill_summaries"]

MENTION_INSTITUTIONS = pa.schema(
    [
        ("mention_id", pa.string()),
        ("institution_id", pa.string()),
        ("name", pa.string()),
        ("how", pa.string()),
    ]
)


def create_mention_institutions(con: duckdb.DuckDBPyConnection) -> None:
    """Create ``mention_institutions``: each mention's institutions, by id or matched from raw strings.

    ``how`` is ``id`` (the source gave the institution id), ``matched`` (a raw string matched a known
    institution) or ``raw`` (a raw string that matched none, kept as printed).
    """
    institutions = dict(con.execute("SELECT institution_id, display_name FROM institutions").fetchall())
    rows: list[dict[str, str | None]] = []
    mentions = con.execute(
        "SELECT mention_id, institution_ids, raw_affiliations FROM authorships "
        "WHERE len(institution_ids) > 0 OR len(raw_affiliations) > 0"
    ).fetchall()
    unmatched = {raw for _, ids, raws in mentions if not ids for raw in raws}
    matched = match_affiliations(unmatched, institutions)
    for mention_id, ids, raws in mentions:
        if ids:
            rows += [
                {"mention_id": mention_id, "institution_id": i, "name": institutions.get(i, i), "how": "id"}
                for i in ids
            ]
            continue
        for raw in raws:
            found = matched.get(raw)
            name = institutions[found] if found else raw
            rows.append(
                {
                    "mention_id": mention_id,
                    "institution_id": found,
                    "name": name,
                    "how": "matched" if found else "raw",
                }
            )
    unique = {(r["mention_id"], r["institution_id"], r["name"]): r for r in rows}  # an id may repeat
    create_from_arrow(
        con, "mention_institutions", pa.Table.from_pylist(list(unique.values()), schema=MENTION_INSTITUTIONS)
    )


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
