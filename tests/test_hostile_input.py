"""Hostile input: hypothesis feeds malformed records to both normalizers.

Every record ends up either normalized or quarantined with a reason (never lost, never a crash),
the batch still converts to the canonical Arrow tables, and the good records in the same page give
exactly the rows they give alone.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sources.arxiv_records import normalize_arxiv_page
from sources.batch import BatchBuilder
from sources.landing import RawPage
from sources.openalex_records import normalize_openalex_records

RECORDED = Path(__file__).resolve().parent.parent / "recorded"
QUARANTINED: list[int] = []  # records quarantined over all examples, for docs/RELIABILITY.md


def good_openalex() -> list[dict[str, Any]]:
    good = []
    for path in sorted((RECORDED / "openalex" / "works").glob("*.json")):
        good += [r for r in json.loads(path.read_text()).get("results", []) if r.get("title")]
    return good[:3]


GOOD = good_openalex()
FIELDS = [
    "id",
    "title",
    "doi",
    "ids",
    "type",
    "publication_date",
    "updated_date",
    "publication_year",
    "primary_location",
    "locations",
    "language",
    "authorships",
    "topics",
    "primary_topic",
    "abstract_inverted_index",
]
ODD_TEXT = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Cf", "Zl", "Zp", "Mn"]), max_size=20),
    st.just("x" * 200_000),
    st.just("\u202e\ufeff\x00\ud7ff"),
    st.just("W" + "9" * 40),
)
JUNK = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), ODD_TEXT),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def hostile_openalex(draw: st.DrawFn) -> Any:
    """A recorded record with some fields deleted, nulled or replaced with junk, or plain junk."""
    if draw(st.integers(0, 9)) == 0:
        return draw(JUNK)
    record = copy.deepcopy(draw(st.sampled_from(GOOD)))
    for name in draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=4, unique=True)):
        action = draw(st.sampled_from(["delete", "null", "junk"]))
        if action == "delete":
            record.pop(name, None)
        else:
            record[name] = None if action == "null" else draw(JUNK)
    if draw(st.booleans()) and isinstance(record.get("authorships"), list) and record["authorships"]:
        record["authorships"][0] = draw(JUNK)  # one broken author mention
    return record


def normalized(records: list[Any]) -> dict[str, list[dict[str, Any]]]:
    batch = BatchBuilder("openalex")
    normalize_openalex_records([json.dumps(r).encode() for r in records], "raw/page", batch)
    tables = batch.to_tables()  # must convert to the canonical schemas
    assert batch.records_seen == len(records)
    return {name: table.to_pylist() for name, table in tables.items()}


def rows_of(rows: dict[str, list[dict[str, Any]]], work_id: str) -> list[Any]:
    return sorted(
        (name, json.dumps(r, sort_keys=True, default=str).replace("#1", "#0").replace("#2", "#0"))
        for name, table in rows.items()
        for r in table
        if r.get("work_id") == work_id
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(hostile_openalex(), min_size=1, max_size=4), st.integers(0, len(GOOD) - 1))
def test_openalex_normalizer_quarantines_bad_records_and_keeps_good_ones(
    hostile: list[Any], good_index: int
) -> None:
    good = GOOD[good_index]
    rows = normalized([*hostile, good])
    works = {r["work_id"] for r in rows["works"]}
    quarantined_works = [q for q in rows["quarantine"] if q["record_type"] == "work"]
    # Every record is a work row or a quarantined work with a reason (duplicated ids are kept).
    assert len(rows["works"]) + len(quarantined_works) == len(hostile) + 1
    assert all(q["reason"] and q["raw_ref"].startswith("raw/page#") for q in rows["quarantine"])
    QUARANTINED.append(len(quarantined_works))
    # The good record gives the same rows as alone (when no hostile record shares its id).
    good_id = f"openalex:{good['id'].rsplit('/', 1)[-1]}"
    assert good_id in works
    alone = normalized([good])
    if not any(isinstance(h, dict) and h.get("id") == good["id"] for h in hostile):
        mine = [r for r in rows["works"] if r["work_id"] == good_id]
        assert [{**r, "raw_ref": ""} for r in mine] == [{**r, "raw_ref": ""} for r in alone["works"]]
        assert len([r for r in rows["authorships"] if r["work_id"] == good_id]) == len(alone["authorships"])


ATOM = '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">{}</feed>'
GOOD_ENTRY = (
    "<entry><id>http://arxiv.org/abs/2101.00001v2</id><updated>2021-02-01T00:00:00Z</updated>"
    "<published>2021-01-01T00:00:00Z</published><title>A good title</title><summary>An abstract</summary>"
    "<author><name>Ada Lovelace</name><arxiv:affiliation>Somewhere</arxiv:affiliation></author>"
    '<category term="cs.LG"/><arxiv:primary_category term="cs.LG"/></entry>'
)
XML_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="\x00"), max_size=40
).filter(
    lambda t: all(c in "\t\n\r" or ord(c) >= 0x20 for c in t) and "\ufffe" not in t and "\uffff" not in t
)


@st.composite
def hostile_entry(draw: st.DrawFn, index: int) -> str:
    """An Atom entry with elements missing, empty, or holding odd text (escaped: well-formed)."""
    values = {
        "id": draw(st.one_of(st.just(f"http://arxiv.org/abs/2101.{index + 10:05d}v1"), XML_TEXT, st.none())),
        "updated": draw(st.one_of(st.just("2021-02-01T00:00:00Z"), XML_TEXT, st.none())),
        "published": draw(st.one_of(st.just("2021-01-01T00:00:00Z"), XML_TEXT, st.none())),
        "title": draw(st.one_of(XML_TEXT, st.just("t" * 100_000), st.none())),
        "summary": draw(st.one_of(XML_TEXT, st.none())),
    }
    parts = [f"<{k}>{escape(v)}</{k}>" for k, v in values.items() if v is not None]
    for name in draw(st.lists(st.one_of(XML_TEXT, st.none()), max_size=3)):
        parts.append("<author/>" if name is None else f"<author><name>{escape(name)}</name></author>")
    for term in draw(st.lists(XML_TEXT, max_size=2)):
        parts.append(f'<category term="{escape(term, {chr(34): "&quot;"})}"/>')
    return "<entry>" + "".join(parts) + "</entry>"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_arxiv_normalizer_quarantines_bad_entries_and_keeps_good_ones(data: st.DataObject) -> None:
    entries = [data.draw(hostile_entry(i)) for i in range(data.draw(st.integers(1, 4)))]
    duplicate = data.draw(st.booleans())
    page = ATOM.format("".join([*entries, GOOD_ENTRY, *([GOOD_ENTRY] if duplicate else [])]))
    batch = BatchBuilder("arxiv")
    normalize_arxiv_page(RawPage("raw/p.xml.gz", page.encode()), batch)
    tables = {name: t.to_pylist() for name, t in batch.to_tables().items()}
    quarantined = [q for q in tables["quarantine"] if q["record_type"] == "work"]
    assert len(tables["works"]) + len(quarantined) == len(entries) + 1 + duplicate
    assert all(q["reason"] for q in tables["quarantine"])
    QUARANTINED.append(len(quarantined))
    good = [w for w in tables["works"] if w["work_id"] == "arxiv:2101.00001"]
    assert len(good) == 1 + duplicate and good[0]["title"] == "A good title"


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"<feed",
        b"<html><body>Service Unavailable</body></html>",
        b"\xff\xfe<x/>",
        b"<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>",
    ],
)
def test_arxiv_page_that_is_not_a_feed_fails_its_window(content: bytes) -> None:
    from sources import SourceError

    with pytest.raises(SourceError):
        normalize_arxiv_page(RawPage("raw/p.xml.gz", content), BatchBuilder("arxiv"))


def test_zz_report_quarantined() -> None:
    print(f"HOSTILE examples {len(QUARANTINED)}, records quarantined {sum(QUARANTINED)}")
