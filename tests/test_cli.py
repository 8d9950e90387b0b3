"""The bzpeer command on a published warehouse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.test_warehouse import BUILT_AT, STATE, author_of, stage_recorded
from warehouse import build_and_publish

runner = CliRunner()


@pytest.fixture(scope="module")
def config(recorded: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("cli")
    stage_recorded(recorded, data / "data" / "lake")
    build_and_publish(data / "data" / "lake", data / "data" / "warehouse.duckdb", "r", BUILT_AT, STATE)
    path = data / "settings.toml"
    path.write_text(f'data_dir = "{(data / "data").as_posix()}"\n')
    return path


def test_profile_json_by_id(config: Path) -> None:
    author_id = author_of(config.parent / "data" / "warehouse.duckdb", "openalex:W2525778437#1")
    result = runner.invoke(app, ["profile", author_id, "--json", "--config", str(config)])
    assert result.exit_code == 0, result.output
    profile = json.loads(result.output)
    assert profile["display_name"] == "Yonghui Wu"
    assert (profile["works_count"], profile["coauthor_count"], profile["topics_count"]) == (1, 30, 3)
    assert profile["works"][0]["display_year"] == 2016
    # The graph slice: his paper, 5 of its 30 co-authors (one shared work each: by id), his 3
    # topics; no institution (the records give him no affiliation).
    kinds = [node["kind"] for node in profile["graph"]]
    assert kinds == ["paper", *["person"] * 5, *["topic"] * 3]
    assert profile["graph"][0]["target_id"] == profile["works"][0]["work_id"] == "arxiv:1609.08144"
    assert profile["graph"][1]["label"] == "Taku Kudo"


def test_profile_prints_the_nearby_people(config: Path) -> None:
    author_id = author_of(config.parent / "data" / "warehouse.duckdb", "openalex:W2525778437#1")
    result = runner.invoke(app, ["profile", author_id, "--config", str(config)], terminal_width=300)
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.startswith("Nearby persons: "))
    assert len(line.removeprefix("Nearby persons: ").split(" · ")) == 5


def test_profile_by_name_prints_header_and_works(config: Path) -> None:
    result = runner.invoke(app, ["profile", "Andrzej Udalski", "--config", str(config)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "Affiliation: Warsaw University Observatory" in result.output
    assert "Frequency of Hot Jupiters" in result.output


def test_ambiguous_name_lists_candidates(config: Path) -> None:
    result = runner.invoke(app, ["profile", "Wang", "--config", str(config)], terminal_width=200)
    assert result.exit_code == 1
    assert "Several authors match" in result.output
    # 15 names contain "wang": the table shows 10 and says so, rather than hiding the other 5.
    assert len([line for line in result.output.splitlines() if line.startswith("│ bz")]) == 10
    assert "15 authors match; these are the 10 with the most works." in result.output


def test_a_few_matches_are_all_listed(config: Path) -> None:
    # 8 names contain "xiao": all of them, and no word of others.
    result = runner.invoke(app, ["profile", "Xiao", "--config", str(config)], terminal_width=200)
    rows = [line for line in result.output.splitlines() if line.startswith("│ bz")]
    assert (result.exit_code, len(rows), "with the most works" in result.output) == (1, 8, False)


def test_missing_warehouse_says_what_to_do(tmp_path: Path) -> None:
    settings = tmp_path / "s.toml"
    settings.write_text(f'data_dir = "{tmp_path.as_posix()}"\n')
    result = runner.invoke(app, ["profile", "x", "--config", str(settings)])
    assert result.exit_code == 2
    assert "run `bzpeer nightly` or `make demo` first" in result.output


def test_a_missing_config_file_is_named_whole_on_one_line(tmp_path: Path) -> None:
    # At the default 80 columns rich used to break a long path over lines; operators copy it.
    missing = tmp_path / ("a-folder-with-a-long-name-" * 3) / "settings.toml"
    result = runner.invoke(app, ["profile", "x", "--config", str(missing)])
    assert result.exit_code == 2
    assert f"config file {missing} not found" in result.output.splitlines()[0]


def test_a_config_file_that_is_not_toml_is_one_line(tmp_path: Path) -> None:
    settings = tmp_path / "s.toml"
    settings.write_text('data_dir = "unclosed\n')  # it was a traceback
    result = runner.invoke(app, ["status", "--config", str(settings)])
    assert (result.exit_code, isinstance(result.exception, SystemExit)) == (2, True)
    assert (
        result.output
        == f"config file {settings} is not valid TOML: Illegal character '\\n' (at line 1, column 21)\n"
    )


def test_a_bad_memory_limit_is_a_configuration_error_that_names_it(tmp_path: Path) -> None:
    settings = tmp_path / "s.toml"
    settings.write_text(f'data_dir = "{tmp_path.as_posix()}"\nwarehouse_memory_limit = "lots"\n')
    result = runner.invoke(app, ["profile", "x", "--config", str(settings)], terminal_width=200)
    assert result.exit_code == 2
    assert "warehouse_memory_limit" in result.output and "'lots'" in result.output


def test_an_unknown_backfill_source_lists_every_source(config: Path) -> None:
    result = runner.invoke(
        app,
        [
            "backfill",
            "--source",
            "nosuch",
            "--start",
            "2025-01-01",
            "--end",
            "2025-02-01",
            "--config",
            str(config),
        ],
        terminal_width=200,
    )
    assert result.exit_code == 2
    assert (
        "unknown source 'nosuch': choose from openalex, arxiv, openalex-snapshot, arxiv-bulk" in result.output
    )


def test_a_rebuild_with_no_raw_landing_says_it_re_derived_nothing(tmp_path: Path) -> None:
    settings = tmp_path / "settings.toml"
    settings.write_text(f'data_dir = "{(tmp_path / "data").as_posix()}"\n')
    result = runner.invoke(app, ["rebuild", "--config", str(settings)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "no raw fetch to re-derive" in result.output
    assert ": 0 works, 0 authors" in result.output
