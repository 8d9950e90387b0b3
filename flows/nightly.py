"""The nightly import flow: fetch each configured scope's window, land, normalize, publish, record."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from prefect import flow

from flows.pipeline import start_run
from flows.runners import SEQUENTIAL
from flows.tasks import flow_settings, import_windows, publish, report
from sources import plan_nightly
from warehouse import read_watermarks

__all__ = ["nightly_import"]


@flow(name="nightly-import", log_prints=True, task_runner=SEQUENTIAL)
def nightly_import(config_file: str | None = None) -> dict[str, Any]:
    """Import every configured scope's window [watermark - lag, now) and publish it.

    A window whose fetch or pages fail publishes nothing and keeps its watermark; the other
    windows are still published, and the flow run ends Failed so operators see it.
    """
    settings = flow_settings(config_file)
    started = datetime.now(UTC)
    run = start_run(
        settings, "nightly", started, {"config_file": config_file}, ["bzpeer", "nightly"], config_file
    )
    plans = plan_nightly(settings, read_watermarks(settings.lake_dir), started)
    ends = import_windows(settings, run, plans)
    run.settle_status()
    run = publish(settings, run, ends)
    report(run)
    return {"run_id": run.run_id, "works": run.works_published, "authors": run.authors_published}
