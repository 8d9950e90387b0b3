"""Render Atom feeds shaped exactly like arXiv's: header elements, then the entries verbatim."""

from __future__ import annotations

import base64
import copy
import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime

from lxml import etree

from sources.replay.arxiv_recordings import ARXIV_NS, ATOM_NS, OPENSEARCH_NS, ArxivEntry

# Same prefixes, in the same order, as the recorded feeds declare them.
_NSMAP = {"opensearch": OPENSEARCH_NS, "arxiv": ARXIV_NS, None: ATOM_NS}
_INDENT = "\n  "


def render_feed(
    search_query: str,
    id_list: str,
    start: int,
    max_results: int,
    total: int,
    entries: Sequence[ArxivEntry],
) -> bytes:
    """A results feed for one page, as arXiv renders it.

    Args:
        search_query: The decoded ``search_query`` (shown in the feed title and link).
        id_list: The decoded ``id_list``.
        start: Index of the first entry of this page.
        max_results: The page size asked for (arXiv echoes it as ``itemsPerPage``).
        total: Number of matches over all pages.
        entries: The entries of this page; each element is copied unchanged.

    Returns:
        The UTF-8 XML document.
    """
    query = f"search_query={search_query}&id_list={id_list}&start={start}&max_results={max_results}"
    link = f"search_query={search_query}&start={start}&max_results={max_results}&id_list={id_list}"
    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap=_NSMAP)  # type: ignore[arg-type]
    _add(feed, ATOM_NS, "id", "https://arxiv.org/api/" + _feed_hash(query))
    _add(feed, ATOM_NS, "title", f"arXiv Query: {query}")
    _add(feed, ATOM_NS, "updated", _now())
    _add(feed, ATOM_NS, "link").attrib.update(
        {"href": f"https://arxiv.org/api/query?{link}", "type": "application/atom+xml"}
    )
    _add_paging(feed, max_results, total, start)
    for entry in entries:
        feed[-1].tail = _INDENT
        feed.append(copy.deepcopy(entry.element))
    return _serialise(feed)


def render_error_feed(slug: str, message: str) -> bytes:
    """An error feed like arXiv's (one ``Error`` entry), sent with HTTP 400.

    Args:
        slug: The anchor of the error id, e.g. ``incorrect_id_format_for_abc``.
        message: The error summary.

    Returns:
        The UTF-8 XML document.
    """
    now = _now()
    error_url = f"https://arxiv.org/api/errors#{slug}"
    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap=_NSMAP)  # type: ignore[arg-type]
    _add(feed, ATOM_NS, "id", "https://arxiv.org/")
    _add(feed, ATOM_NS, "title", "arXiv Search Results")
    _add(feed, ATOM_NS, "updated", now)
    _add_paging(feed, 1, 1, 0)
    entry = _add(feed, ATOM_NS, "entry")
    _add(entry, ATOM_NS, "id", error_url, depth=2)
    _add(entry, ATOM_NS, "title", "Error", depth=2)
    _add(entry, ATOM_NS, "updated", now, depth=2)
    _add(entry, ATOM_NS, "link", depth=2).attrib.update(
        {"href": error_url, "rel": "alternate", "type": "text/html"}
    )
    _add(entry, ATOM_NS, "summary", message, depth=2)
    author = _add(entry, ATOM_NS, "author", depth=2)
    _add(author, ATOM_NS, "name", "arXiv api core", depth=3)
    return _serialise(feed)


def _add_paging(feed: etree._Element, per_page: int, total: int, start: int) -> None:
    _add(feed, OPENSEARCH_NS, "itemsPerPage", str(per_page))
    _add(feed, OPENSEARCH_NS, "totalResults", str(total))
    _add(feed, OPENSEARCH_NS, "startIndex", str(start))


def _add(
    parent: etree._Element, namespace: str, tag: str, text: str | None = None, depth: int = 1
) -> etree._Element:
    # Whitespace by hand, two spaces a level, as arXiv pretty-prints: pretty_print would re-indent
    # the copied entries, which must stay byte for byte as recorded.
    if len(parent):
        parent[-1].tail = "\n" + "  " * depth
    else:
        parent.text = "\n" + "  " * depth
    child = etree.SubElement(parent, f"{{{namespace}}}{tag}")
    child.text = text
    child.tail = "\n" + "  " * (depth - 1)
    return child


def _serialise(feed: etree._Element) -> bytes:
    if len(feed):
        feed[-1].tail = "\n"
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8") + b"\n"


def _feed_hash(query: str) -> str:
    # arXiv's feed ids look like base64 of a SHA-1 without padding; any stable opaque value will do.
    return base64.b64encode(hashlib.sha1(query.encode()).digest()).decode("ascii").rstrip("=")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
