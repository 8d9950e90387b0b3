"""The OpenAlex normalizer's fast paths give exactly what the plain code gives (benchmark 1).

Each fast path is checked against the straightforward version it replaced, on hostile input:
the canonical-id shortcut against the id pattern, the abstract of a typed index against the
checked rebuild of the same index decoded as plain JSON, the typed decoding against a check of
every row against its canonical schema, and the batch's struct-array conversion against
``pa.Table.from_pylist``.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import msgspec
import orjson
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sources import openalex_records
from sources.batch import BatchBuilder
from sources.identifiers import _OPENALEX, short_openalex_id
from sources.openalex_records import normalize_openalex_records, rebuild_abstract
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


POSITION = st.one_of(st.integers(-2, 12), st.booleans(), st.floats(0, 3), st.text(max_size=1), st.none())
POSITIONS = st.one_of(st.lists(st.integers(0, 12), max_size=4), st.lists(POSITION, max_size=4))
INDEX = st.dictionaries(
    st.one_of(st.text(max_size=3), st.integers(0, 3)),
    st.one_of(POSITIONS, POSITIONS.map(tuple), st.none(), st.integers()),
    max_size=6,
)


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


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_record())
def test_every_row_of_an_accepted_record_fits_its_schema(record: dict[str, Any]) -> None:
    """The struct types stand for the schema check: what they let through converts, row by row."""
    batch = BatchBuilder("openalex")
    normalize_openalex_records([json.dumps(record).encode()], "raw", batch)
    assert batch.records_seen == 1
    for name, rows in batch.rows.items():
        for row in rows:
            pa.Table.from_pylist([row], schema=SOURCE_TABLES[name])  # raises if a value does not fit
    quarantined = [q for q in batch.rows["quarantine"] if q["record_type"] == "work"]
    assert len(batch.rows["works"]) + len(quarantined) == 1


INDEX_JSON = st.one_of(INDEX, st.dictionaries(st.text(max_size=3), st.lists(st.integers(0, 12), max_size=4)))


@settings(max_examples=300)
@given(st.one_of(INDEX_JSON, st.none(), st.integers(), st.text(max_size=5), st.just([])))
def test_the_typed_index_gives_the_generic_rebuild(index: Any) -> None:
    raw = json.dumps(index).encode()
    assert openalex_records._abstract(msgspec.Raw(raw)) == rebuild_abstract(json.loads(raw))


@pytest.mark.parametrize("chunk", [0, 1, 7])
def test_batch_tables_are_the_from_pylist_tables(chunk: int) -> None:
    batch = BatchBuilder("openalex")
    records: list[Any] = [
        *WORKS,
        None,
        {"id": "W1"},
        {"id": "https://openalex.org/W2", "title": "T", "type": 5},
    ]
    normalize_openalex_records([orjson.dumps(r) for r in records[chunk:]], "raw", batch)
    for name, table in batch.to_tables().items():
        expected = pa.Table.from_pylist(batch.rows[name], schema=SOURCE_TABLES[name])
        assert table.equals(expected) and table.schema.equals(expected.schema, check_metadata=True)
