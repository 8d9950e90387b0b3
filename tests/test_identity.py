"""Author identities across runs: stable ids, redirects, operator overrides that survive rebuilds."""

from __future__ import annotations

import gc
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from dedupe import Redirect, assign_author_ids, new_author_id
from flows.cli import app
from sources.batch import BatchBuilder
from sources.landing import RawPage
from sources.openalex_records import normalize_openalex_page
from warehouse import Override, build_and_publish, save_identity_state, save_override, write_batch
from warehouse.identity_state import read_overrides
from warehouse.read import ProfileReader
from warehouse.state import PIPELINE_RUNS, WATERMARKS

STATE = {"pipeline_runs": PIPELINE_RUNS.empty_table(), "watermarks": WATERMARKS.empty_table()}
WORKS = Path(__file__).resolve().parent.parent / "recorded" / "openalex" / "works"


def stage(lake: Path, window: str, pages: list[str]) -> None:
    batch = BatchBuilder("openalex")
    for name in pages:
        normalize_openalex_page(RawPage(name, (WORKS / name).read_bytes()), batch)
    write_batch(lake, "openalex", "recorded", window, batch.to_tables())


def publish(data: Path, run: str, units: list[tuple[int, int]] | None = None) -> dict[str, str]:
    """Build and publish as a run does (identity state saved after the swap): mention -> author.

    ``units`` collects (recomputed, reused) author units of each publish.
    """
    thresholds = gc.get_threshold()
    counts = build_and_publish(data / "lake", data / "warehouse.duckdb", run, datetime.now(UTC), STATE)
    assert gc.get_threshold() == thresholds  # raised for the build only (fewer_collections)
    save_identity_state(data / "lake", counts.identity)
    if units is not None:
        units.append((counts.identity.units_recomputed, counts.identity.units_reused))
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        return dict(
            con.execute(
                "SELECT mention_id, author_id FROM authorships WHERE author_id IS NOT NULL"
            ).fetchall()
        )


# --- the rule, on small cases ---


def test_an_author_who_gains_mentions_keeps_the_id() -> None:
    ids = assign_author_ids({"m1": "m1", "m2": "m1", "m3": "m1"}, {"m1": "bzA", "m2": "bzA"})
    assert ids.author_of == {"m1": "bzA"} and ids.redirects == ()


def test_a_merge_keeps_the_id_with_more_mentions_and_redirects_the_other() -> None:
    previous = {"m1": "bzA", "m2": "bzA", "m3": "bzB"}
    ids = assign_author_ids({"m1": "m1", "m2": "m1", "m3": "m1"}, previous)
    assert ids.author_of == {"m1": "bzA"}
    assert ids.redirects == (Redirect("bzB", "bzA", "merged"),)


def test_a_split_keeps_the_id_on_the_larger_part() -> None:
    previous = {"m1": "bzA", "m2": "bzA", "m3": "bzA"}
    ids = assign_author_ids({"m1": "m1", "m2": "m1", "m3": "m3"}, previous)
    assert ids.author_of == {"m1": "bzA", "m3": new_author_id("m3")}
    assert ids.redirects == ()


def test_a_split_off_part_never_takes_back_the_id_derived_from_its_mention() -> None:
    # The author's id was derived from m1; an operator splits m1 off: the larger part keeps the id,
    # and m1's new cluster may not be given the same id again (both parts would be one author).
    old = new_author_id("m1")
    ids = assign_author_ids({"m1": "m1", "m2": "m2", "m3": "m2"}, dict.fromkeys(("m1", "m2", "m3"), old))
    assert ids.author_of == {"m2": old, "m1": new_author_id("m1#1")}
    # Nor is a retired id given to someone else: links to it keep reaching its successor.
    retired = (Redirect(new_author_id("m5"), old, "merged"),)
    again = assign_author_ids({"m1": "m1", "m5": "m5"}, {"m1": old}, retired)
    assert again.author_of == {"m1": old, "m5": new_author_id("m5#1")}
    assert again.redirects == retired


