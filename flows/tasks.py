"""Thin Prefect tasks over the plain-Python steps, and the loop that imports a list of windows."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from prefect import get_client, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.blocks.system import Secret
from prefect.cache_policies import NO_CACHE
from prefect.concurrency.sync import concurrency
from prefect.exceptions import ObjectNotFound
from pydantic import SecretStr

from config import Settings, load_settings
from flows.pipeline import finish_run, stage_bulk, stage_fetch
from flows.summary import run_summary_markdown
from sources import SourceError, WindowPlan, land_window
from warehouse import RunRecord
from warehouse.lake import batch_exists

__all__ = [
    "SECRET_BLOCK",
    "WRITER_LIMIT",
    "RunFailed",
    "flow_settings",
    "import_windows",
    "publish",
    "report",
    "writer_limit_exists",
]

# A Prefect Secret block that may hold the OpenAlex API key, for deployments that keep secrets in
# Prefect rather than in the environment. The key is a SecretStr from here on: never printed.
SECRET_BLOCK = "bzpeer-openalex-api-key"

# The Prefect global concurrency limit that admits one warehouse writer at a time (`bzpeer serve`
# creates it); the data directory's lock file guards the same thing on one machine.
WRITER_LIMIT = "warehouse-writer"


def flow_settings(config_file: str | None) -> Settings:
    """The run's settings; the OpenAlex API key comes from the environment or the Secret block."""
    settings = load_settings(Path(config_file) if config_file else None)
    if settings.openalex_api_key is not None:
        return settings
    try:
        block = cast(Secret[str], Secret.load(SECRET_BLOCK))  # sync call: a block, not a coroutine
        key = block.get()
    except ValueError:  # no such block: run without a key (OpenAlex's free budget)
        return settings
    return settings.model_copy(update={"openalex_api_key": SecretStr(str(key))})


@task(cache_policy=NO_CACHE, task_run_name="import {plan.source}/{plan.scope} {plan.window.label}")
def import_window(
    settings: Settings, plan: WindowPlan, run_id: str, bulk: tuple[str, str] | None
) -> tuple[dict[str, object], float]:
    """One partition of an import: fetch a window (raw pages land first) or read a bulk chunk, then
    normalize it into one lake batch. Partitions share nothing but the lake directory, so any task
    runner may run them in parallel (see README, scale-out). Returns the counts and the seconds."""
    began = time.perf_counter()
    if bulk:
        counts = stage_bulk(settings, plan, bulk[0], Path(bulk[1]))
    else:
        counts = stage_fetch(settings, land_window(settings, plan, run_id))
    return counts, time.perf_counter() - began


@task(cache_policy=NO_CACHE)
def publish(settings: Settings, run: RunRecord, ends: dict[tuple[str, str], datetime]) -> RunRecord:
    """Build the warehouse from the lake, swap it in, advance watermarks, save the run."""
    logger = get_run_logger()
    with _writer_slot(logger.info):
        finish_run(settings, run, ends, bool(ends) or run.flow != "nightly", logger.info)
    return run


def writer_limit_exists() -> bool:
    """Whether the Prefect API has the ``warehouse-writer`` global concurrency limit."""
    with get_client(sync_client=True) as client:
        try:
            client.read_global_concurrency_limit_by_name(WRITER_LIMIT)
        except ObjectNotFound:
            return False
    return True


def _writer_slot(log: Callable[[str], None]) -> AbstractContextManager[object]:
    """The writer limit's one slot where the Prefect API has the limit (`bzpeer serve` creates it).

    Elsewhere (``make demo``, a flow run by hand) there is nothing to hold, and Prefect's
    ``concurrency`` would only warn that the limit does not exist: say so once, plainly.
    """
    if writer_limit_exists():
        return concurrency(WRITER_LIMIT, occupy=1)
    log(
        f"no {WRITER_LIMIT!r} concurrency limit on this Prefect API (`bzpeer serve` creates it): "
        "the data directory's lock file admits one writer"
    )
    return nullcontext()


def import_windows(
    settings: Settings,
    run: RunRecord,
    plans: list[WindowPlan],
    *,
    skip_finished: bool = False,
    bulk: tuple[str, str] | None = None,
) -> dict[tuple[str, str], datetime]:
    """Import each window (a task run each); failed windows are recorded, the rest go on.

    Returns:
        The end of each (source, scope) whose windows all succeeded.
    """
    logger = get_run_logger()
    ends: dict[tuple[str, str], datetime] = {}
    failed: set[tuple[str, str]] = set()
    todo = {
        i
        for i, p in enumerate(plans)
        if not (skip_finished and batch_exists(settings.lake_dir, p.source, p.scope, p.window.label))
    }
    futures = {
        i: import_window.submit(settings, plans[i], run.run_id, bulk)
        for i in sorted(todo)
        if _parallel(plans[i], bulk)
    }
    for number, plan in enumerate(plans, 1):
        key = (plan.source, plan.scope)
        outcome: dict[str, Any] = {
            "source": plan.source,
            "scope": plan.scope,
            "start": plan.window.start,
            "end": plan.window.end,
        }
        seconds = 0.0
        if number - 1 not in todo:
            outcome.update(status="skipped (finished earlier)")
        else:
            try:
                future = futures.get(number - 1)
                counts, seconds = (
                    future.result() if future else import_window(settings, plan, run.run_id, bulk)
                )
            except SourceError as exc:
                logger.error("window %s/%s %s failed: %s", plan.source, plan.scope, plan.window.label, exc)
                outcome.update(status="failed", error=str(exc))
                failed.add(key)
                run.error = "; ".join(filter(None, [run.error, str(exc)]))
            else:
                outcome.update(status="staged", **counts)
                run.add_counts(counts)
        if key not in failed:
            ends[key] = max(ends.get(key, plan.window.end), plan.window.end)
        outcome["seconds"] = round(seconds, 3)
        run.windows.append(outcome)
        logger.info(
            "window %d/%d %s/%s %s: %s, %s records in %.1f s",
            number,
            len(plans),
            plan.source,
            plan.scope,
            plan.window.label,
            outcome["status"],
            outcome.get("records_fetched", 0),
            outcome["seconds"],
        )
    return {key: end for key, end in ends.items() if key not in failed}


def _parallel(plan: WindowPlan, bulk: tuple[str, str] | None) -> bool:
    """Whether a window goes to the task runner. arXiv API windows run one at a time in the flow:
    arXiv's terms allow one request every three seconds, across all of a client's connections."""
    return bool(bulk) or plan.source != "arxiv"


class RunFailed(RuntimeError):
    """A window of the run failed: what finished was published, the run is recorded as failed."""


def report(run: RunRecord) -> None:
    """Publish the run's summary as a Prefect artifact; fail the flow run if a window failed.

    Raises:
        RunFailed: A window failed (``run.error`` says which and why).
    """
    create_markdown_artifact(
        run_summary_markdown(run), key=f"{run.flow}-summary", description=f"{run.flow} {run.run_id}"
    )
    if run.error:
        raise RunFailed(f"{run.flow} {run.run_id}: {run.error}")
