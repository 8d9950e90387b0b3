"""Where an import's partitions run: one at a time in the flow (default), or on a Dask cluster.

A partition is one window of one source and scope (an API window, a snapshot chunk or a bulk-file
chunk): the task ``import_window`` fetches or reads it and writes one lake batch. Partitions share
nothing but the lake directory, so they scale out; the publish after them stays a single writer.
``dask_workers`` starts a local Dask cluster of that many worker processes for the flow run;
``dask_address`` sends partitions to a running scheduler (every worker needs this package installed
and the data directory mounted at the same path).
"""

from __future__ import annotations

from typing import Any, ParamSpec, TypeVar

from prefect import Flow
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from prefect_dask.task_runners import DaskTaskRunner

from config import Settings

__all__ = ["SEQUENTIAL", "on_task_runner", "task_runner_for"]

# The default: partitions run one after another (polite to the APIs, bounded memory).
SEQUENTIAL: TaskRunner[Any] = ThreadPoolTaskRunner(max_workers=1)

P = ParamSpec("P")
R = TypeVar("R")


def task_runner_for(settings: Settings) -> TaskRunner[Any]:
    """The task runner the settings ask for."""
    if settings.dask_address:
        return DaskTaskRunner(address=settings.dask_address)
    if settings.dask_workers:
        # One thread per worker process: normalizing is CPU-bound Python.
        kwargs = {"n_workers": settings.dask_workers, "threads_per_worker": 1, "processes": True}
        return DaskTaskRunner(cluster_kwargs=kwargs)
    return SEQUENTIAL


def on_task_runner(flow: Flow[P, R], settings: Settings) -> Flow[P, R]:
    """The flow, set to run its partitions on the settings' task runner."""
    runner = task_runner_for(settings)
    return flow if runner is SEQUENTIAL else flow.with_options(task_runner=runner)
