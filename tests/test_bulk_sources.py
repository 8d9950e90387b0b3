"""Bulk sources (OpenAlex snapshot, arXiv bulk metadata) give the same tables as the API path."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pytest

from sources.arxiv_records import normalize_arxiv_page
from sources.batch import BatchBuilder
from sources.bulk_arxiv import normalize_arxiv_bulk_file, normalize_arxiv_bulk_line
from sources.bulk_openalex import SnapshotPart, normalize_snapshot_part, snapshot_parts
from sources.errors import SourceError
from sources.landing import RawPage
from sources.openalex_records import normalize_openalex_page
from tests.fixtures_bulk import (
    atom_feed,
    partition,
    recorded_openalex_works,
    write_manifest,
    write_part,
    write_snapshot,
)

KAGGLE = "arxiv/kaggle-snapshot/arxiv-metadata-oai-snapshot.json"
EVERYTHING = (date(1900, 1, 1), date(2100, 1, 1))


def without_raw_ref(tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
    return {
        name: table.drop_columns(["raw_ref"]) if "raw_ref" in table.column_names else table
        for name, table in tables.items()
    }


def read_snapshot(parts: list[SnapshotPart]) -> tuple[BatchBuilder, int]:
    batch = BatchBuilder("openalex")
    read = sum(normalize_snapshot_part(p, batch, p.ref) for p in parts)
    return batch, read


@pytest.fixture(scope="module")
def works(recorded: Path) -> list[dict[str, Any]]:
    return recorded_openalex_works(recorded)


@pytest.fixture(scope="module")
def pristine_snapshot(
    tmp_path_factory: pytest.TempPathFactory, works: list[dict[str, Any]]
) -> tuple[Path, list[tuple[str, list[Any]]]]:
    root = tmp_path_factory.mktemp("bulk") / "openalex-snapshot"
    return root, write_snapshot(root, partition(works, per_part=10))


@pytest.fixture
def snapshot(
    tmp_path: Path, pristine_snapshot: tuple[Path, list[tuple[str, list[Any]]]]
) -> tuple[Path, list[tuple[str, list[Any]]]]:
    """A fresh copy of the snapshot built from the real recorded works, for one test to damage."""
    pristine, written = pristine_snapshot
    root = shutil.copytree(pristine, tmp_path / "openalex-snapshot")
    return root, written


# --- OpenAlex snapshot ---------------------------------------------------------------------------


def test_snapshot_gives_the_api_tables(snapshot: tuple[Path, list[tuple[str, list[Any]]]]) -> None:
    """The real recorded works, as a snapshot and as one API page: equal tables but for raw_ref."""
    root, written = snapshot
    parts = snapshot_parts(root, *EVERYTHING)
    assert [p.relative_path for p in parts] == [relative_path for relative_path, _ in written]
    bulk, read = read_snapshot(parts)
    in_order = [record for _, records in written for record in records]
    api = BatchBuilder("openalex")
    normalize_openalex_page(RawPage("api-page", orjson.dumps({"results": in_order})), api)

    assert read == len(in_order) == 481 and bulk.records_seen == api.records_seen
    bulk_tables, api_tables = bulk.to_tables(), api.to_tables()
    assert bulk_tables["quarantine"].num_rows == 6  # null title, NULL AUTHOR_IDs, nameless author
    for name, table in without_raw_ref(api_tables).items():
        assert without_raw_ref(bulk_tables)[name].equals(table), name
    expected_refs = {
        f"openalex:{record['id'].rsplit('/', 1)[1]}": f"snapshot/openalex/{relative_path}#{line}"
        for relative_path, records in written
        for line, record in enumerate(records)
    }
    works_table = bulk_tables["works"].to_pylist()
    assert {w["work_id"]: w["raw_ref"] for w in works_table} == {
        k: v
        for k, v in expected_refs.items()
        if k != "openalex:W2963341956"  # null title
    }
    gnmt = next(w for w in works_table if w["work_id"] == "openalex:W2525778437")
    assert re.fullmatch(r"snapshot/openalex/works/updated_date=2025-05-27/part_00\d\.gz#\d+", gnmt["raw_ref"])
    mention_refs = {m["work_id"]: m["raw_ref"] for m in bulk_tables["authorships"].to_pylist()}
    assert all(ref == expected_refs[work_id] for work_id, ref in mention_refs.items())


def test_window_reads_only_its_partitions(snapshot: tuple[Path, list[tuple[str, list[Any]]]]) -> None:
    root, written = snapshot
    days = sorted({date.fromisoformat(path.split("=")[1][:10]) for path, _ in written})
    start, end = days[3], days[7]
    # a part outside the window may be missing: the window does not need it
    (root / next(path for path, _ in written if path.startswith(f"works/updated_date={days[9]}"))).unlink()

    parts = snapshot_parts(root, start, end)

    assert sorted({p.updated_date for p in parts}) == days[3:7]
    expected = [(path, records) for path, records in written if start <= _day(path) < end]
    assert [p.relative_path for p in parts] == [path for path, _ in expected]
    batch, read = read_snapshot(parts)
    assert read == sum(len(records) for _, records in expected)
    assert all(start.isoformat() <= str(w["source_updated_at"])[:10] for w in batch.rows["works"])
    assert all(str(w["source_updated_at"])[:10] < end.isoformat() for w in batch.rows["works"])
    assert snapshot_parts(root, end, end) == []


def _day(relative_path: str) -> date:
    return date.fromisoformat(relative_path.split("updated_date=")[1][:10])


def test_record_count_mismatch_fails(snapshot: tuple[Path, list[tuple[str, list[Any]]]]) -> None:
    root, written = snapshot
    manifest = json.loads((root / "works" / "manifest").read_text())
    manifest["entries"][2]["meta"]["record_count"] += 1
    (root / "works" / "manifest").write_text(json.dumps(manifest))

    parts = snapshot_parts(root, *EVERYTHING)  # the count is checked as the part is read
    with pytest.raises(SourceError, match=r"holds \d+ records but the manifest says \d+.*re-sync") as error:
        read_snapshot(parts)
    assert written[2][0] in error.value.message


def test_missing_part_fails(snapshot: tuple[Path, list[tuple[str, list[Any]]]]) -> None:
    root, written = snapshot
    (root / written[5][0]).unlink()

    with pytest.raises(SourceError, match="listed in the manifest but missing") as error:
        snapshot_parts(root, *EVERYTHING)
    assert written[5][0] in error.value.message and "aws s3 sync" in error.value.message


def test_part_not_in_manifest_fails(snapshot: tuple[Path, list[tuple[str, list[Any]]]]) -> None:
    root, _ = snapshot
    write_part(root, "2024-10-01", "part_099.gz", [b"{}"])

    with pytest.raises(SourceError, match=r"not in the manifest.*updated_date=2024-10-01/part_099\.gz"):
        snapshot_parts(root, *EVERYTHING)


def test_missing_manifest_fails(snapshot: tuple[Path, list[tuple[str, list[Any]]]]) -> None:
    root, _ = snapshot
    (root / "works" / "manifest").unlink()

    with pytest.raises(SourceError, match="no manifest"):
        snapshot_parts(root, *EVERYTHING)


def test_truncated_part_fails(snapshot: tuple[Path, list[tuple[str, list[Any]]]]) -> None:
    root, written = snapshot
    path = root / written[0][0]
    path.write_bytes(path.read_bytes()[:-20])

    parts = snapshot_parts(root, *EVERYTHING)
    with pytest.raises(SourceError, match="not readable gzip"):
        read_snapshot(parts)


def test_invalid_json_line_is_quarantined(tmp_path: Path, works: list[dict[str, Any]]) -> None:
    lines = [
        orjson.dumps(works[0]),
        b'{"id": "https://openalex.org/W1", "title": "cut',
        orjson.dumps(works[1]),
    ]
    write_part(tmp_path, "2025-01-02", "part_000.gz", [*lines, b"", orjson.dumps(works[2])])
    write_manifest(tmp_path, {"works/updated_date=2025-01-02/part_000.gz": 4})
    (part,) = snapshot_parts(tmp_path, date(2025, 1, 2), date(2025, 1, 3))

    batch, read = read_snapshot([part])

    assert read == 4 and batch.records_seen == 4
    ref = "snapshot/openalex/works/updated_date=2025-01-02/part_000.gz"
    assert batch.rows["quarantine"] == [
        {
            "record_type": "work",
            "record_id": None,
            "reason": "invalid JSON line",
            "source": "openalex",
            "raw_ref": f"{ref}#1",
        }
    ]
    assert [w["raw_ref"] for w in batch.rows["works"]] == [f"{ref}#0", f"{ref}#2", f"{ref}#4"]


# --- arXiv bulk metadata -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kaggle(recorded: Path) -> BatchBuilder:
    batch = BatchBuilder("arxiv")
    assert normalize_arxiv_bulk_file(recorded / KAGGLE, batch, "snapshot/arxiv/kaggle.json") == 200
    return batch


def rows(batch: BatchBuilder, table: str, work_id: str) -> list[dict[str, Any]]:
    return [row for row in batch.to_tables()[table].to_pylist() if row["work_id"] == work_id]


def test_arxiv_bulk_normalizes_every_real_record(kaggle: BatchBuilder) -> None:
    assert kaggle.records_seen == 200 and kaggle.quarantined_by_reason() == {}
    assert len(kaggle.rows["works"]) == 200
    assert len(kaggle.rows["authorships"]) == 537  # authors_parsed entries (PROVENANCE)
    assert sum(1 for w in kaggle.rows["works"] if w["doi"]) == 117


def test_arxiv_bulk_fields_of_0704_0001(kaggle: BatchBuilder) -> None:
    (work,) = rows(kaggle, "works", "arxiv:0704.0001")
    assert (
        work["title"]
        == work["title_raw"]
        == ("Calculation of prompt diphoton production cross sections at Tevatron and LHC energies")
    )
    assert work["first_version_date"] == date(2007, 4, 2)  # v1: Mon, 2 Apr 2007 19:18:42 GMT
    assert work["source_updated_at"] == datetime(2007, 7, 24, 20, 10, 27, tzinfo=UTC)  # v2
    assert work["display_year"] == 2007
    assert work["doi"] == "10.1103/physrevd.76.013009"
    assert work["journal_ref"] == "Phys.Rev.D76:013009,2007"
    assert work["landing_url"] == "https://arxiv.org/abs/0704.0001v2"
    assert (work["type"], work["venue"], work["venue_type"]) == ("preprint", "arXiv", "repository")
    assert str(work["abstract"]).startswith("A fully differential calculation in perturbative quantum chromo")
    assert "\n" not in str(work["abstract"]) and "  " not in str(work["abstract"])
    assert work["raw_ref"] == "snapshot/arxiv/kaggle.json#0"
    names = [m["raw_name"] for m in rows(kaggle, "authorships", "arxiv:0704.0001")]
    assert names == ["C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C. -P. Yuan"]
    topics = rows(kaggle, "work_topics", "arxiv:0704.0001")
    assert [(t["topic_id"], t["is_primary"]) for t in topics] == [("arxiv:hep-ph", True)]


def test_arxiv_bulk_categories_primary_first_with_taxonomy_names(kaggle: BatchBuilder) -> None:
    topics = rows(kaggle, "work_topics", "arxiv:0704.0002")
    assert [(t["topic_id"], t["is_primary"]) for t in topics] == [
        ("arxiv:math.CO", True),
        ("arxiv:cs.CG", False),
    ]
    named = {t["topic_id"]: t for t in kaggle.to_tables()["topics"].to_pylist()}
    assert (named["arxiv:cs.CG"]["display_name"], named["arxiv:cs.CG"]["field"]) == (
        "Computational Geometry",
        "Computer Science",
    )


def test_arxiv_bulk_authors_are_unicode_not_latex(recorded: Path, kaggle: BatchBuilder) -> None:
    """``authors`` carries the submitter's LaTeX; the rows use ``authors_parsed`` (Unicode, as the API)."""
    raw = {r["id"]: r for r in map(json.loads, (recorded / KAGGLE).read_text().splitlines())}
    assert "Bal\\'azs" in raw["0704.0001"]["authors"]
    mentions = kaggle.to_tables()["authorships"].to_pylist()
    assert not [m["raw_name"] for m in mentions if "\\" in m["raw_name"] or "{" in m["raw_name"]]
    balazs = next(m for m in mentions if m["mention_id"] == "arxiv:0704.0001#1")
    assert (balazs["raw_name"], balazs["name_key"]) == ("C. Balázs", "c balazs")
    # authors_parsed's fourth item is the affiliation the API gives as <arxiv:affiliation>
    with_affiliation = {m["raw_name"]: m["raw_affiliations"] for m in mentions if m["raw_affiliations"]}
    assert with_affiliation["V. M. Biryukov"] == ["Serpukhov, IHEP"]
    assert "Neal J. Evans II" in {m["raw_name"] for m in mentions}  # [last, first, suffix]


