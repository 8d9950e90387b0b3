"""Benchmark 4: latency of full profile reads from a separate read-only process, idle and during a publish.

Workers (one JSON line each):

- ``python -m benchmarks.profile_reads read WAREHOUSE IDS READS MODE``: ``read_profile`` for READS
  author ids cycled from the file IDS (one per line); MODE ``warm`` reads through one
  ``ProfileReader`` (one connection, reopened when a publish swaps the file: a page server),
  ``cold`` opens and closes a connection around every read (a fresh page process). Prints
  p50/p90/p99/max in milliseconds.
- ``python -m benchmarks.profile_reads publish LAKE WAREHOUSE``: ``build_and_publish`` of the same lake
  over the same warehouse path: the nightly publish the readers must not notice (a night without new
  works: author units are reused from the saved identity state, every derived table is rebuilt).
- ``python -m benchmarks.profile_reads build DATA OUT DAYS``: what the ingest worker does (staging, then
  ``build_and_publish``), with the author identities taken from the generator's labels
  (``truth/authors.parquet``) instead of resolved; the labels are kept beside the warehouse and
  the publish worker uses them too.

The warehouse is built once from a synthetic set and cached under
``/tmp/bzpeer-bench/profile_reads/w<works>[-labels]/``: by the ingest worker (``benchmarks.ingest
ours``, identities resolved), or, for sets too big to resolve in a benchmark run (a 1M-work set has
7.2M mentions: hours on 2 cores, section 3), by ``build`` with labelled identities. Every table a
profile read touches is built by the pipeline's own SQL either way; only who is who comes from the
labels, one label join per mention in ``author_evidence`` (score 1), and no review pairs.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from benchmarks.common import emit, load_average, median, run_measured, worker

SAMPLE_AUTHORS = 500  # random authors, plus the 50 with the most works (the heaviest pages)
PUBLISH_HEAD_START_S = 3.0  # let the publish get into its build before reads start


def read_latencies(warehouse: Path, ids_file: Path, reads: int, mode: str) -> dict[str, Any]:
    from warehouse import open_readonly, read_profile
    from warehouse.read import ProfileReader

    ids = ids_file.read_text().split()
    latencies: list[float] = []
    reader = ProfileReader(warehouse) if mode == "warm" else None
    missing = 0
    for i in range(reads):
        started = time.perf_counter()
        if reader is None:
            with open_readonly(warehouse) as fresh:
                profile = read_profile(fresh, ids[i % len(ids)])
        else:
            profile = reader.read(ids[i % len(ids)])
        latencies.append((time.perf_counter() - started) * 1000)
        missing += profile is None
    latencies.sort()
    return {
        "reads": reads,
        "missing": missing,
        "p50_ms": _quantile(latencies, 0.50),
        "p90_ms": _quantile(latencies, 0.90),
        "p99_ms": _quantile(latencies, 0.99),
        "max_ms": latencies[-1],
    }


def _quantile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


LABELS = "labels.parquet"  # beside a warehouse whose identities come from the generator's labels


def build_with_labels(data: Path, out: Path, days: int) -> dict[str, Any]:
    """The ingest worker's staging and publish of ``days`` days of ``data``, identities from the labels."""
    from benchmarks.ingest import ingest_ours

    out.mkdir(parents=True, exist_ok=True)
    labels = out / LABELS
    shutil.copyfile(data / "truth" / "authors.parquet", labels)
    _use_labels(labels)
    return ingest_ours(data, out, days)


def _use_labels(labels: Path) -> None:
    """Make ``build_and_publish`` in this process take author identities from ``labels``.

    The build's resolution step (``warehouse.author_step``) still assigns stable ids and writes every
    identity table; it is given clusters from the labels instead of the resolver's.
    """
    import duckdb

    from dedupe.clustering import Resolution
    from dedupe.incremental import IncrementalResolution
    from dedupe.mentions import MentionRows
    from dedupe.scoring import Evidence
    from warehouse import author_step

    def mention_ids(con: duckdb.DuckDBPyConnection) -> MentionRows:
        reader = con.sql("SELECT mention_id FROM authorships").to_arrow_reader(100_000)
        return MentionRows(reader, list)

    def resolve(mentions: MentionRows, *_: Any, **__: Any) -> IncrementalResolution:
        with duckdb.connect() as con:
            con.register("present", pa.Table.from_batches(list(mentions.batches)))
            # A mention the labels do not know is a person of its own (none in a generated set).
            rows = con.execute(
                "SELECT p.mention_id, min(p.mention_id) OVER (PARTITION BY coalesce("
                "t.person_id::VARCHAR, p.mention_id)) FROM present p "
                "LEFT JOIN read_parquet(?) t USING (mention_id)",
                [str(labels)],
            ).fetchall()
        clusters = dict(rows)
        joins: dict[str, list[Evidence]] = {}
        for mention_id, key in rows:
            if mention_id != key:
                joins.setdefault(key, []).append(Evidence(key, mention_id, 1.0, rule="label"))
        evidence = {key: tuple(e) for key, e in joins.items()}
        return IncrementalResolution(Resolution(clusters, evidence, (), {}), {}, len(clusters), 0)

    author_step._mentions = mention_ids  # type: ignore[assignment]
    author_step.resolve_incrementally = resolve  # type: ignore[assignment]


