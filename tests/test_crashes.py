"""Crashes and concurrent readers: SIGKILL an import at each stage; read profiles during imports.

A driver process runs a whole import (the plain-Python steps the nightly flow's tasks call) and
kills itself with SIGKILL at the stage named by ``BZPEER_KILL_AT``: no cleanup handler runs, as
after a power cut or the OOM killer. Then the published warehouse must still be readable and
unchanged, ``bzpeer status`` must flag the run as interrupted with the command that resumes it, and
the next run must clean up and publish tables identical to a clean run's.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from config import Settings, load_settings
from sources.replay import ReplayServer
from tests.conftest import DEMO_CONFIG, REPO
from tests.test_faults import HTTP, OPENALEX_PATH, Fault, run_import, status
from tests.test_nightly_flow import table_hashes
from warehouse.status import read_status

pytestmark = pytest.mark.slow

DRIVER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path

    import pyarrow.parquet as pq

    import flows.pipeline
    import sources.ingest
    import sources.landing
    import warehouse.build
    from config import load_settings
    from tests.test_faults import HTTP, run_import

    data_dir, openalex_url, arxiv_url, config, stage = sys.argv[1:6]


    def die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)


    def kill_on_call(owner, name, nth=1, when=lambda *a, **k: True):
        original, calls = getattr(owner, name), [0]

        def wrapper(*args, **kwargs):
            if when(*args, **kwargs):
                calls[0] += 1
                if calls[0] >= nth:
                    die()
            return original(*args, **kwargs)

        setattr(owner, name, wrapper)


    if stage == "fetching":  # the second raw page is about to land
        kill_on_call(sources.landing.FetchDir, "write_page", nth=2)
    elif stage == "normalizing":  # a landed arXiv page is being normalized
        kill_on_call(sources.ingest, "normalize_arxiv_page")
    elif stage == "writing-parquet":  # half a lake batch written under its temporary name
        kill_on_call(pq, "write_table", nth=3, when=lambda table, path, **k: "batches" in str(path))
    elif stage == "building-duckdb":  # the new warehouse file is half built
        kill_on_call(warehouse.build, "apply_comments")
    elif stage == "swapping":  # the new file is complete, about to replace the published one
        kill_on_call(os, "replace", when=lambda src, dst: str(dst).endswith("warehouse.duckdb"))
    elif stage == "after-swap":  # published, watermarks and run record not yet saved
        kill_on_call(flows.pipeline, "save_watermarks")
    settings = load_settings(
        Path(config), data_dir=Path(data_dir), openalex_base_url=openalex_url,
        arxiv_base_url=arxiv_url, http=HTTP,
    )
    run_import(settings)
    print("finished without being killed")
    """
)
STAGES = ["fetching", "normalizing", "writing-parquet", "building-duckdb", "swapping", "after-swap"]
CRASHES: dict[str, str] = {}


def make_settings(replay: ReplayServer, data: Path) -> Settings:
    return load_settings(
        DEMO_CONFIG,
        data_dir=data,
        openalex_base_url=replay.openalex_url,
        arxiv_base_url=replay.arxiv_url,
        http=HTTP,
    )


