"""Normalize raw arXiv Atom pages into the canonical tables; bad entries go to quarantine.

The pipeline parses the landed XML itself rather than using the arxiv package's Result objects:
the package skips entries without <id>, <updated> or <published> with only a log warning, and
turns a malformed first page into an empty result. Here such a page fails its fetch and such an
entry is quarantined, so nothing is lost silently.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from lxml import etree

from sources.arxiv_taxonomy import category_info
from sources.batch import BatchBuilder, RecordRows, Row, name_key
from sources.errors import SourceError
from sources.identifiers import arxiv_id_from_url, normalize_doi
from sources.landing import RawPage

__all__ = ["add_author", "category_row", "clean_whitespace", "normalize_arxiv_page"]

_NS = {"atom": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom"}
_SPACE = re.compile(r"\s+")
# Entity expansion and network access off: raw pages come from outside.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)


def normalize_arxiv_page(page: RawPage, batch: BatchBuilder) -> None:
    """Normalize every entry of one raw Atom page into ``batch``.

    Raises:
        SourceError: The page is not a well-formed Atom feed (truncated, an HTML error page,
            ...): the whole fetch is unusable and nothing from its window may be published.
    """
    try:
        root = etree.fromstring(page.content, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise SourceError("arxiv", page.ref, f"raw page is not well-formed XML: {exc}") from exc
    if root.tag != "{http://www.w3.org/2005/Atom}feed":
        raise SourceError("arxiv", page.ref, f"raw page is not an Atom feed (root {root.tag})")
    for index, entry in enumerate(root.iterfind("atom:entry", _NS)):
        ref = f"{page.ref}#{index}"
        entry_url = _text(entry, "atom:id")
        arxiv_id = arxiv_id_from_url(entry_url)
        problem = _entry_problem(entry, entry_url, arxiv_id)
        if problem:
            batch.quarantine("work", arxiv_id or entry_url, problem, ref)
        else:
            batch.add(_entry_rows(entry, arxiv_id or "", ref))


def _entry_problem(entry: Any, entry_url: str | None, arxiv_id: str | None) -> str | None:
    if entry_url and "/api/errors" in entry_url:
        return f"arXiv error entry: {_text(entry, 'atom:summary') or 'no message'}"
    if arxiv_id is None:
        return "missing or invalid arXiv id"
    if not _text(entry, "atom:title"):
        return "null title"
    for element in ("published", "updated"):
        if _timestamp(_text(entry, f"atom:{element}")) is None:
            return f"missing or invalid <{element}> date"
    return None


def _entry_rows(entry: Any, arxiv_id: str, ref: str) -> RecordRows:
    work_id = f"arxiv:{arxiv_id}"
    published = _timestamp(_text(entry, "atom:published"))
    assert published is not None  # checked by _entry_problem
    title, abstract = _text(entry, "atom:title"), _text(entry, "atom:summary")
    rows = RecordRows()
    rows.works.append(
        {
            "work_id": work_id,
            "source": "arxiv",
            "title": title,
            "title_raw": title,
            "abstract": abstract,
            "abstract_raw": abstract,
            "type": "preprint",
            # arXiv's <published> is the first version's date, <updated> the latest version's.
            "first_version_date": published.date(),
            "publication_date": None,
            "source_updated_at": _timestamp(_text(entry, "atom:updated")),
            "display_year": published.year,
            "venue": "arXiv",
            "venue_type": "repository",
            "doi": normalize_doi(_text(entry, "arxiv:doi")),
            "arxiv_id": arxiv_id,
            "openalex_id": None,
            "language": None,
            "journal_ref": _text(entry, "arxiv:journal_ref"),
            "landing_url": _alternate_link(entry),
            "raw_ref": ref,
        }
    )
    for position, author in enumerate(entry.iterfind("atom:author", _NS), start=1):
        _add_author(rows, author, work_id, position, ref)
    _add_categories(rows, entry, work_id, ref)
    return rows


def _add_author(rows: RecordRows, author: Any, work_id: str, position: int, ref: str) -> None:
    affiliations = [clean_whitespace(a.text) for a in author.iterfind("arxiv:affiliation", _NS) if a.text]
    add_author(rows, work_id, position, _text(author, "atom:name"), [a for a in affiliations if a], ref)


def add_author(
    rows: RecordRows, work_id: str, position: int, raw_name: str | None, affiliations: list[str], ref: str
) -> None:
    """Add an arXiv author mention (no author ids on arXiv), or quarantine it when it has no name."""
    mention_id = f"{work_id}#{position}"
    if not raw_name or not name_key(raw_name):
        row = {"source": "arxiv", "record_type": "authorship", "record_id": mention_id}
        rows.quarantine.append({**row, "reason": "author without a name", "raw_ref": ref})
        return
    rows.authorships.append(
        {
            "mention_id": mention_id,
            "work_id": work_id,
            "position": position,
            "raw_name": " ".join(raw_name.split()),  # any run of spaces (non-breaking too) as one
            "name_key": name_key(raw_name),
            "source_author_id": None,
            "orcid": None,
            "institution_ids": [],
            "raw_affiliations": affiliations,
            "is_corresponding": None,
            "raw_ref": ref,
        }
    )


def _add_categories(rows: RecordRows, entry: Any, work_id: str, ref: str) -> None:
    primary = entry.find("arxiv:primary_category", _NS)
    primary_code = primary.get("term") if primary is not None else None
    codes = [c.get("term") for c in entry.iterfind("atom:category", _NS) if c.get("term")]
    for code in dict.fromkeys(codes):
        rows.topics.append(category_row(code))
        row = {"work_id": work_id, "topic_id": f"arxiv:{code}", "score": 1.0}
        rows.work_topics.append({**row, "is_primary": code == primary_code, "raw_ref": ref})


def category_row(code: str) -> Row:
    """The topics row of an arXiv category (name, archive and group from arXiv's taxonomy)."""
    info = category_info(code)
    return {
        "topic_id": f"arxiv:{code}",
        "scheme": "arxiv-category",
        "display_name": info.name if info else code,
        "subfield": info.archive_name if info else None,
        "field": info.group_name if info else None,
        "domain": None,
    }


def _alternate_link(entry: Any) -> str | None:
    for link in entry.iterfind("atom:link", _NS):
        if link.get("rel") == "alternate":
            href: str | None = link.get("href")
            return href
    return None


def _text(element: Any, path: str) -> str | None:
    found = element.find(path, _NS)
    return clean_whitespace(found.text) if found is not None and found.text else None


def clean_whitespace(text: str) -> str | None:
    """Runs of whitespace to one space, stripped; None when nothing is left."""
    return _SPACE.sub(" ", text).strip() or None


def _timestamp(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
