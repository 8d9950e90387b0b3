"""Lake batches to a published DuckDB warehouse: contents, comments, atomic swap under readers."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from enrich import enrich_batch
from sources.arxiv_records import normalize_arxiv_page
from sources.batch import BatchBuilder
from sources.landing import RawPage
from sources.openalex_records import normalize_openalex_page
from warehouse import build_and_publish, clean_lake, open_readonly, read_profile, write_batch
from warehouse.build import BuildOptions, build_pages, page_batches
from warehouse.state import PIPELINE_RUNS, WATERMARKS

BUILT_AT = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
STATE = {"pipeline_runs": PIPELINE_RUNS.empty_table(), "watermarks": WATERMARKS.empty_table()}


def stage_recorded(
    recorded: Path, lake: Path, *, arxiv: bool = True, openalex_pages: int | None = None
) -> None:
    """Stage the recorded responses (only the first ``openalex_pages`` OpenAlex pages, when given)."""
    openalex = BatchBuilder("openalex")
    for path in sorted((recorded / "openalex" / "works").glob("*.json"))[:openalex_pages]:
        normalize_openalex_page(RawPage(path.name, path.read_bytes()), openalex)
    write_batch(lake, "openalex", "recorded", "w1", enrich_batch(openalex.to_tables()))
    if arxiv:
        batch = BatchBuilder("arxiv")
        for path in sorted((recorded / "arxiv" / "api").glob("*.json")):
            page = json.loads(path.read_text())
            if page["status_code"] == 200:
                normalize_arxiv_page(RawPage(path.name, page["body"].encode("latin-1")), batch)
        write_batch(lake, "arxiv", "testing", "w1", enrich_batch(batch.to_tables()))


@pytest.fixture(scope="module")
def published(recorded: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("data")
    stage_recorded(recorded, data / "lake")
    build_and_publish(data / "lake", data / "warehouse.duckdb", "run1", BUILT_AT, STATE)
    return data / "warehouse.duckdb"


def query(path: Path, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_tables_and_counts(published: Path) -> None:
    counts = {
        t: query(published, f"SELECT count(*) FROM {t}")[0][0]
        for t in ["works", "authorships", "authors", "institutions", "topics", "work_topics", "quarantine"]
    }
    # 481 unique OpenAlex works less 1 null title, and 105 arXiv papers: 585 records. OpenAlex's
    # preprint (W4365441044) and published (W4389543639) records of one paper merge, and so do six
    # preprint-server records (JMIR Preprints, OSF, SSRN) with their journal or book versions: 578.
    assert counts["works"] == 578
    assert counts["quarantine"] == 6
    assert counts["authorships"] == 2128
    assert query(published, "SELECT count(*) FROM author_profiles")[0][0] == counts["authors"]


def test_every_table_and_column_has_a_comment(published: Path) -> None:
    missing = query(
        published,
        "SELECT table_name, column_name FROM duckdb_columns() WHERE NOT internal AND comment IS NULL",
    )
    assert missing == []
    tables = query(published, "SELECT table_name FROM duckdb_tables() WHERE comment IS NULL")
    assert tables == []


def author_of(path: Path, mention_id: str) -> str:
    (row,) = query(path, f"SELECT author_id FROM authorships WHERE mention_id = '{mention_id}'")
    return str(row[0])


def test_profile_header_numbers(published: Path) -> None:
    with open_readonly(published) as con:
        profile = read_profile(con, author_of(published, "openalex:W2525778437#1"))
    assert profile is not None
    assert (profile.display_name, profile.orcid) == ("Yonghui Wu", "0000-0002-6780-6135")
    assert (profile.works_count, profile.coauthor_count, profile.topics_count) == (1, 30, 3)
    assert [w.title[:37] for w in profile.works] == ["Google's Neural Machine Translation S"]


def test_arxiv_author_affiliation_reaches_the_profile(published: Path) -> None:
    author_id = author_of(published, "arxiv:astro-ph/0601001#3")
    sql = f"SELECT display_name, affiliation FROM author_profiles WHERE author_id = '{author_id}'"
    assert query(published, sql) == [("B. Scott Gaudi", "CfA")]


def test_duckdb_1x_cli_reads_the_warehouse(published: Path) -> None:
    cli = shutil.which("duckdb", path=str(Path(sys.executable).parent))
    assert cli is not None, "the duckdb CLI (PyPI duckdb-cli) is a dev dependency"
    version = subprocess.run([cli, "--version"], capture_output=True, text=True, check=True).stdout
    assert version.startswith("v1.")
    out = subprocess.run(
        [cli, "-readonly", "-csv", "-noheader", str(published), "SELECT count(*) FROM works"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "578"


def test_rebatching_a_window_replaces_it(recorded: Path, tmp_path: Path) -> None:
    stage_recorded(recorded, tmp_path / "lake")
    stage_recorded(recorded, tmp_path / "lake")  # same windows again: replaced, not appended
    counts = build_and_publish(tmp_path / "lake", tmp_path / "w.duckdb", "r", BUILT_AT, STATE)
    assert (counts.works, counts.authorships) == (578, 2128)


def test_interrupted_writes_are_cleaned_up(recorded: Path, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    stage_recorded(recorded, lake, arxiv=False)
    target = lake / "batches" / "openalex" / "recorded" / "w1"
    target.rename(target.with_name(".old-w1-12345678"))  # crash between the two renames
    (lake / "batches" / "openalex" / "recorded" / ".tmp-w2-abcdef12").mkdir()
    (tmp_path / ".warehouse-crashed.duckdb").write_bytes(b"half a file")
    removed = clean_lake(lake)
    assert [p.name for p in removed] == [".tmp-w2-abcdef12"]
    assert target.is_dir()  # the old batch is restored
    counts = build_and_publish(lake, tmp_path / "warehouse.duckdb", "r", BUILT_AT, STATE)
    assert counts.works == 473
    assert not (tmp_path / ".warehouse-crashed.duckdb").exists()


def test_a_clean_up_leaves_the_writes_of_running_processes(tmp_path: Path) -> None:
    # A publish cleans the lake while another flow may be staging a window: that writer's
    # temporary entries (named with its pid) stay; those of a writer that is gone are removed.
    folder = tmp_path / "lake" / "batches" / "openalex" / "recorded"
    folder.mkdir(parents=True)
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True
    )
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) as writer:
        names = [
            f".old-w3-{writer.pid}-abcdef12",
            f".tmp-w3-{writer.pid}-abcdef12",
            f".tmp-w4-{int(gone.stdout)}-abcdef12",
        ]
        for name in names:
            (folder / name).mkdir()
        removed = clean_lake(tmp_path / "lake")
        writer.kill()
    assert [p.name for p in removed] == names[2:]
    assert sorted(p.name for p in folder.iterdir()) == names[:2]


def test_pages_built_in_batches_equal_pages_built_at_once(
    published: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("warehouse.build.PAGE_MEMORY_PER_AUTHOR", 900_000)  # 291 authors a batch
    assert page_batches(2000, 500 * 2**20) == 7
    options = BuildOptions(memory_limit="500MiB")
    lake = published.parent / "lake"
    counts = build_and_publish(lake, tmp_path / "warehouse.duckdb", "batched", BUILT_AT, STATE, options)
    assert counts.authors == 2000
    pages = "SELECT author_id, page FROM profile_pages ORDER BY author_id"
    assert query(tmp_path / "warehouse.duckdb", pages) == query(published, pages)


class _StarvedPages:
    """A connection on which the page build's insert runs out of memory below ``fits`` batches."""

    def __init__(self, con: duckdb.DuckDBPyConnection, fits: int) -> None:
        self.con, self.fits, self.inserts = con, fits, 0

    def execute(self, sql: str, params: dict[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
        if params is None or "batches" not in params:  # not the page insert
            return self.con.execute(sql, params)
        self.inserts += 1
        if params["batches"] < self.fits:
            raise duckdb.OutOfMemoryException("Out of Memory Error: failed to allocate data (test)")
        return self.con.execute(sql, params)


def _rebuild_pages(published: Path, copy: Path, fits: int) -> tuple[list[str], int]:
    """Build the pages of a copy of ``published`` again on a connection starved below ``fits`` batches."""
    shutil.copyfile(published, copy)
    lines: list[str] = []
    with duckdb.connect(str(copy)) as con:
        con.execute("DROP TABLE profile_pages")
        starved = _StarvedPages(con, fits)
        build_pages(starved, lines.append)  # type: ignore[arg-type]
    return lines, starved.inserts


def test_a_page_batch_out_of_memory_is_split_until_its_halves_fit(published: Path, tmp_path: Path) -> None:
    lines, inserts = _rebuild_pages(published, tmp_path / "warehouse.duckdb", fits=4)
    # 1 batch fails, its 2 halves fail, their 4 quarters fit: 7 inserts, the pages are the same.
    assert lines == [
        "profile pages: batch 0 of 1 ran out of memory, splitting it in two",
        "profile pages: batch 0 of 2 ran out of memory, splitting it in two",
        "profile pages: batch 1 of 2 ran out of memory, splitting it in two",
    ]
    assert inserts == 7
    pages = "SELECT author_id, page FROM profile_pages ORDER BY author_id"
    rows = query(tmp_path / "warehouse.duckdb", pages)
    assert len(rows) == 2000
    assert rows == query(published, pages)


def test_pages_that_do_not_fit_one_author_a_batch_fail_and_say_so(published: Path, tmp_path: Path) -> None:
    with pytest.raises(duckdb.OutOfMemoryException, match="batches of about one author"):
        _rebuild_pages(published, tmp_path / "warehouse.duckdb", fits=10**9)


def test_page_batches_follow_the_memory_limit() -> None:
    # 100k synthetic works have 163,460 authors: 6 batches in 2 GB (DuckDB: 1.8 GiB), 18 in 600 MB
    # (572.2 MiB), one in DuckDB's default on this kind of machine (18.8 GiB); 1M works (1,610,714):
    # 37 batches in 3 GB.
    assert page_batches(163_460, 1.8 * 2**30) == 6
    assert page_batches(163_460, 572.2 * 2**20) == 18
    assert page_batches(163_460, 18.8 * 2**30) == 1
    assert page_batches(1_610_714, 2.7 * 2**30) == 37
    assert page_batches(0, 2**30) == 1


def test_a_build_over_its_memory_limit_fails_and_leaves_the_published_state(
    published: Path, tmp_path: Path
) -> None:
    shutil.copyfile(published, tmp_path / "warehouse.duckdb")
    before = (tmp_path / "warehouse.duckdb").read_bytes()
    hint = (
        "the warehouse build ran out of memory while loading the lake's batches: raise warehouse_memory_limit"
    )
    with pytest.raises(duckdb.OutOfMemoryException, match=re.escape(hint)):
        build_and_publish(
            published.parent / "lake",
            tmp_path / "warehouse.duckdb",
            "starved",
            BUILT_AT,
            STATE,
            BuildOptions(memory_limit="1MB"),
        )
    assert (tmp_path / "warehouse.duckdb").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["warehouse.duckdb"]


def test_parquet_copies_follow_each_publish_and_are_never_partial(
    recorded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stage_recorded(recorded, tmp_path / "lake", arxiv=False)
    target = tmp_path / "data" / "warehouse.duckdb"
    for run in ("r1", "r2", "r3"):
        build_and_publish(tmp_path / "lake", target, run, BUILT_AT, STATE)
    parquet = tmp_path / "data" / "parquet"
    # The newest publish is current; the one before stays for readers still in it; older ones go.
    assert sorted(p.name for p in parquet.iterdir()) == ["current", "r2", "r3"]
    assert os.readlink(parquet / "current") == "r3"
    with duckdb.connect(str(target), read_only=True) as con:
        tables = [str(t) for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        counts = {t: (con.execute(f"SELECT count(*) FROM {t}").fetchone() or (0,))[0] for t in tables}
    copies = {p.stem: pq.read_metadata(p).num_rows for p in (parquet / "current").glob("*.parquet")}
    assert copies == {t: n for t, n in counts.items() if t != "profile_pages"}
    assert (len(copies), copies["works"], copies["authorships"]) == (20, 473, 1720)
    # A copy of the data folder that followed the link (cp -r) holds a real folder there: the next
    # publish puts the link back.
    (parquet / "current").unlink()
    shutil.copytree(parquet / "r3", parquet / "current")
    build_and_publish(tmp_path / "lake", target, "r4", BUILT_AT, STATE)
    assert os.readlink(parquet / "current") == "r4"
    assert sorted(p.name for p in parquet.iterdir()) == ["current", "r4"]
    # A run id published before (a script's fixed one) replaces its folder: the rename failed with
    # "Directory not empty" after the warehouse file had been swapped in.
    build_and_publish(tmp_path / "lake", target, "r4", BUILT_AT, STATE)
    assert sorted(p.name for p in parquet.iterdir()) == ["current", "r4"]
    assert pq.read_metadata(parquet / "current" / "works.parquet").num_rows == 473

    def disk_full(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
        folder.mkdir(parents=True)
        (folder / "works.parquet").write_bytes(b"PAR1 half a file")
        raise OSError("No space left on device")

    monkeypatch.setattr("warehouse.build.write_copies", disk_full)
    before = target.read_bytes()
    with pytest.raises(OSError, match="No space left"):
        build_and_publish(tmp_path / "lake", target, "r5", BUILT_AT, STATE)
    # Nothing half-written is left, and both the warehouse and its copies are the published ones.
    assert sorted(p.name for p in parquet.iterdir()) == ["current", "r4"]
    assert target.read_bytes() == before


READER = textwrap.dedent(
    """
    import sys, time, pathlib
    from warehouse.read import open_readonly
    path, stop_file = sys.argv[1], sys.argv[2]
    seen, errors, reads = set(), 0, 0
    while not pathlib.Path(stop_file).exists() or reads < 200:
        try:
            with open_readonly(pathlib.Path(path)) as con:
                works = con.execute("SELECT count(*) FROM works").fetchone()[0]
                mentions = con.execute("SELECT count(*) FROM authorships").fetchone()[0]
                profiles = con.execute("SELECT count(*) FROM author_profiles").fetchone()[0]
            seen.add((works, mentions, profiles))
        except Exception as exc:
            errors += 1
            print("ERROR", type(exc).__name__, exc, file=sys.stderr)
        reads += 1
    print(reads, errors, sorted(seen))
    """
)


def test_readers_never_fail_and_see_one_state_during_publishes(recorded: Path, tmp_path: Path) -> None:
    small, full = tmp_path / "small", tmp_path / "full"
    stage_recorded(recorded, small, arxiv=False)
    stage_recorded(recorded, full)
    target = tmp_path / "warehouse.duckdb"
    build_and_publish(small, target, "r0", BUILT_AT, STATE)
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(target), str(stop)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[1],
    )
    published_states = set()
    for i in range(6):
        build_and_publish(full if i % 2 == 0 else small, target, f"r{i + 1}", BUILT_AT, STATE)
        counts = "SELECT (SELECT count(*) FROM works), (SELECT count(*) FROM authorships), "
        published_states.add(query(target, counts + "(SELECT count(*) FROM author_profiles)")[0])
    stop.touch()
    out, _ = reader.communicate(timeout=120)
    reads, errors, seen = out.split(" ", 2)
    assert int(errors) == 0
    assert int(reads) >= 200
    assert {works for works, _, _ in published_states} == {473, 578}
    # Every read saw one whole published state: works, mentions and profiles of the same build.
    assert set(eval(seen)) <= published_states


def test_state_tables_are_published(recorded: Path, tmp_path: Path) -> None:
    stage_recorded(recorded, tmp_path / "lake", arxiv=False)
    marks = pa.Table.from_pylist(
        [
            {
                "source": "openalex",
                "scope": "recorded",
                "watermark": BUILT_AT,
                "run_id": "r",
                "updated_at": BUILT_AT,
            }
        ],
        schema=WATERMARKS,
    )
    build_and_publish(tmp_path / "lake", tmp_path / "w.duckdb", "r", BUILT_AT, {**STATE, "watermarks": marks})
    assert query(tmp_path / "w.duckdb", "SELECT source, scope, run_id FROM watermarks") == [
        ("openalex", "recorded", "r")
    ]


def test_arxiv_record_with_a_publisher_doi_is_shown_as_published(published: Path) -> None:
    row = query(
        published,
        "SELECT type, has_preprint, doi, display_year, first_version_date, venue FROM works "
        "WHERE work_id = 'arxiv:1009.3186'",
    )
    # Real arXiv entry: v1 2010-09-16, <arxiv:doi>10.1109/TIT.2011.2148691, no journal reference.
    assert row == [("article", True, "10.1109/tit.2011.2148691", 2010, date(2010, 9, 16), None)]
    sql = "SELECT type, venue, display_year FROM works WHERE work_id = 'arxiv:0804.0970'"
    with_ref = query(published, sql)
    # Real arXiv entry with a journal reference: the published venue and its year win over "arXiv".
    assert with_ref == [("article", "Formal Methods and Testing, Springer-Verlag (Ed.) (2008) 209-239", 2008)]


def test_a_publish_during_a_connect_is_noticed_and_the_new_file_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DuckDB opens the path three times while connecting; a swap in between must not be trusted.
    target, new = tmp_path / "warehouse.duckdb", tmp_path / ".warehouse-next.duckdb"
    for path, rows in ((target, 1), (new, 2)):
        with duckdb.connect(str(path)) as con:
            con.execute(f"CREATE TABLE works AS SELECT range AS i FROM range({rows})")
    real_connect, calls = duckdb.connect, []

    def connect_while_publishing(database: str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        con = real_connect(database, read_only=read_only)
        calls.append(database)
        if len(calls) == 1:
            os.replace(new, target)  # the publish lands while the first connect is under way
        return con

    monkeypatch.setattr(duckdb, "connect", connect_while_publishing)
    with open_readonly(target) as con:
        assert con.execute("SELECT count(*) FROM works").fetchone() == (2,)
    assert len(calls) == 2


def test_the_build_reports_each_stage_as_it_starts_and_ends(recorded: Path, tmp_path: Path) -> None:
    stage_recorded(recorded, tmp_path / "lake", arxiv=False)
    lines: list[str] = []
    target = tmp_path / "w.duckdb"
    counts = build_and_publish(tmp_path / "lake", target, "r", BUILT_AT, STATE, progress=lines.append)
    stages = [
        "loading the lake's batches",
        "merging works across sources",
        "resolving author identities of 1720 mentions",
        "deriving authors, collaborators and summaries",
        "building profile pages",
        "counting and comparing with the published warehouse",
        "writing the new warehouse file",
        "writing the tables as Parquet",
    ]
    timed = [line for line in lines if ": done in " in line]
    assert [line.rsplit(": done in ", 1)[0] for line in timed] == [f"build: {s}" for s in stages]
    assert all(line.endswith(" s") for line in timed)
    untimed = [line for line in lines if line not in timed]
    assert untimed == [
        *[f"build: {s} ..." for s in stages[:3]],
        "build: identity units: 1596 clustered (0 of them extending their earlier clusters), 0 reused",
        *[f"build: {s} ..." for s in stages[3:]],
        f"build: published 473 works, 1635 authors to {target}",
    ]
    assert (counts.works, counts.authors, counts.authorships) == (473, 1635, 1720)


def test_a_build_copies_the_pages_whose_inputs_did_not_change(
    recorded: Path, published: Path, tmp_path: Path
) -> None:
    # 8 of the 19 OpenAlex pages first, then all: the second build copies the pages of the authors
    # the new works do not touch, and its pages equal those of a build from nothing.
    target, lake = tmp_path / "warehouse.duckdb", tmp_path / "lake"
    stage_recorded(recorded, lake, openalex_pages=8)
    first: list[str] = []
    build_and_publish(lake, target, "r1", BUILT_AT, STATE, progress=first.append)
    assert not [line for line in first if "copied" in line]
    stage_recorded(recorded, lake)
    lines: list[str] = []
    counts = build_and_publish(lake, target, "r2", BUILT_AT, STATE, progress=lines.append)
    assert counts.authors == 2000
    assert f"build: profile pages: 674 of 2000 unchanged, copied from {target}" in lines
    pages = "SELECT author_id, updated_at, page, inputs_digest FROM profile_pages ORDER BY author_id"
    assert query(target, pages) == query(published, pages)
    # A rebuild (incremental=False) copies nothing and builds the same pages.
    rebuilt: list[str] = []
    options = BuildOptions(incremental=False)
    build_and_publish(lake, target, "r3", BUILT_AT, STATE, options, progress=rebuilt.append)
    assert "build: building profile pages ..." in rebuilt
    assert not [line for line in rebuilt if "copied" in line]
    assert query(target, pages) == query(published, pages)


_PAGE_INPUTS = (
    "author_profiles",
    "author_works",
    "author_topics",
    "collaborations",
    "author_affiliations",
    "author_graph",
)


def _page_inputs(published: Path, path: Path) -> duckdb.DuckDBPyConnection:
    """A new database holding the tables the pages of ``published`` were built from."""
    con = duckdb.connect(str(path))
    con.execute("ATTACH ? AS built (READ_ONLY)", [str(published)])
    for table in _PAGE_INPUTS:
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM built.{table}")
    con.execute("DETACH built")
    return con


def test_a_collaborator_renamed_rebuilds_the_pages_that_show_the_name(
    published: Path, tmp_path: Path
) -> None:
    lines: list[str] = []
    with _page_inputs(published, tmp_path / "new.duckdb") as con:
        renamed, old_name = con.execute(
            "SELECT author_id, display_name FROM author_profiles WHERE coauthor_count = 3 ORDER BY 1 LIMIT 1"
        ).fetchone() or ("", "")
        con.execute("UPDATE author_profiles SET display_name = 'Renamed' WHERE author_id = ?", [renamed])
        # Its own page and its 3 collaborators' pages show the name: the other 1,996 are copied.
        assert build_pages(con, lines.append, published) == 1996
        pages = dict(con.execute("SELECT author_id, page FROM profile_pages").fetchall())
        coauthors = [
            r[0]
            for r in con.execute(
                "SELECT coauthor_id FROM collaborations WHERE author_id = ?", [renamed]
            ).fetchall()
        ]
    assert lines == [f"profile pages: 1996 of 2000 unchanged, copied from {published}"]
    assert len(pages) == 2000 and len(coauthors) == 3
    for author in coauthors:
        assert '"name":"Renamed"' in pages[author]
        assert f'"name":"{old_name}"' not in pages[author]
    assert '"display_name":"Renamed"' in pages[renamed]


def test_a_build_builds_every_page_when_the_published_pages_have_no_digests(
    published: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(published, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("DROP INDEX profile_pages_author_id")
        con.execute("ALTER TABLE profile_pages DROP COLUMN inputs_digest")
    lines: list[str] = []
    with _page_inputs(published, tmp_path / "new.duckdb") as con:
        assert build_pages(con, lines.append, copy) == 0
        rows = con.execute("SELECT author_id, page FROM profile_pages ORDER BY 1").fetchall()
    assert rows == query(published, "SELECT author_id, page FROM profile_pages ORDER BY 1")
    assert lines == ["profile pages: the published warehouse keeps no page digests, so every page is built"]


def test_mention_institutions_by_id_matched_or_raw_each_once() -> None:
    from warehouse.enrich_step import create_mention_institutions

    with duckdb.connect() as con:
        con.execute(
            "CREATE TABLE institutions AS SELECT * FROM (VALUES ('I1', 'Tsinghua University'), "
            "('I2', 'Peking University')) t(institution_id, display_name)"
        )
        tsinghua = "Department of Physics, Tsinghua University, Beijing"
        con.execute(
            "CREATE TABLE authorships AS SELECT * FROM (VALUES "
            "('m1', ['I1', 'I1', 'I9'], ['not read: the mention has ids']), "
            "('m2', [], [?, ?, 'Nowhere Institute']), "
            "('m3', NULL, NULL)) t(mention_id, institution_ids, raw_affiliations)",
            [tsinghua, tsinghua],
        )
        create_mention_institutions(con)
        rows = con.execute("SELECT * FROM mention_institutions ORDER BY ALL").fetchall()
    assert rows == [
        ("m1", "I1", "Tsinghua University", "id"),
        ("m1", "I9", "I9", "id"),  # an id the warehouse has no institution for keeps the id as name
        ("m2", "I1", "Tsinghua University", "matched"),
        ("m2", None, "Nowhere Institute", "raw"),
    ]
