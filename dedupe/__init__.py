"""Work merging across sources and versions; author identity resolution."""

from dedupe.work_fields import resolve_fields
from dedupe.work_keys import WorkRecord, distinct_paper_reason, surname
from dedupe.work_merge import MergedWork, merge_works

__all__ = ["MergedWork", "WorkRecord", "distinct_paper_reason", "merge_works", "resolve_fields", "surname"]
