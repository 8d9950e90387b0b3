"""Work merging across sources and versions; author identity resolution."""

from dedupe.author_ids import IdAssignment, Redirect, assign_author_ids, new_author_id
from dedupe.clustering import ClusteringConfig, Resolution, resolve_authors
from dedupe.mentions import AuthorMention
from dedupe.work_fields import resolve_fields
from dedupe.work_keys import WorkRecord, distinct_paper_reason, surname
from dedupe.work_merge import MergedWork, merge_works

__all__ = [
    "AuthorMention",
    "ClusteringConfig",
    "IdAssignment",
    "MergedWork",
    "Redirect",
    "Resolution",
    "WorkRecord",
    "assign_author_ids",
    "distinct_paper_reason",
    "merge_works",
    "new_author_id",
    "resolve_authors",
    "resolve_fields",
    "surname",
]
