"""Author resolution at scale: streamed input, feature extraction in workers, the cheaper internals.

Every change here is for speed or memory only, so each test compares with the plain way of doing it.
"""

from __future__ import annotations

import hashlib
import random
import shutil
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import orjson
import pytest

from dedupe import clustering
from dedupe.clustering import ClusteringConfig, prepare, resolve_authors
from dedupe.incremental import RESOLVER_VERSION, UnitResult, _LinkIndex, _signature, resolve_incrementally
from dedupe.labeled import read_aminer_xml
from dedupe.mentions import AuthorMention, MentionFeatures
from dedupe.scoring import Evidence, _year_gap
from warehouse.author_step import _evidence_row
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
    assert resolve_authors(_stream(mentions)) == reference
    assert resolve_authors(_stream(mentions), workers=2) == reference


def test_duplicate_ids_are_found_across_chunks(
    mentions: list[AuthorMention], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clustering, "_CHUNK", 10)
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
    unit: list[MentionFeatures],
    by_id: dict[str, AuthorMention],
    prepared: clustering.Prepared,
    config: ClusteringConfig,
) -> str:
    ids = {f.mention_id for f in unit}
    parts = [repr(by_id[m]) for m in sorted(ids)]
    parts += sorted(repr(link) for link in prepared.links if link[0] in ids or link[1] in ids)
    parts += sorted(repr(sorted(pair)) for pair in prepared.cannot if pair & ids)
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
    by_id = {m.mention_id: m for m in mentions}
    prepared = prepare(mentions, must, cannot)
    index = _LinkIndex(prepared)
    for unit in prepared.units:
        assert _signature(unit, by_id, index, config) == _naive_signature(unit, by_id, prepared, config)
    outcome = resolve_incrementally(mentions, {}, must_link=must, cannot_link=cannot)
    assert outcome.resolution == resolve_authors(mentions, must_link=must, cannot_link=cannot)


def test_year_gap_is_the_closest_pair() -> None:
    rng = random.Random(5)
    for _ in range(5000):
        a = {rng.randint(1990, 2025) for _ in range(rng.randint(1, 9))}
        b = {rng.randint(1990, 2025) for _ in range(rng.randint(1, 9))}
        assert _year_gap(a, b) == min(abs(x - y) for x in a for y in b)
    assert _year_gap(set(), {2000}) is None


def test_evidence_rows_and_unit_json_match_asdict() -> None:
    e = Evidence("a", "b", 0.42, name_similarity=0.6, east_asian=True, year_gap=None, smaller_size=3)
    row = _evidence_row(e)
    detail = {k: v for k, v in asdict(e).items() if k not in ("left", "right", "score", "rule")}
    assert row["evidence"] == orjson.dumps(detail, option=orjson.OPT_SORT_KEYS).decode()
    unit = UnitResult("s", {"a": "a", "b": "a"}, {"a": (e,)}, (e,))
    assert _unit_from_json("s", _unit_to_json(unit)) == unit
