"""A real Prefect server on 127.0.0.1: deployments served by `bzpeer serve`, a backfill triggered
with `prefect deployment run`, the warehouse and the run's artifact checked afterwards."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import httpx
import pytest

from sources.replay import ReplayServer
from tests.conftest import DEMO_CONFIG, REPO

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(check: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(1)
    raise TimeoutError(f"{what} did not happen within {seconds} s")


@pytest.fixture(scope="module")
def prefect_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    home = tmp_path_factory.mktemp("prefect-home")
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "BZPEER_"))},
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_LOCAL_STORAGE_PATH": str(home / "storage"),
    }
    server = subprocess.Popen(
        [BIN / "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: _healthy(env["PREFECT_API_URL"]), 120, "prefect server start")
        yield env
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


def _healthy(api: str) -> bool:
    try:
        return httpx.get(f"{api}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def prefect(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    done = subprocess.run(
        [BIN / "prefect", *args], env=env, capture_output=True, text=True, timeout=timeout, cwd=REPO
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_deployments_on_a_real_server(
    prefect_env: dict[str, str], replay: ReplayServer, tmp_path: Path
) -> None:
    env = {
        **prefect_env,
        "BZPEER_DATA_DIR": str(tmp_path / "data"),
        "BZPEER_OPENALEX_BASE_URL": replay.openalex_url,
        "BZPEER_ARXIV_BASE_URL": replay.arxiv_url,
    }
    serving = subprocess.Popen(
        [BIN / "bzpeer", "serve", "--config", str(DEMO_CONFIG)],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: "backfill" in _deployments(env), 120, "bzpeer serve registering its deployments")
        nightly = prefect(env, "deployment", "inspect", "nightly-import/nightly-import")
        assert "'cron': '0 2 * * *'" in nightly
        limit = prefect(env, "global-concurrency-limit", "inspect", "warehouse-writer")
        assert "limit=1" in limit.replace(" ", "")
        prefect(
            env,
            "deployment",
            "run",
            "backfill/backfill",
            "--param",
            'sources=["openalex"]',
            "--param",
            "start=2025-05-01",
            "--param",
            "end=2025-07-01",
            "--param",
            "chunk_days=30",
            "--watch",
            "--watch-timeout",
            "300",
            timeout=360,
        )
    finally:
        serving.send_signal(signal.SIGTERM)
        serving.wait(timeout=60)
    with duckdb.connect(str(tmp_path / "data" / "warehouse.duckdb"), read_only=True) as con:
        (works,) = con.execute("SELECT count(*) FROM works").fetchone() or (0,)
        runs = con.execute("SELECT flow, status FROM pipeline_runs").fetchall()
    assert works > 0 and runs == [("backfill", "published")]
    artifact = prefect(env, "artifact", "inspect", "backfill-summary")
    assert "| openalex | recorded |" in artifact and "published" in artifact


def _deployments(env: dict[str, str]) -> str:
    done = subprocess.run(
        [BIN / "prefect", "deployment", "ls"], env=env, capture_output=True, text=True, cwd=REPO
    )
    return done.stdout
