"""Benchmark helpers: the real-copies data set, and BENCHMARKS.md written from an empty cache."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pytest

from benchmarks import real_copies
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
