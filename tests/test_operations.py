"""Operations: backfills that resume and repeat identically, bulk snapshots, rebuild, status."""

from __future__ import annotations

import dataclasses
import gzip
import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import duckdb
import pytest
from prefect.testing.utilities import prefect_test_harness

from config import load_settings
from flows.backfill import backfill
from flows.rebuild import rebuild
from flows.runners import on_task_runner
from sources import SourceError
from sources.replay import ReplayServer, Reply
from tests.conftest import DEMO_CONFIG, RECORDED
from tests.fixtures_bulk import partition, recorded_openalex_works, write_snapshot
from tests.test_nightly_flow import table_hashes
from warehouse import RunRecord, save_run
from warehouse.status import read_status

pytestmark = pytest.mark.slow
CONFIG = str(DEMO_CONFIG)


@pytest.fixture(scope="module", autouse=True)
def harness() -> Iterator[None]:
    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def data(tmp_path: Path, replay: ReplayServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("BZPEER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BZPEER_OPENALEX_BASE_URL", replay.openalex_url)
    monkeypatch.setenv("BZPEER_ARXIV_BASE_URL", replay.arxiv_url)
    monkeypatch.setenv("BZPEER_HTTP__MAX_RETRIES", "0")
    yield tmp_path / "data"
    replay.faults = None


def updated_from(request: str) -> str:
    filters = parse_qs(urlsplit(request).query).get("filter", [""])[0]
    return dict(f.split(":", 1) for f in filters.split(",") if ":" in f).get("from_updated_date", "")


def fail_second_chunk(path_and_query: str, reply: Reply) -> Reply:
    if updated_from(path_and_query) == "2025-05-31":
        return dataclasses.replace(reply, status=503, body=b'{"error": "Service Unavailable"}')
    return reply


def test_failed_backfill_resumes_without_refetching_and_repeats_identically(
    data: Path, replay: ReplayServer
) -> None:
    replay.faults = fail_second_chunk
    with pytest.raises(RuntimeError, match="HTTP 503"):
        backfill(["openalex"], "2025-05-01", "2025-07-01", chunk_days=30, config_file=CONFIG)
    batches = sorted(p.name for p in (data / "lake" / "batches" / "openalex" / "recorded").iterdir())
    assert batches == ["20250501T0000--20250531T0000", "20250630T0000--20250701T0000"]
    (failed,) = read_status(data).runs
    # With the settings file it ran with: without it, the command would read other settings.
    assert failed.resume == (
        f"bzpeer backfill --source openalex --start 2025-05-01 --end 2025-07-01 --chunk 30 --config {CONFIG}"
    )
    replay.faults = None
    mark = len(replay.request_log)
    resumed = backfill(["openalex"], "2025-05-01", "2025-07-01", chunk_days=30, config_file=CONFIG)
    refetched = {updated_from(r) for r in replay.request_log[mark:] if "/openalex/works" in r}
    assert refetched == {"2025-05-31"}  # only the chunk that had failed
    assert resumed["chunks"] == 3
    first = table_hashes(data / "warehouse.duckdb")
    again = backfill(["openalex"], "2025-05-01", "2025-07-01", chunk_days=30, force=True, config_file=CONFIG)
    assert again["works"] == resumed["works"] > 0
    assert table_hashes(data / "warehouse.duckdb") == first
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM watermarks").fetchone() == (0,)  # nightly untouched
        statuses = con.execute("SELECT flow, status FROM pipeline_runs ORDER BY run_id").fetchall()
    assert statuses == [("backfill", "partial"), ("backfill", "published"), ("backfill", "published")]


def test_snapshot_backfill_gives_the_same_works_as_the_api_also_on_dask(data: Path, tmp_path: Path) -> None:
    snapshot = tmp_path / "snapshot" / "openalex"
    write_snapshot(snapshot, partition(recorded_openalex_works(RECORDED), per_part=50))
    args = (["openalex-snapshot"], "2024-01-01", "2025-11-01")
    options = {"chunk_days": 60, "bulk_path": str(snapshot), "config_file": CONFIG}
    assert backfill(*args, **options)["chunks"] == 12
    from_snapshot = table_hashes(data / "warehouse.duckdb")
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM works").fetchone() == (473,)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BZPEER_DATA_DIR", str(tmp_path / "api"))
        backfill(["openalex"], "2024-01-01", "2025-11-01", chunk_days=700, config_file=CONFIG)
        # The same 12 partitions on a local Dask cluster of 2 worker processes (prefect-dask).
        patch.setenv("BZPEER_DATA_DIR", str(tmp_path / "dask"))
        patch.setenv("BZPEER_DASK_WORKERS", "2")
        scaled = on_task_runner(backfill, load_settings(Path(CONFIG)))
        assert type(scaled.task_runner).__name__ == "DaskTaskRunner"
        assert scaled(*args, **options)["chunks"] == 12
    assert table_hashes(tmp_path / "api" / "warehouse.duckdb") == from_snapshot
    assert table_hashes(tmp_path / "dask" / "warehouse.duckdb") == from_snapshot


