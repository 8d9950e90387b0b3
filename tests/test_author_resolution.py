"""Author identity resolution: real labeled blocks, hard rules, operator overrides, invariants."""

from __future__ import annotations

import math
import shutil
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe import clustering
from dedupe.clustering import ClusteringConfig, Resolution, resolve_authors
from dedupe.labeled import LabeledMention, read_aminer_xml
from dedupe.mentions import MAX_COAUTHORS, AuthorMention, extract_features
from dedupe.scoring import DEFAULT_WEIGHTS, Evidence, Profile, score_pair, score_profiles

QIAN = Path(__file__).resolve().parents[1] / "recorded" / "disambiguation" / "qian-dblp-xml"


def _partition(resolution: Resolution, ids: dict[str, str]) -> list[list[int]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for mention_id, cluster in sorted(resolution.clusters.items()):
        groups[cluster].append(int(ids[mention_id]))
    return sorted(groups.values())


@pytest.fixture(scope="module")
def qian_blocks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[LabeledMention]]:
    folder = tmp_path_factory.mktemp("qian")
    for stem in ("Haibo_Yu", "Li_Wei", "Abdul_Sattar", "J&uuml;rgen_M&uuml;ller"):
        shutil.copy(QIAN / f"{stem}.xml", folder)
    blocks: dict[str, list[LabeledMention]] = defaultdict(list)
    for row in read_aminer_xml(folder):
        blocks[row.name].append(row)
    return blocks


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        # Two different Haibo Yus (same name, different people) must stay apart.
        ("Haibo_Yu", [[0, 1, 2], [3, 4, 5]]),
        ("Li_Wei", [[0, 1, 2, 3], [4, 5, 6, 7, 8]]),
        ("Abdul_Sattar", [[0, 1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11]]),
        ("J&uuml;rgen_M&uuml;ller", [[0, 1], [2, 3, 4, 5, 6], [7]]),
    ],
)
def test_real_qian_blocks_resolve_exactly(
    qian_blocks: dict[str, list[LabeledMention]], stem: str, expected: list[list[int]]
) -> None:
    rows = qian_blocks[stem]
    resolution = resolve_authors([r.mention for r in rows])
    ids = {r.mention.mention_id: r.publication_id for r in rows}
    assert _partition(resolution, ids) == expected
    truth: dict[str, list[int]] = defaultdict(list)
    for r in rows:
        truth[r.label].append(int(r.publication_id))
    assert sorted(truth.values()) == expected  # the labels agree: the model is right here


def _label_sizes(rows: list[LabeledMention], resolution: Resolution) -> list[list[tuple[str, int]]]:
    """Each predicted cluster as its (true person, mentions) counts, biggest cluster first."""
    clusters: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        clusters[resolution.clusters[r.mention.mention_id]][r.label] += 1
    return sorted((sorted(c.items()) for c in clusters.values()), key=lambda c: (-sum(n for _, n in c), c))


def test_big_clusters_at_the_same_venues_join(tmp_path: Path) -> None:
    # Thomas Ludwig (person 1011 of the file, 55 papers): parallel tools in one cluster, CORBA and
    # phylogenetics in another, at the same venues (Euro-Par, HPCN, PaCT, FGCS). Their venue cosine is
    # not damped by their size (ScoringWeights.venue_size_damping), so they are one person.
    shutil.copy(QIAN / "Thomas_Ludwig.xml", tmp_path)
    rows = read_aminer_xml(tmp_path)
    resolution = resolve_authors([r.mention for r in rows])
    # One paper of person 1013 sits with 1011 (as it did before); 1011's small fragments share nothing.
    assert _label_sizes(rows, resolution) == [
        [("1011", 51), ("1013", 1)],
        [("1012", 3)],
        [("1011", 2)],
        [("1011", 1)],
        [("1011", 1)],
        [("1013", 1)],
    ]
    # Damped as before 2026-11-27, the two halves stayed apart.
    damped = replace(DEFAULT_WEIGHTS, venue_size_damping=DEFAULT_WEIGHTS.size_damping)
    config = ClusteringConfig(weights=damped)
    before = _label_sizes(rows, resolve_authors([r.mention for r in rows], config=config))
    assert before[:2] == [[("1011", 31), ("1013", 1)], [("1011", 20)]]


