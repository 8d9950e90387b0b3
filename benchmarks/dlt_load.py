"""dlt loading snapshot parts into DuckDB; run by the competitors' interpreter, not the project's.

``python benchmarks/dlt_load.py {default|json_hint|json_hint_parquet} DATA OUT DAYS`` reads the
first DAYS ``updated_date`` partitions and prints one JSON line. It imports nothing from the
project (dlt lives in a separate venv). ``default`` lets dlt infer the schema (every word of
``abstract_inverted_index`` becomes a column); ``json_hint`` declares that field JSON;
``json_hint_parquet`` also uses dlt's Parquet loader files.
"""

from __future__ import annotations

import gzip
import json
import os
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

import dlt
import orjson


def _records(files: list[Path]) -> Iterator[dict[str, Any]]:
    for path in files:
        with gzip.open(path, "rb") as handle:
            for line in handle:
                if line.strip():
                    yield orjson.loads(line)


def main(mode: str, data: Path, out: Path, days: int) -> None:
    partitions = sorted((data / "openalex" / "works").glob("updated_date=*"))[:days]
    files = sorted(f for p in partitions for f in p.glob("part_*.gz"))
    hints: dict[str, Any] = {"abstract_inverted_index": {"data_type": "json"}} if mode != "default" else {}
    resource_ = dlt.resource(_records(files), name="works", write_disposition="replace", columns=hints)
    pipeline = dlt.pipeline(
        pipeline_name=f"bench_{mode}",
        pipelines_dir=str(out / "pipelines"),
        destination=dlt.destinations.duckdb(str(out / "dlt.duckdb")),
        dataset_name="openalex",
    )
    started = time.perf_counter()
    file_format = "parquet" if mode.endswith("parquet") else None
    pipeline.run(resource_, loader_file_format=file_format)
    seconds = time.perf_counter() - started
    with pipeline.sql_client() as client:
        works = client.execute_sql("SELECT count(*) FROM works")[0][0]
        tables = client.execute_sql(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'openalex'"
        )[0][0]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"works": works, "seconds": seconds, "tables": tables, "self_peak_mib": peak}))


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]))
