"""Work merging across sources and versions; author identity resolution."""

from dedupe.author_ids import IdAssignment, Redirect, assign_author_ids, new_author_id
from dedupe.clustering import ClusteringConfig, Resolution, resolve_authors
from dedupe.evaluation import EvaluationReport, evaluate_aminer, evaluate_s2and
from dedupe.labeled import EvaluationDataError
from dedupe.mentions import AuthorMention
from dedupe.names import UnusableNameError, name_key, normalize_name
from dedupe.work_fields import resolve_fields
from dedupe.work_keys import WorkRecord, distinct_paper_reason, surname
from dedupe.work_merge import MergedWork, merge_works

__all__ = [
    "AuthorMention",
    "ClusteringConfig",
    "EvaluationDataError",
    "EvaluationReport",
    "IdAssignment",
    "MergedWork",
    "Redirect",
    "Resolution",
    "UnusableNameError",
    "WorkRecord",
    "assign_author_ids",
    "distinct_paper_reason",
    "evaluate_aminer",
    "evaluate_s2and",
    "merge_works",
    "name_key",
    "new_author_id",
    "normalize_name",
    "resolve_authors",
    "resolve_fields",
    "surname",
]
