"""``make demo``: a nightly import of the bundled recorded data through the loopback replay server.

The real clients talk to the replay server through the same base-URL settings an operator would
use for the live APIs; Prefect runs on its local API; the warehouse is embedded DuckDB.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from rich.console import Console

from flows.cli import RECORDED_DIR
from sources.replay import ReplayServer

DEMO_CONFIG = Path(__file__).resolve().parent.parent / "config" / "demo.toml"


def main() -> None:
    """Start the replay server, run the nightly import flow, and show what was published."""
    console = Console(soft_wrap=True)  # lines to copy (URLs, commands), never wrapped
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    from flows.nightly import nightly_import

    began = time.perf_counter()
    with ReplayServer(RECORDED_DIR) as server:
        os.environ["BZPEER_OPENALEX_BASE_URL"] = server.openalex_url
        os.environ["BZPEER_ARXIV_BASE_URL"] = server.arxiv_url
        console.print(f"replay server on {server.base_url} (recorded real responses)")
        result = nightly_import(config_file=str(DEMO_CONFIG))
    console.print(
        f"[green]published[/green] run {result['run_id']}: {result['works']} works, "
        f"{result['authors']} authors in {time.perf_counter() - began:.1f} s"
    )
    console.print('Try: .venv/bin/duckdb -readonly data/warehouse.duckdb "select count(*) from works"')
    console.print("     .venv/bin/bzpeer profile 'Yonghui Wu'")


if __name__ == "__main__":
    main()