def test_redirect_chains_end_at_a_live_id_and_removed_ids_point_nowhere() -> None:
    earlier = (Redirect("bzOld", "bzB", "merged"),)
    ids = assign_author_ids({"m1": "m1", "m3": "m1"}, {"m1": "bzA", "m3": "bzB", "m9": "bzC"}, earlier)
    assert ids.redirects == (
        Redirect("bzB", "bzA", "merged"),
        Redirect("bzC", None, "removed"),
        Redirect("bzOld", "bzA", "merged"),
    )


@given(
    st.dictionaries(
        st.sampled_from([f"m{i}" for i in range(12)]), st.sampled_from(["c1", "c2", "c3", "c4"]), min_size=1
    ),
    st.dictionaries(
        st.sampled_from([f"m{i}" for i in range(12)]),
        # Earlier ids include ids derived from the cluster keys, as every new id is.
        st.sampled_from(["bzA", "bzB", *(new_author_id(f"c{i}") for i in range(1, 5))]),
    ),
)
def test_every_cluster_gets_one_id_and_no_id_is_shared(
    clusters: dict[str, str], previous: dict[str, str]
) -> None:
    ids = assign_author_ids(clusters, previous)
    assert set(ids.author_of) == set(clusters.values())
    assert len(set(ids.author_of.values())) == len(ids.author_of)
    live = set(ids.author_of.values())
    assert all(r.successor_id is None or r.successor_id in live for r in ids.redirects)
    assert not {r.retired_id for r in ids.redirects} & live
    # An earlier id stays with a cluster holding some of its mentions, never with a stranger.
    for cluster, author_id in ids.author_of.items():
        if author_id in previous.values():
            assert any(previous.get(m) == author_id for m, key in clusters.items() if key == cluster)


# --- on the real recorded records, through the warehouse build ---

FIRST = ["008-pro_pipeline_parallel__json_chunk_1_results_page_1.json", "keypaper_json__results_page_1.json"]
SECOND = ["008-pro_pipeline_parallel__json_chunk_2_results_page_1.json", "peneira__works.json"]


def test_ids_are_stable_across_two_incremental_runs(tmp_path: Path) -> None:
    stage(tmp_path / "lake", "night1", FIRST)
    first = publish(tmp_path, "run1")
    stage(tmp_path / "lake", "night2", SECOND)
    second = publish(tmp_path, "run2")
    assert len(second) > len(first) == 172
    assert {m: second[m] for m in first} == first  # every earlier mention keeps its author id
    third = publish(tmp_path, "run3")  # a rebuild with nothing new changes nothing
    assert third == second


def test_incremental_runs_recluster_only_the_units_new_mentions_touch(tmp_path: Path) -> None:
    units: list[tuple[int, int]] = []
    stage(tmp_path / "lake", "night1", FIRST)
    publish(tmp_path, "run1", units)
    stage(tmp_path / "lake", "night2", SECOND)
    second = publish(tmp_path, "run2", units)
    publish(tmp_path, "run3", units)
    (first_new, first_kept), (new, kept), (nothing, all_kept) = units
    assert first_kept == 0 and first_new > 0
    assert new > 0 and 0 < kept <= first_new  # the first night's untouched units are reused
    assert (nothing, all_kept) == (0, new + kept)  # nothing new: nothing re-clustered
    full = tmp_path / "full"
    stage(full / "lake", "night1", FIRST + SECOND)
    assert partition(publish(full, "full")) == partition(second)  # same people as a full resolution


def partition(authors: dict[str, str]) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for mention, author in authors.items():
        groups.setdefault(author, set()).add(mention)
    return {frozenset(g) for g in groups.values()}


