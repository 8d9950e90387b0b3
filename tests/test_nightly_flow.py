"""End to end: the nightly_import flow under prefect_test_harness, against the replay server."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path

import duckdb
import pytest
from prefect import get_client
from prefect.testing.utilities import prefect_test_harness
from typer.testing import CliRunner

from flows.cli import app
from flows.nightly import nightly_import
from flows.serve import ensure_writer_limit
from flows.tasks import WRITER_LIMIT, _writer_slot
from sources.replay import ReplayServer
from tests.conftest import DEMO_CONFIG

pytestmark = pytest.mark.slow

DATA_TABLES = [
    "works",
    "authorships",
    "authors",
    "institutions",
    "topics",
    "work_topics",
    "quarantine",
    "author_profiles",
]


@pytest.fixture(scope="module", autouse=True)
def harness() -> Iterator[None]:
    with prefect_test_harness(server_startup_timeout=60):
        yield


@pytest.fixture
def env(tmp_path: Path, replay: ReplayServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the flow's settings (read from the environment at its edge) at a temporary data dir."""
    monkeypatch.setenv("BZPEER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BZPEER_OPENALEX_BASE_URL", replay.openalex_url)
    monkeypatch.setenv("BZPEER_ARXIV_BASE_URL", replay.arxiv_url)
    return tmp_path / "data"


def table_hashes(warehouse: Path) -> dict[str, str]:
    """Content hash of each data table, ordered by all columns.

    ``raw_ref`` (which raw page a row was last read from) and ``updated_at`` (build time) are left
    out: a re-fetch lands new raw pages with the same content.
    """
    hashes = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table in DATA_TABLES:
            columns = [
                c
                for (c,) in con.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index",
                    [table],
                ).fetchall()
                if c not in ("raw_ref", "updated_at")
            ]
            rows = con.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY ALL").fetchall()
            hashes[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return hashes


def test_nightly_import_publishes_every_recorded_work_and_is_idempotent(env: Path) -> None:
    first = nightly_import(config_file=str(DEMO_CONFIG))
    assert first["works"] == 578
    warehouse = env / "warehouse.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        sources = "SELECT source, count(*) FROM work_sources GROUP BY ALL ORDER BY ALL"
        assert con.execute(sources).fetchall() == [("arxiv", 105), ("openalex", 480)]
        assert con.execute("SELECT count(*) FROM quarantine").fetchone() == (6,)
        run = con.execute(
            "SELECT status, pages_fetched, records_fetched, records_quarantined, works_published "
            "FROM pipeline_runs"
        ).fetchall()
        assert run == [("published", 9, 586, 6, 578)]
        marks = con.execute("SELECT source, scope FROM watermarks ORDER BY ALL").fetchall()
        assert marks == [("arxiv", "lookups"), ("arxiv", "testing"), ("openalex", "recorded")]
    before = table_hashes(warehouse)
    raw_runs = sorted(p.name for p in (env / "raw" / "openalex").iterdir())
    second = nightly_import(config_file=str(DEMO_CONFIG))
    assert second["works"] == 578
    assert table_hashes(warehouse) == before
    assert len(sorted(p.name for p in (env / "raw" / "openalex").iterdir())) == len(raw_runs) + 1
    with duckdb.connect(str(warehouse), read_only=True) as con:
        runs = con.execute("SELECT changes, coverage FROM pipeline_runs ORDER BY run_id").fetchall()
        abstracts = con.execute("SELECT round(avg((abstract IS NOT NULL)::INT), 4) FROM works").fetchone()
    changes = [json.loads(c) for c, _ in runs]
    assert changes[0] == {"authors_added": 2000, "authors_changed": 0, "works_added": 578, "works_changed": 0}
    assert changes[1] == {"authors_added": 0, "authors_changed": 0, "works_added": 0, "works_changed": 0}
    assert abstracts is not None and json.loads(runs[1][1])["abstracts"] == abstracts[0] == 0.8979


def test_a_failing_source_keeps_its_watermark_and_publishes_the_rest(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BZPEER_ARXIV_BASE_URL", "http://127.0.0.1:9/api/query")  # nothing listens
    monkeypatch.setenv("BZPEER_HTTP__MAX_RETRIES", "0")
    # Through the command an operator runs: one red paragraph and exit code 1, not a traceback.
    result = CliRunner().invoke(app, ["nightly", "--config", str(DEMO_CONFIG)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    said = " ".join(result.output.split())
    assert "arXiv unreachable" in said and "the next nightly fetches them again" in said
    with duckdb.connect(str(env / "warehouse.duckdb"), read_only=True) as con:
        works = con.execute("SELECT sources, count(*) FROM works GROUP BY ALL").fetchall()
        assert works == [(["openalex"], 473)]
        assert con.execute("SELECT source, scope FROM watermarks").fetchall() == [("openalex", "recorded")]
        assert con.execute("SELECT status FROM pipeline_runs").fetchall() == [("partial",)]
    assert os.listdir(env / "lake" / "batches") == ["openalex"]


def test_operator_scope_settings_from_environment_are_validated(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BZPEER_ARXIV_DELAY_SECONDS", "-1")
    with pytest.raises(Exception, match="arxiv_delay_seconds"):
        nightly_import(config_file=str(DEMO_CONFIG))


def test_published_titles_and_abstracts_carry_no_raw_latex_or_markup(env: Path) -> None:
    nightly_import(config_file=str(DEMO_CONFIG))
    patterns = [r"\\url", r"\\%", r"<jats:", r"&[a-z]+;", r"&#[0-9]+;", r"\$[0-9.,]+\$"]
    with duckdb.connect(str(env / "warehouse.duckdb"), read_only=True) as con:
        for column in ("title", "abstract"):
            for pattern in patterns:
                hits = con.execute(
                    f"SELECT work_id FROM works WHERE regexp_matches({column}, ?)", [pattern]
                ).fetchall()
                assert hits == [], (column, pattern)
        # The raw text did carry such markup, kept in its own columns.
        raw = con.execute(
            "SELECT count(*) FROM works WHERE regexp_matches(abstract_raw, '\\$|\\\\')"
        ).fetchone()
        assert raw is not None and raw[0] > 0


def test_a_publish_holds_the_writer_slot_where_serve_created_the_limit() -> None:
    said: list[str] = []
    assert isinstance(_writer_slot(said.append), nullcontext)  # no limit: nothing to hold, said once
    assert said == [
        "no 'warehouse-writer' concurrency limit on this Prefect API (`bzpeer serve` creates it): "
        "the data directory's lock file admits one writer"
    ]
    ensure_writer_limit()
    try:
        with _writer_slot(said.append):
            with get_client(sync_client=True) as client:
                limit = client.read_global_concurrency_limit_by_name(WRITER_LIMIT)
            assert (limit.limit, limit.active_slots) == (1, 1)
        assert len(said) == 1
    finally:
        # Later harnesses in this process must not see a limit: Prefect's lease service is one per
        # process and stays bound to the API it first spoke to.
        with get_client(sync_client=True) as client:
            client.delete_global_concurrency_limit_by_name(WRITER_LIMIT)
