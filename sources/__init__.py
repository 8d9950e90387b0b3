"""Fetching from arXiv and OpenAlex through their real clients, raw landing, and normalization."""

from sources.errors import SourceError
from sources.ingest import LandedFetch, NormalizedBatch, land_window, normalize_fetch
from sources.landing import FetchDir, complete_fetches
from sources.plans import SOURCES, InvalidRequest, WindowPlan, plan_backfill, plan_nightly
from sources.windows import Window

__all__ = [
    "SOURCES",
    "FetchDir",
    "InvalidRequest",
    "LandedFetch",
    "NormalizedBatch",
    "SourceError",
    "Window",
    "WindowPlan",
    "complete_fetches",
    "land_window",
    "normalize_fetch",
    "plan_backfill",
    "plan_nightly",
]
