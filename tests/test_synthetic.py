"""The synthetic generator: deterministic, in the real record shapes, synthetic ids only, and with the
distributions stated in sources/synthetic/DISTRIBUTIONS.md (bounds for a 2,000-work data set)."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

import sources.synthetic
from sources.batch import BatchBuilder
from sources.landing import RawPage
from sources.openalex_records import normalize_openalex_page
from sources.synthetic import SynthManifest, generate
from sources.synthetic.distributions import orcid_check_digit, synthetic_orcid
from sources.synthetic.names import (
    CANONICAL,
    INITIALS,
    INVERTED,
    SPECIAL,
    SURNAME_FIRST,
    ascii_fold,
    render_variant,
)
from sources.synthetic.vocabulary import TOPICS

WORKS = 2000
SEED = 11
PART_SIZE = 500
# A real recorded work of the 2024-2025 schema without search-only fields (relevance_score).
REAL_WORK_FILE = "openalex/works/008-pro_pipeline_parallel__json_chunk_1_results_page_1.json"
REAL_WORK_ID = "https://openalex.org/W1934649023"
ARXIV_ID = re.compile(r"^\d{2}(0[1-9]|1[0-2])\.9\d{4}$")


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SynthManifest]:
    out = tmp_path_factory.mktemp("synth")
    return out, generate(WORKS, SEED, out, pages=True, part_size=PART_SIZE)


@pytest.fixture(scope="module")
def works(synth: tuple[Path, SynthManifest]) -> list[dict[str, Any]]:
    out, _ = synth
    parts = sorted((out / "openalex" / "works").glob("updated_date=*/part_*.gz"))
    return [json.loads(line) for part in parts for line in _lines(part)]


@pytest.fixture(scope="module")
def arxiv(synth: tuple[Path, SynthManifest]) -> list[dict[str, Any]]:
    out, _ = synth
    lines = (out / "arxiv" / "arxiv-metadata-oai-snapshot.json").read_text().splitlines()
    return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def persons(synth: tuple[Path, SynthManifest]) -> dict[str, list[Any]]:
    return pq.read_table(synth[0] / "truth" / "persons.parquet").to_pydict()


@pytest.fixture(scope="module")
def truth(synth: tuple[Path, SynthManifest]) -> dict[str, list[Any]]:
    return pq.read_table(synth[0] / "truth" / "authors.parquet").to_pydict()


def _real_work(recorded: Path) -> dict[str, Any]:
    results = json.loads((recorded / REAL_WORK_FILE).read_text())["results"]
    return next(r for r in results if r["id"] == REAL_WORK_ID)


def _lines(part: Path) -> list[bytes]:
    with gzip.open(part) as file:
        return file.read().splitlines()


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_exports() -> None:
    assert sorted(sources.synthetic.__all__) == ["SynthManifest", "generate"]


def test_same_arguments_give_identical_files(tmp_path: Path) -> None:
    first = generate(400, 3, tmp_path / "a", pages=True, part_size=150)
    second = generate(400, 3, tmp_path / "b", pages=True, part_size=150)
    assert first == second
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    generate(400, 4, tmp_path / "c", pages=True, part_size=150)
    other = _files(tmp_path / "c")
    for name, content in _files(tmp_path / "a").items():
        if name != "SYNTHETIC.md":
            assert other.get(name) != content, name


def test_works_have_the_real_record_shape(works: list[dict[str, Any]], recorded: Path) -> None:
    real = _real_work(recorded)
    real_authorship = next(a for a in real["authorships"] if a["institutions"])
    for work in works:
        assert work.keys() == real.keys()
        assert work["primary_location"].keys() == real["primary_location"].keys()
        assert work["primary_location"]["source"].keys() == real["primary_location"]["source"].keys()
        assert all(t.keys() == real["topics"][0].keys() for t in work["topics"])
        for authorship in work["authorships"]:
            assert authorship.keys() == real_authorship.keys()
            assert authorship["author"].keys() == real_authorship["author"].keys()
            for institution in authorship["institutions"]:
                assert institution.keys() == real_authorship["institutions"][0].keys()


def test_arxiv_entries_have_the_snapshot_shape(arxiv: list[dict[str, Any]], recorded: Path) -> None:
    snapshot = recorded / "arxiv" / "kaggle-snapshot" / "arxiv-metadata-oai-snapshot.json"
    real = json.loads(snapshot.read_text().splitlines()[0])
    assert len(arxiv) == round(0.2 * WORKS)
    for entry in arxiv:
        assert list(entry) == list(real)
        assert ARXIV_ID.match(entry["id"]), entry["id"]
        assert entry["abstract"].startswith("  ") and entry["abstract"].endswith("\n")
        assert len(entry["authors_parsed"]) == len(entry["authors"].split(", ")) + entry["authors"].count(
            " and "
        )
        assert entry["versions"][0]["version"] == "v1" and entry["versions"][0]["created"].endswith(" GMT")


def test_some_arxiv_entries_are_openalex_works(
    works: list[dict[str, Any]], arxiv: list[dict[str, Any]]
) -> None:
    ids = {e["id"] for e in arxiv}
    arxiv_dois = {
        w["doi"].removeprefix("https://doi.org/10.48550/arxiv.") for w in works if "10.48550" in w["doi"]
    }
    landing = {
        loc["landing_page_url"].removeprefix("https://arxiv.org/abs/")
        for w in works
        for loc in w["locations"]
        if loc["landing_page_url"].startswith("https://arxiv.org/abs/")
    }
    assert arxiv_dois and arxiv_dois <= ids and arxiv_dois <= landing
    published = [e for e in arxiv if e["doi"]]
    assert published and all(
        e["doi"].startswith("10.5555/synthetic.") and e["journal-ref"] for e in published
    )
    assert 0.6 <= len(landing) / len(arxiv) <= 0.8  # 70 % shared, 30 % arXiv-only


def test_ids_are_in_the_synthetic_ranges(works: list[dict[str, Any]]) -> None:
    for work in works:
        assert 9_000_000_000 <= int(work["id"].rsplit("/W", 1)[1]) < 9_100_000_000
        doi = work["doi"].removeprefix("https://doi.org/")
        assert doi.startswith("10.5555/synthetic.") or ARXIV_ID.match(doi.removeprefix("10.48550/arxiv."))
        for authorship in work["authorships"]:
            author_id = authorship["author"]["id"].rsplit("/", 1)[1]
            if author_id == "A9999999999":
                assert authorship["author"]["display_name"] == "NULL AUTHOR_ID"
            else:
                assert 9_100_000_000 <= int(author_id[1:]) < 9_200_000_000
            for institution in authorship["institutions"]:
                assert 9_200_000_000 <= int(institution["id"].rsplit("/I", 1)[1]) < 9_300_000_000


def test_manifests_count_what_was_written(
    synth: tuple[Path, SynthManifest], works: list[dict[str, Any]], arxiv: list[dict[str, Any]]
) -> None:
    out, manifest = synth
    snapshot = json.loads((out / "openalex" / "works" / "manifest").read_text())
    for entry in snapshot["entries"]:
        assert entry["url"].startswith("works/updated_date=")
        part = out / "openalex" / entry["url"]
        assert entry["meta"]["content_length"] == part.stat().st_size
        assert entry["meta"]["record_count"] == len(_lines(part)) <= PART_SIZE
    assert snapshot["meta"]["record_count"] == manifest.works == len(works) == WORKS
    assert snapshot["meta"]["synthetic"] is True
    assert len({e["url"].split("/")[1] for e in snapshot["entries"]}) == 2  # one partition per 1,000
    assert manifest.authorships == sum(len(w["authorships"]) for w in works)
    assert manifest.arxiv_entries == len(arxiv)
    assert manifest.arxiv_authorships == sum(len(e["authors_parsed"]) for e in arxiv)
    assert set(manifest.files) == set(_files(out))
    assert json.loads((out / "manifest.json").read_text()) == manifest.to_json()
    assert "SYNTHETIC DATA" in (out / "SYNTHETIC.md").read_text()
    pages = sorted((out / "openalex" / "pages").glob("page_*.json"))
    bodies = [json.loads(p.read_text()) for p in pages]
    assert [r for b in bodies for r in b["results"]] == works
    assert bodies[-1]["meta"]["next_cursor"] is None and bodies[0]["meta"]["next_cursor"]


def test_truth_covers_every_mention(
    works: list[dict[str, Any]],
    arxiv: list[dict[str, Any]],
    truth: dict[str, list[Any]],
    persons: dict[str, list[Any]],
) -> None:
    expected = {
        f"openalex:{w['id'].rsplit('/', 1)[1]}#{position}"
        for w in works
        for position in range(1, len(w["authorships"]) + 1)
    }
    expected |= {f"arxiv:{e['id']}#{p}" for e in arxiv for p in range(1, len(e["authors_parsed"]) + 1)}
    assert len(truth["mention_id"]) == len(set(truth["mention_id"]))
    assert set(truth["mention_id"]) == expected
    assert set(truth["person_id"]) == set(persons["person_id"])  # every person has a mention
    assert persons["person_id"] == list(range(len(persons["person_id"])))


def test_no_person_twice_on_one_paper(truth: dict[str, list[Any]]) -> None:
    pairs = Counter(zip(truth["work_id"], truth["person_id"], strict=True))
    assert max(pairs.values()) == 1


def test_authors_per_paper(works: list[dict[str, Any]]) -> None:
    sizes = np.array([len(w["authorships"]) for w in works])
    assert np.median(sizes) == 4
    assert 0.001 <= (sizes >= 100).mean() <= 0.012  # collaboration papers, stated 0.5 %
    assert sizes.min() >= 1 and sizes.max() <= 1000


def test_productivity_is_lotka_like(persons: dict[str, list[Any]]) -> None:
    counts = np.array(persons["works_count"])
    assert (counts <= 3).mean() >= 0.7  # most people have 1-3 works
    assert (counts == 1).mean() >= 0.4
    assert counts.max() >= 20  # and a few are prolific


def test_homonym_blocks(synth: tuple[Path, SynthManifest], persons: dict[str, list[Any]]) -> None:
    _, manifest = synth
    names = Counter(persons["display_name"])
    share = sum(c for c in names.values() if c >= 2) / manifest.persons
    assert manifest.persons_in_homonym_blocks / manifest.persons == pytest.approx(share)
    assert manifest.homonym_blocks == sum(1 for c in names.values() if c >= 2)
    assert 0.15 <= share <= 0.40  # stated for 2,000 works; it grows with the data set
    top = [name for name, _ in names.most_common(10)]
    assert any(n in top for n in ("Wei Wang", "Wei Li", "Wei Zhang", "Jing Wang", "Jing Li", "Jing Zhang"))


def test_orcids_and_openalex_merges_and_splits(
    persons: dict[str, list[Any]], works: list[dict[str, Any]]
) -> None:
    count = len(persons["person_id"])
    orcids = [o for o in persons["orcid"] if o]
    assert 0.25 <= len(orcids) / count <= 0.35
    shown = {a["author"]["orcid"] for w in works for a in w["authorships"] if a["author"]["orcid"]}
    for orcid in orcids + [o.removeprefix("https://orcid.org/") for o in shown]:
        digits = orcid.replace("-", "")
        assert orcid.startswith("0009-9") and orcid_check_digit(digits[:15]) == digits[15]
    merged = sum(
        a != f"A{9_100_000_000 + p}"
        for p, a in zip(persons["person_id"], persons["openalex_author_id"], strict=True)
    )
    split = sum(s is not None for s in persons["split_author_id"])
    assert merged / count == pytest.approx(0.02, abs=0.002)
    assert split / count == pytest.approx(0.02, abs=0.002)


def test_coauthors_mostly_within_groups(truth: dict[str, list[Any]]) -> None:
    by_work: dict[str, list[int]] = {}
    for source, work, group in zip(truth["source"], truth["work_id"], truth["group_id"], strict=True):
        if source == "openalex":
            by_work.setdefault(work, []).append(group)
    same = total = 0
    for groups in by_work.values():
        if len(groups) < 100:  # collaboration papers are a consortium each
            counts = Counter(groups)
            same += sum(c * (c - 1) // 2 for c in counts.values())
            total += len(groups) * (len(groups) - 1) // 2
    assert same / total >= 0.6


def test_years_abstracts_and_bad_records(
    synth: tuple[Path, SynthManifest], works: list[dict[str, Any]]
) -> None:
    years = Counter(w["publication_year"] for w in works)
    assert min(years) >= 1990 and max(years) <= 2026
    assert sum(years[y] for y in range(2016, 2027)) > 3 * sum(years[y] for y in range(1990, 2001))
    no_abstract = sum(w["abstract_inverted_index"] is None for w in works) / len(works)
    assert 0.07 <= no_abstract <= 0.13
    bad = synth[1].bad_records
    assert 0.01 <= sum(bad.values()) / len(works) <= 0.03
    assert sum(w["title"] is None for w in works) == bad["null_title"] > 0
    mentions = sum(len(w["authorships"]) for w in works)
    null = sum(a["author"]["id"].endswith("/A9999999999") for w in works for a in w["authorships"])
    assert 0 < null / mentions <= 0.003


def test_the_pipeline_normalizes_and_quarantines_synthetic_pages(synth: tuple[Path, SynthManifest]) -> None:
    out, manifest = synth
    batch = BatchBuilder("openalex")
    for page in sorted((out / "openalex" / "pages").glob("page_*.json")):
        normalize_openalex_page(RawPage(page.name, page.read_bytes()), batch)
    reasons = batch.quarantined_by_reason()
    bad = manifest.bad_records
    assert reasons["null title"] == bad["null_title"] + bad["blank_title"]
    assert (
        sum(n for r, n in reasons.items() if r.startswith("invalid publication_date"))
        == bad["bad_publication_date"]
    )
    assert reasons["author without a name"] == bad["unnamed_author"]
    assert (
        len(batch.rows["works"])
        == WORKS - bad["null_title"] - bad["blank_title"] - bad["bad_publication_date"]
    )
    assert reasons["null author (OpenAlex NULL AUTHOR_ID)"] > 0
    assert reasons["author without a name"] > 0


def test_orcid_check_digit_matches_orcids_example() -> None:
    # ORCID's documented example iD 0000-0002-1825-0097.
    assert orcid_check_digit("000000021825009") == "7"
    assert synthetic_orcid(0) == "0009-9000-0000-000" + orcid_check_digit("000990000000000")


def test_name_variants() -> None:
    from sources.synthetic.names import CULTURES

    chinese = CULTURES[0]
    pair = chinese.givens.index(("Xiao", "ming"))
    key = ((0 * 4096 + chinese.surnames.index("Wang")) * 1024 + pair) * 32
    assert [render_variant(key, v) for v in (CANONICAL, INITIALS, INVERTED, SPECIAL, SURNAME_FIRST)] == [
        "Xiaoming Wang",
        "X.-M. Wang",
        "Wang, Xiaoming",
        "Xiao-Ming Wang",
        "Wang Xiaoming",
    ]
    assert ascii_fold("José Müller Łukasz Søren") == "Jose Muller Lukasz Soren"


def test_topics_map_to_real_arxiv_categories() -> None:
    taxonomy = json.loads((Path(__file__).parents[1] / "sources" / "arxiv_taxonomy.json").read_text())
    for topic in TOPICS:
        assert len(topic.words) == 12
        assert all(c in taxonomy["categories"] for c in topic.arxiv_categories)


@given(st.integers(min_value=0, max_value=10**10 - 1), st.integers(min_value=0, max_value=14))
def test_synthetic_orcids_are_valid_and_detect_single_digit_errors(number: int, position: int) -> None:
    digits = synthetic_orcid(number).replace("-", "")
    assert re.fullmatch(r"00099\d{10}[\dX]", digits)
    assert orcid_check_digit(digits[:15]) == digits[15]
    changed = digits[:position] + str((int(digits[position]) + 1) % 10) + digits[position + 1 : 15]
    assert orcid_check_digit(changed) != digits[15]


def test_output_directory_must_be_empty(tmp_path: Path) -> None:
    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(FileExistsError, match="not empty"):
        generate(200, 1, tmp_path)


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 100"):
        generate(10, 1, tmp_path)
    with pytest.raises(ValueError, match="arxiv_share"):
        generate(1000, 1, tmp_path, arxiv_share=1.5)


def test_updated_dates_match_partitions(synth: tuple[Path, SynthManifest]) -> None:
    out, _ = synth
    numbers = []
    for part in sorted((out / "openalex" / "works").glob("updated_date=*/part_*.gz")):
        day = part.parent.name.removeprefix("updated_date=")
        records = [json.loads(line) for line in _lines(part)]
        assert {r["updated_date"][:10] for r in records} == {day}
        numbers += [int(r["id"].rsplit("W", 1)[1]) for r in records]
    assert all(b == a + 1 for a, b in pairwise(numbers))
