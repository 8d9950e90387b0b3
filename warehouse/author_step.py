"""Build stage: resolve author identities over the published mentions and give them stable ids."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict
from operator import attrgetter
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow as pa

from dedupe import AuthorMention, assign_author_ids
from dedupe.incremental import resolve_incrementally
from dedupe.mentions import MAX_COAUTHORS, MentionRows
from dedupe.scoring import EVIDENCE_FIELDS, Evidence
from warehouse.duck import create_from_arrow
from warehouse.identity_state import (
    AUTHOR_ASSIGNMENTS,
    AUTHOR_REDIRECTS,
    IdentityState,
    read_assignments,
    read_overrides,
    read_redirects,
    read_units,
    units_table,
)

__all__ = ["MENTIONS_SQL", "mention_from_row", "mention_rows", "mentions_from_batch", "resolve_identities"]

# A work's author names, for the co-authors of each of its mentions; not for collaboration papers,
# whose co-authors are no evidence (MAX_COAUTHORS): a mention of a 3,000-author paper would
# otherwise carry all 3,000 names.
MENTIONS_SQL = """
SELECT a.mention_id, a.raw_name, a.position, a.institution_ids, a.raw_affiliations, a.orcid,
       a.source_author_id, a.work_id, w.title, w.venue, w.display_year, n.names, t.topics
FROM authorships a
JOIN works w USING (work_id)
LEFT JOIN (
    SELECT work_id, list(raw_name ORDER BY position) AS names FROM authorships GROUP BY work_id
    HAVING count(*) <= $most_authors
) n USING (work_id)
LEFT JOIN (
    SELECT wt.work_id, list(tp.display_name ORDER BY tp.display_name) AS topics
    FROM work_topics wt JOIN topics tp USING (topic_id) GROUP BY wt.work_id
) t USING (work_id)
ORDER BY a.mention_id
"""


def resolve_identities(
    con: duckdb.DuckDBPyConnection, lake_dir: Path, incremental: bool = True, workers: int = 1
) -> IdentityState:
    """Cluster the mentions in ``authorships``, set their author ids, and create the identity tables.

    Creates ``author_evidence``, ``identity_reviews``, ``identity_overrides`` and
    ``author_redirects``; mentions whose names cannot be resolved go to ``quarantine``. With
    ``incremental``, only units whose content changed since the last publish are clustered again;
    ``workers`` processes cluster them.
    """
    mentions = _mentions(con)
    overrides = read_overrides(lake_dir).to_pylist()
    must = [(o["left_mention"], o["right_mention"]) for o in overrides if o["kind"] == "must_link"]
    cannot = [(o["left_mention"], o["right_mention"]) for o in overrides if o["kind"] == "cannot_link"]
    previous = read_units(lake_dir) if incremental else {}
    outcome = resolve_incrementally(mentions, previous, must_link=must, cannot_link=cannot, workers=workers)
    resolution = outcome.resolution
    ids = assign_author_ids(resolution.clusters, read_assignments(lake_dir), read_redirects(lake_dir))
    author_of_mention = {m: ids.author_of[c] for m, c in resolution.clusters.items()}
    assignments = pa.table(
        {"mention_id": list(author_of_mention), "author_id": list(author_of_mention.values())},
        schema=AUTHOR_ASSIGNMENTS,
    )
    redirects = pa.Table.from_pylist([asdict(r) for r in ids.redirects], schema=AUTHOR_REDIRECTS)
    create_from_arrow(con, "mention_authors", assignments)
    con.execute(
        "UPDATE authorships SET author_id = m.author_id FROM mention_authors m "
        "WHERE authorships.mention_id = m.mention_id"
    )
    create_from_arrow(con, "author_redirects", redirects)
    create_from_arrow(con, "identity_overrides", read_overrides(lake_dir))
    create_from_arrow(con, "author_evidence", _evidence_table(resolution.evidence, ids.author_of))
    create_from_arrow(con, "identity_reviews", _reviews_table(resolution.reviews, author_of_mention))
    for mention_id, reason in sorted(resolution.quarantined.items()):
        con.execute(
            "INSERT INTO quarantine SELECT 'warehouse', 'authorship', ?, ?, raw_ref FROM ("
            "SELECT max(raw_ref) AS raw_ref FROM work_sources ws JOIN authorships a USING (work_id) "
            "WHERE a.mention_id = ?)",
            [mention_id, f"unresolvable name: {reason}", mention_id],
        )
    units = units_table(outcome.units)
    return IdentityState(assignments, redirects, units, outcome.recomputed, outcome.reused, outcome.extended)


def _mentions(con: duckdb.DuckDBPyConnection, batch_rows: int = 10_000) -> MentionRows:
    """The mentions of ``authorships``, as Arrow batches the feature workers turn into mentions."""
    return MentionRows(mention_rows(con).to_arrow_reader(batch_rows), mentions_from_batch)


def mention_rows(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyRelation:
    """The rows of the mentions query over the connection's ``authorships``, ``works`` and topics."""
    return con.sql(MENTIONS_SQL, params={"most_authors": MAX_COAUTHORS + 1})