def publish(lake: Path, warehouse: Path) -> dict[str, Any]:
    from warehouse import build_and_publish, save_identity_state
    from warehouse.state import PIPELINE_RUNS, WATERMARKS

    if (warehouse.parent / LABELS).is_file():
        _use_labels(warehouse.parent / LABELS)
    started = time.perf_counter()
    state = {"pipeline_runs": PIPELINE_RUNS.empty_table(), "watermarks": WATERMARKS.empty_table()}
    counts = build_and_publish(lake, warehouse, "bench-publish", datetime.now(UTC), state)
    save_identity_state(lake, counts.identity)
    return {"seconds": time.perf_counter() - started}


def sample_ids(warehouse: Path, out: Path) -> int:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        everyone = con.execute("SELECT author_id FROM author_profiles ORDER BY author_id").fetchall()
        top = con.execute("SELECT author_id FROM author_profiles ORDER BY works_count DESC LIMIT 50")
        ids, heaviest = [r[0] for r in everyone], [r[0] for r in top.fetchall()]
    chosen = random.Random(1).sample(ids, min(SAMPLE_AUTHORS, len(ids))) + heaviest
    random.Random(2).shuffle(chosen)
    out.write_text("\n".join(chosen) + "\n")
    return len(ids)


def measure(built: Path, works: int, reads: int, repeats: int) -> dict[str, Any]:
    """Reads from the warehouse in ``built`` (``warehouse.duckdb``, ``lake/``): idle and while publishing."""
    warehouse, ids_file = built / "warehouse.duckdb", built / "author_ids.txt"
    authors = sample_ids(warehouse, ids_file)
    runs: dict[str, list[dict[str, Any]]] = {}
    for _ in range(repeats):
        for mode in ("warm", "cold"):
            runs.setdefault(f"idle/{mode}", []).append(_read(warehouse, ids_file, reads, mode))
        for mode in ("warm", "cold"):
            runs.setdefault(f"publishing/{mode}", []).append(
                _read_while_publishing(built, ids_file, reads, mode)
            )
    summary = {
        key: {
            **{q: median([r[q] for r in rows]) for q in ("p50_ms", "p90_ms", "p99_ms", "max_ms")},
            "runs_p99": [round(r["p99_ms"], 1) for r in rows],
            "load1": [round(r["load1"], 2) for r in rows],
            "missing": sum(r["missing"] for r in rows),
            "publish_running": all(r.get("publish_running", True) for r in rows),
        }
        for key, rows in runs.items()
    }
    identities = "labels" if (built / LABELS).is_file() else "resolved"
    return {
        "works": works,
        "authors": authors,
        "identities": identities,
        "reads": reads,
        "repeats": repeats,
        "summary": summary,
    }


def _read(warehouse: Path, ids_file: Path, reads: int, mode: str) -> dict[str, Any]:
    load = load_average()[0]
    result = run_measured(worker("profile_reads", "read", warehouse, ids_file, reads, mode))
    print(f"  profile reads {mode}: p50 {result.output['p50_ms']:.1f} ms, p99 {result.output['p99_ms']:.1f}")
    return {**result.output, "load1": load}


def _read_while_publishing(built: Path, ids_file: Path, reads: int, mode: str) -> dict[str, Any]:
    warehouse = built / "warehouse.duckdb"
    argv = worker("profile_reads", "publish", built / "lake", warehouse)
    with subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as publisher:
        time.sleep(PUBLISH_HEAD_START_S)
        row = _read(warehouse, ids_file, reads, mode)
        row["publish_running"] = publisher.poll() is None
        # The publish only has to overlap the reads: stop it (its half-built temporary file is
        # removed by the next build_and_publish, as after any interrupted publish).
        if publisher.poll() is None:
            publisher.terminate()
        publisher.wait()
    return row


if __name__ == "__main__":
    if sys.argv[1] == "read":
        emit(read_latencies(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]), sys.argv[5]))
    elif sys.argv[1] == "build":
        emit(build_with_labels(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])))
    else:
        emit(publish(Path(sys.argv[2]), Path(sys.argv[3])))
