"""Normalizers on the real recorded pages, with exact expected values; bad input quarantined."""

from __future__ import annotations

import copy
import gzip
import json
from datetime import UTC, date, datetime
from pathlib import Path

import orjson
import pytest

from sources.arxiv_records import normalize_arxiv_page
from sources.batch import BatchBuilder
from sources.errors import SourceError
from sources.landing import RawPage
from sources.openalex_records import normalize_openalex_page, rebuild_abstract


def openalex_batch(recorded: Path) -> BatchBuilder:
    batch = BatchBuilder("openalex")
    for path in sorted((recorded / "openalex" / "works").glob("*.json")):
        normalize_openalex_page(RawPage(path.name, path.read_bytes()), batch)
    return batch


def arxiv_page(recorded: Path, name: str) -> RawPage:
    (path,) = (recorded / "arxiv" / "api").glob(f"{name}_*.json")
    return RawPage(path.name, json.loads(path.read_text())["body"].encode("latin-1"))


def rows_by(batch: BatchBuilder, table: str, key: str) -> dict[str, dict[str, object]]:
    return {row[key]: row for row in batch.to_tables()[table].to_pylist()}


def test_openalex_pages_normalize_every_recorded_work(recorded: Path) -> None:
    batch = openalex_batch(recorded)
    works = batch.to_tables()["works"]
    # 483 records on the pages, 481 unique works; one has a null title.
    assert batch.records_seen == 483
    assert len(set(works.column("work_id").to_pylist())) == 480
    assert batch.quarantined_by_reason() == {
        "null title": 1,
        "null author (OpenAlex NULL AUTHOR_ID)": 4,
        "author without a name": 1,
    }
    quarantined = {(r["record_type"], r["record_id"]) for r in batch.rows["quarantine"]}
    assert ("work", "W2963341956") in quarantined
    assert ("authorship", "openalex:W4323311997#10") in quarantined  # display name '_ _'


def test_openalex_work_fields(recorded: Path) -> None:
    work = rows_by(openalex_batch(recorded), "works", "work_id")["openalex:W2525778437"]
    assert work["doi"] == "10.48550/arxiv.1609.08144"
    assert work["arxiv_id"] == "1609.08144"
    assert work["type"] == "preprint"
    assert work["publication_date"] == date(2016, 1, 1)
    assert work["display_year"] == 2016
    assert work["venue"] == "arXiv (Cornell University)"
    assert work["source_updated_at"] == datetime(2025, 5, 27, 9, 48, 12, 443954, tzinfo=UTC)
    assert str(work["abstract"]).startswith("Neural Machine Translation (NMT) is an end-to-end learning")
    assert str(work["abstract"]).endswith("compared to Google's phrase-based production system.")


def test_openalex_authorships_keep_ids_orcid_and_affiliations(recorded: Path) -> None:
    mentions = rows_by(openalex_batch(recorded), "authorships", "mention_id")
    gnmt = [m for k, m in mentions.items() if k.startswith("openalex:W2525778437#")]
    assert len(gnmt) == 31
    first = mentions["openalex:W2525778437#1"]
    assert (first["raw_name"], first["source_author_id"]) == ("Yonghui Wu", "A5010253402")
    assert first["orcid"] == "0000-0002-6780-6135"
    with_institution = [m for m in mentions.values() if m["institution_ids"]]
    assert all(str(i).startswith("I") for m in with_institution for i in m["institution_ids"])  # type: ignore[attr-defined]


def test_abstract_rebuilt_from_inverted_index() -> None:
    assert (
        rebuild_abstract({"world": [1], "Hello": [0], "again": [3], "hello": [2]})
        == "Hello world hello again"
    )
    assert rebuild_abstract({"bad": "x", "ok": [0]}) == "ok"
    assert rebuild_abstract(None) is None
    assert rebuild_abstract({}) is None


def test_arxiv_entries_keep_first_and_latest_version_dates(recorded: Path) -> None:
    batch = BatchBuilder("arxiv")
    normalize_arxiv_page(arxiv_page(recorded, "q_testing_s0_m100"), batch)
    works = rows_by(batch, "works", "work_id")
    assert len(works) == 100
    assert sum(1 for w in works.values() if w["doi"]) == 32
    work = works["arxiv:1009.3186"]
    assert work["doi"] == "10.1109/tit.2011.2148691"
    assert work["first_version_date"] == date(2010, 9, 16)  # <published>: v1
    assert work["source_updated_at"].date() == date(2011, 7, 22)  # type: ignore[union-attr]
    assert work["display_year"] == 2010
    assert work["type"] == "preprint"


def test_arxiv_affiliations(recorded: Path) -> None:
    batch = BatchBuilder("arxiv")
    normalize_arxiv_page(arxiv_page(recorded, "id_astro-ph_0601001"), batch)
    mentions = batch.to_tables()["authorships"].to_pylist()
    assert [(m["raw_name"], m["raw_affiliations"]) for m in mentions] == [
        ("Andrew Gould", ["Ohio State"]),
        ("Susan Dorsher", ["Ohio State"]),
        ("B. Scott Gaudi", ["CfA"]),
        ("Andrzej Udalski", ["Warsaw University Observatory"]),
    ]
    topics = batch.to_tables()["topics"].to_pylist()
    assert [(t["topic_id"], t["display_name"]) for t in topics] == [("arxiv:astro-ph", "Astrophysics")]


