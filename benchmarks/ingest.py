"""Benchmark 2: the same snapshot files into DuckDB, ours against DuckDB's reader and dlt.

Workers (one JSON line each; peak RSS comes from ``wait4`` in the parent):

- ``python -m benchmarks.ingest flat DATA OUT DAYS``: the ingest itself, what the other tools do:
  a snapshot backfill's staging, one batch per ``updated_date`` partition (a one-day chunk) in 2
  processes, as a backfill with ``dask_workers = 2`` stages them (``normalize_snapshot_part`` +
  ``enrich_batch`` + ``write_batch``), then the lake's tables loaded into a DuckDB file
  (``warehouse.build.load_lake``, DuckDB's memory limited to ``FLAT_MEMORY_LIMIT``): works,
  authorships, institutions, topics and quarantine as flat tables, authors not yet resolved.
- ``python -m benchmarks.ingest ours DATA OUT DAYS``: the same staging, then ``build_and_publish``
  (works merged, authors resolved in 2 processes, profile tables) and the identity state saved, as a
  nightly run does: the whole pipeline. The published warehouse stays in ``OUT`` (the profile-read
  benchmark reuses it).
- ``python -m benchmarks.ingest duckdb DATA OUT DAYS``: ``CREATE TABLE works AS SELECT * FROM
  read_ndjson_auto(parts)``: raw nested rows, nothing normalized.
- dlt runs ``benchmarks/dlt_load.py`` with the competitors' interpreter (a separate venv).
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from multiprocessing import Pool
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks.common import (
    COMPETITOR_PYTHON,
    REPO,
    Measured,
    competitor_has,
    emit,
    load_average,
    median,
    run_measured,
    snapshot_files,
    worker,
)

if TYPE_CHECKING:
    from sources.bulk_openalex import SnapshotPart

DLT_TIMEOUT_S = 300.0
DLT_ALL_TIMEOUT_S = 1200.0  # dlt's fastest mode on the whole set: about 6 minutes here
FLAT_MEMORY_LIMIT = "128MB"  # DuckDB's, for loading the lake: it streams Parquet into tables
STAGE_PROCESSES = 2
ALL_DAYS = 10_000  # more partitions than any data set here has: all of them
_DLT_MODES = ("default", "json_hint", "json_hint_parquet")


def selected_days(data: Path, days: int) -> list[date]:
    """The first ``days`` ``updated_date`` partitions of a data set: the files every tool reads."""
    names = sorted(p.name for p in (data / "openalex" / "works").glob("updated_date=*"))
    return [date.fromisoformat(n.split("=", 1)[1]) for n in names[:days]]


def selected_files(data: Path, days: int) -> list[Path]:
    keep = {f"updated_date={d.isoformat()}" for d in selected_days(data, days)}
    return [f for f in snapshot_files(data) if f.parent.name in keep]


def ingest_flat(data: Path, out: Path, days: int) -> dict[str, Any]:
    return _staged_then(data, out, days, _load_flat)


def ingest_ours(data: Path, out: Path, days: int) -> dict[str, Any]:
    return _staged_then(data, out, days, _build_and_publish)


def _staged_then(
    data: Path, out: Path, days: int, finish: Callable[[Path, Path], dict[str, int]]
) -> dict[str, Any]:
    """Stage ``days`` days of ``data`` into ``out/lake``, then ``finish(lake, out)``; seconds of each.

    Imports are outside the clock, as for DuckDB's reader and in benchmark 1 (a backfill's workers
    have them loaded); the staging processes are forked with them.
    """
    import enrich
    import sources.bulk_openalex
    import warehouse

    del enrich, sources, warehouse
    started = time.perf_counter()
    works = stage_days(out / "lake", data, selected_days(data, days), STAGE_PROCESSES)
    staged = time.perf_counter()
    published = finish(out / "lake", out)
    done = time.perf_counter()
    return {
        "works": works,
        "seconds": done - started,
        "stage_seconds": staged - started,
        "build_seconds": done - staged,
        "published": published,
    }


def _load_flat(lake: Path, out: Path) -> dict[str, int]:
    import duckdb

    from warehouse.build import load_lake
    from warehouse.duck import row_count
    from warehouse.schemas import SOURCE_TABLES

    config = {"memory_limit": FLAT_MEMORY_LIMIT, "threads": STAGE_PROCESSES}
    with duckdb.connect(str(out / "flat.duckdb"), config=config) as con:
        load_lake(con, lake)
        con.execute("CHECKPOINT")
        return {name: row_count(con, f"src_{name}") for name in SOURCE_TABLES}


def _build_and_publish(lake: Path, out: Path) -> dict[str, int]:
    from warehouse import build_and_publish, save_identity_state
    from warehouse.build import BuildOptions
    from warehouse.state import PIPELINE_RUNS, WATERMARKS

    state = {"pipeline_runs": PIPELINE_RUNS.empty_table(), "watermarks": WATERMARKS.empty_table()}
    # Both cores, as DuckDB's reader uses them: author identities resolved in two processes.
    options = BuildOptions(identity_workers=2)
    counts = build_and_publish(lake, out / "warehouse.duckdb", "bench", datetime.now(UTC), state, options)
    save_identity_state(lake, counts.identity)  # as a nightly run does after its publish
    return {"works": counts.works, "authors": counts.authors, "authorships": counts.authorships}


def stage_days(lake: Path, data: Path, days: list[date], processes: int = 1) -> int:
    """Normalize the snapshot parts of ``days`` (ascending) into the lake, one batch per day, as a
    backfill does (in ``processes`` processes); the number of works read."""
    from sources.bulk_openalex import snapshot_parts

    parts = snapshot_parts(data / "openalex", days[0], days[-1] + timedelta(days=1))
    jobs = [(lake, day, [p for p in parts if p.updated_date == day]) for day in days]
    if processes == 1 or len(jobs) == 1:
        return sum(stage_day(*job) for job in jobs)
    with Pool(min(processes, len(jobs))) as pool:
        return sum(pool.starmap(stage_day, jobs, chunksize=1))


def stage_day(lake: Path, day: date, parts: list[SnapshotPart]) -> int:
    """Normalize one day's snapshot parts into one lake batch; the number of works read."""
    from enrich import enrich_batch
    from sources.batch import BatchBuilder
    from sources.bulk_openalex import normalize_snapshot_part
    from warehouse import write_batch

    works = 0
    batch = BatchBuilder("openalex")
    for part in parts:
        works += normalize_snapshot_part(part, batch, part.ref)
    write_batch(lake, "openalex", "bench", day.isoformat(), enrich_batch(batch.to_tables()))
    return works