def mentions_from_batch(batch: pa.RecordBatch) -> list[AuthorMention]:
    """The AuthorMention of a batch of rows of the mentions query."""
    return [mention_from_row(row) for row in batch.to_pylist()]


def mention_from_row(row: dict[str, Any]) -> AuthorMention:
    """An AuthorMention from a row of the mentions query (1-based position in, 0-based out)."""
    names: list[str] = row["names"] or []  # none: a collaboration paper (see MENTIONS_SQL)
    coauthors = (
        ()
        if len(names) > MAX_COAUTHORS + 1
        else tuple(n for i, n in enumerate(names, 1) if i != row["position"])
    )
    return AuthorMention(
        mention_id=row["mention_id"],
        raw_name=row["raw_name"],
        position=row["position"] - 1,
        coauthors=coauthors,
        institution_ids=tuple(row["institution_ids"] or ()),
        affiliations=tuple(row["raw_affiliations"] or ()),
        title=row["title"] or "",
        venue=row["venue"] or "",
        year=row["display_year"],
        topics=tuple(row["topics"] or ()),
        orcid=row["orcid"],
        source_author_id=row["source_author_id"],
        work_id=row["work_id"],
    )


def _evidence_table(evidence: dict[str, Any], author_of: dict[str, str]) -> pa.Table:
    authors: list[str] = []
    steps: list[int] = []
    joins: list[Evidence] = []
    for cluster, cluster_joins in evidence.items():
        author = author_of[cluster]
        for step, e in enumerate(cluster_joins, 1):
            authors.append(author)
            steps.append(step)
            joins.append(e)
    return pa.table({"author_id": authors, "step": steps, **_pair_columns(joins)}, schema=_EVIDENCE)


def _reviews_table(reviews: tuple[Any, ...], author_of_mention: dict[str, str]) -> pa.Table:
    columns = {
        **_pair_columns(reviews),
        "left_author": [author_of_mention.get(e.left) for e in reviews],
        "right_author": [author_of_mention.get(e.right) for e in reviews],
    }
    return pa.table(columns, schema=_REVIEWS)


# The detail fields of an Evidence (all but the pair, score and rule), in sorted order: the JSON of
# the ``evidence`` column lists them so, the same text as sorting the keys of each, without the sort.
_DETAIL = tuple(sorted(name for name in EVIDENCE_FIELDS if name not in ("left", "right", "score", "rule")))
_detail: Callable[[Evidence], tuple[Any, ...]] = attrgetter(*_DETAIL)


def _pair_columns(pairs: Sequence[Evidence]) -> dict[str, list[Any]]:
    """The columns of ``_PAIR`` for joins or review pairs, the detail as a JSON object."""
    return {
        "left_mention": [e.left for e in pairs],
        "right_mention": [e.right for e in pairs],
        "score": [e.score for e in pairs],
        "rule": [e.rule for e in pairs],
        "evidence": [orjson.dumps(dict(zip(_DETAIL, _detail(e), strict=True))).decode() for e in pairs],
    }


_PAIR = [
    ("left_mention", pa.string()),
    ("right_mention", pa.string()),
    ("score", pa.float64()),
    ("rule", pa.string()),
    ("evidence", pa.string()),
]
_EVIDENCE = pa.schema([("author_id", pa.string()), ("step", pa.int32()), *_PAIR])
_REVIEWS = pa.schema([*_PAIR, ("left_author", pa.string()), ("right_author", pa.string())])
