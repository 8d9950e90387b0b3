"""Network faults injected by the loopback replay server, for both sources.

Each scenario runs a whole import (fetch, normalize, lake batch, DuckDB build, swap, watermarks) in
plain Python, the way the nightly flow's tasks call it, with one fault injected on one request of one
source. The outcome is exactly one of:

- *recovers*: the run completes and its tables are identical (content hash) to a clean run's;
- *fails cleanly*: the faulted window publishes nothing (no works of that source, no lake batch, no
  complete raw fetch), its watermark does not move, the other windows publish; and a re-run
  without the fault gives tables identical to a clean run's.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import duckdb
import orjson
import pytest
from lxml import etree

from config import Settings
from flows.pipeline import finish_run, stage_fetch, start_run
from sources import SourceError, land_window, plan_nightly
from sources.replay import ReplayServer, Reply
from sources.replay.server import route
from tests.test_nightly_flow import table_hashes
from warehouse import RunRecord, read_watermarks

pytestmark = pytest.mark.slow

ATOM = "{http://www.w3.org/2005/Atom}"
OPENALEX_PATH = "/openalex/works"
ARXIV_PATH = "/arxiv/api/query"
# Small retry budget and timeouts so that faults resolve in seconds.
HTTP = {"max_retries": 3, "backoff_seconds": 0.01, "timeout_seconds": 0.5, "connect_timeout_seconds": 2.0}
OUTCOMES: dict[str, str] = {}  # scenario -> outcome, printed at the end for docs/RELIABILITY.md


def run_import(settings: Settings) -> RunRecord:
    """One nightly import without Prefect: what flows.tasks.import_windows and publish do."""
    started = datetime.now(UTC)
    run = start_run(settings, "nightly", started, {}, ["bzpeer", "nightly"])
    ends: dict[tuple[str, str], datetime] = {}
    for plan in plan_nightly(settings, read_watermarks(settings.lake_dir), started):
        outcome: dict[str, object] = {"source": plan.source, "scope": plan.scope}
        try:
            counts = stage_fetch(settings, land_window(settings, plan, run.run_id))
        except SourceError as exc:
            outcome.update(status="failed", error=str(exc))
            run.error = "; ".join(filter(None, [run.error, str(exc)]))
        else:
            outcome.update(status="staged", **counts)
            run.add_counts(counts)
            ends[(plan.source, plan.scope)] = plan.window.end
        run.windows.append(outcome)
    run.settle_status()
    finish_run(settings, run, ends, publish=bool(ends))
    return run


@pytest.fixture(scope="module")
def clean_warehouse(replay: ReplayServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The warehouse of an import that never saw a fault."""
    from config import load_settings
    from tests.conftest import DEMO_CONFIG

    data = tmp_path_factory.mktemp("clean") / "data"
    settings = load_settings(
        DEMO_CONFIG,
        data_dir=data,
        openalex_base_url=replay.openalex_url,
        arxiv_base_url=replay.arxiv_url,
        http=HTTP,
    )
    assert run_import(settings).status == "published"
    return settings.warehouse_path


@pytest.fixture(scope="module")
def clean(clean_warehouse: Path) -> dict[str, str]:
    """Table hashes of an import that never saw a fault."""
    return table_hashes(clean_warehouse)


@pytest.fixture
def settings(demo_settings: Any, replay: ReplayServer) -> Iterator[Settings]:
    yield demo_settings(http=HTTP)
    replay.faults = None


class Fault:
    """Change the replies to requests of one source that ``target`` selects, ``times`` times."""

    def __init__(
        self,
        path: str,
        change: Callable[[Reply], Reply],
        times: int | None = 1,
        target: Callable[[dict[str, list[str]]], bool] = lambda query: True,
    ) -> None:
        self.path, self.change, self.times, self.target = path, change, times, target
        self.hits: list[float] = []  # arrival times of the targeted requests
        self.lock = threading.Lock()

    def __call__(self, path_and_query: str, reply: Reply) -> Reply:
        url = urlsplit(path_and_query)
        if url.path != self.path or not self.target(parse_qs(url.query)):
            return reply
        with self.lock:
            self.hits.append(time.monotonic())
            faulty = self.times is None or len(self.hits) <= self.times
        return self.change(reply) if faulty else reply


