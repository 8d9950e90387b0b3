"""The pipeline's own state: one row per run, and per-scope watermarks.

Both live in the lake (``lake/state``) so that they survive every rebuild of the DuckDB file, and
are copied into the warehouse at each publish.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa

from warehouse.lake import read_state, write_state
from warehouse.schemas import described_field

__all__ = [
    "PIPELINE_RUNS",
    "WATERMARKS",
    "RunRecord",
    "advanced_watermarks",
    "read_runs",
    "read_watermarks",
    "save_run",
    "save_watermarks",
]

_TS = pa.timestamp("us", tz="UTC")


_f = described_field


PIPELINE_RUNS = pa.schema(
    [
        _f("run_id", pa.string(), "Run id: UTC start time and a random suffix"),
        _f("flow", pa.string(), "nightly, backfill or rebuild"),
        _f("status", pa.string(), "published, failed, or partial (some windows failed)"),
        _f("started_at", _TS, "Start of the run"),
        _f("finished_at", _TS, "End of the run"),
        _f("params", pa.string(), "Run parameters (JSON)"),
        _f("windows", pa.string(), "Per source and scope: window, outcome, counts (JSON)"),
        _f("pages_fetched", pa.int64(), "Raw pages landed"),
        _f("records_fetched", pa.int64(), "Source records read from the raw pages"),
        _f("records_normalized", pa.int64(), "Records that became works rows"),
        _f("records_quarantined", pa.int64(), "Records and mentions quarantined"),
        _f("quarantined_by_reason", pa.string(), "Quarantined rows per reason (JSON)"),
        _f("works_published", pa.int64(), "Rows in works after the publish"),
        _f("authors_published", pa.int64(), "Rows in authors after the publish"),
        _f(
            "coverage",
            pa.string(),
            "Share of works with abstracts, mentions with affiliations, authors with ORCID",
        ),
        _f("changes", pa.string(), "Works and authors added and changed by the publish (JSON)"),
        _f("timings", pa.string(), "Seconds per stage (JSON)"),
        _f("error", pa.string(), "What failed and what to do, for failed windows"),
    ]
)

WATERMARKS = pa.schema(
    [
        _f("source", pa.string(), "openalex or arxiv"),
        _f("scope", pa.string(), "Scope name from the settings"),
        _f("watermark", _TS, "End of the last published window: the next nightly starts here - lag"),
        _f("run_id", pa.string(), "Run that advanced it"),
        _f("updated_at", _TS, "When it was advanced"),
    ]
)


@dataclass
class RunRecord:
    """What one run did; saved to the lake and published as a pipeline_runs row."""

    run_id: str
    flow: str
    started_at: datetime
    params: dict[str, object] = field(default_factory=dict)
    windows: list[dict[str, object]] = field(default_factory=list)
    status: str = "running"
    finished_at: datetime | None = None
    pages_fetched: int = 0
    records_fetched: int = 0
    records_normalized: int = 0
    records_quarantined: int = 0
    quarantined_by_reason: dict[str, int] = field(default_factory=dict)
    works_published: int | None = None
    authors_published: int | None = None
    coverage: dict[str, float] = field(default_factory=dict)
    changes: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    error: str | None = None

    def add_counts(self, counts: dict[str, Any]) -> None:
        """Add one window's counts (pages, records fetched/normalized/quarantined by reason)."""
        self.pages_fetched += counts["pages"]
        self.records_fetched += counts["records_fetched"]
        self.records_normalized += counts["records_normalized"]
        for reason, n in counts["quarantined_by_reason"].items():
            self.quarantined_by_reason[reason] = self.quarantined_by_reason.get(reason, 0) + n
            self.records_quarantined += n

    def settle_status(self) -> str:
        """published (no window failed), partial (some did), or failed (none got through)."""
        outcomes = [str(w.get("status")) for w in self.windows]
        if "failed" not in outcomes:
            self.status = "published"
        else:
            self.status = "partial" if any(o != "failed" for o in outcomes) else "failed"
        return self.status

    def to_table(self) -> pa.Table:
        """One-row Arrow table in the pipeline_runs schema."""
        row = asdict(self)
        for key in ("params", "windows", "quarantined_by_reason", "coverage", "changes", "timings"):
            row[key] = orjson.dumps(row[key], default=str, option=orjson.OPT_SORT_KEYS).decode()
        return pa.Table.from_pylist([row], schema=PIPELINE_RUNS)


def save_run(lake_dir: Path, run: RunRecord) -> None:
    """Persist the run's row (replacing an earlier save of the same run)."""
    write_state(lake_dir, f"pipeline_runs/{run.run_id}", run.to_table())


def read_watermarks(lake_dir: Path) -> dict[tuple[str, str], datetime]:
    """Current watermark per (source, scope)."""
    table = read_state(lake_dir, "watermarks", WATERMARKS)
    return {(r["source"], r["scope"]): r["watermark"] for r in table.to_pylist()}


def advanced_watermarks(lake_dir: Path, run_id: str, ends: dict[tuple[str, str], datetime]) -> pa.Table:
    """The watermarks after moving each (source, scope) forward to its window end; never backwards.

    Nothing is written: :func:`save_watermarks` persists the table once the publish succeeded.
    """
    rows = {(r["source"], r["scope"]): r for r in read_state(lake_dir, "watermarks", WATERMARKS).to_pylist()}
    now = datetime.now(UTC)
    for key, end in ends.items():
        current = rows.get(key)
        if current is None or current["watermark"] < end:
            rows[key] = {
                "source": key[0],
                "scope": key[1],
                "watermark": end,
                "run_id": run_id,
                "updated_at": now,
            }
    return pa.Table.from_pylist([rows[key] for key in sorted(rows)], schema=WATERMARKS)


def save_watermarks(lake_dir: Path, watermarks: pa.Table) -> None:
    """Persist watermarks (after a successful publish)."""
    write_state(lake_dir, "watermarks", watermarks)


def read_runs(lake_dir: Path) -> pa.Table:
    """Every saved run row."""
    return read_state(lake_dir, "pipeline_runs", PIPELINE_RUNS)