def test_arxiv_bulk_window_on_update_date(recorded: Path) -> None:
    raw = [json.loads(line) for line in (recorded / KAGGLE).read_text().splitlines()]
    start, end = date(2008, 1, 1), date(2009, 1, 1)
    expected = [r["id"] for r in raw if start.isoformat() <= r["update_date"] < end.isoformat()]
    batch = BatchBuilder("arxiv")

    read = normalize_arxiv_bulk_file(recorded / KAGGLE, batch, "k", start, end)

    assert 0 < read == len(expected) < 200
    assert [w["arxiv_id"] for w in batch.rows["works"]] == expected


BAD_LINES = [
    (b'{"id": "0704.0001", "title": "cut', "invalid JSON line"),
    (b"[1, 2]", "record is not a JSON object"),
    (b'{"title": "T", "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}]}',
     "missing or invalid arXiv id"),
    (b'{"id": "not an id", "title": "T"}', "missing or invalid arXiv id"),
    (b'{"id": "0704.0001", "title": "  ", "versions": []}', "null title"),
    (b'{"id": "0704.0001", "title": "T", "versions": []}', "no versions"),
    (b'{"id": "0704.0001", "title": "T", "versions": [{"version": "v1", "created": "yesterday"}]}',
     "invalid version entry: \"{'version': 'v1', 'created': 'yesterday'}\""),
    (b'{"id": "0704.0001", "title": "T", "authors_parsed": "Smith, J.",'
     b' "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}]}',
     "unreadable record: TypeError"),
]  # fmt: skip


