"""Land a window of a source, and normalize a landed fetch: what the flow's tasks call."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from config import Settings
from sources.arxiv_client import fetch_arxiv_window
from sources.arxiv_records import normalize_arxiv_page
from sources.batch import BatchBuilder
from sources.errors import SourceError
from sources.landing import FetchDir
from sources.openalex_client import fetch_openalex_window
from sources.openalex_records import normalize_openalex_page
from sources.plans import Source, WindowPlan

__all__ = ["LandedFetch", "NormalizedBatch", "land_window", "normalize_fetch"]


@dataclass(frozen=True, slots=True)
class LandedFetch:
    """Where a window's raw pages landed (a path string: it crosses process boundaries)."""

    plan: WindowPlan
    run_id: str
    path: str
    pages: int
    records: int


@dataclass(frozen=True, slots=True)
class NormalizedBatch:
    """A fetch normalized into the canonical tables, with what happened to its records."""

    tables: dict[str, pa.Table]
    records_seen: int
    works: int
    quarantined_by_reason: dict[str, int]


def land_window(settings: Settings, plan: WindowPlan, run_id: str) -> LandedFetch:
    """Fetch one window through the real client; every raw page lands before it is parsed.

    Raises:
        SourceError: The fetch failed after retries; its landing stays incomplete and unused.
    """
    fetch = FetchDir(settings.data_dir, plan.source, run_id, plan.scope, plan.window.label)
    if plan.source == "openalex":
        scope = next(s for s in settings.openalex_scopes if s.name == plan.scope)
        records = fetch_openalex_window(settings, scope, plan.window, fetch)
    else:
        arxiv_scope = next(s for s in settings.arxiv_scopes if s.name == plan.scope)
        records = fetch_arxiv_window(settings, arxiv_scope, plan.window, fetch)
    fetch.mark_complete(source=plan.source, scope=plan.scope, window=plan.window.label, records=records)
    return LandedFetch(plan, run_id, str(fetch.path), fetch.pages, records)


def normalize_fetch(data_dir: Path, source: Source, fetch_path: Path) -> NormalizedBatch:
    """Normalize every page of a complete fetch.

    Raises:
        SourceError: The fetch is incomplete, or one of its pages is unreadable (the whole window
            is then left unpublished).
    """
    run_id, scope, window = fetch_path.parts[-3:]
    fetch = FetchDir(data_dir, source, run_id, scope, window)
    if not fetch.is_complete:
        raise SourceError(source, str(fetch_path), "fetch was interrupted; re-run its window")
    batch = BatchBuilder(source)
    normalize_page = normalize_openalex_page if source == "openalex" else normalize_arxiv_page
    for page in fetch.read_pages():
        normalize_page(page, batch)
    return NormalizedBatch(
        tables=batch.to_tables(),
        records_seen=batch.records_seen,
        works=len(batch.rows["works"]),
        quarantined_by_reason=batch.quarantined_by_reason(),
    )