def test_two_syllable_chinese_given_names_take_a_milder_prior(tmp_path: Path) -> None:
    # Feifei Li (person 229 of the file, 22 papers; person 228 has 3): Chinese given names of two
    # syllables are shared by fewer people than one-syllable ones (ScoringWeights.east_asian_long_given).
    shutil.copy(QIAN / "Feifei_Li.xml", tmp_path)
    rows = read_aminer_xml(tmp_path)
    resolution = resolve_authors([r.mention for r in rows])
    assert _label_sizes(rows, resolution) == [[("229", 20)], [("229", 2)], *[[("228", 1)]] * 3]
    # With the prior of "Wei Wang", as before 2026-11-27, person 229 stayed in two halves.
    strict = replace(DEFAULT_WEIGHTS, east_asian_long_given=DEFAULT_WEIGHTS.east_asian)
    config = ClusteringConfig(weights=strict)
    before = _label_sizes(rows, resolve_authors([r.mention for r in rows], config=config))
    assert before == [[("229", 10)], [("229", 10)], [("229", 2)], *[[("228", 1)]] * 3]


def test_clusters_carry_evidence_and_keys(qian_blocks: dict[str, list[LabeledMention]]) -> None:
    rows = qian_blocks["Haibo_Yu"]
    resolution = resolve_authors([r.mention for r in rows])
    assert sorted(set(resolution.clusters.values())) == ["Haibo_Yu#00000", "Haibo_Yu#00003"]
    joins = resolution.evidence["Haibo_Yu#00000"]
    assert len(joins) == 2
    assert all(e.rule == "score" and 0.5 <= e.score <= 1.0 for e in joins)


@settings(max_examples=25, deadline=None)
@given(st.randoms(use_true_random=False))
def test_clustering_is_independent_of_input_order(
    qian_blocks: dict[str, list[LabeledMention]], rng: object
) -> None:
    mentions = [r.mention for r in qian_blocks["Abdul_Sattar"] + qian_blocks["Li_Wei"]]
    reference = resolve_authors(mentions)
    shuffled = list(mentions)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    again = resolve_authors(shuffled)
    assert again.clusters == reference.clusters
    assert again.reviews == reference.reviews
    assert again.evidence == reference.evidence


def _mention(mention_id: str, **fields: object) -> AuthorMention:
    base: dict[str, object] = {
        "raw_name": "Lei Wang",
        "title": "Robust face recognition with sparse coding",
        "venue": "CVPR",
        "year": 2010,
        "coauthors": ("Jing Zhang", "Ming Li"),
        "work_id": mention_id,
        "position": 0,
    }
    base.update(fields)
    return AuthorMention(mention_id=mention_id, **base)  # type: ignore[arg-type]


def test_same_evidence_joins() -> None:
    resolution = resolve_authors([_mention("a"), _mention("b")])
    assert resolution.clusters == {"a": "a", "b": "a"}


def test_orcid_conflict_keeps_apart_and_equal_orcid_joins() -> None:
    apart = resolve_authors(
        [_mention("a", orcid="0000-0002-1825-0097"), _mention("b", orcid="0000-0001-5109-3700")]
    )
    assert apart.clusters == {"a": "a", "b": "b"}
    joined = resolve_authors(
        [
            _mention("a", orcid="https://orcid.org/0000-0002-1825-0097", title="x", venue="A"),
            _mention("b", orcid="0000-0002-1825-0097", title="y", venue="B", coauthors=()),
        ]
    )
    assert joined.clusters == {"a": "a", "b": "a"}
    assert joined.evidence["a"][0].rule == "orcid"


