"""Fetching from arXiv and OpenAlex through their real clients, raw landing, and normalization."""

from sources.errors import SourceError
from sources.ingest import (
    LandedFetch,
    NormalizedBatch,
    WindowPlan,
    land_window,
    normalize_fetch,
    plan_nightly,
)
from sources.landing import FetchDir, complete_fetches
from sources.windows import Window

__all__ = [
    "FetchDir",
    "LandedFetch",
    "NormalizedBatch",
    "SourceError",
    "Window",
    "WindowPlan",
    "complete_fetches",
    "land_window",
    "normalize_fetch",
    "plan_nightly",
]
