"""``bzpeer serve``: the deployments, served from this process (Prefect runner).

- ``nightly-import/nightly-import``: the cron schedule from the settings (default 02:00 UTC);
- ``backfill/backfill``: triggered by operators with parameters;
- ``rebuild/rebuild``: triggered after a model change.
The global concurrency limit ``warehouse-writer`` (1 slot) is created if missing, so one writer
publishes at a time across every worker.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

from prefect import serve
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
from prefect.deployments.runner import RunnerDeployment

from config import load_settings
from flows.backfill import backfill
from flows.nightly import nightly_import
from flows.rebuild import rebuild
from flows.runners import on_task_runner
from flows.tasks import WRITER_LIMIT, writer_limit_exists

__all__ = ["ensure_writer_limit", "serve_deployments"]


def ensure_writer_limit() -> None:
    """Create the one-slot ``warehouse-writer`` global concurrency limit if it does not exist."""
    if writer_limit_exists():
        return
    with get_client(sync_client=True) as client:
        client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=WRITER_LIMIT, limit=1))


def serve_deployments(config_file: Path | None) -> None:
    """Register the three deployments and run their flow runs until interrupted."""
    settings = load_settings(config_file)
    params = {"config_file": str(config_file.resolve()) if config_file else None}
    ensure_writer_limit()
    deployments = [
        on_task_runner(nightly_import, settings).to_deployment(
            name="nightly-import", cron=settings.nightly_cron, parameters=params
        ),
        on_task_runner(backfill, settings).to_deployment(name="backfill", parameters=params),
        rebuild.to_deployment(name="rebuild", parameters=params),
    ]
    # to_deployment is sync/async-compatible; called from sync code it returns the deployment.
    serve(*(cast(RunnerDeployment, d) for d in deployments))