def test_operator_decisions_win_and_survive_rebuilds(tmp_path: Path) -> None:
    stage(tmp_path / "lake", "night1", FIRST)
    before = publish(tmp_path, "run1")
    a, b = "openalex:W2741809807#1", "openalex:W2755950973#1"  # Piwowar and Aria
    assert before[a] != before[b]
    save_override(tmp_path / "lake", [Override("must_link", a, b, "merge", "test", "tester")])
    merged = publish(tmp_path, "run2")
    assert merged[a] == merged[b]
    orcid_pair = _orcid_joined_pair(tmp_path / "warehouse.duckdb")
    save_override(tmp_path / "lake", [Override("cannot_link", *orcid_pair, "split", "test", "tester")])
    for run in ("run3", "run4"):  # the decisions are replayed by every rebuild
        after = publish(tmp_path, run)
        assert after[a] == after[b]
        assert after[orcid_pair[0]] != after[orcid_pair[1]]
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT kind, command FROM identity_overrides ORDER BY kind").fetchall() == [
            ("cannot_link", "split"),
            ("must_link", "merge"),
        ]


def _orcid_joined_pair(warehouse: Path) -> tuple[str, str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute(
            "SELECT left_mention, right_mention FROM author_evidence "
            "WHERE rule = 'orcid' ORDER BY ALL LIMIT 1"
        ).fetchone()
    assert row is not None
    return str(row[0]), str(row[1])


# --- the operator commands ---


@pytest.fixture
def settings_file(tmp_path: Path) -> Path:
    stage(tmp_path / "data" / "lake", "night1", FIRST)
    publish(tmp_path / "data", "run1")
    path = tmp_path / "settings.toml"
    path.write_text(f'data_dir = "{(tmp_path / "data").as_posix()}"\n')
    return path


def test_explain_and_merge_commands(settings_file: Path) -> None:
    data = settings_file.parent / "data"
    runner = CliRunner()
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        (author,) = (
            con.execute(
                "SELECT author_id FROM author_evidence WHERE rule = 'orcid' ORDER BY ALL LIMIT 1"
            ).fetchone()
            or ()
        )
        (a, b) = (
            r[0] for r in con.execute("SELECT author_id FROM authors ORDER BY author_id LIMIT 2").fetchall()
        )
    explained = runner.invoke(
        app, ["authors", "explain", author, "--config", str(settings_file)], terminal_width=250
    )
    assert explained.exit_code == 0, explained.output
    assert "orcid" in explained.output and "Why these mentions are one person" in explained.output
    reader = ProfileReader(data / "warehouse.duckdb")  # a page server, open across the publish
    before = {x: reader.read(x) for x in (a, b)}
    merged = runner.invoke(
        app, ["authors", "merge", a, b, "--reason", "same ORCID offline", "--config", str(settings_file)]
    )
    assert merged.exit_code == 0, merged.output
    with reader:
        after = {x: reader.read(x) for x in (a, b)}
    works = {x: p.works_count for x, p in before.items() if p is not None}
    assert after[a] == after[b] is not None  # the retired id reads its successor's page
    assert after[a].works_count == works[a] + works[b]
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        redirect = con.execute("SELECT retired_id, successor_id FROM author_redirects").fetchall()
        decisions = con.execute("SELECT DISTINCT reason, command FROM identity_overrides").fetchall()
    assert decisions == [("same ORCID offline", "merge")]
    assert len(redirect) == 1 and {redirect[0][0], redirect[0][1]} == {a, b}
    assert f"{a} and {b} are now {redirect[0][1]}" in merged.output
    followed = runner.invoke(app, ["authors", "explain", redirect[0][0], "--config", str(settings_file)])
    assert f"{redirect[0][0]} now is {redirect[0][1]}" in followed.output
    # `bzpeer profile` follows the retired id too (it said "no author matches").
    shown = runner.invoke(
        app, ["profile", redirect[0][0], "--config", str(settings_file)], terminal_width=200
    )
    assert shown.exit_code == 0, shown.output
    assert f"{redirect[0][0]} now is {redirect[0][1]}" in shown.output and redirect[0][1] in shown.output


def test_a_split_off_first_mention_becomes_its_own_author(settings_file: Path) -> None:
    # The author's id was derived from their smallest mention; splitting that very mention off
    # once gave it the same id again, so the two parts stayed one author on every page.
    data = settings_file.parent / "data"
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        author, first, rest = con.execute(
            "SELECT author_id, min(mention_id), count(*) - 1 FROM authorships GROUP BY author_id "
            "HAVING count(*) >= 3 ORDER BY author_id LIMIT 1"
        ).fetchone() or ("", "", 0)
    assert author == new_author_id(first)
    split = CliRunner().invoke(
        app, ["authors", "split", author, "--mentions", first, "--config", str(settings_file)]
    )
    assert split.exit_code == 0, split.output
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        owners = dict(
            con.execute(
                "SELECT author_id, count(*) FROM authorships WHERE mention_id = ? OR author_id = ? "
                "GROUP BY author_id",
                [first, author],
            ).fetchall()
        )
        pages = con.execute(
            "SELECT count(*) FROM profile_pages WHERE author_id IN (SELECT unnest(?))", [list(owners)]
        ).fetchone()
    assert owners == {author: rest, new_author_id(f"{first}#1"): 1}
    assert pages == (2,)


def test_decisions_about_unknown_mentions_or_one_author_are_refused(settings_file: Path) -> None:
    # Decisions are kept for good and replayed by every build: a bad one is refused, not stored.
    data = settings_file.parent / "data"
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        mention, author = con.execute(
            "SELECT mention_id, author_id FROM authorships ORDER BY mention_id LIMIT 1"
        ).fetchone() or ("", "")
    runner, config = CliRunner(), ["--config", str(settings_file)]
    unknown = runner.invoke(app, ["authors", "review", "--different", mention, "openalex:W0#9", *config])
    assert unknown.exit_code == 2 and "not found: ['openalex:W0#9']" in unknown.output
    itself = runner.invoke(app, ["authors", "review", "--same", mention, mention, *config])
    assert itself.exit_code == 2
    once = runner.invoke(app, ["authors", "merge", author, author, *config])
    assert once.exit_code == 2 and "nothing to merge" in once.output
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        own = [
            m
            for (m,) in con.execute(
                "SELECT mention_id FROM authorships WHERE author_id = ?", [author]
            ).fetchall()
        ]
    for mentions, problem in (
        (",".join(own), "that is every one of its mentions"),
        (" , ", "no mention id given"),
        (f"{mention},openalex:W0#9", "these are not its mentions: openalex:W0#9"),
    ):
        split = runner.invoke(app, ["authors", "split", author, "--mentions", mentions, *config])
        assert split.exit_code == 2 and problem in " ".join(split.output.split()), split.output
    assert read_overrides(data / "lake").num_rows == 0


def test_explain_shows_whole_mention_ids_on_a_narrow_terminal(settings_file: Path) -> None:
    # Operators copy these ids into `split --mentions`: the other columns wrap, the ids never shrink.
    with duckdb.connect(str(settings_file.parent / "data" / "warehouse.duckdb"), read_only=True) as con:
        author, ids = con.execute(
            "SELECT author_id, list(mention_id ORDER BY mention_id) FROM authorships "
            "GROUP BY author_id ORDER BY count(*) DESC, author_id LIMIT 1"
        ).fetchone() or ("", [])
    shown = CliRunner().invoke(
        app, ["authors", "explain", author, "--config", str(settings_file)], terminal_width=80
    )
    assert shown.exit_code == 0, shown.output
    assert len(ids) > 1 and all(mention_id in shown.output for mention_id in ids)


def test_split_command_rejects_mentions_of_someone_else(settings_file: Path) -> None:
    result = CliRunner().invoke(
        app, ["authors", "split", "bz0000", "--mentions", "x#1", "--config", str(settings_file)]
    )
    assert result.exit_code == 1
    assert "no author 'bz0000'" in result.output


def test_evaluate_needs_a_data_set() -> None:
    result = CliRunner().invoke(app, ["authors", "evaluate"])
    assert result.exit_code == 2 and "--aminer-xml" in result.output


def test_review_with_no_pairs_says_so(settings_file: Path) -> None:
    # It printed an empty table with its headers.
    with duckdb.connect(str(settings_file.parent / "data" / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM identity_reviews").fetchone() == (0,)
    result = CliRunner().invoke(app, ["authors", "review", "--config", str(settings_file)])
    assert (result.exit_code, result.output) == (0, "No pairs kept apart for review.\n")