@pytest.mark.parametrize(("line", "reason"), BAD_LINES)
def test_arxiv_bulk_bad_lines_are_quarantined(line: bytes, reason: str) -> None:
    batch = BatchBuilder("arxiv")
    normalize_arxiv_bulk_line(line, "bulk.json#3", batch)
    assert batch.rows["works"] == [] and batch.records_seen == 1
    (row,) = batch.rows["quarantine"]
    assert (row["reason"], row["raw_ref"], row["record_type"]) == (reason, "bulk.json#3", "work")


def test_arxiv_bulk_nameless_author_is_quarantined_alone() -> None:
    line = orjson.dumps(
        {
            "id": "hep-th/9901001",
            "title": "Old-style id",
            "versions": [{"version": "v1", "created": "Fri, 1 Jan 1999 00:00:00 GMT"}],
            "authors_parsed": [["", "", ""], ["Witten", "Edward", ""]],
            "categories": "hep-th",
        }
    )
    batch = BatchBuilder("arxiv")
    normalize_arxiv_bulk_line(line, "bulk.json#0", batch)
    assert [w["work_id"] for w in batch.rows["works"]] == ["arxiv:hep-th/9901001"]
    assert [(m["position"], m["raw_name"]) for m in batch.rows["authorships"]] == [(2, "Edward Witten")]
    assert [(q["record_id"], q["reason"]) for q in batch.rows["quarantine"]] == [
        ("arxiv:hep-th/9901001#1", "author without a name")
    ]


