"""The OpenAlex normalizer's fast paths give exactly what the plain code gives (benchmark 1).

Each fast path is checked against the straightforward version it replaced, on hostile input:
the canonical-id shortcut against the id pattern, the abstract rebuild against the per-position
loop, the type check of the copied columns against a check of every column, and the batch's
struct-array conversion against ``pa.Table.from_pylist``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sources import openalex_records
from sources.batch import BatchBuilder, RecordRows
from sources.identifiers import _OPENALEX, short_openalex_id
from sources.openalex_records import (
    ALL_CHECKS,
    InvalidField,
    normalize_openalex_records,
    rebuild_abstract,
)
from warehouse.schemas import SOURCE_TABLES

RECORDED = Path(__file__).resolve().parent.parent / "recorded"


def recorded_works() -> list[dict[str, Any]]:
    works: list[dict[str, Any]] = []
    for path in sorted((RECORDED / "openalex" / "works").glob("*.json")):
        works += json.loads(path.read_text()).get("results", [])
    return works


WORKS = recorded_works()
ID_TEXT = st.one_of(
    st.text(alphabet="WAISTCFPwx0123456789٣²/:. \nhtpsopenalex.org", max_size=30),
    st.from_regex(r"\s?(https?://openalex\.org/)?[WAISTCFPwz]?[0-9٣²]{0,4}\s?", fullmatch=True),
)


def pattern_id(value: str | None) -> str | None:
    match = _OPENALEX.search(value.strip()) if value else None
    return match.group(1).upper() if match else None


@given(ID_TEXT)
def test_short_openalex_id_shortcut_agrees_with_the_pattern(value: str) -> None:
    assert short_openalex_id(value) == pattern_id(value)
    assert short_openalex_id("https://openalex.org/" + value) == pattern_id("https://openalex.org/" + value)


def loop_abstract(inverted_index: Mapping[str, Any] | None) -> str | None:
    """The original rebuild: one position at a time, the first word at a position wins."""
    if not isinstance(inverted_index, Mapping):
        return None
    words_at: dict[int, str] = {}
    for word, positions in inverted_index.items():
        if not isinstance(word, str) or not isinstance(positions, list | tuple):
            continue
        for position in positions:
            if isinstance(position, int) and not isinstance(position, bool) and position >= 0:
                words_at.setdefault(position, word)
    text = " ".join(words_at[position] for position in sorted(words_at)).strip()
    return text or None


POSITION = st.one_of(st.integers(-2, 12), st.booleans(), st.floats(0, 3), st.text(max_size=1), st.none())
POSITIONS = st.one_of(st.lists(st.integers(0, 12), max_size=4), st.lists(POSITION, max_size=4))
INDEX = st.dictionaries(
    st.one_of(st.text(max_size=3), st.integers(0, 3)),
    st.one_of(POSITIONS, POSITIONS.map(tuple), st.none(), st.integers()),
    max_size=6,
)


@settings(max_examples=500)
@given(INDEX)
def test_abstract_rebuild_agrees_with_the_loop(index: dict[Any, Any]) -> None:
    assert rebuild_abstract(index) == loop_abstract(index)


JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=5), st.just([]), st.just({})
)


READ = {"id", "title", "doi", "ids", "type", "publication_date", "updated_date", "publication_year"}
READ |= {"primary_location", "locations", "language", "authorships", "topics", "primary_topic"}


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path of every value nested in the fields of a work that the normalizer reads."""
    found = [prefix] if prefix else []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, child in items:
        if prefix or key in READ:
            found += paths(child, (*prefix, key))
    return [*found, ("abstract_inverted_index",)] if not prefix else found


@st.composite
def damaged_record(draw: st.DrawFn) -> dict[str, Any]:
    """A recorded work with the values at one to four of its paths replaced by junk."""
    record = copy.deepcopy(draw(st.sampled_from([w for w in WORKS if w.get("title")])))
    for _ in range(draw(st.integers(1, 4))):
        found = paths(record)
        if not found:
            break
        *parents, key = draw(st.sampled_from(found))
        parent = record
        for step in parents:
            parent = parent[step]
        parent[key] = draw(JUNK)
    return record


def check_all(rows: RecordRows) -> str | None:
    try:
        openalex_records._check_types(rows, ALL_CHECKS)
    except InvalidField as exc:
        return str(exc)
    return None


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_record())
def test_checking_the_copied_columns_is_checking_every_column(record: dict[str, Any]) -> None:
    work_id = openalex_records._record_id(record)
    if openalex_records._work_problem(record, work_id):
        return
    try:
        rows = openalex_records._work_rows(record, work_id or "", "raw#0")
    except (TypeError, ValueError, KeyError, AttributeError):
        return
    try:
        openalex_records._check_types(rows)
        fast = None
    except InvalidField as exc:
        fast = str(exc)
    assert fast == check_all(rows)


@pytest.mark.parametrize("chunk", [0, 1, 7])
def test_batch_tables_are_the_from_pylist_tables(chunk: int) -> None:
    batch = BatchBuilder("openalex")
    records: list[Any] = [
        *WORKS,
        None,
        {"id": "W1"},
        {"id": "https://openalex.org/W2", "title": "T", "type": 5},
    ]
    normalize_openalex_records(records[chunk:], "raw", batch)
    for name, table in batch.to_tables().items():
        expected = pa.Table.from_pylist(batch.rows[name], schema=SOURCE_TABLES[name])
        assert table.equals(expected) and table.schema.equals(expected.schema, check_metadata=True)
