"""What ``bzpeer status`` shows: watermarks, recent runs and their outcome, table counts, coverage."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from warehouse.changes import coverage as published_coverage
from warehouse.read import open_readonly
from warehouse.state import read_runs, read_watermarks

__all__ = ["RunLine", "Status", "read_status"]

_TABLES = ("works", "authorships", "authors", "quarantine", "identity_reviews")


@dataclass(frozen=True, slots=True)
class RunLine:
    """One run as status shows it; ``resume`` is set for failed and interrupted runs."""

    run_id: str
    flow: str
    status: str
    started_at: str
    records_fetched: int
    works_published: int | None
    error: str | None
    resume: str | None


@dataclass(frozen=True, slots=True)
class Status:
    """The whole status report."""

    watermarks: dict[tuple[str, str], str]
    runs: list[RunLine]
    counts: dict[str, int]
    coverage: dict[str, float]


def read_status(data_dir: Path, last_runs: int = 10) -> Status:
    """Read the lake state and the published warehouse (read-only)."""
    runs = sorted(read_runs(data_dir / "lake").to_pylist(), key=lambda r: r["run_id"], reverse=True)
    counts: dict[str, int] = {}
    coverage: dict[str, float] = {}
    warehouse = data_dir / "warehouse.duckdb"
    if warehouse.is_file():
        with open_readonly(warehouse) as con:
            for table in _TABLES:
                row = con.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
                counts[table] = int(row[0]) if row else 0
            coverage = published_coverage(con)
    marks = {key: value.isoformat() for key, value in read_watermarks(data_dir / "lake").items()}
    return Status(marks, [_line(r) for r in runs[:last_runs]], counts, coverage)


def _line(run: dict[str, Any]) -> RunLine:
    params = orjson.loads(run["params"] or "{}")
    status = run["status"]
    if status == "running" and not _alive(params.get("pid"), params.get("host")):
        status = "interrupted"
    resume = params.get("command") if status in ("failed", "partial", "interrupted") else None
    return RunLine(
        run["run_id"],
        run["flow"],
        status,
        run["started_at"].isoformat(timespec="seconds"),
        run["records_fetched"],
        run["works_published"],
        run["error"],
        resume,
    )


def _alive(pid: Any, host: Any) -> bool:
    """Whether the run's process still lives; a run of another machine is assumed alive."""
    if host != socket.gethostname():
        return True
    if not isinstance(pid, int):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
