"""Load the recorded arXiv API responses: the raw replies, and an index of their entries."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import orjson
from lxml import etree

ATOM_NS = "http://www.w3.org/2005/Atom"
ARXIV_NS = "http://arxiv.org/schemas/atom"
OPENSEARCH_NS = "http://a9.com/-/spec/opensearch/1.1/"
_ABS_PREFIX = re.compile(r"^https?://arxiv\.org/abs/")
_VERSION = re.compile(r"^(?P<base>.+?)v(?P<version>\d+)$")


@dataclass(frozen=True)
class RecordedResponse:
    """One recorded reply: status code and the raw body bytes."""

    status_code: int
    body: bytes


@dataclass(frozen=True)
class ArxivEntry:
    """One recorded ``<entry>``: the element itself (served verbatim) and the fields queries use."""

    arxiv_id: str
    version: int
    element: etree._Element
    published: datetime
    updated: datetime
    categories: frozenset[str]
    title: str
    summary: str
    authors: tuple[str, ...]


@dataclass(frozen=True)
class ArxivRecordings:
    """All recorded arXiv data.

    Attributes:
        entries: Unique papers in recorded relevance order: the order arXiv returned them for the
            recorded searches, then the papers seen only in id lookups, by id.
        responses: Recorded replies keyed by the request's raw query string.
        term_hits: Free-text search term (lower case, without ``all:``) to the ids arXiv returned
            for it, in arXiv's relevance order.
    """

    entries: tuple[ArxivEntry, ...]
    responses: Mapping[str, RecordedResponse]
    term_hits: Mapping[str, tuple[str, ...]]
    by_id: Mapping[str, ArxivEntry] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {entry.arxiv_id: entry for entry in self.entries})


def split_version(versioned: str) -> tuple[str, int | None]:
    """Split ``2104.12255v1`` into ``("2104.12255", 1)``; an unversioned id gives ``None``."""
    match = _VERSION.match(versioned)
    if match is None:
        return versioned, None
    return match["base"], int(match["version"])


def parse_timestamp(text: str) -> datetime:
    """Parse an Atom timestamp such as ``2021-04-20T16:07:14Z`` as an aware UTC datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def load_arxiv(api_dir: Path) -> ArxivRecordings:
    """Read every ``{"url", "status_code", "body"}`` recording under ``api_dir``.

    Args:
        api_dir: The folder holding the recorded ``*.json`` files.

    Returns:
        The recorded replies and the deduplicated entry index.
    """
    responses: dict[str, RecordedResponse] = {}
    entries: dict[str, ArxivEntry] = {}
    searches: dict[str, dict[int, str]] = {}
    for path in sorted(api_dir.glob("*.json")):
        recording = orjson.loads(path.read_bytes())
        query = urlsplit(recording["url"]).query
        # The body was stored as the raw bytes decoded as latin-1: encoding back gives the bytes.
        body = recording["body"].encode("latin-1")
        responses[query] = RecordedResponse(int(recording["status_code"]), body)
        found = _parse_entries(body)
        for entry in found:
            entries.setdefault(entry.arxiv_id, entry)
        if recording["status_code"] == 200:
            _note_search_hits(searches, query, found)
    term_hits = {term: tuple(hits[pos] for pos in sorted(hits)) for term, hits in searches.items()}
    return ArxivRecordings(_in_relevance_order(entries, term_hits), responses, term_hits)


def search_term(search_query: str) -> str:
    """Normalise a one-term free-text query: ``all:Testing`` and ``testing`` give ``testing``."""
    term = search_query.strip().lower()
    return term.removeprefix("all:")


def _note_search_hits(searches: dict[str, dict[int, str]], query: str, found: Iterable[ArxivEntry]) -> None:
    params = parse_qs(query, keep_blank_values=True)
    search_query = params.get("search_query", [""])[0]
    if not search_query or params.get("id_list", [""])[0]:
        return
    start = int(params.get("start", ["0"])[0])
    hits = searches.setdefault(search_term(search_query), {})
    for offset, entry in enumerate(found):
        hits.setdefault(start + offset, entry.arxiv_id)


def _in_relevance_order(
    entries: Mapping[str, ArxivEntry], term_hits: Mapping[str, tuple[str, ...]]
) -> tuple[ArxivEntry, ...]:
    ordered = [arxiv_id for term in sorted(term_hits) for arxiv_id in term_hits[term]]
    ranked = [arxiv_id for arxiv_id in dict.fromkeys(ordered) if arxiv_id in entries]
    ranked += sorted(set(entries) - set(ranked))
    return tuple(entries[arxiv_id] for arxiv_id in ranked)


def _parse_entries(body: bytes) -> list[ArxivEntry]:
    root = etree.fromstring(body, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    found = []
    for element in root.iterfind(f"{{{ATOM_NS}}}entry"):
        entry = _to_entry(element)
        if entry is not None:
            found.append(entry)
    return found


def _to_entry(element: etree._Element) -> ArxivEntry | None:
    entry_id = _text(element, "id")
    published = _text(element, "published")
    if not _ABS_PREFIX.match(entry_id) or not published:
        return None  # arXiv's error entries (e.g. for id "abc") are not papers.
    arxiv_id, version = split_version(_ABS_PREFIX.sub("", entry_id))
    return ArxivEntry(
        arxiv_id=arxiv_id,
        version=version or 1,
        element=element,
        published=parse_timestamp(published),
        updated=parse_timestamp(_text(element, "updated")),
        categories=frozenset(
            str(category.get("term")) for category in element.iterfind(f"{{{ATOM_NS}}}category")
        ),
        title=_text(element, "title"),
        summary=_text(element, "summary"),
        authors=tuple(name.text or "" for name in element.iterfind(f"{{{ATOM_NS}}}author/{{{ATOM_NS}}}name")),
    )


def _text(element: etree._Element, tag: str) -> str:
    return (element.findtext(f"{{{ATOM_NS}}}{tag}") or "").strip()
