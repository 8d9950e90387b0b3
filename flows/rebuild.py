"""Rebuild: re-derive the lake from raw landing and republish, without the network.

Run it after a change to normalization, dedupe or enrichment. Every complete raw fetch is
normalized again into its lake batch (the latest run's fetch of a window wins); batches from bulk
sources are kept as they are (their raw data is the bulk files). Then the warehouse is rebuilt.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from config import Settings
from flows.pipeline import fail_run, stage_fetch, start_run
from flows.tasks import flow_settings, publish, report
from sources import SOURCES, LandedFetch, Window, WindowPlan, complete_fetches

__all__ = ["rebuild"]


@task(cache_policy=NO_CACHE)
def restage(settings: Settings, landed: LandedFetch) -> dict[str, object]:
    """Normalize one landed fetch again into its lake batch."""
    return stage_fetch(settings, landed)


@flow(name="rebuild", log_prints=True)
def rebuild(config_file: str | None = None) -> dict[str, Any]:
    """Normalize every raw fetch again and publish the warehouse from the result."""
    settings = flow_settings(config_file)
    started = datetime.now(UTC)
    run = start_run(
        settings, "rebuild", started, {"config_file": config_file}, ["bzpeer", "rebuild"], config_file
    )
    for landed in _landed_fetches(settings):
        try:
            counts = restage(settings, landed)
        except Exception as exc:
            # A raw page that no longer parses fails every rebuild: record why (bzpeer status).
            plan = landed.plan
            where = f"{plan.source}/{plan.scope} {plan.window.start:%Y-%m-%d}--{plan.window.end:%Y-%m-%d}"
            fail_run(settings, run, f"restaging {where} failed, nothing was published: {exc}")
            raise
        run.add_counts(counts)
        run.windows.append(
            {
                "source": landed.plan.source,
                "scope": landed.plan.scope,
                "start": landed.plan.window.start,
                "end": landed.plan.window.end,
                "status": "restaged",
                "seconds": 0.0,
                **counts,
            }
        )
    run.status = "published"
    run = publish(settings, run, {})
    report(run)
    return {
        "run_id": run.run_id,
        "works": run.works_published,
        "authors": run.authors_published,
        "restaged": len(run.windows),  # raw fetches normalized again (0: nothing under data/raw)
    }


def _landed_fetches(settings: Settings) -> list[LandedFetch]:
    """The latest complete fetch of each (source, scope, window), oldest run first."""
    latest: dict[tuple[str, str, str], LandedFetch] = {}
    for source in SOURCES:
        for fetch in complete_fetches(settings.data_dir, source):
            run_id, scope, label = fetch.path.parts[-3:]
            start, end = label.split("--")
            window = Window(
                datetime.strptime(start, "%Y%m%dT%H%M").replace(tzinfo=UTC),
                datetime.strptime(end, "%Y%m%dT%H%M").replace(tzinfo=UTC),
            )
            latest[(source, scope, label)] = LandedFetch(
                WindowPlan(source, scope, window), run_id, str(fetch.path), 0, 0
            )
    return list(latest.values())
