"""Normalize raw OpenAlex works (API pages, snapshot lines) into the canonical tables.

A work is decoded straight from its JSON bytes into typed structs (msgspec) that hold only the
fields read here: the rest of a work (references, counts, concepts, ... most of its bytes) is
skipped without building Python objects, and the types are the schema check. A record whose value
does not fit them (``type: 1``, ``publication_year: "x"``, an author that is not an object) is
quarantined with msgspec's account of it, list positions left out (``invalid record: Expected
`object | null`, got `str` - at `$.authorships[].author```); one that is not JSON, as ``invalid
JSON line``. Where a source's mess is common and harmless the types are loose and the code
decides: a bad id or title, an author without a usable name (that mention is quarantined, the
work kept) and junk in ``abstract_inverted_index`` (bad entries skipped).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Annotated, Any

import msgspec

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

__all__ = [
    "normalize_openalex_page",
    "normalize_openalex_record",
    "normalize_openalex_records",
    "rebuild_abstract",
]

# OpenAlex's placeholder for an authorship whose author it could not identify.
NULL_AUTHOR_ID = "A9999999999"

Text = str | None
Int32 = Annotated[int, msgspec.Meta(ge=-(2**31), lt=2**31)]  # the canonical integer columns


class _Label(msgspec.Struct, gc=False):
    display_name: Text = None


class _Ref(msgspec.Struct, gc=False):
    id: Text = None


class _Source(msgspec.Struct, gc=False):
    display_name: Text = None
    type: Text = None


class _Location(msgspec.Struct, gc=False):
    landing_page_url: Text = None
    source: _Source | None = None


class _Ids(msgspec.Struct, gc=False):
    doi: Text = None


class _Author(msgspec.Struct, gc=False):
    id: Text = None
    display_name: Any = None  # a name that is not text quarantines the mention, not the work
    orcid: Text = None


class _Institution(msgspec.Struct, gc=False):
    id: Text = None
    display_name: Text = None
    ror: Text = None
    country_code: Text = None
    type: Text = None


class _Authorship(msgspec.Struct, gc=False):
    author: _Author | None = None
    institutions: list[_Institution] | None = None
    raw_author_name: Any = None
    raw_affiliation_strings: list[Any] | None = None  # entries that are not text are skipped
    is_corresponding: bool | None = None


class _Topic(msgspec.Struct, gc=False):
    id: Text = None
    display_name: Text = None
    score: float | None = None
    subfield: _Label | None = None
    field: _Label | None = None
    domain: _Label | None = None


class _Work(msgspec.Struct, gc=False):
    id: Any = None  # checked by the code: a bad id is its own quarantine reason
    title: Any = None  # likewise ("null title")
    doi: Text = None
    ids: _Ids | None = None
    type: Text = None
    publication_date: Any = None  # parsed by the code, which names a bad value
    updated_date: Any = None
    publication_year: Int32 | None = None
    language: Text = None
    primary_location: _Location | None = None
    locations: list[_Location | None] | None = None
    authorships: list[_Authorship] | None = None
    topics: list[_Topic] | None = None
    primary_topic: _Ref | None = None
    abstract_inverted_index: msgspec.Raw = msgspec.Raw(b"null")  # decoded apart: see _abstract


class _Page(msgspec.Struct, gc=False):
    results: list[msgspec.Raw]


_WORK = msgspec.json.Decoder(_Work)
_PAGE = msgspec.json.Decoder(_Page)
_INDEX = msgspec.json.Decoder(dict[str, list[Annotated[int, msgspec.Meta(ge=0)]]] | None)
_ANY = msgspec.json.Decoder()
_LIST_INDEX = re.compile(r"\[\d+\]")
# What an absent (or null) object reads as: every field None.
_NO_LOCATION, _NO_IDS, _NO_SOURCE, _NO_AUTHOR = _Location(), _Ids(), _Source(), _Author()
_NO_LABEL, _NO_REF = _Label(), _Ref()


def normalize_openalex_page(page: RawPage, batch: BatchBuilder) -> None:
    """Normalize every work of one raw ``/works`` page into ``batch``.

    Raises:
        SourceError: The page is not a JSON works page (truncated, an error body, ...): the
            whole fetch is unusable and nothing from its window may be published.
    """
    try:
        results = _PAGE.decode(page.content).results
    except msgspec.ValidationError:
        raise SourceError("openalex", page.ref, "raw page has no 'results' list") from None
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        raise SourceError("openalex", page.ref, f"raw page is not valid JSON: {exc}") from exc
    normalize_openalex_records(results, page.ref, batch)


def normalize_openalex_records(
    records: Iterable[bytes | msgspec.Raw], ref_prefix: str, batch: BatchBuilder
) -> None:
    """Normalize OpenAlex works (each its JSON text) into ``batch``: record ``i`` is ``<ref_prefix>#<i>``."""
    for index, record in enumerate(records):
        normalize_openalex_record(record, f"{ref_prefix}#{index}", batch)


