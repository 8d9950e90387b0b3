"""Answer ``GET /arxiv/api/query`` like arXiv: replay a recorded reply, else query the index."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs

from sources.replay.arxiv_feed import render_error_feed, render_feed
from sources.replay.arxiv_query import SearchQueryError, parse_search_query
from sources.replay.arxiv_recordings import ArxivEntry, ArxivRecordings, split_version
from sources.replay.reply import ATOM_TYPE, Reply

DEFAULT_MAX_RESULTS = 10  # arXiv's default page size
_ID_FORMAT = re.compile(r"^(\d{4}\.\d{4,5}|[a-z][a-z-]*(\.[A-Z]{2})?/\d{7})(v\d+)?$")
_SORT_KEYS: dict[str, Callable[[ArxivEntry], tuple[object, ...]]] = {
    "submittedDate": lambda entry: (entry.published, entry.arxiv_id),
    "lastUpdatedDate": lambda entry: (entry.updated, entry.arxiv_id),
}
_SORT_BY = ("relevance", "lastUpdatedDate", "submittedDate")
_SORT_ORDER = ("ascending", "descending")


class ArxivRequestError(ValueError):
    """A request arXiv would answer with its 400 error feed."""

    def __init__(self, slug: str, message: str) -> None:
        super().__init__(message)
        self.slug = slug
        self.message = message


@dataclass(frozen=True)
class _Request:
    search_query: str
    id_list: list[str]
    sort_by: str
    descending: bool
    start: int
    max_results: int


def answer_query(records: ArxivRecordings, query: str) -> Reply:
    """Answer one ``/api/query`` request.

    A query string equal to a recorded request's is served the recorded status and bytes. Any
    other is answered from the entry index, rendered as arXiv renders feeds.

    Args:
        records: The recorded arXiv data.
        query: The raw query string of the request.

    Returns:
        The feed reply (200), or arXiv's error feed (400).
    """
    recorded = records.responses.get(query)
    if recorded is not None:
        return Reply(recorded.status_code, recorded.body, ATOM_TYPE)
    try:
        request = _parse_request(query)
        matches = _select(records, request)
    except ArxivRequestError as error:
        return Reply(400, render_error_feed(error.slug, error.message), ATOM_TYPE)
    page = matches[request.start : request.start + request.max_results]
    body = render_feed(
        request.search_query,
        ",".join(request.id_list),
        request.start,
        request.max_results,
        len(matches),
        page,
    )
    return Reply(200, body, ATOM_TYPE)


def _parse_request(query: str) -> _Request:
    params = {name: values[-1] for name, values in parse_qs(query, keep_blank_values=True).items()}
    sort_by = params.get("sortBy") or "relevance"
    sort_order = params.get("sortOrder") or "descending"
    if sort_by not in _SORT_BY:
        raise ArxivRequestError("sortby_invalid", f"sortBy must be one of {', '.join(_SORT_BY)}")
    if sort_order not in _SORT_ORDER:
        raise ArxivRequestError("sortorder_invalid", "sortOrder must be ascending or descending")
    id_list = [item.strip() for item in params.get("id_list", "").split(",") if item.strip()]
    for arxiv_id in id_list:
        if not _ID_FORMAT.match(arxiv_id):
            slug = "incorrect_id_format_for_" + arxiv_id
            raise ArxivRequestError(slug, f"incorrect id format for {arxiv_id}")
    return _Request(
        search_query=params.get("search_query", ""),
        id_list=list(dict.fromkeys(id_list)),
        sort_by=sort_by,
        descending=sort_order == "descending",
        start=_count_param(params, "start", 0),
        max_results=_count_param(params, "max_results", DEFAULT_MAX_RESULTS),
    )


def _count_param(params: dict[str, str], name: str, default: int) -> int:
    raw = params.get(name) or str(default)
    try:
        value = int(raw)
    except ValueError:
        raise ArxivRequestError(f"{name}_not_int", f"{name} must be an integer") from None
    if value < 0:
        raise ArxivRequestError(f"{name}_negative", f"{name} must be non-negative")
    return value


def _select(records: ArxivRecordings, request: _Request) -> list[ArxivEntry]:
    try:
        predicate = parse_search_query(request.search_query, records.term_hits)
    except SearchQueryError as error:
        raise ArxivRequestError("malformed_search_query", str(error)) from None
    if request.id_list:
        candidates = _lookup_ids(records, request.id_list)
    elif predicate is not None:
        candidates = list(records.entries)  # recorded relevance order
    else:
        return []  # arXiv answers an empty query with an empty feed
    matches = [entry for entry in candidates if predicate is None or predicate(entry)]
    return _sorted(matches, request)


def _lookup_ids(records: ArxivRecordings, id_list: Sequence[str]) -> list[ArxivEntry]:
    found = []
    for requested in id_list:
        arxiv_id, version = split_version(requested)
        entry = records.by_id.get(arxiv_id)
        # A versioned id matches only that version: the recordings hold one version a paper.
        if entry is not None and version in (None, entry.version):
            found.append(entry)
    return found


def _sorted(matches: list[ArxivEntry], request: _Request) -> list[ArxivEntry]:
    if request.sort_by == "relevance":
        # Relevance is the recorded order (or the id_list order); descending is arXiv's default.
        return matches if request.descending else matches[::-1]
    return sorted(matches, key=_SORT_KEYS[request.sort_by], reverse=request.descending)
