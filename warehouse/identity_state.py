"""Identity state kept in the lake: operator overrides, and the last published author ids.

Overrides are append-only files (``state/identity_overrides/<decision_id>.parquet``) written the
moment an operator decides, so no rebuild can lose them. Assignments and redirects are replaced
after each successful publish, like the watermarks.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa

from dedupe.author_ids import Redirect
from dedupe.incremental import UnitResult
from dedupe.scoring import EVIDENCE_FIELDS, Evidence, evidence_field_values
from warehouse.lake import read_state, write_state
from warehouse.schemas import described_field

__all__ = [
    "AUTHOR_ASSIGNMENTS",
    "AUTHOR_REDIRECTS",
    "AUTHOR_UNITS",
    "IDENTITY_OVERRIDES",
    "IdentityState",
    "Override",
    "read_assignments",
    "read_overrides",
    "read_redirects",
    "read_units",
    "save_identity_state",
    "save_override",
    "units_table",
]


_f = described_field


IDENTITY_OVERRIDES = pa.schema(
    [
        _f("decision_id", pa.string(), "Operator decision id"),
        _f("kind", pa.string(), "must_link (same person) or cannot_link (different people)"),
        _f("left_mention", pa.string(), "First mention of the pair"),
        _f("right_mention", pa.string(), "Second mention of the pair"),
        _f("command", pa.string(), "The command that made it: merge, split, review"),
        _f("reason", pa.string(), "Why, in the operator's words"),
        _f("decided_by", pa.string(), "Operator"),
        _f("decided_at", pa.timestamp("us", tz="UTC"), "When"),
    ]
)
AUTHOR_ASSIGNMENTS = pa.schema(
    [_f("mention_id", pa.string(), "Mention"), _f("author_id", pa.string(), "Its published author id")]
)
AUTHOR_UNITS = pa.schema(
    [
        _f("signature", pa.string(), "Hash of a unit's mentions, links and configuration"),
        _f("result", pa.string(), "The unit's clusters, joins and review pairs (JSON)"),
    ]
)
AUTHOR_REDIRECTS = pa.schema(
    [
        _f("retired_id", pa.string(), "An author id no longer in use"),
        _f("successor_id", pa.string(), "The author id its profile moved to (NULL: removed)"),
        _f("reason", pa.string(), "merged (into the successor) or removed (no mentions left)"),
    ]
)


@dataclass(frozen=True, slots=True)
class IdentityState:
    """Identity tables to persist in the lake once the publish succeeded."""

    assignments: pa.Table
    redirects: pa.Table
    units: pa.Table
    units_recomputed: int = 0
    units_reused: int = 0
    units_extended: int = 0


@dataclass(frozen=True, slots=True)
class Override:
    """One operator decision about a pair of mentions."""

    kind: str
    left_mention: str
    right_mention: str
    command: str
    reason: str
    decided_by: str


def save_override(lake_dir: Path, overrides: list[Override]) -> str:
    """Append one decision (one or more mention pairs) to the lake; returns its id."""
    decision_id = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"
    now = datetime.now(UTC)
    rows = [{**asdict(o), "decision_id": decision_id, "decided_at": now} for o in overrides]
    write_state(
        lake_dir, f"identity_overrides/{decision_id}", pa.Table.from_pylist(rows, schema=IDENTITY_OVERRIDES)
    )
    return decision_id


def read_overrides(lake_dir: Path) -> pa.Table:
    """Every operator decision, oldest first."""
    return read_state(lake_dir, "identity_overrides", IDENTITY_OVERRIDES)


def read_assignments(lake_dir: Path) -> dict[str, str]:
    """mention_id -> author_id as last published."""
    table = read_state(lake_dir, "author_assignments", AUTHOR_ASSIGNMENTS)
    return dict(
        zip(table.column("mention_id").to_pylist(), table.column("author_id").to_pylist(), strict=True)
    )


def read_redirects(lake_dir: Path) -> tuple[Redirect, ...]:
    """Every retired author id and its successor."""
    table = read_state(lake_dir, "author_redirects", AUTHOR_REDIRECTS)
    return tuple(Redirect(**row) for row in table.to_pylist())


def save_identity_state(lake_dir: Path, state: IdentityState) -> None:
    """Persist the published author ids and redirects (after a successful publish)."""
    write_state(lake_dir, "author_assignments", state.assignments)
    write_state(lake_dir, "author_redirects", state.redirects)
    write_state(lake_dir, "author_units", state.units)


def read_units(lake_dir: Path) -> dict[str, UnitResult]:
    """The unit results of the last publish, by signature (for incremental resolution)."""
    table = read_state(lake_dir, "author_units", AUTHOR_UNITS)
    signatures, results = table.column("signature").to_pylist(), table.column("result").to_pylist()
    return {s: _unit_from_json(s, text) for s, text in zip(signatures, results, strict=True)}


def units_table(units: dict[str, UnitResult]) -> pa.Table:
    """Unit results as the ``author_units`` state table."""
    ordered = sorted(units)
    results = [_unit_to_json(units[s]) for s in ordered]
    return pa.table({"signature": ordered, "result": results}, schema=AUTHOR_UNITS)


# A unit's joins and review pairs are stored as lists of their fields' values, named once in the
# unit's "fields": half the size of objects naming every value, and Evidence(*values) to read back.
_KNOWN_FIELDS = frozenset(EVIDENCE_FIELDS)


def _unit_to_json(unit: UnitResult) -> str:
    body = {
        "fields": EVIDENCE_FIELDS,
        "clusters": unit.clusters,
        "evidence": {k: [evidence_field_values(e) for e in joins] for k, joins in unit.evidence.items()},
        "reviews": [evidence_field_values(e) for e in unit.reviews],
    }
    return orjson.dumps(body).decode()


def _unit_from_json(signature: str, text: str) -> UnitResult:
    body = orjson.loads(text)
    evidence = _reader(body.get("fields"))
    joins = {k: tuple(map(evidence, values)) for k, values in body["evidence"].items()}
    return UnitResult(signature, body["clusters"], joins, tuple(map(evidence, body["reviews"])))


def _reader(names: list[str] | None) -> Callable[[Any], Evidence]:
    """How to read back a stored join: by position when its fields are today's, else by name.

    ``names`` is None for results stored before the fields were listed, as one object per join.
    Fields Evidence no longer has are dropped, new ones take their defaults (an older resolver's
    results; RESOLVER_VERSION keeps them from being reused, but a later run still reads them).
    """
    if names is None:
        return lambda values: Evidence(**{k: v for k, v in values.items() if k in _KNOWN_FIELDS})
    if tuple(names) == EVIDENCE_FIELDS:
        return lambda values: Evidence(*values)
    return lambda values: Evidence(**{k: v for k, v in zip(names, values, strict=True) if k in _KNOWN_FIELDS})
