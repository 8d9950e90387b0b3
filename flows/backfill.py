"""Backfill: an explicit half-open window of one or more sources, cut into chunks (a task run each).

Idempotent (a re-run chunk replaces its lake batch), resumable (finished chunks are skipped unless
``force``), and it never moves the nightly watermark. Bulk sources serve big backfills: an OpenAlex
snapshot directory (``bulk="openalex-snapshot"``) or an arXiv bulk metadata file (``"arxiv-bulk"``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prefect import flow

from config import Settings
from flows.pipeline import start_run
from flows.runners import SEQUENTIAL
from flows.tasks import flow_settings, import_windows, publish, report
from sources import InvalidRequest, WindowPlan, plan_backfill
from sources.plans import BULK_SOURCES, plan_chunks

__all__ = ["backfill", "plan_backfill_run"]


@flow(name="backfill", log_prints=True, task_runner=SEQUENTIAL)
def backfill(
    sources: list[str],
    start: str,
    end: str,
    scopes: list[str] | None = None,
    chunk_days: int = 30,
    bulk_path: str | None = None,
    force: bool = False,
    config_file: str | None = None,
) -> dict[str, Any]:
    """Import [start, end) for the given sources and scopes, chunk by chunk, and publish.

    Args:
        sources: ``openalex``, ``arxiv``, or one bulk source (``openalex-snapshot``, ``arxiv-bulk``).
        start: ISO date or datetime (inclusive).
        end: ISO date or datetime (exclusive).
        scopes: Scope names (default: every configured scope of each source).
        chunk_days: Chunk size; each chunk is one task run and one lake batch.
        bulk_path: Snapshot directory or bulk file, for a bulk source.
        force: Re-run chunks that finished earlier.
        config_file: TOML settings file.
    """
    settings = flow_settings(config_file)
    started = datetime.now(UTC)
    params: dict[str, object] = {
        "sources": sources,
        "start": start,
        "end": end,
        "scopes": scopes,
        "chunk_days": chunk_days,
        "bulk_path": bulk_path,
    }
    command = ["bzpeer", "backfill", "--source", ",".join(sources), "--start", start, "--end", end]
    command += ["--scope", ",".join(scopes)] if scopes else []
    command += ["--chunk", str(chunk_days)]
    command += ["--bulk-path", str(Path(bulk_path).resolve())] if bulk_path else []
    plans, bulk = plan_backfill_run(settings, sources, scopes, (start, end), chunk_days, bulk_path, started)
    run = start_run(settings, "backfill", started, params, command, config_file)
    import_windows(settings, run, plans, skip_finished=not force, bulk=bulk)
    run.settle_status()
    run = publish(settings, run, {})  # a backfill never moves the nightly watermark
    report(run)
    return {"run_id": run.run_id, "chunks": len(plans), "works": run.works_published}


def plan_backfill_run(
    settings: Settings,
    sources: list[str],
    scopes: list[str] | None,
    window: tuple[str, str],
    chunk_days: int,
    bulk_path: str | None,
    now: datetime,
) -> tuple[list[WindowPlan], tuple[str, str] | None]:
    """The chunks of a backfill and its bulk source, if any (validates every parameter).

    Raises:
        InvalidRequest: A parameter cannot be run; the message says what to change.
    """
    bulk = [s for s in sources if s in BULK_SOURCES]
    if not bulk:
        return plan_backfill(settings, sources, scopes, *window, chunk_days, now), None
    if len(sources) != 1 or not bulk_path:
        raise InvalidRequest(f"a bulk source ({', '.join(BULK_SOURCES)}) runs alone and needs --bulk-path")
    if not Path(bulk_path).exists():
        raise InvalidRequest(f"--bulk-path {bulk_path} does not exist")
    source = BULK_SOURCES[bulk[0]]
    plans = [WindowPlan(source, "bulk", w) for w in plan_chunks(*window, chunk_days, now)]
    return plans, (bulk[0], str(Path(bulk_path).resolve()))
