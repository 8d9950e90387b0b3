"""Arrow schemas, the Parquet lake, the DuckDB build and atomic publish, and profile reads."""

from warehouse.build import PublishedCounts, build_and_publish, remove_stale_builds
from warehouse.identity_state import Override, read_overrides, save_identity_state, save_override
from warehouse.lake import clean_lake, write_batch
from warehouse.read import (
    Profile,
    ProfileWork,
    WarehouseBusy,
    WarehouseMissing,
    find_authors,
    open_readonly,
    read_profile,
)
from warehouse.state import (
    RunRecord,
    advanced_watermarks,
    read_runs,
    read_watermarks,
    save_run,
    save_watermarks,
)

__all__ = [
    "Override",
    "Profile",
    "ProfileWork",
    "PublishedCounts",
    "RunRecord",
    "WarehouseBusy",
    "WarehouseMissing",
    "advanced_watermarks",
    "build_and_publish",
    "clean_lake",
    "find_authors",
    "open_readonly",
    "read_overrides",
    "read_profile",
    "read_runs",
    "read_watermarks",
    "remove_stale_builds",
    "save_identity_state",
    "save_override",
    "save_run",
    "save_watermarks",
    "write_batch",
]
