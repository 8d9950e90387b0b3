"""Benchmark 3: author resolution on the Qian/DBLP labeled set and on synthetic mentions.

Workers (one JSON line each):

- ``python -m benchmarks.authors qian``: ``evaluate_aminer`` on ``recorded/disambiguation/qian-dblp-xml``
  (B-cubed micro over the names, the resolver's own seconds, the name-only baseline beside it).
- ``python -m benchmarks.authors synthetic DATA MENTIONS``: the first MENTIONS OpenAlex mentions
  (whole works, in part order) of a synthetic set, normalized by the pipeline and turned into
  ``AuthorMention`` the way ``warehouse/author_step.py`` does; ``resolve_authors`` is timed and its
  clusters scored against ``truth/authors.parquet`` (B-cubed and pairwise over all mentions).
- ``python -m benchmarks.authors prepare DATA MENTIONS OUT``: the rows of the mentions query for the
  first MENTIONS mentions (whole works) of a synthetic set, built part by part, to a Parquet file
  (once; cached).
- ``python -m benchmarks.authors scale FILE DATA WORKERS``: ``resolve_authors`` over that file, streamed
  (a generator of ``AuthorMention``), in WORKERS processes: wall and CPU seconds (the workers
  included), peak RSS of the main process and of the largest worker, and the quality against truth.

The scale run checks the issue target: 1,000,000 mentions with the generator's realistic name
frequencies resolved in under 10 minutes on 2 cores with peak memory under 4 GB.
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.common import (
    CACHE,
    REPO,
    SEED,
    emit,
    load_average,
    median,
    run_measured,
    synthetic,
    worker,
)

QIAN = REPO / "recorded" / "disambiguation" / "qian-dblp-xml"
SCALE_WORKS = 150_000  # synthetic works generated for the scale run (about 1.1M mentions)
SCALE_MENTIONS = 1_000_000
SCALE_WORKERS = 2
SCALE_TARGET_SECONDS = 600.0
SCALE_TARGET_MIB = 4096.0


def evaluate_qian() -> dict[str, Any]:
    from dedupe.evaluation import evaluate_aminer

    report = evaluate_aminer(QIAN)
    model, baseline = report.model["all"], report.baseline["all"]
    return {
        "mentions": model.mentions,
        "names": model.names,
        "seconds": report.seconds,
        "bcubed": model.bcubed_micro,
        "pairwise": model.pairwise_micro,
        "baseline_bcubed": baseline.bcubed_micro,
    }


def synthetic_mentions(data: Path, limit: int) -> list[Any]:
    """The first ``limit`` mentions (whole works) as ``AuthorMention``, built like the warehouse does."""
    with tempfile.TemporaryDirectory(prefix="bzpeer-mentions-") as tmp:
        path = Path(tmp) / "mentions.parquet"
        write_mentions(data, limit, path)
        rows = scale_mentions(path)
        return [mention for batch in rows.batches for mention in rows.to_mentions(batch)]


def write_mentions(data: Path, limit: int, out: Path) -> dict[str, Any]:
    """The mentions query's rows for the first ``limit`` mentions (whole works) to Parquet, part by part.

    Each OpenAlex part is normalized, enriched and queried alone, so memory stays that of one part.
    """
    import duckdb
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from enrich import enrich_batch
    from sources.batch import BatchBuilder
    from sources.bulk_openalex import normalize_snapshot_part, snapshot_parts
    from warehouse.author_step import mention_rows

    partial = out.with_name(out.name + ".partial")
    total, works = 0, 0
    writer: pq.ParquetWriter | None = None
    for part in snapshot_parts(data / "openalex", date(1900, 1, 1), date(2999, 1, 1)):
        batch = BatchBuilder("openalex")
        normalize_snapshot_part(part, batch, part.ref)
        tables = enrich_batch(batch.to_tables())
        per_work = Counter(tables["authorships"].column("work_id").to_pylist())
        keep = []
        for work_id in tables["works"].column("work_id").to_pylist():
            if total + per_work[work_id] > limit:
                break
            keep.append(work_id)
            total += per_work[work_id]
        wanted = pa.array(sorted(keep))
        con = duckdb.connect()
        for name in ("works", "authorships", "work_topics", "topics"):
            table = tables[name]
            if "work_id" in table.column_names:
                table = table.filter(pc.is_in(table.column("work_id"), value_set=wanted))
            con.register(f"input_{name}", table)
            distinct = "DISTINCT" if name == "topics" else ""
            con.execute(f"CREATE TABLE {name} AS SELECT {distinct} * FROM input_{name}")  # noqa: S608
        rows: pa.Table = mention_rows(con).to_arrow_table()
        con.close()
        if writer is None:
            writer = pq.ParquetWriter(partial, rows.schema)
        writer.write_table(rows)
        works += len(keep)
        if len(keep) < len(per_work) or total >= limit:
            break
    if writer is None:
        raise ValueError(f"no OpenAlex parts in {data}")
    writer.close()
    partial.replace(out)
    return {"mentions": total, "works": works}


def scale_mentions(path: Path, batch_rows: int = 10_000) -> Any:
    """The mentions of a file of :func:`write_mentions`, as batches the feature workers turn into
    AuthorMention the way the pipeline does (``warehouse.author_step.mentions_from_batch``)."""
    import pyarrow.parquet as pq

    from dedupe.mentions import MentionRows
    from warehouse.author_step import mentions_from_batch

    return MentionRows(pq.ParquetFile(path).iter_batches(batch_size=batch_rows), mentions_from_batch)


def evaluate_scale(path: Path, data: Path, workers: int) -> dict[str, Any]:
    """``resolve_authors`` over a mentions file of ``data``, streamed, in ``workers`` processes."""
    import resource

    import pyarrow.parquet as pq

    from dedupe import resolve_authors

    started, cpu_started = time.perf_counter(), time.process_time()
    resolution = resolve_authors(scale_mentions(path), workers=workers)
    seconds = time.perf_counter() - started
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = time.process_time() - cpu_started + children.ru_utime + children.ru_stime
    main_mib, worker_mib = own.ru_maxrss / 1024, children.ru_maxrss / 1024
    predicted = {**resolution.clusters, **{m: f"quarantined:{m}" for m in resolution.quarantined}}
    del resolution
    truth_table = pq.read_table(data / "truth" / "authors.parquet", columns=["mention_id", "person_id"])
    ids, persons = (truth_table.column(c).to_pylist() for c in ("mention_id", "person_id"))
    truth_all = dict(zip(ids, persons, strict=True))
    truth = {m: str(truth_all[m]) for m in predicted}
    return {
        "mentions": len(predicted),
        "persons": len(set(truth.values())),
        "clusters": len(set(predicted.values())),
        "workers": workers,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "main_peak_mib": main_mib,
        "worker_peak_mib": worker_mib,
        "bcubed": bcubed(truth, predicted),
        "pairwise": pairwise(truth, predicted),
    }


def evaluate_synthetic(data: Path, limit: int) -> dict[str, Any]:
    import pyarrow.parquet as pq

    from dedupe import resolve_authors

    mentions = synthetic_mentions(data, limit)
    started = time.perf_counter()
    resolution = resolve_authors(mentions)
    seconds = time.perf_counter() - started
    truth_table = pq.read_table(data / "truth" / "authors.parquet", columns=["mention_id", "person_id"])
    ids, persons = (truth_table.column(c).to_pylist() for c in ("mention_id", "person_id"))
    truth_all = dict(zip(ids, persons, strict=True))
    truth = {m.mention_id: str(truth_all[m.mention_id]) for m in mentions}
    # An unusable name is never clustered: it counts as a cluster of its own.
    predicted = {m: resolution.clusters.get(m, f"quarantined:{m}") for m in truth}
    return {
        "mentions": len(mentions),
        "persons": len(set(truth.values())),
        "clusters": len(set(predicted.values())),
        "quarantined": len(resolution.quarantined),
        "seconds": seconds,
        "bcubed": bcubed(truth, predicted),
        "pairwise": pairwise(truth, predicted),
    }


def bcubed(truth: Mapping[str, str], predicted: Mapping[str, str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 over all mentions (global, not per name)."""
    both = Counter((truth[m], predicted[m]) for m in truth)
    true_size, pred_size = Counter(truth.values()), Counter(predicted.values())
    precision = sum(n * n / pred_size[p] for (_, p), n in both.items()) / len(truth)
    recall = sum(n * n / true_size[t] for (t, _), n in both.items()) / len(truth)
    return precision, recall, _f1(precision, recall)