def second_openalex_page(query: dict[str, list[str]]) -> bool:
    return query.get("cursor", ["*"])[0] == "b2Zmc2V0OjEwMA=="  # offset 100: the second page


def second_arxiv_page(query: dict[str, list[str]]) -> bool:
    return query.get("start") == ["50"] and "testing" in query.get("search_query", [""])[0]


def status(code: int, *headers: tuple[str, str]) -> Callable[[Reply], Reply]:
    return lambda reply: Reply(code, b'{"error": "injected"}', headers=headers)


def statuses(*codes: int) -> Callable[[Reply], Reply]:
    """A different status on each faulty request, in order."""
    left = list(codes)
    return lambda reply: Reply(left.pop(0), b"<html>Bad Gateway</html>", content_type="text/html")


def stall(reply: Reply) -> Reply:
    return dataclasses.replace(reply, delay_seconds=HTTP["timeout_seconds"] * 2.4)


def reset(reply: Reply) -> Reply:
    return dataclasses.replace(reply, reset=True)


def cut_body(reply: Reply) -> Reply:
    return dataclasses.replace(reply, truncate_at=len(reply.body) // 2)


def malformed(reply: Reply) -> Reply:
    """The first half of the body, announced with its own length: a well-delivered broken document."""
    return dataclasses.replace(reply, body=reply.body[: len(reply.body) // 2])


def redirect_once(replay: ReplayServer) -> Callable[[str, Reply], Reply]:
    """OpenAlex answers a merged entity with 301 to its new URL; here: the same query, moved."""
    seen: set[str] = set()

    def fault(path_and_query: str, reply: Reply) -> Reply:
        if urlsplit(path_and_query).path != OPENALEX_PATH or path_and_query in seen:
            return reply
        seen.add(path_and_query)
        location = replay.base_url + path_and_query
        return Reply(301, b"", headers=(("Location", location),))

    return fault


def openalex_duplicate(replay: ReplayServer) -> Callable[[str, Reply], Reply]:
    """Page 2 also carries the first record of page 1 (a record updated while paging)."""
    first: dict[str, Any] = {}

    def fault(path_and_query: str, reply: Reply) -> Reply:
        query = parse_qs(urlsplit(path_and_query).query)
        if urlsplit(path_and_query).path != OPENALEX_PATH or reply.status != 200:
            return reply
        body = orjson.loads(reply.body)
        if query.get("cursor") == ["*"]:
            first["record"] = body["results"][0]
        elif second_openalex_page(query):
            body["results"].append(first["record"])
            return dataclasses.replace(reply, body=orjson.dumps(body))
        return reply

    return fault


def arxiv_duplicate(replay: ReplayServer) -> Callable[[str, Reply], Reply]:
    """The second page of the testing query repeats an entry of the first page."""

    def fault(path_and_query: str, reply: Reply) -> Reply:
        query = parse_qs(urlsplit(path_and_query).query)
        if urlsplit(path_and_query).path != ARXIV_PATH or not second_arxiv_page(query):
            return reply
        first_page = etree.fromstring(route(replay.index, path_and_query.replace("start=50", "start=0")).body)
        page = etree.fromstring(reply.body)
        page.append(first_page.findall(f"{ATOM}entry")[3])
        return dataclasses.replace(reply, body=etree.tostring(page, xml_declaration=True, encoding="utf-8"))

    return fault


def empty_feed(reply: Reply) -> Reply:
    """A well-formed Atom feed with no entries (arXiv's intermittent empty page)."""
    page = etree.fromstring(reply.body)
    for entry in page.findall(f"{ATOM}entry"):
        page.remove(entry)
    return dataclasses.replace(reply, body=etree.tostring(page, xml_declaration=True, encoding="utf-8"))


def published_sources(settings: Settings) -> dict[str, int]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        rows = con.execute("SELECT source, count(*) FROM work_sources GROUP BY ALL").fetchall()
    return {str(source): int(n) for source, n in rows}


def assert_failed_cleanly(settings: Settings, run: RunRecord, failed: dict[str, str]) -> None:
    """The failed windows (source -> expected error) published nothing; the others published."""
    assert run.status == "partial"
    windows = {(str(w["source"]), str(w["scope"])): w for w in run.windows}
    for (source, scope), window in windows.items():
        faulted = source in failed and scope in FAULTED_SCOPES
        assert (window["status"] == "failed") == faulted, window
        if not faulted:
            continue
        assert failed[source] in str(window["error"]), window["error"]
        assert (source, scope) not in read_watermarks(settings.lake_dir)
        assert not (settings.lake_dir / "batches" / source / scope).exists()
        assert not list((settings.raw_dir / source / run.run_id / scope).glob("*/_COMPLETE.json"))
    staged = [w for w in run.windows if w["status"] == "staged"]
    expected = {
        s: sum(int(w["records_normalized"]) for w in staged if w["source"] == s)
        for s in ("openalex", "arxiv")
    }
    published = published_sources(settings)
    assert {s: published.get(s, 0) for s in expected} == expected


FAULTED_SCOPES = ("recorded", "testing")  # the faults target OpenAlex page 2 and arXiv 'testing' page 2


def both(openalex: Any, arxiv: Any) -> Callable[[str, Reply], Reply]:
    return lambda path, reply: arxiv(path, openalex(path, reply))


def check(
    name: str,
    settings: Settings,
    replay: ReplayServer,
    clean: dict[str, str],
    fault: Any,
    failed: dict[str, str] | None = None,
) -> RunRecord:
    """Run an import under ``fault``; assert the outcome, and the tables of the run or its re-run."""
    replay.faults = fault
    try:
        run = run_import(settings)
    finally:
        replay.faults = None
    if not failed:
        assert run.status == "published", run.error
        assert table_hashes(settings.warehouse_path) == clean
    else:
        assert_failed_cleanly(settings, run, failed)
        again = run_import(settings)
        assert again.status == "published", again.error
        assert table_hashes(settings.warehouse_path) == clean
    for source in ("openalex", "arxiv"):
        outcome = f"fails cleanly ({failed[source]})" if failed and source in failed else "recovers"
        OUTCOMES[f"{name} ({source})"] = outcome
    return run


def pair(change: Callable[[Reply], Reply], times: int | None = 1) -> tuple[Fault, Fault]:
    return (
        Fault(OPENALEX_PATH, change, times, target=second_openalex_page),
        Fault(ARXIV_PATH, change, times, target=second_arxiv_page),
    )


# Both sources are faulted in the same run (OpenAlex on its second page, arXiv on the second page of
# the 'testing' query): OpenAlex through pyalex over our session (urllib3 retries with backoff and
# Retry-After), arXiv through the arxiv package's own retries over our session.


def test_429_with_retry_after_is_waited_out(
    settings: Settings, replay: ReplayServer, clean: dict[str, str]
) -> None:
    openalex, arxiv = pair(status(429, ("Retry-After", "1")))
    check("429 with Retry-After: 1", settings, replay, clean, both(openalex, arxiv))
    for fault in (openalex, arxiv):
        assert len(fault.hits) == 2 and fault.hits[1] - fault.hits[0] >= 0.95


def test_500_502_503_in_a_row_are_retried(
    settings: Settings, replay: ReplayServer, clean: dict[str, str]
) -> None:
    openalex = Fault(OPENALEX_PATH, statuses(500, 502, 503), times=3, target=second_openalex_page)
    arxiv = Fault(ARXIV_PATH, statuses(500, 502, 503), times=3, target=second_arxiv_page)
    check("500, 502, 503 in a row", settings, replay, clean, both(openalex, arxiv))
    assert len(openalex.hits) == len(arxiv.hits) == 4


def test_persistent_503_fails_the_windows_cleanly(
    settings: Settings, replay: ReplayServer, clean: dict[str, str]
) -> None:
    openalex, arxiv = pair(status(503), times=None)
    failed = {"openalex": "HTTP 503 after retries", "arxiv": "HTTP 503"}
    check("503 persistent", settings, replay, clean, both(openalex, arxiv), failed)
    assert len(openalex.hits) == len(arxiv.hits) == HTTP["max_retries"] + 1


def test_connection_resets_are_retried(
    settings: Settings, replay: ReplayServer, clean: dict[str, str]
) -> None:
    openalex, arxiv = pair(reset, times=2)
    check("connection reset (twice)", settings, replay, clean, both(openalex, arxiv))
    assert len(openalex.hits) == len(arxiv.hits) == 3


def test_a_stall_beyond_the_read_timeout_is_retried(
    settings: Settings, replay: ReplayServer, clean: dict[str, str]
) -> None:
    openalex, arxiv = pair(stall)
    check("stall beyond the read timeout (once)", settings, replay, clean, both(openalex, arxiv))
    assert len(openalex.hits) == len(arxiv.hits) == 2


def test_a_persistent_stall_fails_cleanly(
    settings: Settings, replay: ReplayServer, clean: dict[str, str]
) -> None:
    openalex, arxiv = pair(stall, times=None)
    failed = {"openalex": "OpenAlex unreachable", "arxiv": "arXiv unreachable"}
    check("stall persistent", settings, replay, clean, both(openalex, arxiv), failed)


def test_a_body_cut_short_is_retried(settings: Settings, replay: ReplayServer, clean: dict[str, str]) -> None:
    openalex, arxiv = pair(cut_body)
    check("body cut short (once)", settings, replay, clean, both(openalex, arxiv))
    assert len(openalex.hits) == len(arxiv.hits) == 2


def test_malformed_json_and_xml_fail_cleanly(
    settings: Settings, replay: ReplayServer, clean: dict[str, str]
) -> None:
    # pyalex fails on the JSON; feedparser reads what it can of the XML, and our strict parser
    # refuses the landed page. Neither is retried: a well-delivered broken page is not transient.
    openalex, arxiv = pair(malformed)
    failed = {"openalex": "not a works page (malformed JSON", "arxiv": "not well-formed XML"}
    check("malformed JSON / XML", settings, replay, clean, both(openalex, arxiv), failed)


def test_openalex_301_is_followed(settings: Settings, replay: ReplayServer, clean: dict[str, str]) -> None:
    mark = len(replay.request_log)
    check("301 moved (OpenAlex merged entity)", settings, replay, clean, redirect_once(replay))
    works = [r for r in replay.request_log[mark:] if r.startswith(OPENALEX_PATH)]
    assert len(works) == 2 * len(set(works))  # every page asked twice: the 301, then its target
    del OUTCOMES["301 moved (OpenAlex merged entity) (arxiv)"]


def test_arxiv_empty_page_in_the_middle_is_retried(
    settings: Settings, replay: ReplayServer, clean: dict[str, str]
) -> None:
    fault = Fault(ARXIV_PATH, empty_feed, target=second_arxiv_page)
    check("empty page mid-query (arXiv)", settings, replay, clean, fault)
    assert len(fault.hits) == 2
    del OUTCOMES["empty page mid-query (arXiv) (openalex)"]


def test_arxiv_persistent_empty_page_fails_cleanly(
    settings: Settings, replay: ReplayServer, clean: dict[str, str]
) -> None:
    fault = Fault(ARXIV_PATH, empty_feed, times=None, target=second_arxiv_page)
    check("empty page persistent (arXiv)", settings, replay, clean, fault, {"arxiv": "empty"})
    del OUTCOMES["empty page persistent (arXiv) (openalex)"]


def test_the_same_record_on_two_pages_is_published_once(
    settings: Settings, replay: ReplayServer, clean: dict[str, str]
) -> None:
    fault = both(openalex_duplicate(replay), arxiv_duplicate(replay))
    run = check("same record on two pages", settings, replay, clean, fault)
    assert run.records_fetched == 481 + 105 + 2  # each duplicate read twice, published once


# --- a failing re-run over a published state ------------------------------------------------------


def test_a_failed_window_leaves_the_published_state_and_watermark_as_they_were(
    settings: Settings, replay: ReplayServer, clean: dict[str, str]
) -> None:
    assert run_import(settings).status == "published"
    marks = read_watermarks(settings.lake_dir)
    before = table_hashes(settings.warehouse_path)
    replay.faults = Fault(OPENALEX_PATH, status(503), times=None)
    try:
        run = run_import(settings)
    finally:
        replay.faults = None
    assert run.status == "partial"
    assert read_watermarks(settings.lake_dir)[("openalex", "recorded")] == marks[("openalex", "recorded")]
    assert table_hashes(settings.warehouse_path) == before == clean
    OUTCOMES["503 persistent over a published state (openalex)"] = (
        "fails cleanly (published state and watermark unchanged)"
    )


# --- end to end through the Prefect flow -----------------------------------------------------------


def test_nightly_flow_under_faults_then_a_clean_rerun(
    replay: ReplayServer, clean_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.testing.utilities import prefect_test_harness

    from flows.nightly import nightly_import
    from tests.conftest import DEMO_CONFIG

    data = tmp_path / "data"
    for name, value in {
        "BZPEER_DATA_DIR": str(data),
        "BZPEER_OPENALEX_BASE_URL": replay.openalex_url,
        "BZPEER_ARXIV_BASE_URL": replay.arxiv_url,
        "BZPEER_HTTP__MAX_RETRIES": "2",
        "BZPEER_HTTP__BACKOFF_SECONDS": "0.01",
        "BZPEER_HTTP__TIMEOUT_SECONDS": "0.5",
    }.items():
        monkeypatch.setenv(name, value)
    openalex = Fault(OPENALEX_PATH, stall, times=None, target=second_openalex_page)
    arxiv = Fault(ARXIV_PATH, status(429, ("Retry-After", "1")), target=second_arxiv_page)
    with prefect_test_harness(server_startup_timeout=120):
        replay.faults = both(openalex, arxiv)
        try:
            with pytest.raises(RuntimeError, match="OpenAlex unreachable"):
                nightly_import(config_file=str(DEMO_CONFIG))
        finally:
            replay.faults = None
        with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
            assert con.execute("SELECT status FROM pipeline_runs").fetchall() == [("partial",)]
            marks = con.execute("SELECT source, scope FROM watermarks ORDER BY ALL").fetchall()
            assert marks == [("arxiv", "lookups"), ("arxiv", "testing")]
        result = nightly_import(config_file=str(DEMO_CONFIG))
    assert result["works"] == 578
    assert table_hashes(data / "warehouse.duckdb") == table_hashes(clean_warehouse)
    OUTCOMES["nightly flow: OpenAlex stall persistent + arXiv 429, then clean re-run"] = (
        "OpenAlex fails cleanly, arXiv recovers; the re-run's tables are identical to a clean run"
    )


def test_zz_report_outcomes() -> None:
    """Print every scenario's outcome (collected last) for docs/RELIABILITY.md."""
    for name, outcome in sorted(OUTCOMES.items()):
        print(f"FAULT {name}: {outcome}")