def test_a_snapshot_part_off_its_manifest_count_fails_its_chunk_alone(data: Path, tmp_path: Path) -> None:
    snapshot = tmp_path / "snapshot" / "openalex"
    written = write_snapshot(snapshot, partition(recorded_openalex_works(RECORDED), per_part=50))
    manifest_path = snapshot / "works" / "manifest"
    manifest = json.loads(manifest_path.read_text())
    bad_entry = next(e for e in manifest["entries"] if e["url"].endswith(written[-1][0]))
    bad_entry["meta"]["record_count"] += 1  # the local copy of the last part lost a line
    manifest_path.write_text(json.dumps(manifest))
    bad_day = written[-1][0].split("updated_date=")[1][:10].replace("-", "")

    with pytest.raises(RuntimeError, match=r"holds 2 records but the manifest says 3"):
        backfill(["openalex-snapshot"], "2024-01-01", "2025-11-01", chunk_days=60,
                 bulk_path=str(snapshot), config_file=CONFIG)  # fmt: skip

    windows = [p.name.split("--") for p in (data / "lake" / "batches" / "openalex").glob("*/*")]
    assert len(windows) == 11  # of 12 chunks: every other chunk is staged
    assert not [w for w in windows if w[0][:8] <= bad_day < w[1][:8]]


def test_rebuild_from_raw_reproduces_the_tables(data: Path) -> None:
    backfill(["openalex", "arxiv"], "2024-01-01", "2025-11-01", chunk_days=700, config_file=CONFIG)
    before = table_hashes(data / "warehouse.duckdb")
    result = rebuild(config_file=CONFIG)
    assert table_hashes(data / "warehouse.duckdb") == before
    assert (
        result["works"] > 0 and result["restaged"] == 3
    )  # one window per scope: openalex/recorded, arxiv/testing and arxiv/lookups


def test_a_publish_out_of_memory_is_a_failed_run_that_says_what_to_do(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backfill(["openalex", "arxiv"], "2024-01-01", "2025-11-01", chunk_days=700, config_file=CONFIG)
    before = table_hashes(data / "warehouse.duckdb")
    monkeypatch.setenv("BZPEER_WAREHOUSE_MEMORY_LIMIT", "1MB")
    with pytest.raises(duckdb.OutOfMemoryException):
        rebuild(config_file=CONFIG)
    assert table_hashes(data / "warehouse.duckdb") == before
    (line,) = [run for run in read_status(data).runs if run.flow == "rebuild"]
    # Not "interrupted": the process did not die, the build failed, and status says why.
    assert (line.status, line.resume) == ("failed", f"bzpeer rebuild --config {CONFIG}")
    assert line.error is not None
    assert line.error.startswith("publish failed: Out of Memory Error")
    assert line.error.endswith("while loading the lake's batches: raise warehouse_memory_limit")


def test_a_rebuild_over_a_damaged_raw_page_is_a_failed_run_that_names_it(data: Path) -> None:
    backfill(["openalex", "arxiv"], "2024-01-01", "2025-11-01", chunk_days=700, config_file=CONFIG)
    before = table_hashes(data / "warehouse.duckdb")
    page = sorted((data / "raw" / "openalex").rglob("page-*.json.gz"))[0]
    page.write_bytes(gzip.compress(gzip.decompress(page.read_bytes())[:5000]))  # cut short
    with pytest.raises(SourceError, match="raw page is not valid JSON"):
        rebuild(config_file=CONFIG)
    assert table_hashes(data / "warehouse.duckdb") == before
    (line,) = [run for run in read_status(data).runs if run.flow == "rebuild"]
    # Not "interrupted": the process did not die; the run failed, and status says where.
    assert (line.status, line.resume) == ("failed", f"bzpeer rebuild --config {CONFIG}")
    assert line.error is not None and line.error.startswith("restaging openalex/")
    assert "failed, nothing was published: openalex: raw page is not valid JSON" in line.error
    assert page.name in line.error


def test_status_flags_an_interrupted_run_and_says_how_to_resume(tmp_path: Path) -> None:
    params = {"pid": 2**22 + 12345, "host": socket.gethostname(), "command": "bzpeer nightly"}
    save_run(
        tmp_path / "lake", RunRecord("20261125T020000Z-abcdef", "nightly", datetime.now(UTC), params=params)
    )
    (line,) = read_status(tmp_path).runs
    assert (line.status, line.resume) == ("interrupted", "bzpeer nightly")
