"""The loopback replay server, driven by the real clients against the real recorded responses.

Expected values are computed from the raw recorded files directly (plain JSON/XML parsing, no
sources.replay code), or written out from those files where a literal list reads better.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import arxiv
import orjson
import pyalex
import pytest
import requests
from lxml import etree

import sources.replay
from sources.replay import ReplayServer, Reply, load_recorded

RECORDED = Path(__file__).resolve().parents[1] / "recorded"
API_DIR = RECORDED / "arxiv" / "api"
ATOM = "{http://www.w3.org/2005/Atom}"
GNMT = "https://openalex.org/W2525778437"  # arXiv 1609.08144, Google's NMT system


@pytest.fixture(scope="module")
def server() -> Iterator[ReplayServer]:
    with ReplayServer(RECORDED) as running:
        yield running


@pytest.fixture(scope="module")
def raw_works() -> dict[str, dict[str, Any]]:
    """Unique works from the raw files: for a repeated id, the latest updated_date wins."""
    latest: dict[str, dict[str, Any]] = {}
    for path in sorted((RECORDED / "openalex" / "works").glob("*.json")):
        for work in orjson.loads(path.read_bytes())["results"]:
            kept = latest.get(work["id"])
            if kept is None or work["updated_date"] > kept["updated_date"]:
                latest[work["id"]] = work
    return latest


def _recording(name_prefix: str) -> dict[str, Any]:
    (path,) = API_DIR.glob(f"{name_prefix}_*.json")
    return json.loads(path.read_text())  # type: ignore[no-any-return]


def _entry_ids(body: bytes) -> list[str]:
    root = etree.fromstring(body)
    return [entry.findtext(f"{ATOM}id") or "" for entry in root.iterfind(f"{ATOM}entry")]


def _works(server: ReplayServer, query: str) -> requests.Response:
    return requests.get(f"{server.openalex_url}/works?{query}", timeout=5)


def _json(reply: requests.Response) -> Any:
    # orjson: the stdlib decoder takes about 0.3 s a 3.6 MB page, which adds up.
    return orjson.loads(reply.content)


def _all_ids(server: ReplayServer, filter_value: str) -> list[str]:
    """Every work id a filter gives, by cursor paging."""
    ids, cursor = [], "*"
    while cursor:
        body = _json(_works(server, f"filter={filter_value}&per-page=200&cursor={cursor}"))
        ids += [work["id"] for work in body["results"]]
        cursor = body["meta"]["next_cursor"]
    return ids


ClientFactory = Callable[..., Any]


@pytest.fixture
def client(server: ReplayServer) -> Iterator[ClientFactory]:
    """Real arxiv clients pointed at the server, no delay, no retries; sessions closed after."""

    def make(page_size: int = 10) -> Any:
        made = arxiv.Client(page_size=page_size, delay_seconds=0, num_retries=0)
        made.query_url_format = server.arxiv_url + "?{}"
        made_clients.append(made)
        return made

    made_clients: list[Any] = []
    yield make
    for made in made_clients:
        made._session.close()


# --- package surface and loading ---------------------------------------------------------------


def test_exported_members() -> None:
    assert sources.replay.__all__ == [
        "FaultInjector",
        "RecordedIndex",
        "ReplayServer",
        "Reply",
        "load_recorded",
        "serve",
    ]


def test_load_recorded_deduplicates(raw_works: dict[str, dict[str, Any]]) -> None:
    index = load_recorded(RECORDED)
    assert len(index.works) == 481
    numbers = [int(work["id"].removeprefix("https://openalex.org/W")) for work in index.works]
    assert numbers == sorted(numbers)
    kept = {work["id"]: work for work in index.works}
    assert kept["https://openalex.org/W4387817945"]["updated_date"] == "2024-09-17T08:31:13.252996"
    assert kept["https://openalex.org/W2741809807"]["updated_date"] == "2025-06-01T11:32:56.709091"
    assert kept == raw_works
    assert len(index.arxiv.entries) == 105
    assert len(index.arxiv.term_hits["testing"]) == 100


def test_binds_loopback_only() -> None:
    with pytest.raises(ValueError, match="loopback"):
        ReplayServer(RECORDED, host="0.0.0.0")


def test_urls(server: ReplayServer) -> None:
    assert server.base_url.startswith("http://127.0.0.1:")
    assert server.openalex_url == server.base_url + "/openalex"
    assert server.arxiv_url == server.base_url + "/arxiv/api/query"


# --- OpenAlex ----------------------------------------------------------------------------------


def test_cursor_paging_reaches_every_work_once(
    server: ReplayServer, raw_works: dict[str, dict[str, Any]]
) -> None:
    logged_before = len(server.request_log)
    cursor: str | None = "*"
    page_sizes, seen = [], []
    while cursor is not None:
        reply = requests.get(
            f"{server.openalex_url}/works",
            params={"per-page": 200, "cursor": cursor},
            timeout=5,
        )
        assert reply.status_code == 200
        body = _json(reply)
        assert list(body) == ["meta", "results", "group_by"]
        assert list(body["meta"]) == [
            "count",
            "db_response_time_ms",
            "page",
            "per_page",
            "next_cursor",
            "groups_count",
        ]
        assert body["meta"]["count"] == 481
        assert body["meta"]["page"] is None
        page_sizes.append(len(body["results"]))
        seen += body["results"]
        cursor = body["meta"]["next_cursor"]
    assert page_sizes == [200, 200, 81, 0]
    assert len({work["id"] for work in seen}) == 481
    assert {work["id"]: work for work in seen} == raw_works  # records unchanged
    assert len(server.request_log) - logged_before == 4


def test_pyalex_paginates_through_a_url_override(
    server: ReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # pyalex 0.21 hard-codes https://api.openalex.org in BaseOpenAlex.url (config.openalex_url is
    # not used), so the production code needs an override like this one; the class must be named
    # Works because pyalex derives the path from the class name.
    class Works(pyalex.Works):  # type: ignore[misc]
        @property
        def url(self) -> str:
            live = super().url
            return server.openalex_url + live.removeprefix("https://api.openalex.org")

    window = Works().filter(from_updated_date="2025-09-01T00:00:00", to_updated_date="2025-09-30T23:59:59")
    pages = list(window.paginate(per_page=40, n_max=None))
    assert [len(page) for page in pages] == [40, 40, 22, 0]
    assert len({work["id"] for page in pages for work in page}) == 102


def test_updated_date_window(server: ReplayServer, raw_works: dict[str, dict[str, Any]]) -> None:
    in_window = [w["id"] for w in raw_works.values() if "2024-09" <= w["updated_date"][:7] <= "2024-10"]
    expected = sorted(in_window, key=lambda work_id: int(work_id.removeprefix("https://openalex.org/W")))
    got = _all_ids(server, "from_updated_date:2024-09-01,to_updated_date:2024-10-31")
    assert got == expected
    assert len(expected) == 205


def test_updated_date_window_with_datetimes(
    server: ReplayServer, raw_works: dict[str, dict[str, Any]]
) -> None:
    low, high = datetime(2024, 9, 17, 8, 31, 13), datetime(2025, 1, 31, 12, 0)
    expected = {
        work["id"]
        for work in raw_works.values()
        if low <= datetime.fromisoformat(work["updated_date"]) <= high
    }
    got = _all_ids(
        server, "from_updated_date:2024-09-17T08%3A31%3A13,to_updated_date:2025-01-31T12%3A00%3A00"
    )
    assert set(got) == expected
    assert len(got) == len(expected)
    assert "https://openalex.org/W4387817945" in expected  # updated 08:31:13.25, inside


def test_publication_date_window(server: ReplayServer, raw_works: dict[str, dict[str, Any]]) -> None:
    expected = {w["id"] for w in raw_works.values() if w["publication_date"].startswith("2016")}
    reply = _works(server, "filter=from_publication_date:2016-01-01,to_publication_date:2016-12-31")
    body = _json(reply)
    assert body["meta"]["count"] == len(expected) == 10
    assert {work["id"] for work in body["results"]} == expected
    assert GNMT in expected  # publication_date 2016-01-01, the first day, is included


@pytest.mark.parametrize(
    "filter_value",
    [
        "openalex:W2525778437",
        "ids.openalex:https%3A%2F%2Fopenalex.org%2FW2525778437",
        "openalex_id:w2525778437",
        "doi:10.48550%2Farxiv.1609.08144",
        "doi:10.48550%2FARXIV.1609.08144",
        "doi:https%3A%2F%2Fdoi.org%2F10.48550%2FarXiv.1609.08144",
    ],
)
def test_single_work_by_id_or_doi(
    server: ReplayServer, raw_works: dict[str, dict[str, Any]], filter_value: str
) -> None:
    body = _json(_works(server, f"filter={filter_value}"))
    assert body["meta"]["count"] == 1
    assert body["results"] == [raw_works[GNMT]]


def test_or_values_and_type(server: ReplayServer, raw_works: dict[str, dict[str, Any]]) -> None:
    either = _json(_works(server, "filter=openalex:W2741809807|W2525778437"))
    assert [work["id"] for work in either["results"]] == [GNMT, "https://openalex.org/W2741809807"]
    preprints = _json(_works(server, "filter=type:preprint&per-page=200"))
    expected = {w["id"] for w in raw_works.values() if w["type"] == "preprint"}
    assert {work["id"] for work in preprints["results"]} == expected
    assert len(expected) == 21


def test_page_paging(server: ReplayServer) -> None:
    body = _json(_works(server, "page=3&per-page=200"))
    assert body["meta"]["page"] == 3
    assert len(body["results"]) == 81
    assert "next_cursor" not in body["meta"]  # as in the recorded page-based response


def test_work_by_path(server: ReplayServer, raw_works: dict[str, dict[str, Any]]) -> None:
    reply = requests.get(f"{server.openalex_url}/works/W2525778437", timeout=5)
    assert _json(reply) == raw_works[GNMT]
    assert requests.get(f"{server.openalex_url}/works/W1", timeout=5).status_code == 404


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("filter=publication_year:2016", "publication_year is not a valid field"),
        ("filter=from_updated_date:yesterday", "must be a date"),
        ("per-page=201", "per-page parameter must be between 1 and 200"),
        ("cursor=bm9wZQ%3D%3D", "cursor"),
        ("select=id", "select is not a valid parameter"),
    ],
)
def test_openalex_bad_queries_answer_400(server: ReplayServer, query: str, message: str) -> None:
    reply = _works(server, query)
    assert reply.status_code == 400
    assert _json(reply)["error"] == "Invalid query parameters error."
    assert message in _json(reply)["message"]


def test_unknown_path_is_404(server: ReplayServer) -> None:
    reply = requests.get(f"{server.base_url}/openalex/authors", timeout=5)
    assert reply.status_code == 404
    assert "not served" in _json(reply)["message"]


# --- arXiv -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(API_DIR.glob("*.json")), ids=lambda path: path.stem)
def test_recorded_requests_replay_exactly(server: ReplayServer, path: Path) -> None:
    recording = json.loads(path.read_text())
    reply = requests.get(f"{server.arxiv_url}?{urlsplit(recording['url']).query}", timeout=5)
    assert reply.status_code == recording["status_code"]
    assert reply.content == recording["body"].encode("latin-1")


def test_client_pages_through_recorded_testing_pages(server: ReplayServer, client: ClientFactory) -> None:
    logged_before = len(server.request_log)
    results = list(client(10).results(arxiv.Search(query="testing", max_results=60)))
    recorded = _entry_ids(_recording("q_testing_s0_m100")["body"].encode("latin-1"))
    assert [result.entry_id for result in results] == recorded[:60]
    requested = [urlsplit(target).query for target in server.request_log[logged_before:]]
    assert len(requested) == 6
    assert all(query in server.index.arxiv.responses for query in requested)  # exact replays


def test_index_renders_recorded_entries_verbatim(server: ReplayServer) -> None:
    # "all:testing" is not a recorded query string, so this page comes from the index.
    reply = requests.get(
        server.arxiv_url, params={"search_query": "all:testing", "max_results": 10}, timeout=5
    )
    recorded = _recording("q_testing_s0_m10")["body"].encode("latin-1")
    root = etree.fromstring(reply.content)
    assert root.findtext("{http://a9.com/-/spec/opensearch/1.1/}totalResults") == "100"
    # Everything after the header, i.e. all ten <entry> elements, is byte-identical.
    assert (
        reply.content.split(b"</opensearch:startIndex>")[1] == recorded.split(b"</opensearch:startIndex>")[1]
    )


def test_bad_id_gives_400(client: ClientFactory) -> None:
    with pytest.raises(arxiv.HTTPError) as raised:
        list(client().results(arxiv.Search(id_list=["abc"])))
    assert raised.value.status == 400


def test_id_list_lookups(client: ClientFactory) -> None:
    search = arxiv.Search(id_list=["1605.08386", "astro-ph/0601001", "0808.05394", "1707.08567"])
    results = list(client(2).results(search))
    assert [result.get_short_id() for result in results] == [
        "1605.08386v1",
        "astro-ph/0601001v1",
        "1707.08567v1",
    ]


@pytest.mark.parametrize(
    ("requested", "found"),
    [
        ("2104.12255v1", ["2104.12255v1"]),
        ("2104.12255", ["2104.12255v1"]),
        ("2104.12255v2", []),
        ("quant-ph/0201082v1", ["quant-ph/0201082v1"]),
        ("1706.08286v3", ["1706.08286v3"]),
        ("1706.08286v1", []),  # only v3 was recorded
    ],
)
def test_versioned_ids(client: ClientFactory, requested: str, found: list[str]) -> None:
    # max_results=50 keeps these off the recorded query strings: they come from the index.
    results = client().results(arxiv.Search(id_list=[requested], max_results=50))
    assert [result.get_short_id() for result in results] == found


def test_last_updated_window_and_category_across_pages(server: ReplayServer, client: ClientFactory) -> None:
    logged_before = len(server.request_log)
    search = arxiv.Search(
        query="cat:cs.SE AND lastUpdatedDate:[202401010000 TO 202412312359]",
        max_results=None,
        sort_by=arxiv.SortCriterion.LastUpdatedDate,
        sort_order=arxiv.SortOrder.Ascending,
    )
    results = list(client(2).results(search))
    assert [result.get_short_id() for result in results] == [
        "2401.15189v1",
        "2405.13786v1",
        "2407.18756v1",
        "2408.07846v2",
        "2412.16620v1",
        "2412.18843v1",
    ]
    assert len(server.request_log) - logged_before == 3


def test_submitted_window_with_or_of_categories(client: ClientFactory) -> None:
    search = arxiv.Search(
        query="(cat:cs.IT OR cat:math.ST) AND submittedDate:[202401010000 TO 202512312359]",
        max_results=None,
        sort_by=arxiv.SortCriterion.SubmittedDate,
        sort_order=arxiv.SortOrder.Descending,
    )
    results = list(client(3).results(search))
    assert [result.get_short_id() for result in results] == [
        "2509.24242v1",
        "2507.16734v4",
        "2505.05162v2",
        "2409.05654v9",
        "2403.16981v2",
    ]


def test_submitted_upper_bound_is_inclusive_to_the_minute(client: ClientFactory) -> None:
    # 2104.12255v1 was submitted 2021-04-20T16:07:14Z.
    inside = "cat:cs.CR AND submittedDate:[202104201607 TO 202104201607]"
    after = "cat:cs.CR AND submittedDate:[202104201608 TO 202104201700]"
    assert [r.get_short_id() for r in client().results(arxiv.Search(query=inside))] == ["2104.12255v1"]
    assert list(client().results(arxiv.Search(query=after))) == []


def test_id_list_with_query_returns_the_matching_ids(client: ClientFactory) -> None:
    search = arxiv.Search(query="cat:cs.IT", id_list=["2104.12255", "1605.08386", "1707.08567"])
    assert [result.get_short_id() for result in client().results(search)] == ["1707.08567v1"]


def test_free_text_outside_the_recorded_searches_matches_title_or_summary(
    client: ClientFactory,
) -> None:
    search = arxiv.Search(query="all:zero", sort_by=arxiv.SortCriterion.SubmittedDate)
    assert [result.get_short_id() for result in client().results(search)] == [
        "2104.12255v1",
        "1706.00679v3",
    ]


@pytest.mark.parametrize(
    "search_query",
    ["cat:(", "cat:cs.SE AND", "(cat:cs.SE", "submittedDate:[2024 TO 2025]", "foo:bar"],
)
def test_malformed_search_query_gives_an_error_feed(server: ReplayServer, search_query: str) -> None:
    reply = requests.get(server.arxiv_url, params={"search_query": search_query}, timeout=5)
    assert reply.status_code == 400
    root = etree.fromstring(reply.content)
    assert root.findtext(f"{ATOM}entry/{ATOM}title") == "Error"
    assert root.findtext(f"{ATOM}entry/{ATOM}id", "").endswith("#malformed_search_query")


def test_plus_and_plus_is_accepted(server: ReplayServer) -> None:
    query = "search_query=cat:cs.CR%2BAND%2BsubmittedDate:%5B202104200000%2BTO%2B202104210000%5D"
    reply = requests.get(f"{server.arxiv_url}?{query}", timeout=5)
    assert _entry_ids(reply.content) == ["http://arxiv.org/abs/2104.12255v1"]


# --- fault hook --------------------------------------------------------------------------------


def test_fault_injector_is_consulted_per_request(server: ReplayServer) -> None:
    seen: list[str] = []

    def throttle(path_and_query: str, reply: Reply) -> Reply:
        seen.append(path_and_query)
        return Reply(429, b'{"error": "Too Many Requests"}', headers=(("Retry-After", "1"),))

    server.faults = throttle
    try:
        reply = _works(server, "per-page=1")
    finally:
        server.faults = None
    assert reply.status_code == 429
    assert reply.headers["Retry-After"] == "1"
    assert seen == ["/openalex/works?per-page=1"]
    assert _works(server, "per-page=1").status_code == 200


def test_reply_stalls_and_cut_bodies_reach_the_client(server: ReplayServer) -> None:
    # The writer honours delay_seconds and truncate_at, so fault injection only swaps replies.
    server.faults = lambda path, reply: Reply(reply.status, reply.body, truncate_at=10)
    try:
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            _works(server, "per-page=1")
        server.faults = lambda path, reply: Reply(reply.status, reply.body, delay_seconds=0.3)
        with pytest.raises(requests.exceptions.ReadTimeout):
            requests.get(f"{server.openalex_url}/works?per-page=1", timeout=0.05)
    finally:
        server.faults = None