def test_bad_lines_in_a_file_do_not_stop_it(tmp_path: Path, recorded: Path) -> None:
    good = (recorded / KAGGLE).read_bytes().splitlines()[:2]
    path = tmp_path / "bulk.json.gz"
    path.write_bytes(gzip.compress(b"\n".join([good[0], b"not json", b"", good[1]]) + b"\n"))
    batch = BatchBuilder("arxiv")

    assert normalize_arxiv_bulk_file(path, batch, "bulk") == 3
    assert [w["raw_ref"] for w in batch.rows["works"]] == ["bulk#0", "bulk#3"]
    assert [(q["reason"], q["raw_ref"]) for q in batch.rows["quarantine"]] == [
        ("invalid JSON line", "bulk#1")
    ]


@pytest.mark.parametrize("arxiv_id", ["0704.0001", "0704.0002"])
def test_arxiv_bulk_and_api_paths_agree(recorded: Path, arxiv_id: str) -> None:
    """No arXiv id of the 200 Kaggle records (0704.0001-0704.0200) is in the recorded API responses,
    so the two paths cannot be compared on one recorded paper. Instead the Kaggle record is written as
    an Atom entry the way the API prints a paper (v1 date as <published>, last version's as <updated>,
    alternate link to the last version, primary category first, arxiv:doi and arxiv:journal_ref) and
    both normalizers must agree.
    """
    api_ids = set()
    for path in (recorded / "arxiv" / "api").glob("*.json"):
        body = json.loads(path.read_text())["body"].encode("latin-1").decode("utf-8")
        api_ids |= set(re.findall(r"<id>https?://arxiv\.org/abs/(.+?)(?:v\d+)?</id>", body))
    raw = [json.loads(line) for line in (recorded / KAGGLE).read_text().splitlines()]
    assert api_ids and not api_ids & {r["id"] for r in raw}

    record = next(r for r in raw if r["id"] == arxiv_id)
    bulk, api = BatchBuilder("arxiv"), BatchBuilder("arxiv")
    normalize_arxiv_bulk_line(orjson.dumps(record), "bulk#1", bulk)
    normalize_arxiv_page(RawPage("api#0", atom_feed(record)), api)
    assert bulk.records_seen == api.records_seen == 1
    for name, table in without_raw_ref(api.to_tables()).items():
        assert without_raw_ref(bulk.to_tables())[name].equals(table), name


