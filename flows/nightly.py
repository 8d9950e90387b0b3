"""The nightly import flow: fetch each configured scope's window, land, normalize, publish, record."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from config import Settings, load_settings
from flows.pipeline import finish_run, new_run_id, stage_fetch
from flows.summary import run_summary_markdown
from sources import LandedFetch, SourceError, WindowPlan, land_window, plan_nightly
from warehouse import RunRecord, read_watermarks

__all__ = ["nightly_import"]


@task(cache_policy=NO_CACHE)
def land(settings: Settings, plan: WindowPlan, run_id: str) -> LandedFetch:
    """Fetch one window; raw pages land before anything parses them."""
    return land_window(settings, plan, run_id)


@task(cache_policy=NO_CACHE)
def stage(settings: Settings, landed: LandedFetch) -> dict[str, object]:
    """Normalize a landed window into one lake batch."""
    return stage_fetch(settings, landed)


@task(cache_policy=NO_CACHE)
def publish(settings: Settings, run: RunRecord, ends: dict[tuple[str, str], datetime]) -> RunRecord:
    """Build the warehouse from the lake, swap it in, advance watermarks, save the run."""
    finish_run(settings, run, ends, publish=bool(ends))
    return run


@flow(name="nightly-import", log_prints=True)
def nightly_import(config_file: str | None = None) -> dict[str, Any]:
    """Import every configured scope's window [watermark - lag, now) and publish it.

    A window whose fetch or pages fail publishes nothing and keeps its watermark; the other
    windows are still published, and the flow run ends Failed so operators see it.
    """
    settings = load_settings(Path(config_file) if config_file else None)
    started = datetime.now(UTC)
    run = RunRecord(new_run_id(started), "nightly", started, params={"config_file": config_file})
    plans = plan_nightly(settings, read_watermarks(settings.lake_dir), started)
    ends = _import_windows(settings, run, plans)
    run.status = "published" if not run.error else ("partial" if ends else "failed")
    run = publish(settings, run, ends)
    create_markdown_artifact(
        run_summary_markdown(run), key="nightly-import-summary", description="Nightly import"
    )
    if run.error:
        raise RuntimeError(f"nightly import {run.run_id}: {run.error}")
    return {"run_id": run.run_id, "works": run.works_published, "authors": run.authors_published}


def _import_windows(
    settings: Settings, run: RunRecord, plans: list[WindowPlan]
) -> dict[tuple[str, str], datetime]:
    logger = get_run_logger()
    ends: dict[tuple[str, str], datetime] = {}
    errors = []
    for plan in plans:
        began = time.perf_counter()
        outcome: dict[str, object] = {
            "source": plan.source,
            "scope": plan.scope,
            "start": plan.window.start,
            "end": plan.window.end,
        }
        try:
            counts = stage(settings, land(settings, plan, run.run_id))
        except SourceError as exc:
            logger.error("window %s/%s %s failed: %s", plan.source, plan.scope, plan.window.label, exc)
            errors.append(str(exc))
            outcome.update(status="failed", error=str(exc))
        else:
            outcome.update(status="staged", **counts)
            _add_counts(run, counts)
            ends[(plan.source, plan.scope)] = plan.window.end
        outcome["seconds"] = round(time.perf_counter() - began, 3)
        run.windows.append(outcome)
    run.error = "; ".join(errors) or None
    return ends


def _add_counts(run: RunRecord, counts: dict[str, Any]) -> None:
    run.pages_fetched += counts["pages"]
    run.records_fetched += counts["records_fetched"]
    run.records_normalized += counts["records_normalized"]
    for reason, n in counts["quarantined_by_reason"].items():
        run.quarantined_by_reason[reason] = run.quarantined_by_reason.get(reason, 0) + n
        run.records_quarantined += n