def test_operator_overrides_win() -> None:
    same = [_mention("a"), _mention("b")]
    assert resolve_authors(same, cannot_link=[("b", "a")]).clusters == {"a": "a", "b": "b"}
    different = [
        _mention("a"),
        _mention("b", raw_name="L. Wang", title="Soil", venue="Geoderma", coauthors=()),
    ]
    assert resolve_authors(different).clusters == {"a": "a", "b": "b"}
    forced = resolve_authors(different, must_link=[("a", "b")])
    assert forced.clusters == {"a": "a", "b": "a"}
    assert forced.evidence["a"][0].rule == "operator"
    # Both decisions on one pair: keep apart (precision first).
    both = resolve_authors(different, must_link=[("a", "b")], cannot_link=[("a", "b")])
    assert both.clusters == {"a": "a", "b": "b"}


def test_must_link_joins_across_name_blocks() -> None:
    mentions = [_mention("a"), _mention("b", raw_name="Wang Lei Smith", coauthors=())]
    resolution = resolve_authors(mentions, must_link=[("a", "b")])
    assert resolution.clusters == {"a": "a", "b": "a"}


def test_a_lone_coauthor_with_a_common_chinese_name_counts_less() -> None:
    def shared_one(coauthor: str) -> Evidence:
        left = _mention("a", title="Sparse coding", venue="A", coauthors=(coauthor,))
        right = _mention("b", title="Graph cuts", venue="B", coauthors=(coauthor, "Ana Lopez"))
        return score_pair(left, right)

    common, rare = shared_one("Ming Li"), shared_one("John Smith")
    assert (common.shared_coauthors, common.common_coauthor) == (1, True)
    assert (rare.shared_coauthors, rare.common_coauthor) == (1, False)
    assert common.coauthor_similarity == rare.coauthor_similarity
    # Singletons (no size damping): the co-author term is 4 x 0.6 instead of 4 x 1 in log-odds
    # (scores are rounded to 6 digits, so the gap read back from them is within 0.005).
    gap = _logit(rare.score) - _logit(common.score)
    assert gap == pytest.approx(DEFAULT_WEIGHTS.coauthor * (1 - DEFAULT_WEIGHTS.common_coauthor), abs=5e-3)


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def test_incompatible_given_names_never_join() -> None:
    resolution = resolve_authors([_mention("a"), _mention("b", raw_name="Lin Wang")])
    assert resolution.clusters == {"a": "a", "b": "b"}
    assert score_pair(_mention("a"), _mention("b", raw_name="Lin Wang")).rule == "name_conflict"


def test_collaboration_paper_coauthors_are_not_evidence() -> None:
    crowd = tuple(f"Author{i} Person{i}" for i in range(300))
    assert len(crowd) > MAX_COAUTHORS
    left = _mention("a", coauthors=crowd, title="Higgs boson mass", venue="PRL", work_id="w1")
    right = _mention("b", coauthors=crowd, title="Top quark decay", venue="JHEP", work_id="w2")
    evidence = score_pair(left, right)
    assert evidence.shared_coauthors == 0
    assert resolve_authors([left, right]).clusters == {"a": "a", "b": "b"}


def test_duplicate_mentions_on_one_work() -> None:
    # The same authorship recorded twice (same work, same position) is one person...
    twice = resolve_authors([_mention("a", work_id="w"), _mention("b", work_id="w")])
    assert twice.clusters == {"a": "a", "b": "a"}
    assert twice.evidence["a"][0].rule == "same_authorship"
    # ...while two namesakes at two positions on one work are two people.
    namesakes = resolve_authors(
        [_mention("a", work_id="w", position=0), _mention("b", work_id="w", position=3)]
    )
    assert namesakes.clusters == {"a": "a", "b": "b"}


def test_unusable_names_are_quarantined_and_ids_unique() -> None:
    resolution = resolve_authors([_mention("a"), _mention("b", raw_name="?")])
    assert resolution.clusters == {"a": "a"}
    assert resolution.quarantined == {"b": "no surname after cleaning"}
    with pytest.raises(ValueError, match="duplicate mention_id"):
        resolve_authors([_mention("a"), _mention("a")])


