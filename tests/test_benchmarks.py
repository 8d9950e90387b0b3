"""Benchmark helpers: the real-copies data set, the ingest workers, and BENCHMARKS.md from an empty cache."""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb
import orjson
import pytest

from benchmarks import ingest, real_copies
from benchmarks.report import write_report

MACHINE = {
    "date": "2026-11-26 23:00 UTC",
    "nproc": 2,
    "cpu": "test cpu",
    "memory_gib": 24,
    "python": "3.11.7",
    "git": "abc1234",
    "packages": {"duckdb": "2.0.1"},
    "competitors": {"dlt": "not installed"},
}
EARLIER = """# Benchmarks

old header

## 2. Ingest, side by side

Measured 2026-11-26 12:58 UTC in 8.7 min.

| tool | works/s |
|---|---:|
| ours | 225 |

## Not measured

- old note
"""


def test_a_section_without_a_result_keeps_its_earlier_text(tmp_path: Path) -> None:
    path = tmp_path / "BENCHMARKS.md"
    path.write_text(EARLIER)
    write_report(path, MACHINE, {})
    report = path.read_text()
    kept = "## 2. Ingest, side by side\n\nMeasured 2026-11-26 12:58 UTC in 8.7 min.\n\n| tool | works/s |"
    assert kept + "\n|---|---:|\n| ours | 225 |\n\n## 3. " in report
    assert "## 1. Normalize throughput\n\nNot measured in this run.\n" in report
    assert "old header" not in report
    assert "old note" not in report  # the "Not measured" notes are the code's own
    write_report(path, MACHINE, {})
    assert path.read_text() == report  # rewriting is stable


def test_real_copies_are_the_recorded_works_under_new_ids(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(real_copies, "CACHE", tmp_path)
    root = real_copies.real_copies(1000)
    manifest = orjson.loads((root / "openalex" / "works" / "manifest").read_bytes())
    assert manifest["meta"]["record_count"] == 1000
    assert manifest["meta"]["copied_from_recorded"] is True
    assert len(manifest["entries"]) == 30  # one part a day, 34 works each (the last 14)
    copies = [
        orjson.loads(line)
        for part in sorted((root / "openalex" / "works").glob("updated_date=*/part_*.gz"))
        for line in gzip.decompress(part.read_bytes()).splitlines()
    ]
    originals = real_copies.recorded_works()
    assert len(originals) == 481
    assert len({c["id"] for c in copies}) == 1000
    for index, copy in enumerate(copies):
        original = originals[index % 481]
        assert copy.keys() == original.keys()
        changed = {k for k in original if copy[k] != original[k]}
        assert changed <= {"id", "doi", "ids"}
        if original.get("doi"):
            assert copy["doi"] == f"{original['doi']}/copy-{index // 481}"


def test_ingest_benchmark_on_real_copies_loads_and_publishes_every_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(real_copies, "CACHE", tmp_path)
    root = real_copies.real_copies(1000)  # 481 real works, most of them twice or three times
    flat = ingest.ingest_flat(root, tmp_path / "flat", ingest.ALL_DAYS)
    assert flat["works"] == 1000
    assert flat["published"] == {
        "works": 998,
        "authorships": 3576,
        "institutions": 1512,
        "topics": 1556,
        "work_topics": 2526,
        "quarantine": 12,
    }
    # The whole pipeline: copies that list one arXiv preprint under different DOIs stay apart, each
    # named by its DOI (they once shared the arXiv id, and the build stopped on duplicate mentions).
    ours = ingest.ingest_ours(root, tmp_path / "ours", ingest.ALL_DAYS)
    assert ours["published"] == {"works": 908, "authors": 1635, "authorships": 3297}
    with duckdb.connect(str(tmp_path / "ours" / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(DISTINCT work_id) FROM works").fetchall() == [(908,)]
        named_by_doi = con.execute(
            "SELECT work_id FROM works WHERE arxiv_id IS NOT NULL AND work_id LIKE 'doi:%' ORDER BY 1"
        ).fetchall()
    assert len(named_by_doi) == 16
    assert named_by_doi[:2] == [
        ("doi:10.1007/s11192-015-1547-0/copy-0",),
        ("doi:10.1007/s11192-015-1547-0/copy-1",),
    ]
