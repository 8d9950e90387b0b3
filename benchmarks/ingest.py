"""Benchmark 2: the same snapshot files into DuckDB, ours against DuckDB's reader and dlt.

Workers (one JSON line each; peak RSS comes from ``wait4`` in the parent):

- ``python -m benchmarks.ingest ours DATA OUT DAYS``: what a snapshot backfill does, one batch per
  ``updated_date`` partition (a one-day chunk): ``normalize_snapshot_part`` + ``enrich_batch`` +
  ``write_batch``, then ``build_and_publish`` (works merged, authors resolved in 2 processes,
  profile tables) and the identity state saved, as a nightly run does. The published warehouse
  stays in ``OUT`` (the profile-read benchmark reuses it).
- ``python -m benchmarks.ingest duckdb DATA OUT DAYS``: ``CREATE TABLE works AS SELECT * FROM
  read_ndjson_auto(parts)``: raw nested rows, nothing normalized.
- dlt runs ``benchmarks/dlt_load.py`` with the competitors' interpreter (a separate venv).
"""

from __future__ import annotations

import shutil
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

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

DLT_TIMEOUT_S = 300.0
_DLT_MODES = ("default", "json_hint", "json_hint_parquet")


def selected_days(data: Path, days: int) -> list[date]:
    """The first ``days`` ``updated_date`` partitions of a data set: the files every tool reads."""
    names = sorted(p.name for p in (data / "openalex" / "works").glob("updated_date=*"))
    return [date.fromisoformat(n.split("=", 1)[1]) for n in names[:days]]


def selected_files(data: Path, days: int) -> list[Path]:
    keep = {f"updated_date={d.isoformat()}" for d in selected_days(data, days)}
    return [f for f in snapshot_files(data) if f.parent.name in keep]


def ingest_ours(data: Path, out: Path, days: int) -> dict[str, Any]:
    from warehouse import build_and_publish, save_identity_state
    from warehouse.build import BuildOptions
    from warehouse.state import PIPELINE_RUNS, WATERMARKS

    lake, warehouse_path = out / "lake", out / "warehouse.duckdb"
    started = time.perf_counter()
    works = stage_days(lake, data, selected_days(data, days))
    staged = time.perf_counter()
    state = {"pipeline_runs": PIPELINE_RUNS.empty_table(), "watermarks": WATERMARKS.empty_table()}
    # Both cores, as DuckDB's reader uses them: author identities resolved in two processes.
    options = BuildOptions(identity_workers=2)
    counts = build_and_publish(lake, warehouse_path, "bench", datetime.now(UTC), state, options)
    save_identity_state(lake, counts.identity)  # as a nightly run does after its publish
    built = time.perf_counter()
    return {
        "works": works,
        "seconds": built - started,
        "stage_seconds": staged - started,
        "build_seconds": built - staged,
        "published": {"works": counts.works, "authors": counts.authors, "authorships": counts.authorships},
    }


def stage_days(lake: Path, data: Path, days: list[date]) -> int:
    """Normalize the snapshot parts of ``days`` (ascending) into the lake, one batch per day, as a
    backfill does; the number of works read."""
    from enrich import enrich_batch
    from sources.batch import BatchBuilder
    from sources.bulk_openalex import normalize_snapshot_part, snapshot_parts
    from warehouse import write_batch

    works = 0
    parts = snapshot_parts(data / "openalex", days[0], days[-1] + timedelta(days=1))
    for day in days:
        batch = BatchBuilder("openalex")
        for part in (p for p in parts if p.updated_date == day):
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
    """Every tool on the first ``days`` partitions of ``data``; DuckDB's reader also on all of it."""
    plan = [("ours", days), ("duckdb", days), ("duckdb", 10_000)]
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
    if not competitor_has("dlt"):
        return {f"dlt_{mode}": {"not_installed": True} for mode in _DLT_MODES}
    out: dict[str, Any] = {}
    for mode in _DLT_MODES:
        rows: list[dict[str, Any]] = []
        for _ in range(repeats):
            load = load_average()[0]
            script = str(REPO / "benchmarks" / "dlt_load.py")
            argv = [str(COMPETITOR_PYTHON), script, mode, str(data), str(_fresh(work / f"dlt_{mode}"))]
            result = run_measured([*argv, str(days)], timeout=DLT_TIMEOUT_S)
            rows.append(_row(result, load))
            print(f"  ingest dlt {mode}: {rows[-1]['works_per_s'] or 'timed out'} works/s", flush=True)
            if result.timed_out:
                break  # one timeout says enough; do not spend repeats on it
        out[f"dlt_{mode}"] = _summary(rows)
    return out


if __name__ == "__main__":
    tool, data_dir, out_dir, day_count = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
    emit((ingest_ours if tool == "ours" else ingest_duckdb)(data_dir, out_dir, day_count))