def pairwise(truth: Mapping[str, str], predicted: Mapping[str, str]) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 over all mentions."""

    def pairs(counts: Counter[Any]) -> int:
        return sum(n * (n - 1) // 2 for n in counts.values())

    together = pairs(Counter((truth[m], predicted[m]) for m in truth))
    predicted_pairs, true_pairs = pairs(Counter(predicted.values())), pairs(Counter(truth.values()))
    precision = together / predicted_pairs if predicted_pairs else 1.0
    recall = together / true_pairs if true_pairs else 1.0
    return precision, recall, _f1(precision, recall)


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def measure(data: Path, mentions: int, repeats: int, synthetic_repeats: int) -> dict[str, Any]:
    """Ours on Qian ``repeats`` times and on synthetic mentions ``synthetic_repeats`` times."""
    out: dict[str, Any] = {"repeats": repeats, "synthetic_repeats": synthetic_repeats}
    for key, argv, times in (
        ("qian", worker("authors", "qian"), repeats),
        ("synthetic", worker("authors", "synthetic", data, mentions), synthetic_repeats),
    ):
        rows = []
        for _ in range(times):
            load = load_average()[0]
            result = run_measured(argv)
            rows.append({**result.output, "peak_mib": result.peak_mib, "load1": load})
            last = rows[-1]
            print(f"  authors {key}: F1 {last['bcubed'][2]:.4f} in {last['seconds']:.1f} s", flush=True)
        out[key] = {
            **rows[-1],
            "seconds": median([r["seconds"] for r in rows]),
            "peak_mib": median([r["peak_mib"] for r in rows]),
            "runs_seconds": [round(r["seconds"], 1) for r in rows],
            "load1": [round(r["load1"], 2) for r in rows],
        }
    out["scale"] = measure_scale()
    return out


def measure_scale() -> dict[str, Any]:
    """One run of 1M synthetic mentions in 2 workers, against the issue target (10 min, 4 GB)."""
    from warehouse.author_step import MENTIONS_SQL

    data = synthetic(SCALE_WORKS)
    # Named by the query too: a file written by an older query is not read as this one's.
    query = hashlib.sha1(MENTIONS_SQL.encode()).hexdigest()[:8]
    path = CACHE / f"mentions-w{SCALE_WORKS}-s{SEED}-m{SCALE_MENTIONS}-q{query}.parquet"
    if not path.is_file():
        print(f"  authors scale: writing {SCALE_MENTIONS} mentions to {path} (once; cached)", flush=True)
        run_measured(worker("authors", "prepare", data, SCALE_MENTIONS, path))
    load = load_average()[0]
    result = run_measured(worker("authors", "scale", path, data, SCALE_WORKERS))
    out = {
        **result.output,
        "works": SCALE_WORKS,
        "wall_seconds": result.seconds,  # the worker's whole run: reading the file included
        "process_cpu_seconds": result.cpu_seconds,
        "peak_mib": result.peak_mib,  # ru_maxrss: the largest process of the tree
        "load1": round(load, 2),
        "load1_after": round(load_average()[0], 2),
        "target_seconds": SCALE_TARGET_SECONDS,
        "target_mib": SCALE_TARGET_MIB,
    }
    out["target_met"] = out["seconds"] < SCALE_TARGET_SECONDS and out["peak_mib"] < SCALE_TARGET_MIB
    print(
        f"  authors scale: {out['mentions']} mentions in {out['seconds']:.0f} s, "
        f"{out['peak_mib']:.0f} MiB peak",
        flush=True,
    )
    return out


if __name__ == "__main__":
    if sys.argv[1] == "qian":
        emit(evaluate_qian())
    elif sys.argv[1] == "prepare":
        emit(write_mentions(Path(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])))
    elif sys.argv[1] == "scale":
        emit(evaluate_scale(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])))
    else:
        emit(evaluate_synthetic(Path(sys.argv[2]), int(sys.argv[3])))
