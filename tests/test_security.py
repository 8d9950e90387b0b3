"""Security: operator parameters never reach SQL as text, the API key never lands anywhere, the
HTML profile escapes what the sources say."""

from __future__ import annotations

import dataclasses
import gzip
import logging
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.test_faults import HTTP, run_import
from tests.test_nightly_flow import table_hashes
from tests.test_warehouse import BUILT_AT, STATE, stage_recorded
from warehouse import build_and_publish, open_readonly, read_profile
from warehouse.profile_page import render_profile_html

INJECTIONS = [
    "x' OR 1=1 --",
    "'; DROP TABLE works; --",
    "%' UNION SELECT author_id, display_name, 1 FROM author_profiles --",
    '" OR ""="',
    "$q",
    "\\'; ATTACH '/tmp/evil.duckdb' AS e; --",
]
CANARY = "canary-Z9q8w7e6r5t4y3u2"


@pytest.fixture(scope="module")
def warehouse(recorded: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("security") / "data"
    stage_recorded(recorded, data / "lake")
    build_and_publish(data / "lake", data / "warehouse.duckdb", "run1", BUILT_AT, STATE)
    return data


@pytest.mark.parametrize("text", INJECTIONS)
def test_profile_lookup_binds_operator_text(
    warehouse: Path, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BZPEER_DATA_DIR", str(warehouse))
    before = table_hashes(warehouse / "warehouse.duckdb")
    result = CliRunner().invoke(app, ["profile", text, "--json"])
    assert result.exit_code == 1, result.output
    assert "no author matches" in result.output
    assert table_hashes(warehouse / "warehouse.duckdb") == before
    assert not Path("/tmp/evil.duckdb").exists()


@pytest.mark.parametrize("text", INJECTIONS)
def test_backfill_rejects_injected_scopes_windows_and_sources(
    tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BZPEER_DATA_DIR", str(tmp_path / "data"))
    config = str(Path(__file__).resolve().parent.parent / "config" / "demo.toml")
    runner = CliRunner()
    for args in (
        ["--source", "openalex", "--scope", text, "--start", "2025-01-01", "--end", "2025-02-01"],
        ["--source", "openalex", "--start", text, "--end", "2025-02-01"],
        ["--source", "openalex", "--start", "2025-01-01", "--end", text],
        ["--source", text, "--start", "2025-01-01", "--end", "2025-02-01"],
    ):
        result = runner.invoke(app, ["backfill", *args, "--config", config])
        assert result.exit_code == 2, (args, result.output)
    assert not (tmp_path / "data" / "warehouse.duckdb").exists()


def test_api_key_never_lands_in_files_logs_or_runs(
    demo_settings: Any, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    settings = demo_settings(http=HTTP, openalex_api_key=CANARY, openalex_email="ops@example.org")
    caplog.set_level(logging.DEBUG)
    assert run_import(settings).status == "published"
    assert CANARY not in repr(settings) and CANARY not in str(settings.model_dump())
    files = [p for p in settings.data_dir.rglob("*") if p.is_file()]
    assert len(files) > 20
    for path in files:
        content = path.read_bytes()
        if path.suffix == ".gz":
            content = gzip.decompress(content)
        assert CANARY.encode() not in content, path
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        runs = con.execute("SELECT * FROM pipeline_runs").fetchall()
    assert CANARY not in repr(runs)
    out, err = capfd.readouterr()
    assert CANARY not in caplog.text + out + err


def test_html_profile_escapes_source_text(warehouse: Path) -> None:
    with open_readonly(warehouse / "warehouse.duckdb") as con:
        (author_id,) = con.execute("SELECT author_id FROM author_profiles LIMIT 1").fetchone() or ()
        profile = read_profile(con, author_id)
    assert profile is not None
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'&"
    work = dataclasses.replace(profile.works[0], title=evil, venue=evil, abstract=evil)
    page = render_profile_html(
        dataclasses.replace(profile, display_name=evil, summary=evil, affiliation=evil, works=(work,))
    )
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_profile_html_refuses_a_path_outside_the_data_dir(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BZPEER_DATA_DIR", str(warehouse))
    with open_readonly(warehouse / "warehouse.duckdb") as con:
        (author_id,) = con.execute("SELECT author_id FROM author_profiles LIMIT 1").fetchone() or ()
    outside = tmp_path / "elsewhere" / "page.html"
    outside.parent.mkdir()
    escaping = warehouse / ".." / ".." / outside.relative_to(tmp_path.parent)
    for target in (escaping, outside):
        result = CliRunner().invoke(app, ["profile", author_id, "--html", str(target)])
        assert result.exit_code == 2, result.output
        assert not outside.exists()
