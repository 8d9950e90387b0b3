"""Benchmark 1: normalize throughput against the parse-only ceiling, on 1 and 2 processes.

Worker: ``python -m benchmarks.normalize {parse|full} DATA_DIR PROCESSES`` prints one JSON line.

- ``parse``: gunzip + ``orjson.loads`` of every line of every part: the ceiling for any normalizer.
- ``full``: what a snapshot chunk costs in the pipeline: ``snapshot_parts`` (the parts checked against
  the manifest; their record counts are checked as they are read), then per part
  ``normalize_snapshot_part`` into a ``BatchBuilder``, ``to_tables`` and ``enrich_batch`` (clean
  titles and abstracts, topic hierarchy). One batch per part, so parts can go to separate processes
  (``multiprocessing`` over parts).

The machine is shared, so besides wall-clock works/s each run records its CPU seconds (user +
system of the timed part, the pool's workers included): works per CPU-second is the per-core
figure that other load does not skew.
"""

from __future__ import annotations

import gzip
import resource
import sys
import time
from datetime import date
from multiprocessing import Pool
from pathlib import Path
from typing import Any

import orjson

from benchmarks.common import emit, load_average, median, run_measured, snapshot_files, worker

MODES = ("parse", "full")
_ALL_DATES = (date(1900, 1, 1), date(2999, 1, 1))


def parse_file(path: Path) -> tuple[int, dict[str, float]]:
    works = 0
    started = time.process_time()
    with gzip.open(path, "rb") as handle:
        for line in handle:
            if line.strip():
                orjson.loads(line)
                works += 1
    return works, {"parse": time.process_time() - started}


def normalize_file(path: Path) -> tuple[int, dict[str, float]]:
    from enrich import enrich_batch
    from sources.batch import BatchBuilder
    from sources.bulk_openalex import SnapshotPart, normalize_snapshot_part

    part = _PARTS[path]
    assert isinstance(part, SnapshotPart)
    batch = BatchBuilder("openalex")
    t0 = time.process_time()
    works = normalize_snapshot_part(part, batch, part.ref)
    t1 = time.process_time()
    tables = batch.to_tables()
    t2 = time.process_time()
    enrich_batch(tables)
    t3 = time.process_time()
    return works, {"normalize": t1 - t0, "to_tables": t2 - t1, "enrich": t3 - t2}


_PARTS: dict[Path, Any] = {}


def _run(mode: str, data: Path, processes: int) -> dict[str, Any]:
    # Imports are outside the clock (without cached bytecode they cost seconds): both modes
    # measure only reading and normalizing.
    import enrich
    import sources.bulk_openalex  # noqa: F401

    del enrich
    started, cpu_started = time.perf_counter(), _cpu()
    phases: dict[str, float] = {}  # CPU seconds (process_time), summed over the parts
    if mode == "full":
        from sources.bulk_openalex import snapshot_parts

        parts = snapshot_parts(data / "openalex", *_ALL_DATES)
        _PARTS.update({p.path: p for p in parts})  # inherited by forked workers
        phases["verify_parts"] = _cpu() - cpu_started
        files = [p.path for p in parts]
        task = normalize_file
    else:
        files = snapshot_files(data)
        task = parse_file
    if processes == 1:
        results = [task(f) for f in files]
    else:
        with Pool(processes) as pool:
            results = pool.map(task, files, chunksize=1)
    seconds, cpu_seconds = time.perf_counter() - started, _cpu() - cpu_started
    for _, part_phases in results:
        for name, value in part_phases.items():
            phases[name] = phases.get(name, 0.0) + value
    works = sum(n for n, _ in results)
    return {
        "works": works,
        "seconds": seconds,
        "works_per_s": works / seconds,
        "cpu_seconds": cpu_seconds,
        "phases": phases,
    }


def _cpu() -> float:
    """User + system seconds of this process and its reaped children (the pool's workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(data: Path, repeats: int) -> dict[str, Any]:
    """Run every (mode, processes) ``repeats`` times, interleaved so load changes hit all alike."""
    runs: dict[str, list[dict[str, Any]]] = {}
    for _ in range(repeats):
        for processes in (1, 2):
            for mode in MODES:
                load = load_average()[0]
                result = run_measured(worker("normalize", mode, data, processes))
                row = {
                    **result.output,
                    "peak_mib": result.peak_mib,
                    "works_per_cpu_s": result.output["works"] / result.output["cpu_seconds"],
                    "load1": load,
                }
                runs.setdefault(f"{mode}/{processes}", []).append(row)
                print(f"  normalize {mode} x{processes}: {row['works_per_s']:.0f} works/s", flush=True)
    summary = {
        key: {
            "works": rows[0]["works"],
            "works_per_s": median([r["works_per_s"] for r in rows]),
            "seconds": median([r["seconds"] for r in rows]),
            "cpu_seconds": median([r["cpu_seconds"] for r in rows]),
            "works_per_cpu_s": median([r["works_per_cpu_s"] for r in rows]),
            "peak_mib": median([r["peak_mib"] for r in rows]),
            "phases": {k: median([r["phases"][k] for r in rows]) for k in rows[0]["phases"]},
            "runs": [round(r["works_per_s"]) for r in rows],
            "load1": [round(r["load1"], 2) for r in rows],
        }
        for key, rows in runs.items()
    }
    full1, parse1 = summary["full/1"]["works_per_s"], summary["parse/1"]["works_per_s"]
    cpu_full, cpu_parse = summary["full/1"]["works_per_cpu_s"], summary["parse/1"]["works_per_cpu_s"]
    return {
        "ratio_to_ceiling_cpu": cpu_full / cpu_parse,
        "data": str(data),
        "repeats": repeats,
        "summary": summary,
        "ratio_to_ceiling_1core": full1 / parse1,
        "scaling_full_2proc": summary["full/2"]["works_per_s"] / full1,
        "scaling_parse_2proc": summary["parse/2"]["works_per_s"] / parse1,
    }


if __name__ == "__main__":
    emit(_run(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])))
