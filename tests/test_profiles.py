"""Profiles on the recorded data: numbers checked against values computed from the raw records,
the read model, and the HTML preview as a person sees it in headless Chromium."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import duckdb
import pytest

from enrich import summary_line
from tests.test_warehouse import BUILT_AT, STATE, stage_recorded
from warehouse import build_and_publish, open_readonly, read_profile
from warehouse.profile_page import render_profile_html
from warehouse.read import Profile

RECORDED = Path(__file__).resolve().parent.parent / "recorded"
# Three real authors who carry an ORCID on every recorded work: the ORCID is the independent truth.
ORCIDS = ["0000-0001-5765-0416", "0000-0001-8315-3659", "0000-0001-5985-7429"]


def raw_works() -> dict[str, dict[str, Any]]:
    works: dict[str, dict[str, Any]] = {}
    for path in sorted((RECORDED / "openalex" / "works").glob("*.json")):
        for r in json.loads(path.read_text()).get("results", []):
            old = works.get(r["id"])
            if r.get("title") and (old is None or r["updated_date"] > old["updated_date"]):
                works[r["id"]] = r
    return works


def expected_from_raw(orcid: str) -> dict[str, Any]:
    """The profile numbers of an ORCID, computed from the raw JSON without the pipeline."""
    mine = [
        (w, a)
        for w in raw_works().values()
        for a in w["authorships"]
        if (a["author"].get("orcid") or "").endswith(orcid)
    ]
    years = [w["publication_year"] for w, _ in mine]
    named = [(w["publication_year"], i["display_name"]) for w, a in mine for i in a["institutions"]]
    coauthors = {
        b["author"]["id"]
        for w, a in mine
        for b in w["authorships"]
        if b is not a and b["author"].get("id") and not b["author"]["id"].endswith("A9999999999")
    }
    return {
        "works_count": len(mine),
        "first_year": min(years),
        "last_year": max(years),
        "topics_count": len({t["id"] for w, _ in mine for t in w.get("topics") or [] if t["score"] >= 0.5}),
        "coauthor_count": len(coauthors),
        "affiliation": max(named)[1] if named else None,
    }


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("profiles")
    stage_recorded(RECORDED, data / "lake")
    build_and_publish(data / "lake", data / "warehouse.duckdb", "run1", BUILT_AT, STATE)
    return data / "warehouse.duckdb"


def profile_of(warehouse: Path, orcid: str) -> Profile:
    with open_readonly(warehouse) as con:
        (author_id,) = (
            con.execute("SELECT author_id FROM author_profiles WHERE orcid = ?", [orcid]).fetchone() or ()
        )
        found = read_profile(con, author_id)
    assert found is not None
    return found


@pytest.mark.parametrize("orcid", ORCIDS)
def test_profile_numbers_match_the_raw_records(warehouse: Path, orcid: str) -> None:
    found = profile_of(warehouse, orcid)
    expected = expected_from_raw(orcid)
    actual = {key: getattr(found, key) for key in expected}
    assert actual == expected
    assert found.verification_level == "L2"
    assert len(found.works) == found.works_count


def five_table_profile(con: duckdb.DuckDBPyConnection, author_id: str) -> dict[str, Any]:
    """A profile read straight from the analyst tables (the page must say the same)."""
    header = con.execute(
        "SELECT * EXCLUDE (updated_at) FROM author_profiles WHERE author_id = ?", [author_id]
    )
    names = [d[0] for d in header.description]
    profile = dict(zip(names, header.fetchone() or (), strict=True))
    queries = {
        "works": "SELECT work_id, type, has_preprint, display_year, venue, title, abstract, links "
        "FROM author_works WHERE author_id = ? AND rank <= 200 ORDER BY rank",
        "topics": "SELECT topic_id, display_name, field, works, weight FROM author_topics "
        "WHERE author_id = ? ORDER BY rank LIMIT 10",
        "collaborators": "SELECT c.coauthor_id, p.display_name, c.shared_works, c.first_year, c.last_year "
        "FROM collaborations c JOIN author_profiles p ON p.author_id = c.coauthor_id WHERE c.author_id = ? "
        "ORDER BY c.shared_works DESC, c.last_year DESC, c.coauthor_id LIMIT 20",
        "affiliations": "SELECT name, institution_id, first_year, last_year, works FROM author_affiliations "
        "WHERE author_id = ? ORDER BY last_year DESC NULLS LAST, works DESC, name",
        "graph": "SELECT kind, target_id, label, weight, rank FROM author_graph WHERE author_id = ? "
        "ORDER BY kind, rank",
    }
    for key, sql in queries.items():
        profile[key] = [list(r) for r in con.execute(sql, [author_id]).fetchall()]
    return profile


def test_every_page_says_what_the_analyst_tables_say(warehouse: Path) -> None:
    with open_readonly(warehouse) as con:
        ids = [r[0] for r in con.execute("SELECT author_id FROM author_profiles ORDER BY 1").fetchall()]
        assert len(ids) == 2000
        assert con.execute("SELECT count(*) FROM profile_pages").fetchone() == (2000,)
        for author_id in ids:
            page = read_profile(con, author_id)
            assert page is not None
            read = dataclasses.asdict(page)
            del read["updated_at"]
            for key in ("works", "topics", "collaborators", "affiliations", "graph"):
                read[key] = [list(item.values()) for item in read[key]]
            expected = five_table_profile(con, author_id)
            for work in expected["works"]:
                work[-1] = tuple(work[-1] or ())
            expected["name_variants"] = tuple(expected["name_variants"] or ())
            expected["source_author_ids"] = tuple(expected["source_author_ids"] or ())
            assert read == expected, author_id


def test_profile_pages_have_a_unique_author_id_index(warehouse: Path, tmp_path: Path) -> None:
    # The index is what makes a read of a big warehouse a point read (DuckDB plans an index scan
    # once a table spans several row groups: BENCHMARKS.md section 4); here, it is there and unique.
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        indexes = con.execute(
            "SELECT index_name, is_unique, expressions FROM duckdb_indexes() "
            "WHERE table_name = 'profile_pages'"
        ).fetchall()
        assert indexes == [("profile_pages_author_id", True, "[author_id]")]
        with pytest.raises(duckdb.ConstraintException):
            con.execute("INSERT INTO profile_pages SELECT * FROM profile_pages LIMIT 1")


def test_liakata_profile_in_detail(warehouse: Path) -> None:
    found = profile_of(warehouse, "0000-0001-5765-0416")
    assert found.display_name == "Maria Liakata"
    assert (found.works_count, found.close_collaborators_count) == (7, 7)
    assert found.summary == (
        "Works on Natural Language Processing and on scientometrics and bibliometrics research; "
        "University of Warwick, 2010–2020"
    )
    assert [w.display_year for w in found.works] == sorted(
        (w.display_year for w in found.works), reverse=True
    )
    assert found.collaborators[0].shared_works >= found.collaborators[-1].shared_works
    assert {c.name for c in found.collaborators if c.shared_works >= 2} >= {
        "Amanda Clare",
        "James Ravenscroft",
    }
    assert found.affiliations[0].name == "University of Warwick"


def test_summary_is_empty_when_evidence_is_thin() -> None:
    assert summary_line(["Physics"], "CfA", 2006, 2006, works=1) is None
    assert summary_line([], "CfA", 2001, 2006, works=5) is None
    assert (
        summary_line(["Optics", "Lasers"], None, 2001, 2001, works=2) == "Works on Optics and on Lasers; 2001"
    )


def test_large_collaborations_do_not_count_as_collaborators(tmp_path: Path) -> None:
    from warehouse.build import BuildOptions

    stage_recorded(RECORDED, tmp_path / "lake")
    options = BuildOptions(close_min_works=2, max_authors=30)  # GNMT has 31 authors
    build_and_publish(tmp_path / "lake", tmp_path / "w.duckdb", "r", BUILT_AT, STATE, options)
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        row = con.execute(
            "SELECT p.works_count, p.coauthor_count FROM author_profiles p "
            "JOIN authorships a USING (author_id) WHERE a.mention_id = 'openalex:W2525778437#1'"
        ).fetchone()
    assert row == (1, 0)


def test_graph_slice_has_at_most_five_of_each_kind(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        worst = con.execute(
            "SELECT max(n) FROM (SELECT count(*) AS n FROM author_graph GROUP BY author_id, kind)"
        )
        assert (worst.fetchone() or (0,))[0] == 5
        kinds = con.execute("SELECT DISTINCT kind FROM author_graph ORDER BY 1").fetchall()
    assert kinds == [("institution",), ("paper",), ("person",), ("topic",)]


HOSTILE = (
    "<script>document.title='pwned'</script>"
    '<img src=x onerror="document.body.dataset.pwned=1"> & LaTeX $x<y$'
)


def test_html_preview_in_headless_chromium(warehouse: Path, tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Debian's chromium package is needed: .ci/run installs it (apt-get install chromium)"
    found = profile_of(warehouse, "0000-0001-5765-0416")
    hostile = dataclasses.replace(found.works[0], title=HOSTILE)
    page = tmp_path / "profile.html"
    page.write_text(render_profile_html(dataclasses.replace(found, works=(hostile, *found.works[1:]))))
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'chrome'}",
    ]
    dom = subprocess.run(
        [chromium, *flags, "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert '<h1 id="name">Maria Liakata</h1>' in dom
    assert '<b id="works-count">7</b>' in dom and '<b id="close-collaborators-count">7</b>' in dom
    assert "&lt;script&gt;document.title='pwned'&lt;/script&gt;" in dom  # shown as text
    assert "pwned" not in dom.split("<body")[0]  # the title was not changed by a script
    assert "data-pwned" not in dom
    assert f'<h3 class="work-title">{found.works[1].title}</h3>' in dom
    # The graph slice: the nearby people, strongest first, as the page gives them.
    people = [n.label for n in found.graph if n.kind == "person"]
    assert people and f'<span class="node">{people[0]}</span>' in dom.split('<section id="graph">')[1]


EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "example_queries.sql"
EXPECTED_FIRST_ROWS = {
    "top_topic_per_year": (2026, "Software Engineering", 3),
    "most_collaborative_authors": ("Stefano Pagiola", 8, 11, 4),
    "missing_abstracts_by_source": ("arxiv", 0, 105),
    "papers_merged_from_several_records": (
        "arxiv:2304.04761",
        "article",
        2023,
        ["openalex:W4365441044 (self)", "openalex:W4389543639 (title)"],
    ),
    "quarantine_by_reason": ("openalex", "authorship", "null author (OpenAlex NULL AUTHOR_ID)", 4),
}


def test_schema_doc_is_current_and_example_queries_answer(warehouse: Path) -> None:
    from warehouse.schema_doc import example_queries, schema_markdown

    with duckdb.connect(str(warehouse), read_only=True) as con:
        document = schema_markdown(con, Path("docs/example_queries.sql"))
        answers = {name: con.execute(sql).fetchall() for name, sql in example_queries(EXAMPLES)}
    committed = (EXAMPLES.parent / "SCHEMA.md").read_text()
    assert document == committed, "docs/SCHEMA.md is out of date: run `bzpeer schema --write docs/SCHEMA.md`"
    assert {name: rows[0] for name, rows in answers.items()} == EXPECTED_FIRST_ROWS
    assert answers["missing_abstracts_by_source"] == [("arxiv", 0, 105), ("openalex", 59, 473)]
    merged = answers["papers_merged_from_several_records"]
    assert [(work_id, len(records)) for work_id, _, _, records in merged] == [
        ("arxiv:2304.04761", 2),
        ("doi:10.1017/cbo9780511720871.010", 2),
        ("doi:10.1086/262115", 2),
        ("doi:10.2196/11456", 2),
        ("doi:10.2196/28749", 3),
        ("doi:10.2196/50243", 2),
    ]
