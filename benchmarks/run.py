"""``python -m benchmarks.run``: run the benchmarks and write BENCHMARKS.md from their results.

Each benchmark's result is stored as JSON under the cache (``/tmp/bzpeer-bench/results/``), so
``--only`` can re-run one benchmark and the report still shows the others' latest results (each
section says when it was measured).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any

from benchmarks.common import CACHE, REPO, load_average, machine, run_measured, synthetic, worker
from benchmarks.report import write_report

RESULTS = CACHE / "results"


def _normalize(args: argparse.Namespace) -> dict[str, Any]:
    from benchmarks import normalize
    from benchmarks.real_copies import real_copies

    return {
        "real_copies": normalize.measure(real_copies(args.works), args.repeats),
        "synthetic": normalize.measure(synthetic(args.works), args.repeats),
    }


def _ingest(args: argparse.Namespace) -> dict[str, Any]:
    from benchmarks import ingest
    from benchmarks.real_copies import real_copies

    return ingest.measure(real_copies(args.works), args.ingest_days, args.repeats, CACHE / "ingest")


def _authors(args: argparse.Namespace) -> dict[str, Any]:
    from benchmarks import authors

    return authors.measure(synthetic(args.works), args.mentions, args.repeats, args.synthetic_repeats)


def _profile_reads(args: argparse.Namespace) -> dict[str, Any]:
    from benchmarks import profile_reads

    labels = args.read_identities == "labels"
    built = CACHE / "profile_reads" / f"w{args.read_works}{'-labels' if labels else ''}"
    if not (built / "warehouse.duckdb").is_file():
        data = synthetic(args.read_works)
        days = len(list((data / "openalex" / "works").glob("updated_date=*")))
        builder = ("profile_reads", "build") if labels else ("ingest", "ours")
        result = run_measured(worker(*builder, data, built, days))
        build = {**result.output, "wall_seconds": result.seconds, "peak_mib": result.peak_mib}
        (built / "build.json").write_text(json.dumps(build, indent=1))
    measured = profile_reads.measure(built, args.read_works, args.reads, args.repeats)
    build_file = built / "build.json"
    return {**measured, "build": json.loads(build_file.read_text()) if build_file.is_file() else None}


def _authors_splink(args: argparse.Namespace) -> dict[str, Any]:
    from benchmarks import splink_compare

    return splink_compare.measure(synthetic(args.works), args.mentions, args.repeats, CACHE / "splink")


BENCHMARKS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "normalize": _normalize,
    "ingest": _ingest,
    "authors": _authors,
    "authors_splink": _authors_splink,
    "profile_reads": _profile_reads,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default=",".join(BENCHMARKS), help="comma-separated benchmarks")
    parser.add_argument(
        "--works", type=int, default=100_000, help="works of the synthetic set (and of the real copies)"
    )
    parser.add_argument(
        "--ingest-days", type=int, default=2, help="updated_date partitions every ingest tool reads"
    )
    parser.add_argument("--mentions", type=int, default=100_000, help="synthetic mentions to resolve")
    parser.add_argument("--reads", type=int, default=300, help="profile reads per run")
    parser.add_argument("--read-works", type=int, default=10_000, help="works in the warehouse read")
    parser.add_argument(
        "--read-identities",
        choices=("resolved", "labels"),
        default="resolved",
        help="author identities of the warehouse read: resolved, or the generator's labels "
        "(for sets too big to resolve in a benchmark run)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument(
        "--synthetic-repeats", type=int, default=3, help="runs of the synthetic author resolution"
    )
    parser.add_argument("--report-only", action="store_true", help="only rewrite BENCHMARKS.md")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    if not args.report_only:
        for name in args.only.split(","):
            print(f"== {name}", flush=True)
            load_before, started = load_average(), time.perf_counter()
            result = BENCHMARKS[name](args)
            result["meta"] = {
                "measured_at": machine()["date"],
                "minutes": round((time.perf_counter() - started) / 60, 1),
                "load_before": load_before,
                "load_after": load_average(),
                "args": {k: v for k, v in vars(args).items() if k not in ("only", "report_only")},
            }
            (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=1))
    results = {p.stem: json.loads(p.read_text()) for p in sorted(RESULTS.glob("*.json"))}
    path = write_report(REPO / "BENCHMARKS.md", machine(), results)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