def test_uncertain_pairs_are_listed_for_review() -> None:
    # Two Lei Wangs at one venue, nothing else shared: not enough to join, worth a look.
    left = _mention("a", coauthors=(), venue="CVPR", title="Sparse coding for faces")
    right = _mention("b", coauthors=(), venue="CVPR", title="Graph matching of scenes")
    resolution = resolve_authors([left, right])
    assert resolution.clusters == {"a": "a", "b": "b"}
    assert [(e.left, e.right, e.score) for e in resolution.reviews] == [("a", "b", 0.377541)]
    assert resolve_authors([left, right], config=ClusteringConfig(review_low=0.5)).reviews == ()


_WORDS = st.sampled_from(["graph", "learning", "sparse", "protein", "robot", "query", "soil"])
_MENTIONS = st.builds(
    AuthorMention,
    mention_id=st.text(alphabet="abc123", min_size=1, max_size=4),
    raw_name=st.sampled_from(["Lei Wang", "L. Wang", "Wang Lei", "Lin Wang", "Lei Wang-Li"]),
    position=st.integers(-1, 3),
    coauthors=st.lists(st.sampled_from(["Jing Zhang", "Ming Li", "A. Smith"]), max_size=3).map(tuple),
    institution_ids=st.lists(st.sampled_from(["I1", "I2"]), max_size=2).map(tuple),
    affiliations=st.lists(st.sampled_from(["Tsinghua Univ.", "MIT", "null"]), max_size=2).map(tuple),
    title=st.lists(_WORDS, max_size=5).map(" ".join),
    venue=st.sampled_from(["", "CVPR", "ICDE", "Nature"]),
    year=st.one_of(st.none(), st.integers(1990, 2025)),
    topics=st.lists(_WORDS, max_size=2).map(tuple),
    orcid=st.sampled_from([None, "0000-0002-1825-0097", "0000-0001-5109-3700"]),
    source_author_id=st.sampled_from([None, "A1", "A2"]),
    work_id=st.sampled_from(["w1", "w2", "w3"]),
)


@settings(max_examples=200, deadline=None)
@given(_MENTIONS, _MENTIONS)
def test_score_is_symmetric_and_bounded(left: AuthorMention, right: AuthorMention) -> None:
    forward, backward = score_pair(left, right), score_pair(right, left)
    assert 0.0 <= forward.score <= 1.0
    assert forward.score == backward.score
    assert forward.rule == backward.rule


@settings(max_examples=100, deadline=None)
@given(st.lists(_MENTIONS, min_size=1, max_size=4), st.lists(_MENTIONS, min_size=1, max_size=4))
def test_cluster_scores_are_symmetric_and_bounded(
    lefts: list[AuthorMention], rights: list[AuthorMention]
) -> None:
    # Clusters, not single mentions: the size damping (and its venue exception) only acts above one.
    left = Profile([extract_features(replace(m, mention_id=f"l{i}")) for i, m in enumerate(lefts)])
    right = Profile([extract_features(replace(m, mention_id=f"r{i}")) for i, m in enumerate(rights)])
    forward, backward = score_profiles(left, right), score_profiles(right, left)
    assert 0.0 <= forward.score <= 1.0
    assert forward == backward


@settings(max_examples=40, deadline=None)
@given(st.lists(_MENTIONS, max_size=8, unique_by=lambda m: m.mention_id), st.randoms())
def test_random_sets_cluster_the_same_in_any_order(mentions: list[AuthorMention], rng: object) -> None:
    shuffled = list(mentions)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    assert resolve_authors(shuffled).clusters == resolve_authors(mentions).clusters


def test_workers_give_the_same_result(
    qian_blocks: dict[str, list[LabeledMention]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clustering, "PARALLEL_MIN_MENTIONS", 0)  # in the processes, small as it is
    mentions = [r.mention for rows in qian_blocks.values() for r in rows]
    links = [("Li_Wei#00000", "Li_Wei#00008")]
    single = resolve_authors(mentions, must_link=links)
    parallel = resolve_authors(mentions, must_link=links, workers=2)
    assert parallel == single
    assert single.clusters["Li_Wei#00008"] == "Li_Wei#00000"
