"""Shared fixtures: the recorded data, a loopback replay server, settings on a temporary data dir.

Prefect is isolated before anything imports it: no telemetry, a temporary PREFECT_HOME and result
storage (``prefect_test_harness`` isolates the database but not result storage), removed at exit.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Made once per test run, removed at its exit (each run left about 5 MB in /tmp); the processes a
# test starts import this module too and share the folder named in the environment.
_SHARED = "_TESTS_PREFECT_HOME"
if _SHARED in os.environ:
    _PREFECT_TMP = Path(os.environ[_SHARED])
else:
    _PREFECT_TMP = Path(tempfile.mkdtemp(prefix="bzpeer-prefect-"))
    atexit.register(shutil.rmtree, _PREFECT_TMP, ignore_errors=True)
os.environ.update(
    {
        _SHARED: str(_PREFECT_TMP),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_HOME": str(_PREFECT_TMP),
        "PREFECT_LOCAL_STORAGE_PATH": str(_PREFECT_TMP / "storage"),
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    }
)
for _name in [n for n in os.environ if n.startswith("BZPEER_")]:
    del os.environ[_name]  # tests build their settings explicitly

from config import Settings, load_settings  # noqa: E402
from sources.replay import ReplayServer  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
RECORDED = REPO / "recorded"
DEMO_CONFIG = REPO / "config" / "demo.toml"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--live", action="store_true", help="run tests that hit the live APIs")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--live"):
        return
    skip = pytest.mark.skip(reason="needs the live APIs: pass --live (no network here)")
    for item in items:
        if "live" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def recorded() -> Path:
    return RECORDED


@pytest.fixture(scope="session")
def replay() -> Iterator[ReplayServer]:
    with ReplayServer(RECORDED) as server:
        yield server


@pytest.fixture
def demo_settings(tmp_path: Path, replay: ReplayServer) -> Any:
    """A factory of demo settings on a temporary data dir, talking to the replay server."""

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "data_dir": tmp_path / "data",
            "openalex_base_url": replay.openalex_url,
            "arxiv_base_url": replay.arxiv_url,
            **overrides,
        }
        return load_settings(DEMO_CONFIG, **values)

    return make