def test_arxiv_error_entry_is_quarantined(recorded: Path) -> None:
    batch = BatchBuilder("arxiv")
    normalize_arxiv_page(arxiv_page(recorded, "id_abc"), batch)
    assert batch.rows["works"] == []
    (row,) = batch.rows["quarantine"]
    assert row["reason"].startswith("arXiv error entry: incorrect id format for abc")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"meta": {}, "results": [', "not valid JSON"),
        (b"<html>502 Bad Gateway</html>", "not valid JSON"),
        (b'{"error": "Invalid query parameters error."}', "no 'results' list"),
    ],
)
def test_unusable_openalex_page_fails_the_fetch(content: bytes, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        normalize_openalex_page(RawPage("raw/x#0", content), BatchBuilder("openalex"))


@pytest.mark.parametrize("content", [b"<feed xmlns='http://www.w3.org/2005/Atom'><entry>", b"", b"<html/>"])
def test_unusable_arxiv_page_fails_the_fetch(content: bytes) -> None:
    with pytest.raises(SourceError):
        normalize_arxiv_page(RawPage("raw/x", content), BatchBuilder("arxiv"))


def test_hostile_openalex_records_are_quarantined_not_fatal(recorded: Path) -> None:
    page = json.loads((recorded / "openalex" / "works" / "keypaper_json__results_page_1.json").read_text())
    good = page["results"][0]
    hostile = [
        "not an object",
        {"id": None, "title": "x"},
        {**good, "title": "   "},
        {**good, "id": "https://openalex.org/W1", "publication_date": 20160101},
        {**good, "id": "https://openalex.org/W2", "authorships": [{"author": "nobody"}]},
    ]
    batch = BatchBuilder("openalex")
    body = orjson.dumps({"meta": {}, "results": [good, *hostile]})
    normalize_openalex_page(RawPage("raw/p.json.gz", body), batch)
    assert [w["work_id"] for w in batch.rows["works"]] == [f"openalex:{good['id'].rsplit('/', 1)[1]}"]
    assert [(q["record_id"], q["reason"]) for q in batch.rows["quarantine"]] == [
        (None, "record is not a JSON object"),
        (None, "missing or invalid OpenAlex work id"),
        (good["id"].rsplit("/", 1)[1], "null title"),
        ("W1", "invalid publication_date: '20160101' is not a YYYY-MM-DD date"),
        ("W2", "invalid record: Expected `object | null`, got `str` - at `$.authorships[].author`"),
    ]
    assert [q["raw_ref"] for q in batch.rows["quarantine"]] == [f"raw/p.json.gz#{i}" for i in range(1, 6)]


def test_landed_pages_are_unchanged_gzip(tmp_path: Path) -> None:
    from sources.landing import FetchDir

    fetch = FetchDir(tmp_path, "openalex", "run1", "scope", "window")
    ref = fetch.write_page("http://x/works?api_key=SECRET&cursor=*", b'{"results": []}')
    assert ref == "raw/openalex/run1/scope/window/page-00001.json.gz"
    assert gzip.decompress((tmp_path / ref).read_bytes()) == b'{"results": []}'
    assert "SECRET" not in (fetch.path / "pages.jsonl").read_text()


def test_arxiv_versions_are_one_work(recorded: Path) -> None:
    batch = BatchBuilder("arxiv")
    normalize_arxiv_page(arxiv_page(recorded, "id_2104.12255v1"), batch)
    normalize_arxiv_page(arxiv_page(recorded, "id_quant-ph_0201082v1"), batch)
    works = batch.to_tables()["works"].to_pylist()
    assert [(w["work_id"], w["arxiv_id"]) for w in works] == [
        ("arxiv:2104.12255", "2104.12255"),
        ("arxiv:quant-ph/0201082", "quant-ph/0201082"),
    ]
    assert [w["landing_url"] for w in works] == [
        "https://arxiv.org/abs/2104.12255v1",
        "https://arxiv.org/abs/quant-ph/0201082v1",
    ]


def test_a_batch_holds_each_institution_and_topic_row_once(recorded: Path) -> None:
    page = json.loads((recorded / "openalex" / "works" / "keypaper_json__results_page_1.json").read_text())
    work = next(w for w in page["results"] if w["authorships"][0]["institutions"] and w["topics"])
    renamed = copy.deepcopy(work)
    renamed["id"] += "0"
    renamed["authorships"][0]["institutions"][0]["display_name"] = "Renamed"
    batch = BatchBuilder("openalex")
    normalize_openalex_page(RawPage("raw/p", orjson.dumps({"results": [work, work, renamed]})), batch)
    institutions = {
        (i["id"].rsplit("/", 1)[1], i["display_name"]) for a in work["authorships"] for i in a["institutions"]
    }
    renamed_one = renamed["authorships"][0]["institutions"][0]["id"].rsplit("/", 1)[1]
    assert sorted((r["institution_id"], r["display_name"]) for r in batch.rows["institutions"]) == sorted(
        institutions | {(renamed_one, "Renamed")}
    )
    assert len(batch.rows["topics"]) == len(work["topics"])  # the same topic rows, once
    assert len(batch.rows["work_topics"]) == 3 * len(work["topics"])