def ingest_duckdb(data: Path, out: Path, days: int) -> dict[str, Any]:
    import duckdb

    files = [str(f) for f in selected_files(data, days)]
    started = time.perf_counter()
    with duckdb.connect(str(out / "raw.duckdb")) as con:
        con.execute("CREATE TABLE works AS SELECT * FROM read_ndjson_auto(?)", [files])
        row = con.execute("SELECT count(*) FROM works").fetchone()
        con.execute("CHECKPOINT")
    return {"works": int(row[0]) if row else 0, "seconds": time.perf_counter() - started}


def _fresh(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def _row(result: Measured, load: float) -> dict[str, Any]:
    works = result.output.get("works", 0)
    seconds = result.output.get("seconds", result.seconds)
    return {
        **result.output,
        "timed_out": result.timed_out,
        "wall_seconds": result.seconds,
        "cpu_seconds": result.cpu_seconds,
        "peak_mib": result.peak_mib,
        "works_per_s": works / seconds if works and not result.timed_out else None,
        "load1": load,
    }


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    done = [r for r in rows if not r["timed_out"]]
    if not done:
        return {"timed_out": True, "after_s": rows[0]["wall_seconds"], "peak_mib": rows[0]["peak_mib"]}
    keys = ("works_per_s", "seconds", "wall_seconds", "cpu_seconds", "peak_mib")
    summary = {k: median([r[k] for r in done]) for k in keys}
    for extra in ("stage_seconds", "build_seconds"):
        if extra in done[0]:
            summary[extra] = median([r[extra] for r in done])
    return {
        **summary,
        "works": done[0]["works"],
        "timed_out": False,
        "runs": len(done),
        "load1": [round(r["load1"], 2) for r in rows],
        "published": done[-1].get("published"),
    }


def measure(data: Path, days: int, repeats: int, work: Path) -> dict[str, Any]:
    """Every tool on the first ``days`` partitions of ``data``; our ingest and DuckDB's reader also on
    all of it (memory that grows with the data shows at that size)."""
    plan = [("flat", days), ("ours", days), ("duckdb", days), ("flat", ALL_DAYS), ("duckdb", ALL_DAYS)]
    runs: dict[str, list[dict[str, Any]]] = {}
    for _ in range(repeats):
        for tool, tool_days in plan:
            key = tool if tool_days == days else f"{tool}_all"
            load = load_average()[0]
            result = run_measured(worker("ingest", tool, data, _fresh(work / key), tool_days))
            runs.setdefault(key, []).append(_row(result, load))
            print(f"  ingest {key}: {runs[key][-1]['works_per_s']:.0f} works/s", flush=True)
    summary = {key: _summary(rows) for key, rows in runs.items()}
    summary |= _measure_dlt(data, days, repeats, work)
    files = selected_files(data, days)
    return {"data": str(data), "days": days, "files": len(files), "repeats": repeats, "summary": summary}


def _measure_dlt(data: Path, days: int, repeats: int, work: Path) -> dict[str, Any]:
    """Each dlt mode on the first ``days`` partitions; its fastest mode (the issue's best, Parquet
    loader files) also once on the whole set, the size our ingest is compared at."""
    if not competitor_has("dlt"):
        return {f"dlt_{mode}": {"not_installed": True} for mode in _DLT_MODES}
    out: dict[str, Any] = {}
    plan = [(mode, days, repeats, DLT_TIMEOUT_S) for mode in _DLT_MODES]
    plan.append(("json_hint_parquet", ALL_DAYS, 1, DLT_ALL_TIMEOUT_S))
    for mode, mode_days, runs, timeout in plan:
        key = f"dlt_{mode}" if mode_days == days else f"dlt_{mode}_all"
        rows: list[dict[str, Any]] = []
        for _ in range(runs):
            load = load_average()[0]
            script = str(REPO / "benchmarks" / "dlt_load.py")
            argv = [str(COMPETITOR_PYTHON), script, mode, str(data), str(_fresh(work / key))]
            result = run_measured([*argv, str(mode_days)], timeout=timeout)
            rows.append(_row(result, load))
            print(f"  ingest {key}: {rows[-1]['works_per_s'] or 'timed out'} works/s", flush=True)
            if result.timed_out:
                break  # one timeout says enough; do not spend repeats on it
        out[key] = _summary(rows)
    return out


if __name__ == "__main__":
    tool, data_dir, out_dir, day_count = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
    tools = {"flat": ingest_flat, "ours": ingest_ours, "duckdb": ingest_duckdb}
    emit(tools[tool](data_dir, out_dir, day_count))
