"""OpenAlex ``filter=`` parameter: parse the ``key:value,key:value`` list into record predicates.

Only the filters the pipeline sends are supported; any other key answers 400 as OpenAlex does for
an invalid field, so a flow that starts sending a new filter fails loudly instead of getting an
unfiltered answer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import unquote_plus

WorkPredicate = Callable[[dict[str, Any]], bool]

_DATE_FILTERS = {
    "from_updated_date": ("updated_date", "from"),
    "to_updated_date": ("updated_date", "to"),
    "from_publication_date": ("publication_date", "from"),
    "to_publication_date": ("publication_date", "to"),
}
_ID_FILTERS = {"openalex", "ids.openalex", "openalex_id"}  # pyalex sends openalex_id for id lists
_DOI_FILTERS = {"doi", "ids.doi"}
SUPPORTED_FILTERS = tuple(sorted({*_DATE_FILTERS, *_ID_FILTERS, *_DOI_FILTERS, "type"}))


class WorksQueryError(ValueError):
    """A ``/works`` query the replay server cannot answer; the message is sent to the client."""


def parse_filter(raw: str) -> list[WorkPredicate]:
    """Parse a raw (still URL-encoded) ``filter`` value into one predicate per clause.

    Clauses are split on literal commas before decoding, so an encoded comma inside a value (as
    pyalex sends it) stays part of the value. A value may hold ``a|b`` alternatives and a leading
    ``!`` for negation, as in OpenAlex.

    Args:
        raw: The filter parameter as it appears in the query string.

    Returns:
        Predicates that must all hold for a work to match.

    Raises:
        WorksQueryError: On an unknown key or a malformed value.
    """
    if ":" not in raw:
        raw = unquote_plus(raw)  # the whole value was encoded, separators included
    predicates = []
    for clause in raw.split(","):
        key, sep, value = unquote_plus(clause).partition(":")
        if not sep or not value:
            raise WorksQueryError(f"Invalid filter {clause!r}: expected key:value")
        predicates.append(_clause_predicate(key.strip().replace("-", "_"), value))
    return predicates


def _clause_predicate(key: str, value: str) -> WorkPredicate:
    negate = value.startswith("!")
    alternatives = value.removeprefix("!").split("|")
    if key in _DATE_FILTERS:
        if negate or len(alternatives) > 1:
            raise WorksQueryError(f"{key} takes a single date, got {value!r}")
        return _date_predicate(key, value)
    normalise: Callable[[str], str]
    if key in _ID_FILTERS:
        field, normalise = "id", _short_work_id
    elif key in _DOI_FILTERS:
        field, normalise = "doi", _short_doi
    elif key == "type":
        field, normalise = "type", str.strip
    else:
        supported = ", ".join(SUPPORTED_FILTERS)
        raise WorksQueryError(f"{key} is not a valid field. The replay server supports: {supported}")
    wanted = {normalise(item) for item in alternatives}

    def matches(work: dict[str, Any]) -> bool:
        found = work.get(field)
        return (found is not None and normalise(found) in wanted) != negate

    return matches


def _date_predicate(key: str, value: str) -> WorkPredicate:
    field, side = _DATE_FILTERS[key]
    try:
        bound = _naive_utc(datetime.fromisoformat(value))
    except ValueError:
        raise WorksQueryError(
            f"Value for {key} must be a date (YYYY-MM-DD) or an ISO datetime, got {value!r}"
        ) from None
    if side == "to" and len(value) == 10:
        # A bare date is inclusive: the whole day counts.
        bound += timedelta(days=1) - timedelta(microseconds=1)

    def matches(work: dict[str, Any]) -> bool:
        stamp = _work_stamp(work.get(field))
        if stamp is None:
            return False
        return stamp >= bound if side == "from" else stamp <= bound

    return matches


def _naive_utc(moment: datetime) -> datetime:
    # OpenAlex stamps are naive UTC; compare like with like.
    if moment.tzinfo is None:
        return moment
    offset = moment.utcoffset() or timedelta(0)
    return moment.replace(tzinfo=None) - offset


def _work_stamp(text: object) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), time())
    return datetime.fromisoformat(text)


def _short_work_id(work_id: str) -> str:
    return work_id.strip().removeprefix("https://openalex.org/").upper()


def _short_doi(doi: str) -> str:
    short = doi.strip().lower()
    for prefix in ("https://doi.org/", "http://doi.org/", "doi:"):
        short = short.removeprefix(prefix)
    return short
