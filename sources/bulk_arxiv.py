"""Read arXiv's bulk metadata (the Kaggle ``arxiv-metadata-oai-snapshot.json``) into the same rows
as the API path (``sources.arxiv_records``) gives for the same paper.

One JSON object a line: id, submitter, authors, title, comments, journal-ref, doi, report-no,
categories, license, abstract, versions [{version, created}], update_date, authors_parsed.
How the fields map onto the API's Atom entry:

- ``versions[0].created`` (RFC 2822, "Mon, 2 Apr 2007 19:18:42 GMT") is the API's ``<published>``;
  the last version's ``created`` is its ``<updated>``, and the landing URL is
  ``https://arxiv.org/abs/<id>v<last>``, as the API's alternate link.
- ``categories`` is space separated with the primary category first (the API's
  ``<arxiv:primary_category>``).
- Authors come from ``authors_parsed`` ([last, first, suffix, affiliation...]), printed
  "first last suffix": it holds the Unicode names the API prints (``Balázs``), while ``authors`` is
  the submitter's LaTeX (``Bal\\'azs``) with affiliations in parentheses. Its optional fourth item
  is the affiliation the API gives as ``<arxiv:affiliation>`` ("Ohio State"), kept as such.
- ``update_date`` is the day arXiv last changed the record (a new version, or a journal reference
  or DOI added later): a window reads a record in the window of its last change, as the API's
  ``lastUpdatedDate`` paging does. A record without one falls back to its last version's date.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import orjson

# The API normalizer's own helpers, so both paths clean text and name categories the same way.
from sources.arxiv_records import add_author, category_row, clean_whitespace
from sources.batch import BatchBuilder, RecordRows, Row
from sources.identifiers import normalize_doi

__all__ = ["normalize_arxiv_bulk_file", "normalize_arxiv_bulk_line"]

# New-style ids (0704.0001, 2104.12255) and old-style ones (hep-th/9901001, math.AG/0601001).
_ARXIV_ID = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})$")


class _BadRecord(ValueError):
    """The record cannot be published; the message is its quarantine reason."""


def normalize_arxiv_bulk_line(line: bytes, ref: str, batch: BatchBuilder) -> None:
    """Normalize one line of the bulk metadata file into ``batch``.

    A line that is not JSON, or a record without a valid id, a title or readable versions, is
    quarantined with the reason; a field of the wrong type too ("unreadable record: ...").

    Args:
        line: One JSON line.
        ref: The line's raw reference, e.g. ``snapshot/arxiv/arxiv-metadata-oai-snapshot.json#17``.
        batch: Where rows and quarantined records go.
    """
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError:
        batch.quarantine("work", None, "invalid JSON line", ref)
        return
    _normalize_record(record, ref, batch)


def normalize_arxiv_bulk_file(
    path: Path,
    batch: BatchBuilder,
    ref_prefix: str,
    start: date | None = None,
    end: date | None = None,
) -> int:
    """Normalize the records of a bulk metadata file last changed in ``[start, end)``.

    The window is on ``update_date`` (else the last version's date); without bounds every record
    is read. A line whose date cannot be read (not JSON, no versions) cannot be placed in a
    window, so it is quarantined by every window rather than lost.

    Args:
        path: The JSON Lines file (or a gzip of it, named ``*.gz``).
        batch: Where rows and quarantined records go.
        ref_prefix: Raw reference of the file; line ``i`` (from 0) is ``<ref_prefix>#<i>``.
        start: First day read, or None for no lower bound.
        end: First day not read, or None for no upper bound.

    Returns:
        The number of records normalized or quarantined (blank lines and records outside the
        window are not counted).
    """
    records = 0
    for index, line in _lines(path):
        ref = f"{ref_prefix}#{index}"
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError:
            batch.quarantine("work", None, "invalid JSON line", ref)
            records += 1
            continue
        changed = _last_change(record)
        if changed is not None and not _in_window(changed, start, end):
            continue
        _normalize_record(record, ref, batch)
        records += 1
    return records


def _normalize_record(record: Any, ref: str, batch: BatchBuilder) -> None:
    arxiv_id = _record_id(record)
    try:
        batch.add(_record_rows(record, arxiv_id, ref))
    except _BadRecord as exc:
        batch.quarantine("work", arxiv_id, str(exc), ref)
    except (TypeError, ValueError, KeyError, AttributeError, IndexError) as exc:
        batch.quarantine("work", arxiv_id, f"unreadable record: {type(exc).__name__}", ref)


def _record_id(record: Any) -> str | None:
    value = record.get("id") if isinstance(record, dict) else None
    return value.strip() if isinstance(value, str) and _ARXIV_ID.match(value.strip()) else None


def _record_rows(record: Any, arxiv_id: str | None, ref: str) -> RecordRows:
    if not isinstance(record, dict):
        raise _BadRecord("record is not a JSON object")
    if arxiv_id is None:
        raise _BadRecord("missing or invalid arXiv id")
    title = _text(record, "title")
    if title is None:
        raise _BadRecord("null title")
    versions = _versions(record)
    work_id = f"arxiv:{arxiv_id}"
    rows = RecordRows()
    rows.works.append(_work_row(record, arxiv_id, title, versions, ref))
    for position, parsed in enumerate(_list(record.get("authors_parsed"), "authors_parsed"), start=1):
        _add_author(rows, _list(parsed, "an authors_parsed entry"), work_id, position, ref)
    _add_categories(rows, record.get("categories"), work_id, ref)
    return rows


def _work_row(
    record: dict[str, Any], arxiv_id: str, title: str, versions: list[tuple[str, datetime]], ref: str
) -> Row:
    first, (last_label, last) = versions[0][1], versions[-1]
    abstract = _text(record, "abstract")
    return {
        "work_id": f"arxiv:{arxiv_id}",
        "source": "arxiv",
        "title": title,
        "title_raw": title,
        "abstract": abstract,
        "abstract_raw": abstract,
        "type": "preprint",
        "first_version_date": first.date(),
        "publication_date": None,
        "source_updated_at": last,
        "display_year": first.year,
        "venue": "arXiv",
        "venue_type": "repository",
        "doi": normalize_doi(_text(record, "doi")),
        "arxiv_id": arxiv_id,
        "openalex_id": None,
        "language": None,
        "journal_ref": _text(record, "journal-ref"),
        "landing_url": f"https://arxiv.org/abs/{arxiv_id}{last_label}",
        "raw_ref": ref,
    }


def _versions(record: dict[str, Any]) -> list[tuple[str, datetime]]:
    """``(label, created)`` of every version, oldest first; v1 is the API's ``<published>``."""
    versions = record.get("versions")
    if not isinstance(versions, list) or not versions:
        raise _BadRecord("no versions")
    found = []
    for version in versions:
        label = version.get("version") if isinstance(version, dict) else None
        created = _created(version.get("created")) if isinstance(version, dict) else None
        if not isinstance(label, str) or not re.fullmatch(r"v\d+", label) or created is None:
            raise _BadRecord(f"invalid version entry: {str(version)[:60]!r}")
        found.append((label, created))
    return sorted(found, key=lambda item: int(item[0][1:]))


def _add_author(rows: RecordRows, parsed: list[Any], work_id: str, position: int, ref: str) -> None:
    parts = [clean_whitespace(p) if isinstance(p, str) else None for p in parsed]
    last, first, suffix = [*parts, None, None, None][:3]
    raw_name = " ".join(p for p in (first, last, suffix) if p)
    add_author(rows, work_id, position, raw_name, [p for p in parts[3:] if p], ref)


def _add_categories(rows: RecordRows, categories: Any, work_id: str, ref: str) -> None:
    codes = categories.split() if isinstance(categories, str) else []
    for code in dict.fromkeys(codes):
        rows.topics.append(category_row(code))
        row = {"work_id": work_id, "topic_id": f"arxiv:{code}", "score": 1.0}
        rows.work_topics.append({**row, "is_primary": code == codes[0], "raw_ref": ref})


def _last_change(record: Any) -> date | None:
    """The day the record last changed: ``update_date``, else its last version's date."""
    if not isinstance(record, dict):
        return None
    try:
        return date.fromisoformat(record["update_date"])
    except (KeyError, TypeError, ValueError):
        pass
    try:
        return _versions(record)[-1][1].date()
    except (_BadRecord, TypeError, AttributeError):
        return None


def _in_window(day: date, start: date | None, end: date | None) -> bool:
    return (start is None or day >= start) and (end is None or day < end)


def _created(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _text(record: dict[str, Any], name: str) -> str | None:
    value = record.get(name)
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name} is not a string")
    return clean_whitespace(value) if value else None


def _list(value: Any, name: str) -> list[Any]:
    if value is not None and not isinstance(value, list):
        raise TypeError(f"{name} is not a list")
    return value or []


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as stream:
        for index, line in enumerate(stream):
            if line.strip():
                yield index, line
