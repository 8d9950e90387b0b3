"""Answer ``GET /openalex/works`` like OpenAlex: filters, cursor or page paging, the real shape."""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from sources.replay.openalex_filters import WorkPredicate, WorksQueryError, parse_filter
from sources.replay.reply import Reply, json_reply

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 200
MAX_PAGED_RESULTS = 10_000  # OpenAlex's cap on page paging; cursor paging has none
_QUERY_ERROR = "Invalid query parameters error."
_IGNORED_PARAMS = {"mailto", "api_key"}
_CURSOR_PREFIX = "offset:"


@dataclass(frozen=True)
class _WorksRequest:
    predicates: list[WorkPredicate]
    per_page: int
    page: int | None
    cursor_offset: int | None


def answer_works(works: Sequence[dict[str, Any]], query: str) -> Reply:
    """Answer one ``/works`` list request from the recorded works.

    Args:
        works: The recorded works in the stable order they are served in.
        query: The raw query string of the request.

    Returns:
        A 200 list response shaped like OpenAlex's, or a 400 with OpenAlex's error shape.
    """
    started = time.perf_counter()
    try:
        request = _parse_request(query)
    except WorksQueryError as error:
        return json_reply(400, {"error": _QUERY_ERROR, "message": str(error)})
    matched = [work for work in works if all(test(work) for test in request.predicates)]
    offset = request.cursor_offset if request.cursor_offset is not None else 0
    if request.page is not None:
        offset = (request.page - 1) * request.per_page
    results = matched[offset : offset + request.per_page]
    meta: dict[str, Any] = {
        "count": len(matched),
        "db_response_time_ms": round((time.perf_counter() - started) * 1000),
        "page": request.page,
        "per_page": request.per_page,
    }
    if request.page is None:
        meta["next_cursor"] = encode_cursor(offset + len(results)) if results else None
    meta["groups_count"] = None
    return json_reply(200, {"meta": meta, "results": results, "group_by": []})


def answer_work(works: Sequence[dict[str, Any]], work_id: str) -> Reply:
    """Answer ``/works/W…`` with the one recorded record, or 404 as OpenAlex does.

    Args:
        works: The recorded works.
        work_id: The id from the path, short (``W2525778437``) or the full URL.

    Returns:
        The unchanged record, or a 404 JSON error.
    """
    wanted = "https://openalex.org/" + work_id.removeprefix("https://openalex.org/").upper()
    for work in works:
        if work["id"] == wanted:
            return json_reply(200, work)
    return json_reply(404, {"error": "Not Found", "message": f"{work_id} is not recorded"})


def encode_cursor(offset: int) -> str:
    """An opaque cursor for the result at ``offset``: URL-safe base64, as OpenAlex's look."""
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{offset}".encode()).decode("ascii")


def _decode_cursor(cursor: str) -> int:
    if cursor == "*":
        return 0
    try:
        text = base64.b64decode(cursor, altchars=b"-_", validate=True).decode("ascii")
        if text.startswith(_CURSOR_PREFIX):
            return int(text.removeprefix(_CURSOR_PREFIX))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise WorksQueryError(f"cursor {cursor!r} is not valid: start with cursor=* and pass next_cursor")


def _parse_request(query: str) -> _WorksRequest:
    params = _split_query(query)
    unknown = sorted(set(params) - {"filter", "per-page", "per_page", "page", "cursor"})
    unknown = [name for name in unknown if name not in _IGNORED_PARAMS]
    if unknown:
        raise WorksQueryError(f"{unknown[0]} is not a valid parameter for the replay server")
    if "page" in params and "cursor" in params:
        raise WorksQueryError("Use either page or cursor paging, not both")
    per_page = _int_param(params.get("per-page") or params.get("per_page"), DEFAULT_PER_PAGE)
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise WorksQueryError(f"per-page parameter must be between 1 and {MAX_PER_PAGE}")
    cursor = params.get("cursor")
    page = None if cursor is not None else _int_param(params.get("page"), 1)
    if page is not None and (page < 1 or page * per_page > MAX_PAGED_RESULTS):
        raise WorksQueryError(
            f"page must be at least 1 and page * per-page at most {MAX_PAGED_RESULTS}; "
            "use cursor paging for more results"
        )
    return _WorksRequest(
        predicates=parse_filter(params["filter"]) if params.get("filter") else [],
        per_page=per_page,
        page=page,
        cursor_offset=None if cursor is None else _decode_cursor(unquote_plus(cursor)),
    )


def _split_query(query: str) -> dict[str, str]:
    # Values stay encoded: the filter parser splits on literal commas before decoding.
    params = {}
    for pair in query.split("&"):
        if pair:
            name, _, value = pair.partition("=")
            params[unquote_plus(name)] = value
    return params


def _int_param(raw: str | None, default: int) -> int:
    if raw is None:
        return default
    try:
        return int(unquote_plus(raw))
    except ValueError:
        raise WorksQueryError(f"{unquote_plus(raw)!r} is not an integer") from None