def normalize_openalex_record(record: bytes | msgspec.Raw, ref: str, batch: BatchBuilder) -> None:
    """Normalize one OpenAlex work, given as its JSON text, into ``batch``, or quarantine it with the reason.

    Args:
        record: The work object's JSON (an API page's ``results`` item, or a snapshot line).
        ref: The record's raw reference (``<page or file>#<position>``).
        batch: Where its rows, or its quarantine row, go.
    """
    try:
        work = _WORK.decode(record)
    except msgspec.ValidationError as exc:
        _quarantine_invalid(record, str(exc), ref, batch)
        return
    except (msgspec.DecodeError, UnicodeDecodeError):
        batch.quarantine("work", None, "invalid JSON line", ref)
        return
    work_id = _record_id(work.id)
    problem = _work_problem(work_id, work.title)
    if problem:
        batch.quarantine("work", work_id, problem, ref)
        return
    try:
        batch.add(_work_rows(work, work_id or "", ref))
    except InvalidField as exc:
        batch.quarantine("work", work_id, str(exc), ref)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:  # a value the types let through
        batch.quarantine("work", work_id, f"unreadable record: {type(exc).__name__}", ref)


def _quarantine_invalid(record: bytes | msgspec.Raw, error: str, ref: str, batch: BatchBuilder) -> None:
    """Quarantine a record whose values do not fit the types, under its id when it has one."""
    try:
        generic = _ANY.decode(record)
    except (msgspec.DecodeError, UnicodeDecodeError):  # it failed the types before its end was read
        batch.quarantine("work", None, "invalid JSON line", ref)
        return
    if not isinstance(generic, dict):
        batch.quarantine("work", None, "record is not a JSON object", ref)
        return
    work_id = _record_id(generic.get("id"))
    # Without list positions, so one kind of fault is one reason in the run's counts per reason.
    reason = _work_problem(work_id, generic.get("title")) or f"invalid record: {_LIST_INDEX.sub('[]', error)}"
    batch.quarantine("work", work_id, reason, ref)


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
    words_at: dict[int, str] = {}
    for word, word_positions in inverted_index.items():
        if not isinstance(word, str) or not isinstance(word_positions, list | tuple):
            continue
        for position in word_positions:
            if isinstance(position, int) and not isinstance(position, bool) and position >= 0:
                words_at.setdefault(position, word)
    return _join_words(words_at)


def _abstract(raw: msgspec.Raw) -> str | None:
    """:func:`rebuild_abstract` of a raw index, without its checks when the index is the usual one."""
    try:
        index = _INDEX.decode(raw)
    except msgspec.ValidationError:
        return rebuild_abstract(_ANY.decode(raw))
    if not index:
        return None
    # Usually every position from 0 to n - 1 appears once: the words go straight into a list of n.
    # Read backwards, so the word that comes first in the index is written last, and wins.
    words: list[str | None] = [None] * sum(map(len, index.values()))
    try:
        for word, word_positions in zip(reversed(index.keys()), reversed(index.values()), strict=True):
            for position in word_positions:
                words[position] = word
    except IndexError:  # a gap, so a position past n
        return rebuild_abstract(index)
    if None in words:  # a gap, or two words at one position
        return rebuild_abstract(index)
    return " ".join(words).strip() or None  # type: ignore[arg-type]  # no None left


def _join_words(words_at: dict[int, str]) -> str | None:
    text = " ".join(map(words_at.__getitem__, sorted(words_at))).strip()
    return text or None


def _record_id(value: Any) -> str | None:
    return short_openalex_id(value) if isinstance(value, str) else None


def _work_problem(work_id: str | None, title: Any) -> str | None:
    if work_id is None or not work_id.startswith("W"):
        return "missing or invalid OpenAlex work id"
    if not isinstance(title, str) or not title.strip():
        return "null title"
    return None


