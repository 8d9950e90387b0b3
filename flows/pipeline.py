"""Run steps shared by the flows, in plain Python: stage a landed window, publish a run."""

from __future__ import annotations

import os
import shlex
import socket
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from config import Settings
from enrich import enrich_batch
from sources import LandedFetch, WindowPlan, normalize_fetch
from sources.batch import BatchBuilder
from sources.bulk_arxiv import normalize_arxiv_bulk_file
from sources.bulk_openalex import normalize_snapshot_part, snapshot_parts
from warehouse import (
    PublishedCounts,
    RunRecord,
    advanced_watermarks,
    build_and_publish,
    clean_lake,
    read_runs,
    save_identity_state,
    save_run,
    save_watermarks,
    write_batch,
)
from warehouse.build import BuildOptions
from warehouse.lock import writer_lock

__all__ = ["fail_run", "finish_run", "new_run_id", "republish", "stage_bulk", "stage_fetch", "start_run"]


def new_run_id(now: datetime) -> str:
    """Sortable, unique run id: ``20261125T020000Z-1a2b3c``."""
    return f"{now.astimezone(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"


def start_run(
    settings: Settings,
    flow: str,
    started: datetime,
    params: dict[str, object],
    command: list[str],
    config_file: str | Path | None = None,
) -> RunRecord:
    """Record a run as running (with the command that resumes it) before it does anything.

    If the process dies, ``bzpeer status`` finds the run still ``running`` with a dead pid and
    prints the command: ``command``'s words, quoted for a shell, with ``--config`` and the settings
    file's absolute path when the run had one (without it, the command would read other settings).
    """
    if config_file is not None:
        command = [*command, "--config", str(Path(config_file).resolve())]
    run = RunRecord(
        new_run_id(started),
        flow,
        started,
        params={**params, "pid": os.getpid(), "host": socket.gethostname(), "command": shlex.join(command)},
    )
    save_run(settings.lake_dir, run)
    return run


def stage_bulk(settings: Settings, plan: WindowPlan, bulk: str, path: Path) -> dict[str, object]:
    """Normalize one chunk of a bulk source into one lake batch (the bulk files are the raw data)."""
    batch = BatchBuilder(plan.source)
    start, end = plan.window.start.date(), plan.window.end.date()
    if bulk == "openalex-snapshot":
        parts = snapshot_parts(path, start, end)
        for part in parts:
            normalize_snapshot_part(part, batch, part.ref)
        pages = len(parts)
    else:
        normalize_arxiv_bulk_file(path, batch, f"bulk/arxiv/{path.name}", start, end)
        pages = 1
    write_batch(
        settings.lake_dir, plan.source, plan.scope, plan.window.label, enrich_batch(batch.to_tables())
    )
    return {
        "records_fetched": batch.records_seen,
        "records_normalized": len(batch.rows["works"]),
        "quarantined_by_reason": batch.quarantined_by_reason(),
        "pages": pages,
    }


def stage_fetch(settings: Settings, landed: LandedFetch) -> dict[str, object]:
    """Normalize a landed window and write it to the lake as one batch (replacing a re-run's).

    Returns:
        The window's counts for the run record.
    """
    plan = landed.plan
    batch = normalize_fetch(settings.data_dir, plan.source, Path(landed.path))
    write_batch(settings.lake_dir, plan.source, plan.scope, plan.window.label, enrich_batch(batch.tables))
    return {
        "records_fetched": batch.records_seen,
        "records_normalized": batch.works,
        "quarantined_by_reason": batch.quarantined_by_reason,
        "pages": landed.pages,
    }


def finish_run(
    settings: Settings,
    run: RunRecord,
    published_ends: dict[tuple[str, str], datetime],
    publish: bool,
    progress: Callable[[str], None] | None = None,
) -> PublishedCounts | None:
    """Publish the lake as a new warehouse, then persist watermarks, identity state and the run.

    Watermarks and identity state are persisted only after the swap, so a crash before it leaves
    them where they were and the next run redoes the same work. A build that fails (out of memory,
    say) records the run as ``failed`` with its error, for ``bzpeer status``, and raises it. One
    writer at a time. ``progress`` receives a line as each stage of the build starts and ends.
    """
    with writer_lock(settings.data_dir):
        clean_lake(settings.lake_dir)
        run.finished_at = datetime.now(UTC)
        try:
            counts = _publish(settings, run, published_ends, progress) if publish else None
        except Exception as exc:
            fail_run(settings, run, f"publish failed: {exc}")
            raise
        save_run(settings.lake_dir, run)
    return counts


def fail_run(settings: Settings, run: RunRecord, error: str) -> None:
    """Record the run as ``failed`` with ``error`` (what failed and what to do), for ``bzpeer status``.

    Not "interrupted": the process did not die, the step failed and will fail again as it stands.
    """
    run.status = "failed"
    run.finished_at = run.finished_at or datetime.now(UTC)
    run.error = "; ".join(filter(None, [run.error, error]))
    save_run(settings.lake_dir, run)


def _publish(
    settings: Settings,
    run: RunRecord,
    ends: dict[tuple[str, str], datetime],
    progress: Callable[[str], None] | None,
) -> PublishedCounts:
    watermarks = advanced_watermarks(settings.lake_dir, run.run_id, ends)
    earlier = read_runs(settings.lake_dir).filter(pc.field("run_id") != run.run_id)
    state = {"pipeline_runs": pa.concat_tables([earlier, run.to_table()]), "watermarks": watermarks}
    assert run.finished_at is not None
    options = BuildOptions(
        settings.close_collaborator_min_works,
        settings.collaboration_max_authors,
        _incremental(earlier, run),
        identity_workers=settings.identity_workers,
        memory_limit=settings.warehouse_memory_limit,
    )
    counts = build_and_publish(
        settings.lake_dir, settings.warehouse_path, run.run_id, run.finished_at, state, options, progress
    )
    run.works_published, run.authors_published = counts.works, counts.authors
    run.coverage, run.changes = counts.coverage, counts.changes
    save_watermarks(settings.lake_dir, watermarks)
    save_identity_state(settings.lake_dir, counts.identity)
    return counts


def _incremental(earlier_runs: pa.Table, run: RunRecord) -> bool:
    """Reuse author units only after a fully published run; a rebuild re-resolves everything.

    After a partial or failed run, reused or extended units would carry clusters and term weights
    formed on a partial corpus, so the recovery run re-resolves every unit from scratch and ends
    identical to a clean run of the same data.
    """
    if run.flow == "rebuild":
        return False
    finished = [r for r in earlier_runs.to_pylist() if r["status"] != "running"]
    last = max(finished, key=lambda r: r["run_id"], default=None)
    return last is None or last["status"] == "published"


def republish(
    settings: Settings,
    flow: str,
    params: dict[str, object],
    progress: Callable[[str], None] | None = None,
    config_file: Path | None = None,
) -> PublishedCounts:
    """Rebuild the warehouse from the lake as it is (no fetching): after an operator decision.
    ``config_file`` is the settings file the operator gave, if any (for the resume command)."""
    started = datetime.now(UTC)
    run = start_run(settings, flow, started, params, ["bzpeer", "rebuild"], config_file)
    run.status = "published"
    counts = finish_run(settings, run, {}, publish=True, progress=progress)
    assert counts is not None
    return counts