@pytest.fixture(scope="module")
def published(replay: ReplayServer, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A data dir with one clean published import, and its table hashes."""
    settings = make_settings(replay, tmp_path_factory.mktemp("published") / "data")
    assert run_import(settings).status == "published"
    return settings.data_dir, table_hashes(settings.warehouse_path)


def kill_import_at(stage: str, settings: Settings, replay: ReplayServer) -> None:
    args = [settings.data_dir, replay.openalex_url, replay.arxiv_url, DEMO_CONFIG, stage]
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, *map(str, args)], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == -signal.SIGKILL, done.stdout + done.stderr


def leftovers(data: Path) -> list[Path]:
    return [p for p in data.rglob("*") if p.name.startswith((".tmp-", ".old-", ".warehouse-"))]


@pytest.mark.parametrize("stage", STAGES)
def test_sigkill_over_a_published_warehouse_keeps_it_readable_and_the_next_run_recovers(
    stage: str, published: tuple[Path, dict[str, str]], replay: ReplayServer, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(published[0], data)
    clean = published[1]
    settings = make_settings(replay, data)
    marks_before = (
        duckdb.connect(str(settings.warehouse_path), read_only=True)
        .execute("SELECT * FROM watermarks ORDER BY ALL")
        .fetchall()
    )
    kill_import_at(stage, settings, replay)
    # The published warehouse is readable and holds one whole state: the old one, or (killed after
    # the swap) the new one, which has the same data.
    assert table_hashes(settings.warehouse_path) == clean
    (run,) = [r for r in read_status(data).runs if r.status not in ("published",)]
    assert (run.status, run.resume) == ("interrupted", "bzpeer nightly")
    if stage != "after-swap":
        with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
            assert con.execute("SELECT * FROM watermarks ORDER BY ALL").fetchall() == marks_before
    found = leftovers(data)
    again = run_import(settings)
    assert again.status == "published", again.error
    assert table_hashes(settings.warehouse_path) == clean
    assert leftovers(data) == []
    CRASHES[stage] = f"old state kept, re-run identical; {len(found)} temporary files cleaned up"


def test_sigkill_on_a_first_run_publishes_nothing_and_the_next_run_recovers(
    published: tuple[Path, dict[str, str]], replay: ReplayServer, tmp_path: Path
) -> None:
    settings = make_settings(replay, tmp_path / "data")
    kill_import_at("building-duckdb", settings, replay)
    assert not settings.warehouse_path.exists()
    assert list(settings.data_dir.glob(".warehouse-*.duckdb"))  # the half-built file
    assert run_import(settings).status == "published"
    assert table_hashes(settings.warehouse_path) == published[1]
    assert leftovers(settings.data_dir) == []
    CRASHES["first run, building-duckdb"] = "nothing published; re-run identical; half-built file removed"


READER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from warehouse import open_readonly, read_profile

    path, stop = Path(sys.argv[1]), Path(sys.argv[2])
    TOP = (
        "SELECT author_id, works_count FROM author_profiles "
        "ORDER BY works_count DESC, author_id LIMIT 20"
    )
    COUNTS = (
        "SELECT (SELECT count(*) FROM works), (SELECT count(*) FROM authorships), "
        "(SELECT count(*) FROM author_profiles), (SELECT count(*) FROM pipeline_runs), "
        "(SELECT count(*) FROM authors)"
    )
    progress = stop.with_name("reads")
    reads, errors, states = 0, 0, set()
    while not stop.exists():
        try:
            with open_readonly(path) as con:  # a page view opens the published file afresh
                counts = con.execute(COUNTS).fetchone()
                assert counts[2] == counts[4], counts  # a profile per author: one build
                for author_id, works in con.execute(TOP).fetchall():
                    profile = read_profile(con, author_id)
                    assert profile is not None and len(profile.works) == works == profile.works_count
                    reads += 1
            states.add(counts[:4])
            progress.write_text(str(reads))
        except Exception as exc:
            errors += 1
            reads += 1
            print("ERROR", type(exc).__name__, exc, file=sys.stderr)
    print(reads, errors, sorted(states))
    """
)


@pytest.fixture
def fault_free(replay: ReplayServer) -> Iterator[None]:
    yield
    replay.faults = None


def test_readers_never_fail_and_see_one_published_state_during_imports(
    replay: ReplayServer, tmp_path: Path, fault_free: Any
) -> None:
    settings = make_settings(replay, tmp_path / "data")
    replay.faults = Fault(OPENALEX_PATH, status(503), times=None)  # first state: arXiv only
    assert run_import(settings).status == "partial"
    replay.faults = None
    states = {_state(settings)}
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(settings.warehouse_path), str(stop)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    progress, imports = tmp_path / "reads", 0
    try:
        # The full import, then incremental nightlies (each a new state), until the reader has
        # served 1,000 profile reads during imports.
        while imports < 3 or (imports < 12 and int(_read(progress) or 0) < 1000):
            assert run_import(settings).status == "published"
            states.add(_state(settings))
            imports += 1
    finally:
        stop.touch()
        out, err = reader.communicate(timeout=120)
    reads, errors, seen = out.split(" ", 2)
    assert (int(errors), err) == (0, "")
    assert int(reads) >= 1000
    assert len(states) == imports + 1
    assert set(eval(seen)) <= states  # every read saw one whole published state
    CRASHES["concurrent reader"] = (
        f"{reads} profile reads during {imports} imports, 0 errors, {len(eval(seen))} of "
        f"{len(states)} published states seen, none mixed"
    )


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except FileNotFoundError:
        return ""


def _state(settings: Settings) -> tuple[int, ...]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        row = con.execute(
            "SELECT (SELECT count(*) FROM works), (SELECT count(*) FROM authorships), "
            "(SELECT count(*) FROM author_profiles), (SELECT count(*) FROM pipeline_runs)"
        ).fetchone()
    assert row is not None
    return tuple(int(v) for v in row)


def test_zz_report_crashes() -> None:
    for name, outcome in sorted(CRASHES.items()):
        print(f"CRASH {name}: {outcome}")