def _work_rows(work: _Work, openalex_id: str, ref: str) -> RecordRows:
    # Values are computed in the order of the row, so a record with several faults is
    # quarantined for the same first one whatever the code below looks like.
    work_id = f"openalex:{openalex_id}"
    primary = work.primary_location or _NO_LOCATION
    doi = normalize_doi(work.doi or (work.ids or _NO_IDS).doi)
    abstract = _abstract(work.abstract_inverted_index)
    publication_date = _date(work.publication_date, "publication_date")
    source_updated_at = _timestamp(work.updated_date, "updated_date")
    venue = primary.source or _NO_SOURCE
    rows = RecordRows()
    rows.works.append(
        {
            "work_id": work_id,
            "source": "openalex",
            "title": work.title,
            "title_raw": work.title,
            "abstract": abstract,
            "abstract_raw": abstract,
            "type": work.type,
            "first_version_date": None,
            "publication_date": publication_date,
            "source_updated_at": source_updated_at,
            "display_year": work.publication_year,
            "venue": venue.display_name,
            "venue_type": venue.type,
            "doi": doi,
            "arxiv_id": arxiv_id_from_doi(doi) or _arxiv_id_in_locations(work),
            "openalex_id": openalex_id,
            "language": work.language,
            "journal_ref": None,
            "landing_url": primary.landing_page_url,
            "raw_ref": ref,
        }
    )
    for position, authorship in enumerate(work.authorships or (), start=1):
        _add_authorship(rows, authorship, work_id, position, ref)
    _add_topics(rows, work, work_id, ref)
    return rows


def _add_authorship(rows: RecordRows, authorship: _Authorship, work_id: str, position: int, ref: str) -> None:
    author = authorship.author or _NO_AUTHOR
    author_id = short_openalex_id(author.id)
    mention_id = f"{work_id}#{position}"
    raw_name = authorship.raw_author_name or author.display_name
    if author_id == NULL_AUTHOR_ID or author.display_name == "NULL AUTHOR_ID":
        rows.quarantine.append(_quarantine_row(mention_id, "null author (OpenAlex NULL AUTHOR_ID)", ref))
        return
    if not isinstance(raw_name, str) or not (key := name_key(raw_name)):
        rows.quarantine.append(_quarantine_row(mention_id, "author without a name", ref))
        return
    institution_ids = []
    for institution in authorship.institutions or ():
        institution_id = short_openalex_id(institution.id)
        if institution_id:
            institution_ids.append(institution_id)
            rows.institutions.append(
                {
                    "institution_id": institution_id,
                    "display_name": institution.display_name or institution_id,
                    "ror": institution.ror,
                    "country_code": institution.country_code,
                    "type": institution.type,
                }
            )
    rows.authorships.append(
        {
            "mention_id": mention_id,
            "work_id": work_id,
            "position": position,
            "raw_name": " ".join(raw_name.split()),  # any run of spaces (non-breaking too) as one
            "name_key": key,
            "source_author_id": author_id,
            "orcid": normalize_orcid(author.orcid),
            "institution_ids": institution_ids,
            "raw_affiliations": [s for s in authorship.raw_affiliation_strings or () if isinstance(s, str)],
            "is_corresponding": authorship.is_corresponding,
            "raw_ref": ref,
        }
    )


def _add_topics(rows: RecordRows, work: _Work, work_id: str, ref: str) -> None:
    primary_id = short_openalex_id((work.primary_topic or _NO_REF).id)
    for topic in work.topics or ():
        topic_id = short_openalex_id(topic.id)
        if topic_id is None:
            continue
        rows.topics.append(
            {
                "topic_id": f"openalex:{topic_id}",
                "scheme": "openalex-topic",
                "display_name": topic.display_name or topic_id,
                "subfield": (topic.subfield or _NO_LABEL).display_name,
                "field": (topic.field or _NO_LABEL).display_name,
                "domain": (topic.domain or _NO_LABEL).display_name,
            }
        )
        rows.work_topics.append(
            {
                "work_id": work_id,
                "topic_id": f"openalex:{topic_id}",
                "score": topic.score,
                "is_primary": topic_id == primary_id,
                "raw_ref": ref,
            }
        )


def _arxiv_id_in_locations(work: _Work) -> str | None:
    for location in work.locations or ():
        found = arxiv_id_from_url((location or _NO_LOCATION).landing_page_url)
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
    """A field of a record has the wrong format; the record is quarantined."""


def _date(value: Any, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidField(f"invalid {name}: {str(value)[:40]!r} is not a YYYY-MM-DD date") from None


def _timestamp(value: Any, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidField(f"invalid {name}: {str(value)[:40]!r} is not an ISO timestamp") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
