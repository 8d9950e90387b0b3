"""The real clients page through the loopback replay server; raw pages land unchanged."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from sources import SourceError, Window, WindowPlan, land_window, normalize_fetch
from sources.arxiv_client import arxiv_search_query
from sources.replay import ReplayServer

EVERYTHING = Window(datetime(1990, 1, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))


def requests_since(replay: ReplayServer, mark: int, path: str) -> list[dict[str, list[str]]]:
    return [parse_qs(urlsplit(r).query) for r in replay.request_log[mark:] if urlsplit(r).path == path]


def test_openalex_cursor_paging_lands_every_page(demo_settings: Any, replay: ReplayServer) -> None:
    settings = demo_settings(openalex_per_page=200)
    mark = len(replay.request_log)
    landed = land_window(settings, WindowPlan("openalex", "recorded", EVERYTHING), "run1")
    cursors = [q["cursor"][0] for q in requests_since(replay, mark, "/openalex/works")]
    assert landed.records == 481  # every unique recorded work
    assert landed.pages == 4 and len(cursors) == 4  # 200 + 200 + 81 + the terminal empty page
    assert cursors[0] == "*" and len(set(cursors)) == 4
    first = gzip.decompress((Path(landed.path) / "page-00001.json.gz").read_bytes())
    assert first.startswith(b'{"meta":') and b'"next_cursor"' in first
    batch = normalize_fetch(settings.data_dir, "openalex", Path(landed.path))
    assert (batch.records_seen, batch.works) == (481, 480)


def test_openalex_window_filters_on_updated_date(demo_settings: Any, replay: ReplayServer) -> None:
    window = Window(datetime(2025, 5, 27, tzinfo=UTC), datetime(2025, 5, 28, tzinfo=UTC))
    mark = len(replay.request_log)
    landed = land_window(demo_settings(), WindowPlan("openalex", "recorded", window), "run1")
    (first, *_) = requests_since(replay, mark, "/openalex/works")
    assert first["filter"] == ["from_updated_date:2025-05-27,to_updated_date:2025-05-27"]
    assert first["per-page"] == ["100"]
    batch = normalize_fetch(demo_settings().data_dir, "openalex", Path(landed.path))
    updated = {str(u)[:10] for u in batch.tables["works"].column("source_updated_at").to_pylist()}
    assert updated == {"2025-05-27"} and batch.works == landed.records > 0


def test_arxiv_paging_with_window_query(demo_settings: Any, replay: ReplayServer) -> None:
    settings = demo_settings(arxiv_page_size=10)
    mark = len(replay.request_log)
    landed = land_window(settings, WindowPlan("arxiv", "testing", EVERYTHING), "run1")
    sent = requests_since(replay, mark, "/arxiv/api/query")
    assert landed.records == 100 and landed.pages == 10 == len(sent)
    assert [q["start"][0] for q in sent] == [str(10 * i) for i in range(10)]
    assert sent[0]["search_query"] == ["(testing) AND lastUpdatedDate:[199001010000 TO 202610312359]"]
    assert sent[0]["sortBy"] == ["lastUpdatedDate"]
    batch = normalize_fetch(settings.data_dir, "arxiv", Path(landed.path))
    assert batch.works == 100


def test_arxiv_id_scope(demo_settings: Any) -> None:
    settings = demo_settings()
    landed = land_window(settings, WindowPlan("arxiv", "lookups", EVERYTHING), "run1")
    batch = normalize_fetch(settings.data_dir, "arxiv", Path(landed.path))
    ids = sorted(batch.tables["works"].column("work_id").to_pylist())
    assert ids == [
        "arxiv:1605.08386",
        "arxiv:1707.08567",
        "arxiv:2104.12255",
        "arxiv:astro-ph/0601001",
        "arxiv:quant-ph/0201082",
    ]


def test_arxiv_query_bounds_are_inclusive_minutes() -> None:
    from config import ArxivScope

    window = Window.parse("2026-11-24T02:00", "2026-11-25T02:00")
    query = arxiv_search_query(ArxivScope(name="ml", query="cat:cs.LG"), window)
    assert query == "(cat:cs.LG) AND lastUpdatedDate:[202611240200 TO 202611250159]"


def test_unreachable_api_fails_with_a_clear_error(demo_settings: Any) -> None:
    dead = "http://127.0.0.1:9"  # discard port: nothing listens
    settings = demo_settings(openalex_base_url=dead, http={"max_retries": 0, "backoff_seconds": 0})
    with pytest.raises(SourceError, match="OpenAlex unreachable"):
        land_window(settings, WindowPlan("openalex", "recorded", EVERYTHING), "run1")


def test_rejected_query_names_the_problem(demo_settings: Any) -> None:
    settings = demo_settings(openalex_scopes=[{"name": "recorded", "filters": {"nonsense": "1"}}])
    plan = WindowPlan("openalex", "recorded", EVERYTHING)
    with pytest.raises(SourceError, match=r"OpenAlex rejected the query: .*nonsense.*fix the scope"):
        land_window(settings, plan, "run1")
