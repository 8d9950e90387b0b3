"""Author resolution at scale: streamed input, feature extraction in workers, the cheaper internals.

Every change here is for speed or memory only, so each test compares with the plain way of doing it.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import random
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, fields, replace
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow as pa
import pytest

from dedupe import clustering
from dedupe.blocking import candidate_pairs
from dedupe.clustering import ClusteringConfig, prepare, resolve_authors
from dedupe.incremental import (
    RESOLVER_VERSION,
    UnitResult,
    _features_text,
    _LinkIndex,
    _signature,
    resolve_incrementally,
)
from dedupe.labeled import read_aminer_xml
from dedupe.mentions import MAX_COAUTHORS, AuthorMention, MentionFeatures, MentionRows, extract_features
from dedupe.names import ParsedName
from dedupe.scoring import Evidence, _year_gap
from warehouse.author_step import _mentions, _pair_columns, mention_from_row, mentions_from_batch
from warehouse.identity_state import _unit_from_json, _unit_to_json

QIAN = Path(__file__).resolve().parents[1] / "recorded" / "disambiguation" / "qian-dblp-xml"
_STEMS = ("Haibo_Yu", "Li_Wei", "Abdul_Sattar", "J&uuml;rgen_M&uuml;ller", "Lei_Wang")


@pytest.fixture(scope="module")
def mentions(tmp_path_factory: pytest.TempPathFactory) -> list[AuthorMention]:
    folder = tmp_path_factory.mktemp("qian")
    for stem in _STEMS:
        shutil.copy(QIAN / f"{stem}.xml", folder)
    return [row.mention for row in read_aminer_xml(folder)]


def _stream(mentions: list[AuthorMention]) -> Iterator[AuthorMention]:
    yield from reversed(mentions)


def test_streamed_chunked_and_parallel_extraction_give_the_same_result(
    mentions: list[AuthorMention], monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = resolve_authors(mentions)
    monkeypatch.setattr(clustering, "_CHUNK", 40)  # many chunks, so the workers get several each
    monkeypatch.setattr(clustering, "PARALLEL_MIN_MENTIONS", 0)  # a run this small would not use them
    assert resolve_authors(_stream(mentions)) == reference
    assert resolve_authors(_stream(mentions), workers=2) == reference


def test_processes_start_once_and_only_for_a_run_big_enough(
    mentions: list[AuthorMention], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Each clustering task leaves a file named by the process it ran in, in the folder of its run
    # (forked processes inherit the patch and the folder).
    cluster_task, folder = clustering._cluster_task, [tmp_path]

    def noted(task: Any) -> Any:
        (folder[0] / f"{os.getpid()}-{uuid.uuid4().hex}").touch()
        return cluster_task(task)

    def processes(path: Path) -> Counter[str]:
        return Counter(p.name.split("-")[0] for p in path.iterdir())

    monkeypatch.setattr(clustering, "_cluster_task", noted)
    monkeypatch.setattr(clustering, "_CHUNK", 10)
    folder[0] = tmp_path / "small"
    folder[0].mkdir()
    small = clustering.Workers(2)
    with small:
        prepared = clustering.prepare(mentions, (), (), small)
        clustering.cluster_units(prepared.units, prepared, clustering.ClusteringConfig(), small)
        assert not small.started  # fewer than PARALLEL_MIN_MENTIONS: all in this process
    tasks = min(len(prepared.units), 2 * 8)  # 8 tasks per process, of one unit or more
    assert processes(tmp_path / "small") == {str(os.getpid()): tasks}
    monkeypatch.setattr(clustering, "PARALLEL_MIN_MENTIONS", len(mentions) // 2)
    folder[0] = tmp_path / "big"
    folder[0].mkdir()
    big = clustering.Workers(2)
    with big:
        prepared = clustering.prepare(mentions, (), (), big)
        assert big.started
        pool = big.pool()
        clustering.cluster_units(prepared.units, prepared, clustering.ClusteringConfig(), big)
        assert big.pool() is pool  # extraction's processes, started once
    assert not big.started  # stopped on leaving
    # The same tasks, none in this process nor in extraction's (spawned, they are not patched).
    clustered_in = processes(tmp_path / "big")
    assert sum(clustered_in.values()) == tasks and str(os.getpid()) not in clustered_in
    assert 1 <= len(clustered_in) <= 2
    reference = resolve_authors(mentions)
    assert resolve_authors(mentions, workers=2) == reference

    # Where the system cannot fork, the spawned processes cluster them: the same result.
    def not_forked(index: int) -> Any:
        raise AssertionError("forked where fork is not available")

    monkeypatch.setattr(clustering, "_cluster_task", cluster_task)  # spawned ones get it by name
    monkeypatch.setattr(clustering, "_forked_task", not_forked)
    monkeypatch.setattr(clustering.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    assert resolve_authors(mentions, workers=2) == reference


def test_a_run_collects_garbage_less_often_here_and_in_its_workers_and_restores_it() -> None:
    before = gc.get_threshold()
    during = (clustering.GC_FIRST_THRESHOLD, *before[1:])
    with clustering.Workers(2) as workers:
        assert gc.get_threshold() == during
        assert workers.pool().submit(gc.get_threshold).result() == during
    assert gc.get_threshold() == before
    with clustering.fewer_collections():
        assert gc.get_threshold() == during
        with clustering.Workers(1):
            assert gc.get_threshold() == during
        assert gc.get_threshold() == during
    assert gc.get_threshold() == before


def test_rows_turned_into_mentions_in_the_workers_give_the_same_result(
    mentions: list[AuthorMention], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rows shaped like the warehouse's mentions query, in Arrow batches, as the author step sends them.
    rows = [
        {
            "mention_id": m.mention_id,
            "raw_name": m.raw_name,
            "position": 1,
            "institution_ids": list(m.institution_ids),
            "raw_affiliations": list(m.affiliations),
            "orcid": m.orcid,
            "source_author_id": m.source_author_id,
            "work_id": m.work_id,
            "title": m.title,
            "venue": m.venue,
            "display_year": m.year,
            "names": [m.raw_name, *m.coauthors],
            "topics": list(m.topics),
        }
        for m in mentions
    ]
    reference = resolve_authors([mention_from_row(row) for row in rows])
    assert reference.clusters.keys() == {m.mention_id for m in mentions} and len(rows) > 4 * 5
    monkeypatch.setattr(clustering, "PARALLEL_MIN_MENTIONS", 0)
    for workers in (1, 2):
        batches = (pa.RecordBatch.from_pylist(rows[i : i + 5]) for i in range(0, len(rows), 5))
        assert resolve_authors(MentionRows(batches, mentions_from_batch), workers=workers) == reference


def test_duplicate_ids_are_found_across_chunks(
    mentions: list[AuthorMention], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clustering, "_CHUNK", 10)
    monkeypatch.setattr(clustering, "PARALLEL_MIN_MENTIONS", 0)
    with pytest.raises(ValueError, match="duplicate mention_id"):
        resolve_authors([*mentions[:30], mentions[3]], workers=2)


def test_review_pairs_and_evidence_survive_a_low_review_band(mentions: list[AuthorMention]) -> None:
    # With review_low at 0 every scored pair is a review candidate: nothing may be dropped early.
    config = ClusteringConfig(review_low=0.0)
    result = resolve_authors(mentions[:120], config=config)
    assert result.reviews
    assert all(0.0 <= e.score < config.threshold for e in result.reviews)
    assert resolve_authors(list(reversed(mentions[:120])), config=config) == result


def _naive_signature(
    unit: list[MentionFeatures], prepared: clustering.Prepared, config: ClusteringConfig
) -> str:
    ids = {f.mention_id for f in unit}
    parts = [_features_text(f) for f in sorted(unit, key=lambda f: f.mention_id)]
    parts += sorted(repr(link) for link in prepared.links if link[0] in ids and link[1] in ids)
    parts += sorted(repr(sorted(pair)) for pair in prepared.cannot if pair <= ids)
    parts.append(repr(config))
    parts.append(f"resolver {RESOLVER_VERSION}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def test_signatures_are_those_of_a_scan_of_every_link(mentions: list[AuthorMention]) -> None:
    ids = [m.mention_id for m in mentions]
    rng = random.Random(3)
    must = [(rng.choice(ids), rng.choice(ids)) for _ in range(30)] + [(ids[0], "unknown")]
    must += must[:3]  # an operator decision given twice counts twice
    cannot = [(rng.choice(ids), rng.choice(ids)) for _ in range(30)]
    config = ClusteringConfig()
    prepared = prepare(mentions, must, cannot)
    index = _LinkIndex(prepared)
    for unit in prepared.units:
        assert _signature(unit, index, config) == _naive_signature(unit, prepared, config)
    outcome = resolve_incrementally(mentions, {}, must_link=must, cannot_link=cannot)
    assert outcome.resolution == resolve_authors(mentions, must_link=must, cannot_link=cannot)


def test_year_gap_is_the_closest_pair() -> None:
    rng = random.Random(5)
    for _ in range(5000):
        a = {rng.randint(1990, 2025) for _ in range(rng.randint(1, 9))}
        b = {rng.randint(1990, 2025) for _ in range(rng.randint(1, 9))}
        assert _year_gap(a, b) == min(abs(x - y) for x in a for y in b)
    assert _year_gap(set(), {2000}) is None


def test_evidence_and_names_cross_processes_whole() -> None:
    # Pickled by position (their __reduce__): every field must come back, in its place.
    values = [
        "a",
        "b",
        0.42,
        "score",
        0.6,
        True,
        False,
        2,
        True,
        0.3,
        1,
        0.7,
        0.2,
        0.5,
        0.4,
        0.1,
        3,
        True,
        5,
        True,
    ]
    back = pickle.loads(pickle.dumps(Evidence(*values)))
    assert {f.name: getattr(back, f.name) for f in fields(Evidence)} == dict(
        zip([f.name for f in fields(Evidence)], values, strict=True)
    )
    name = pickle.loads(pickle.dumps(ParsedName("van gemund", ("a", "j"))))
    assert (name.surname, name.given, name.key) == ("van gemund", ("a", "j"), "van gemund, a")


def test_evidence_rows_and_unit_json_match_asdict() -> None:
    e = Evidence("a", "b", 0.42, name_similarity=0.6, east_asian=True, year_gap=None, smaller_size=3)
    row = _pair_columns([e])
    detail = {k: v for k, v in asdict(e).items() if k not in ("left", "right", "score", "rule")}
    assert row["evidence"] == [orjson.dumps(detail, option=orjson.OPT_SORT_KEYS).decode()]
    unit = UnitResult("s", {"a": "a", "b": "a"}, {"a": (e,)}, (e,))
    assert _unit_from_json("s", _unit_to_json(unit)) == unit


def test_unit_results_stored_by_earlier_versions_read_back_by_name() -> None:
    e = Evidence("a", "b", 0.42, name_similarity=0.6, east_asian=True, year_gap=None, smaller_size=3)
    unit = UnitResult("s", {"a": "a", "b": "a"}, {"a": (e,)}, (e,))
    stored = orjson.loads(_unit_to_json(unit))
    assert stored["fields"][:4] == ["left", "right", "score", "rule"]
    assert stored["reviews"] == [[getattr(e, name) for name in stored["fields"]]]
    # Before the fields were listed: one object per join.
    objects = {**stored, "evidence": {"a": [asdict(e)]}, "reviews": [{**asdict(e), "retired_field": 1}]}
    del objects["fields"]
    assert _unit_from_json("s", orjson.dumps(objects).decode()) == unit
    # Other fields, in another order: read by name; a field Evidence lacks is dropped, a missing
    # one takes its default.
    names = ["score", "right", "left", "retired_field", "rule", "name_similarity", "east_asian"]
    values = [0.42, "b", "a", 7, "score", 0.6, True]
    other = {"fields": names, "clusters": stored["clusters"], "evidence": {"a": [values]}, "reviews": []}
    expected = Evidence("a", "b", 0.42, name_similarity=0.6, east_asian=True)
    assert _unit_from_json("s", orjson.dumps(other).decode()).evidence == {"a": (expected,)}


def test_a_signature_reads_every_feature_and_no_hash_order(mentions: list[AuthorMention]) -> None:
    # Every field of the features changes the text (a new field must be added to it) ...
    feature = extract_features(mentions[0])
    other = {
        "mention_id": "x",
        "name": extract_features(mentions[-1]).name,
        "coauthors": frozenset({"zz, z"}),
        "institutions": frozenset({"i9"}),
        "affiliations": ("elsewhere",),
        "venue": "elsewhere",
        "title_tokens": Counter({"zzz": 1}),
        "topics": frozenset({"zzz"}),
        "year": 1901,
        "orcid": "0000-0000-0000-0000",
        "source_author_id": "A9",
        "work_id": "W9",
        "position": 99,
    }
    assert {f.name for f in fields(MentionFeatures)} == set(other)
    for name, value in other.items():
        assert _features_text(replace(feature, **{name: value})) != _features_text(feature), name
    # ... and the signature is the same in processes with other string hashes (sets are sorted).
    code = (
        "import sys; sys.path.insert(0, '.');"
        "from tests.test_dedupe_scale import _signatures_of_qian; print(_signatures_of_qian())"
    )
    root = Path(__file__).resolve().parents[1]
    runs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(runs) == 1


def _signatures_of_qian() -> str:
    """Signatures of the units of one Qian name, as one digest (run under two hash seeds above)."""
    with tempfile.TemporaryDirectory() as folder:
        shutil.copy(QIAN / f"{_STEMS[-1]}.xml", folder)
        prepared = prepare([row.mention for row in read_aminer_xml(folder)], (), ())
    index = _LinkIndex(prepared)
    signatures = sorted(_signature(unit, index, ClusteringConfig()) for unit in prepared.units)
    return hashlib.sha256(repr(signatures).encode()).hexdigest()


def test_the_mentions_query_leaves_out_the_author_lists_of_collaboration_papers() -> None:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE authorships (mention_id VARCHAR, raw_name VARCHAR, position INTEGER, "
        "institution_ids VARCHAR[], raw_affiliations VARCHAR[], orcid VARCHAR, source_author_id VARCHAR, "
        "work_id VARCHAR)"
    )
    con.execute("CREATE TABLE works (work_id VARCHAR, title VARCHAR, venue VARCHAR, display_year INTEGER)")
    con.execute("CREATE TABLE work_topics (work_id VARCHAR, topic_id VARCHAR)")
    con.execute("CREATE TABLE topics (topic_id VARCHAR, display_name VARCHAR)")
    # A paper of MAX_COAUTHORS + 1 authors (each has MAX_COAUTHORS co-authors) and one of one more.
    for work, authors in (("small", MAX_COAUTHORS + 1), ("big", MAX_COAUTHORS + 2)):
        con.execute("INSERT INTO works VALUES (?, 'T', 'V', 2020)", [work])
        con.executemany(
            "INSERT INTO authorships VALUES (?, ?, ?, [], [], NULL, NULL, ?)",
            [(f"{work}#{i}", f"Person{i} Author{i}", i, work) for i in range(1, authors + 1)],
        )
    rows = _mentions(con)
    batches = list(rows.batches)
    names = {row["mention_id"]: row["names"] for batch in batches for row in batch.to_pylist()}
    assert len(names["small#1"]) == MAX_COAUTHORS + 1 and names["big#1"] is None
    mentions = {m.mention_id: m for batch in batches for m in rows.to_mentions(batch)}
    assert len(mentions) == 2 * MAX_COAUTHORS + 3
    assert mentions["small#1"].coauthors == tuple(f"Person{i} Author{i}" for i in range(2, MAX_COAUTHORS + 2))
    assert {len(m.coauthors) for k, m in mentions.items() if k.startswith("small")} == {MAX_COAUTHORS}
    assert {m.coauthors for k, m in mentions.items() if k.startswith("big")} == {()}


def test_pairs_between_clusters_propose_the_neighbours_their_mentions_do(tmp_path: Path) -> None:
    """A run extending earlier clusters compares clusters (``candidate_pairs`` given each mention's
    cluster): no pair inside a cluster, one pair for the alike ones between two clusters, and the
    same clusters proposed as neighbours as by the mentions' own pairs. Clusters: the true persons;
    the two biggest Qian names have units past EXHAUSTIVE_UNIT and pieces past MAX_POSTING."""
    for stem in ("Wei_Wang", "Lei_Zhang", "Abdul_Sattar"):
        shutil.copy(QIAN / f"{stem}.xml", tmp_path)
    labeled = read_aminer_xml(tmp_path)
    person = {row.mention.mention_id: f"{row.name}/{row.label}" for row in labeled}
    units = prepare([row.mention for row in labeled], (), ()).units
    plain = between = 0
    for unit in units:
        group = [person[f.mention_id] for f in unit]
        mention_pairs = list(candidate_pairs(unit))
        cluster_pairs = list(candidate_pairs(unit, group))
        expected = {frozenset((group[i], group[j])) for i, j in mention_pairs if group[i] != group[j]}
        assert {frozenset((group[i], group[j])) for i, j in cluster_pairs} == expected
        assert all(i < j and group[i] != group[j] for i, j in cluster_pairs)
        plain, between = plain + len(mention_pairs), between + len(cluster_pairs)
    assert (len(units), plain, between) == (3, 15018, 168)