def test_arxiv_bulk_window_falls_back_to_last_version_date(tmp_path: Path) -> None:
    def line(arxiv_id: str, created: str, **extra: str) -> bytes:
        versions = [
            {"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"},
            {"version": "v2", "created": created},
        ]
        return orjson.dumps({"id": arxiv_id, "title": "T", "versions": versions, **extra})

    path = tmp_path / "bulk.json"
    lines = [
        line("0704.0001", "Tue, 24 Jul 2007 20:10:27 GMT"),  # no update_date: v2's day is in the window
        line("0704.0002", "Tue, 24 Jul 2007 20:10:27 GMT", update_date="2008-11-26"),  # changed later
        line("0704.0003", "Wed, 1 Aug 2007 00:00:00 GMT"),  # v2 on the window's end: outside
        b"not json",  # cannot be placed in a window: quarantined, not lost
    ]
    path.write_bytes(b"\n".join(lines))
    batch = BatchBuilder("arxiv")

    assert normalize_arxiv_bulk_file(path, batch, "b", date(2007, 7, 1), date(2007, 8, 1)) == 2
    assert [w["work_id"] for w in batch.rows["works"]] == ["arxiv:0704.0001"]
    assert [q["raw_ref"] for q in batch.rows["quarantine"]] == ["b#3"]
