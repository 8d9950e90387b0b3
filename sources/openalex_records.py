"""Normalize raw OpenAlex works pages into the canonical tables; bad records go to quarantine."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from itertools import chain
from typing import Any

import orjson
import pyarrow as pa

from sources.batch import BatchBuilder, RecordRows, Row, name_key
from sources.errors import SourceError
from sources.identifiers import (
    arxiv_id_from_doi,
    arxiv_id_from_url,
    normalize_doi,
    normalize_orcid,
    short_openalex_id,
)
from sources.landing import RawPage
from warehouse.schemas import SOURCE_TABLES

__all__ = ["normalize_openalex_page", "normalize_openalex_records", "rebuild_abstract"]

# OpenAlex's placeholder for an authorship whose author it could not identify.
NULL_AUTHOR_ID = "A9999999999"


def normalize_openalex_page(page: RawPage, batch: BatchBuilder) -> None:
    """Normalize every work of one raw ``/works`` page into ``batch``.

    Raises:
        SourceError: The page is not a JSON works page (truncated, an error body, ...): the
            whole fetch is unusable and nothing from its window may be published.
    """
    try:
        body = orjson.loads(page.content)
    except orjson.JSONDecodeError as exc:
        raise SourceError("openalex", page.ref, f"raw page is not valid JSON: {exc}") from exc
    results = body.get("results") if isinstance(body, dict) else None
    if not isinstance(results, list):
        raise SourceError("openalex", page.ref, "raw page has no 'results' list")
    normalize_openalex_records(results, page.ref, batch)


def normalize_openalex_records(
    records: list[Any], ref_prefix: str, batch: BatchBuilder, indexes: Sequence[int] | None = None
) -> None:
    """Normalize OpenAlex work records (API page results, or snapshot lines) into ``batch``.

    Args:
        records: Parsed work objects; anything else is quarantined.
        ref_prefix: Raw reference of their page or file; record ``i`` is ``<ref_prefix>#<i>``.
        batch: Where rows and quarantined records go.
        indexes: The position of each record in its page or file (default: 0, 1, 2, ...).
    """
    for index, record in zip(indexes or range(len(records)), records, strict=True):
        ref = f"{ref_prefix}#{index}"
        work_id = _record_id(record)
        try:
            problem = _work_problem(record, work_id)
            if problem:
                batch.quarantine("work", work_id, problem, ref)
            else:
                rows = _work_rows(record, work_id or "", ref)
                _check_types(rows)
                batch.add(rows)
        except InvalidField as exc:
            batch.quarantine("work", work_id, str(exc), ref)
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            batch.quarantine("work", work_id, f"unreadable record: {type(exc).__name__}", ref)


def rebuild_abstract(inverted_index: Mapping[str, Any] | None) -> str | None:
    """Rebuild an OpenAlex abstract from its ``abstract_inverted_index``.

    OpenAlex stores abstracts as ``{word: [positions]}``. Bad entries (non-list positions,
    non-integer or negative positions, non-string words) are skipped; gaps in the positions are
    closed up; when two words claim one position, the one that comes first in the index wins.

    Args:
        inverted_index: The ``abstract_inverted_index`` value of an OpenAlex work.

    Returns:
        The words joined by single spaces, or None when no usable word is left. The text is not
        cleaned: pass it to ``enrich.clean_text``, as it may still carry JATS tags or entities.
    """
    if not isinstance(inverted_index, Mapping):
        return None
    words, positions = list(inverted_index.keys()), list(inverted_index.values())
    if _all_of_type(words, str) and _all_of_type(positions, list):
        every_position = list(chain.from_iterable(positions))
        if _all_of_type(every_position, int) and min(every_position, default=0) >= 0:
            # The usual index, with nothing to skip: no check per position (twice as fast). Read
            # backwards, so the word that comes first in the index is written last, and wins.
            return _join_words(
                {
                    position: word
                    for word, word_positions in zip(reversed(words), reversed(positions), strict=True)
                    for position in word_positions
                }
            )
    words_at: dict[int, str] = {}
    for word, word_positions in inverted_index.items():
        if not isinstance(word, str) or not isinstance(word_positions, list | tuple):
            continue
        for position in word_positions:
            if isinstance(position, int) and not isinstance(position, bool) and position >= 0:
                words_at.setdefault(position, word)
    return _join_words(words_at)


def _all_of_type(values: list[Any], type_: type) -> bool:
    """Whether every value is exactly of ``type_`` (not a subclass: ``True`` is no position)."""
    return set(map(type, values)) <= {type_}


def _join_words(words_at: dict[int, str]) -> str | None:
    text = " ".join(map(words_at.__getitem__, sorted(words_at))).strip()
    return text or None


def _record_id(record: Any) -> str | None:
    value = record.get("id") if isinstance(record, dict) else None
    return short_openalex_id(value) if isinstance(value, str) else None


def _check_types(rows: RecordRows, checks: Mapping[str, list[ColumnCheck]] | None = None) -> None:
    """Refuse a record whose values do not fit the canonical schemas (e.g. a numeric ``type``).

    Without this one such record would fail the whole batch's Arrow conversion, and so its window.
    Plain isinstance checks: a per-record Arrow conversion would double the normalizing time.
    Only the columns copied from the record as they are (``SOURCE_COLUMNS``) are checked: every
    other value is built by this module with its column's type (a test checks every column).

    Raises:
        InvalidField: Names the first table and column that does not fit.
    """
    for name, table_checks in (checks or _CHECKS).items():
        for row in getattr(rows, name):
            for column, always_fit, fits in table_checks:
                value = row[column]
                if type(value) not in always_fit and not fits(value):
                    raise InvalidField(f"wrong type for {name}.{column}")


Check = Callable[[Any], bool]
# A column, the exact value types that always fit it (None among them), and the full check.
ColumnCheck = tuple[str, frozenset[type], Check]


def _fits(type_: pa.DataType) -> Check:
    """A check that a Python value converts to an Arrow type without error."""
    if pa.types.is_string(type_):
        return lambda v: isinstance(v, str)
    if pa.types.is_boolean(type_):
        return lambda v: isinstance(v, bool)
    if pa.types.is_integer(type_):
        return lambda v: isinstance(v, int) and not isinstance(v, bool) and -(2**31) <= v < 2**31
    if pa.types.is_floating(type_):
        return lambda v: isinstance(v, int | float) and not isinstance(v, bool)
    if pa.types.is_timestamp(type_):
        return lambda v: isinstance(v, datetime)
    if pa.types.is_date(type_):
        return lambda v: isinstance(v, date) and not isinstance(v, datetime)
    if pa.types.is_list(type_):
        item = _fits(type_.value_type)
        return lambda v: isinstance(v, list) and all(x is None or item(x) for x in v)
    raise NotImplementedError(f"no check for Arrow type {type_}")


def _always_fit(type_: pa.DataType) -> frozenset[type]:
    """Exact value types that ``_fits(type_)`` accepts whatever the value (spares a call each)."""
    if pa.types.is_string(type_):
        return frozenset({type(None), str})
    if pa.types.is_boolean(type_):
        return frozenset({type(None), bool})
    if pa.types.is_floating(type_):
        return frozenset({type(None), float, int})
    return frozenset({type(None)})  # integers need their range checked, lists their items


def _column_check(field: pa.Field) -> ColumnCheck:
    return field.name, _always_fit(field.type), _fits(field.type)


# Columns whose values are copied from the record as they are, so may have any JSON type.
SOURCE_COLUMNS = {
    "works": {"type", "display_year", "venue", "venue_type", "language", "landing_url"},
    "authorships": {"is_corresponding"},
    "institutions": {"display_name", "ror", "country_code", "type"},
    "topics": {"display_name", "subfield", "field", "domain"},
    "work_topics": {"score"},
}
# Every column, in schema order (what the fast checks below must agree with).
ALL_CHECKS = {name: [_column_check(field) for field in schema] for name, schema in SOURCE_TABLES.items()}
_CHECKS = {
    name: [check for check in ALL_CHECKS[name] if check[0] in SOURCE_COLUMNS[name]] for name in SOURCE_COLUMNS
}


def _work_problem(record: Any, work_id: str | None) -> str | None:
    if not isinstance(record, dict):
        return "record is not a JSON object"
    if work_id is None or not work_id.startswith("W"):
        return "missing or invalid OpenAlex work id"
    title = record.get("title")
    if not isinstance(title, str) or not title.strip():
        return "null title"
    return None


def _work_rows(record: dict[str, Any], openalex_id: str, ref: str) -> RecordRows:
    # Values are computed in the order of the row, so a record with several faults is
    # quarantined for the same first one whatever the code below looks like.
    work_id = f"openalex:{openalex_id}"
    primary = record.get("primary_location") or {}
    doi = normalize_doi(record.get("doi") or (record.get("ids") or {}).get("doi"))
    abstract = rebuild_abstract(record.get("abstract_inverted_index"))
    publication_date = _date(record, "publication_date")
    source_updated_at = _timestamp(record, "updated_date")
    venue = primary.get("source") or {}
    rows = RecordRows()
    rows.works.append(
        {
            "work_id": work_id,
            "source": "openalex",
            "title": record["title"],
            "title_raw": record["title"],
            "abstract": abstract,
            "abstract_raw": abstract,
            "type": record.get("type"),
            "first_version_date": None,
            "publication_date": publication_date,
            "source_updated_at": source_updated_at,
            "display_year": record.get("publication_year"),
            "venue": venue.get("display_name"),
            "venue_type": venue.get("type"),
            "doi": doi,
            "arxiv_id": arxiv_id_from_doi(doi) or _arxiv_id_in_locations(record),
            "openalex_id": openalex_id,
            "language": record.get("language"),
            "journal_ref": None,
            "landing_url": primary.get("landing_page_url"),
            "raw_ref": ref,
        }
    )
    for position, authorship in enumerate(record.get("authorships") or [], start=1):
        _add_authorship(rows, authorship, work_id, position, ref)
    _add_topics(rows, record, work_id, ref)
    return rows


def _add_authorship(
    rows: RecordRows, authorship: dict[str, Any], work_id: str, position: int, ref: str
) -> None:
    author = authorship.get("author") or {}
    author_id = short_openalex_id(author.get("id"))
    mention_id = f"{work_id}#{position}"
    raw_name = authorship.get("raw_author_name") or author.get("display_name")
    if author_id == NULL_AUTHOR_ID or author.get("display_name") == "NULL AUTHOR_ID":
        rows.quarantine.append(_quarantine_row(mention_id, "null author (OpenAlex NULL AUTHOR_ID)", ref))
        return
    if not isinstance(raw_name, str) or not (key := name_key(raw_name)):
        rows.quarantine.append(_quarantine_row(mention_id, "author without a name", ref))
        return
    institution_ids = []
    for institution in authorship.get("institutions") or []:
        institution_id = short_openalex_id(institution.get("id"))
        if institution_id:
            institution_ids.append(institution_id)
            rows.institutions.append(_institution_row(institution, institution_id))
    rows.authorships.append(
        {
            "mention_id": mention_id,
            "work_id": work_id,
            "position": position,
            "raw_name": raw_name.strip(),
            "name_key": key,
            "source_author_id": author_id,
            "orcid": normalize_orcid(author.get("orcid")),
            "institution_ids": institution_ids,
            "raw_affiliations": [
                s for s in authorship.get("raw_affiliation_strings") or [] if isinstance(s, str)
            ],
            "is_corresponding": authorship.get("is_corresponding"),
            "raw_ref": ref,
        }
    )


def _institution_row(institution: dict[str, Any], institution_id: str) -> Row:
    return {
        "institution_id": institution_id,
        "display_name": institution.get("display_name") or institution_id,
        "ror": institution.get("ror"),
        "country_code": institution.get("country_code"),
        "type": institution.get("type"),
    }


def _add_topics(rows: RecordRows, record: dict[str, Any], work_id: str, ref: str) -> None:
    primary_id = short_openalex_id((record.get("primary_topic") or {}).get("id"))
    for topic in record.get("topics") or []:
        topic_id = short_openalex_id(topic.get("id"))
        if topic_id is None:
            continue
        rows.topics.append(
            {
                "topic_id": f"openalex:{topic_id}",
                "scheme": "openalex-topic",
                "display_name": topic.get("display_name") or topic_id,
                "subfield": (topic.get("subfield") or {}).get("display_name"),
                "field": (topic.get("field") or {}).get("display_name"),
                "domain": (topic.get("domain") or {}).get("display_name"),
            }
        )
        rows.work_topics.append(
            {
                "work_id": work_id,
                "topic_id": f"openalex:{topic_id}",
                "score": topic.get("score"),
                "is_primary": topic_id == primary_id,
                "raw_ref": ref,
            }
        )


def _arxiv_id_in_locations(record: dict[str, Any]) -> str | None:
    for location in record.get("locations") or []:
        found = arxiv_id_from_url((location or {}).get("landing_page_url"))
        if found:
            return found
    return None


def _quarantine_row(record_id: str, reason: str, ref: str) -> Row:
    return {
        "source": "openalex",
        "record_type": "authorship",
        "record_id": record_id,
        "reason": reason,
        "raw_ref": ref,
    }


class InvalidField(ValueError):
    """A field of a record has the wrong type or format; the record is quarantined."""


def _date(record: dict[str, Any], name: str) -> date | None:
    value = record.get(name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidField(f"invalid {name}: {str(value)[:40]!r} is not a YYYY-MM-DD date") from None


def _timestamp(record: dict[str, Any], name: str) -> datetime | None:
    value = record.get(name)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidField(f"invalid {name}: {str(value)[:40]!r} is not an ISO timestamp") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
