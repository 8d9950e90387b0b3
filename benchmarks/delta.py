"""The nightly delta at a tenth of the issue's scale: one day of works built into a small and a big warehouse.

``python -m benchmarks.delta BASE_DAYS [WORKS] [RUNS]`` stages the first BASE_DAYS ``updated_date``
partitions of the synthetic set of WORKS works (default 100,000: 30 days of about 3,334 works),
builds and publishes a warehouse of them (author identities resolved in 2 processes, the identity
state saved as a nightly run saves it), then RUNS times (default 3) copies that base, stages the
set's last day into the copy and builds again, as the next night's run would (units no new mention
touches are reused, units that only gained mentions extend their earlier clusters). It prints each
build's stage lines and one JSON line with every run and the median. Run it with BASE_DAYS 3 (10,000
works) and 29 (96,667 works): the same 3,333-work delta into warehouses ten times apart in size,
which is what the issue's target compares (10k works into 1M and into 100k, ratio under 1.5). Not
part of ``make bench``: the big side resolves about 700,000 mentions from scratch once and extends
them RUNS times (about 16 minutes with 3 runs).
"""

from __future__ import annotations

import resource
import shutil
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.common import CACHE, emit, synthetic
from benchmarks.ingest import selected_days, stage_days


def build(lake: Path, warehouse: Path, run_id: str) -> dict[str, Any]:
    """Build and publish the lake, save the identity state; seconds, counts and the stage lines."""
    from warehouse import build_and_publish, save_identity_state
    from warehouse.build import BuildOptions
    from warehouse.state import PIPELINE_RUNS, WATERMARKS

    state = {"pipeline_runs": PIPELINE_RUNS.empty_table(), "watermarks": WATERMARKS.empty_table()}
    started = time.perf_counter()
    lines: list[str] = []

    def progress(line: str) -> None:
        lines.append(f"{time.perf_counter() - started:8.1f} s  {line}")
        print(lines[-1], file=sys.stderr, flush=True)

    options = BuildOptions(identity_workers=2)
    counts = build_and_publish(lake, warehouse, run_id, datetime.now(UTC), state, options, progress)
    save_identity_state(lake, counts.identity)
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "published": {"works": counts.works, "authors": counts.authors, "authorships": counts.authorships},
        "units_clustered": counts.identity.units_recomputed,
        "units_reused": counts.identity.units_reused,
        "units_extended": counts.identity.units_extended,
        "stages": lines,
    }


def measure(base_days: int, works: int = 100_000, runs: int = 3) -> dict[str, Any]:
    data = synthetic(works)
    days = selected_days(data, len(list((data / "openalex" / "works").glob("updated_date=*"))))
    out = CACHE / "delta" / f"w{works}-base{base_days}"
    shutil.rmtree(out, ignore_errors=True)
    base_lake, base_warehouse = out / "base" / "lake", out / "base" / "warehouse.duckdb"
    base_works = stage_days(base_lake, data, days[:base_days])
    base = build(base_lake, base_warehouse, "base")
    deltas: list[dict[str, Any]] = []
    delta_works = 0
    for run in range(runs):
        # Each run starts from the same base: a copy of its lake (identity state included) and warehouse.
        lake, warehouse = out / f"run{run}" / "lake", out / f"run{run}" / "warehouse.duckdb"
        shutil.copytree(base_lake, lake)
        shutil.copy2(base_warehouse, warehouse)
        delta_works = stage_days(lake, data, days[-1:])
        deltas.append(build(lake, warehouse, "delta"))
        shutil.rmtree(out / f"run{run}")
    return {
        "base_days": base_days,
        "base_works": base_works,
        "base_build": base,
        "delta_works": delta_works,
        "delta_builds": deltas,
        "delta_seconds": [d["seconds"] for d in deltas],
        "delta_median_seconds": statistics.median(d["seconds"] for d in deltas) if deltas else None,
        "peak_mib_main": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


if __name__ == "__main__":
    if not 2 <= len(sys.argv) <= 4 or not all(a.isdigit() for a in sys.argv[1:]):
        sys.exit("usage: python -m benchmarks.delta BASE_DAYS [WORKS] [RUNS]  (for instance 3, then 29)")
    args = [int(a) for a in sys.argv[1:]]
    emit(measure(args[0], *args[1:]))
