"""One work per paper: merge keys, field rules, must-not-merge cases, order independence."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe import WorkRecord, distinct_paper_reason, merge_works, surname

RECORDED = Path(__file__).resolve().parent.parent / "recorded"


def openalex_record(work_id: str) -> WorkRecord:
    """A real recorded OpenAlex work as the merge sees it."""
    for path in sorted((RECORDED / "openalex" / "works").glob("*.json")):
        for r in json.loads(path.read_text()).get("results", []):
            if r["id"].endswith(work_id):
                source = (r.get("primary_location") or {}).get("source") or {}
                doi = (r.get("doi") or "").removeprefix("https://doi.org/").lower() or None
                return WorkRecord(
                    source_work_id=f"openalex:{work_id}",
                    source="openalex",
                    title=r["title"],
                    type=r["type"],
                    display_year=r["publication_year"],
                    first_version_date=None,
                    publication_date=date.fromisoformat(r["publication_date"]),
                    venue=source.get("display_name"),
                    venue_type=source.get("type"),
                    doi=doi,
                    arxiv_id=doi.removeprefix("10.48550/arxiv.") if doi and "arxiv" in doi else None,
                    openalex_id=work_id,
                    journal_ref=None,
                    surnames=tuple(surname(a["raw_author_name"]) for a in r["authorships"]),
                    has_abstract=r.get("abstract_inverted_index") is not None,
                )
    raise LookupError(work_id)


GNMT = openalex_record("W2525778437")
# The arXiv side of the same paper, built from the real OpenAlex record's fields (title, authors),
# with the dates arXiv lists for 1609.08144: v1 2016-09-26 (the OpenAlex record has 2016-01-01).
GNMT_ARXIV = dataclasses.replace(
    GNMT,
    source_work_id="arxiv:1609.08144",
    source="arxiv",
    type="preprint",
    first_version_date=date(2016, 9, 26),
    publication_date=None,
    venue="arXiv",
    venue_type="repository",
    doi=None,
    openalex_id=None,
)


def test_gnmt_preprint_from_both_sources_is_one_work_dated_by_its_first_version() -> None:
    (work,) = merge_works([GNMT, GNMT_ARXIV])
    assert work.work_id == "arxiv:1609.08144"
    assert sorted(work.records) == [
        ("arxiv:1609.08144", "self", 100.0),
        ("openalex:W2525778437", "arxiv_id", 100.0),
    ]
    assert work.fields["first_version_date"] == date(2016, 9, 26)  # not OpenAlex's 2016-01-01 placeholder
    assert work.fields["publication_date"] is None
    assert (work.fields["type"], work.fields["display_year"], work.fields["venue"]) == (
        "preprint",
        2016,
        "arXiv",
    )
    assert work.fields["doi"] == "10.48550/arxiv.1609.08144"
    assert work.field_sources["first_version_date"] == "arxiv:1609.08144"


def test_openalex_preprint_and_published_records_merge_with_published_fields() -> None:
    preprint, published = openalex_record("W4365441044"), openalex_record("W4389543639")
    (work,) = merge_works([published, preprint])
    assert {m for m, _, _ in work.records} == {"openalex:W4365441044", "openalex:W4389543639"}
    assert dict((m, how) for m, how, _ in work.records)["openalex:W4389543639"] == "title"
    assert work.work_id == "arxiv:2304.04761"
    assert work.fields["type"] == "article" and work.fields["has_preprint"] is True
    assert work.fields["publication_date"] == date(2023, 6, 26)
    assert work.fields["display_year"] == 2023
    assert work.fields["first_version_date"] == date(2023, 1, 1)  # the only date the preprint has
    assert work.fields["doi"] == "10.1109/ichi57859.2023.00127"
    assert work.field_sources["publication_date"] == "openalex:W4389543639"


def test_arxiv_record_with_journal_ref_is_published_in_that_venue() -> None:
    arxiv = dataclasses.replace(GNMT_ARXIV, journal_ref="Phys. Rev. D 76, 013009 (2017)", doi="10.1103/x")
    (work,) = merge_works([arxiv])
    assert (work.fields["type"], work.fields["venue"], work.fields["display_year"]) == (
        "article",
        "Phys. Rev. D 76, 013009 (2017)",
        2017,
    )
    assert work.fields["first_version_date"] == date(2016, 9, 26)
    assert work.fields["doi"] == "10.1103/x"


def test_published_year_placeholder_yields_to_a_precise_date() -> None:
    precise = dataclasses.replace(
        GNMT,
        source_work_id="openalex:W1",
        openalex_id="W1",
        type="article",
        venue="NeurIPS",
        venue_type="conference",
        doi="10.1/a",
        publication_date=date(2016, 12, 5),
    )
    placeholder = dataclasses.replace(
        precise, source_work_id="openalex:W2", openalex_id="W2", publication_date=date(2016, 1, 1)
    )
    (work,) = merge_works([placeholder, precise])
    assert work.fields["publication_date"] == date(2016, 12, 5)


def look_alike(title: str, **changes: object) -> WorkRecord:
    """A published look-alike of the real GNMT record: only the fields named change."""
    base = dataclasses.replace(
        GNMT,
        source_work_id="openalex:W9",
        openalex_id="W9",
        doi=None,
        arxiv_id=None,
        type="article",
        venue="Some Journal",
        venue_type="journal",
        title=title,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_fuzzy_title_match_joins_a_preprint_and_its_venue_version() -> None:
    venue = look_alike(GNMT.title.upper().replace(":", " -"), display_year=2017)
    (work,) = merge_works([GNMT_ARXIV, venue])
    assert dict((m, how) for m, how, _ in work.records)["openalex:W9"] == "title"
    assert (work.fields["type"], work.fields["venue"], work.fields["display_year"]) == (
        "article",
        "Some Journal",
        2017,
    )


def test_look_alikes_that_are_different_papers_stay_apart() -> None:
    cases = {
        "part": (
            look_alike("Deep Learning for Graphs, Part I"),
            look_alike("Deep Learning for Graphs, Part II", source_work_id="openalex:W8", openalex_id="W8"),
        ),
        "erratum": (GNMT_ARXIV, look_alike("Erratum: " + GNMT.title)),
        "reply": (GNMT_ARXIV, look_alike("Reply to comment on " + GNMT.title)),
        "thesis": (GNMT_ARXIV, look_alike(GNMT.title, type="dissertation")),
        "years and authors": (
            GNMT_ARXIV,
            look_alike(GNMT.title, display_year=2021, surnames=("smith", "jones")),
        ),
        "other authors": (GNMT_ARXIV, look_alike(GNMT.title, surnames=("smith", "jones", "brown"))),
        "two arXiv ids": (
            GNMT_ARXIV,
            dataclasses.replace(GNMT_ARXIV, source_work_id="arxiv:1609.99999", arxiv_id="1609.99999"),
        ),
    }
    for name, (a, b) in cases.items():
        assert len(merge_works([a, b])) == 2, name
    assert distinct_paper_reason(*cases["part"]) == "different parts"
    assert distinct_paper_reason(*cases["erratum"]) == "erratum, comment or reply"
    assert distinct_paper_reason(*cases["thesis"]) == "thesis and paper"


def test_two_records_with_different_publisher_dois_never_chain_into_one() -> None:
    a = look_alike(GNMT.title, doi="10.1/a", source_work_id="openalex:W1", openalex_id="W1")
    b = look_alike(GNMT.title, doi="10.1/b", source_work_id="openalex:W2", openalex_id="W2")
    works = merge_works([a, b, GNMT_ARXIV])  # the preprint matches both; only one may take it
    assert len(works) == 2


def test_preprint_server_versions_join_their_journal_version() -> None:
    # Real records, three DOIs of one paper: the JMIR article, its JMIR Preprints record and its
    # OSF preprint ("(Preprint)" in one title, a misspelt co-author in the other).
    jmir = [openalex_record(w) for w in ("W3212676313", "W4243312951", "W4242624664")]
    (work,) = merge_works(jmir)
    assert [(m, how) for m, how, _ in work.records] == [
        ("openalex:W3212676313", "self"),
        ("openalex:W4242624664", "title"),
        ("openalex:W4243312951", "title"),
    ]
    fields = work.fields
    assert (work.work_id, fields["doi"], fields["title"]) == (
        "doi:10.2196/28749",
        "10.2196/28749",
        jmir[0].title,
    )
    assert (fields["type"], fields["display_year"], fields["first_version_date"]) == (
        "article",
        2022,
        date(2021, 3, 13),
    )
    # A Journal of Political Economy article and its SSRN working paper (which OpenAlex types
    # "article"): one paper, named and shown as the journal's.
    (paper,) = merge_works([openalex_record("W2171769921"), openalex_record("W3122364323")])
    assert (paper.work_id, paper.fields["venue"]) == ("doi:10.1086/262115", "Journal of Political Economy")
    # Two journal DOIs stay two papers, even when a preprint matches both.
    journal = dataclasses.replace(jmir[0], doi="10.1/other", source_work_id="openalex:W8", openalex_id="W8")
    assert len(merge_works([*jmir, journal])) == 2
    assert distinct_paper_reason(jmir[0], journal) == "different DOIs"
    assert distinct_paper_reason(jmir[0], jmir[1]) is None


def test_papers_kept_apart_by_their_dois_never_share_the_arxiv_id_they_both_list() -> None:
    # A conference and a journal version that both list the preprint (as OpenAlex records do in
    # their arXiv locations): different DOIs keep them two papers; the arXiv id names neither.
    arxiv_id = GNMT_ARXIV.arxiv_id
    conference = look_alike(GNMT.title, doi="10.1/conf", arxiv_id=arxiv_id)
    journal = look_alike(
        GNMT.title, doi="10.1/journal", arxiv_id=arxiv_id, source_work_id="openalex:W8", openalex_id="W8"
    )
    works = merge_works([GNMT_ARXIV, conference, journal])
    assert [(w.work_id, [m for m, _, _ in w.records]) for w in works] == [
        ("doi:10.1/conf", ["openalex:W9"]),
        ("doi:10.1/journal", ["arxiv:1609.08144", "openalex:W8"]),  # the smaller record id takes it
    ]
    # Without the second version, the paper is named by its arXiv id as always.
    assert [w.work_id for w in merge_works([GNMT_ARXIV, conference])] == ["arxiv:1609.08144"]


RECORDS = [
    GNMT,
    GNMT_ARXIV,
    openalex_record("W4365441044"),
    openalex_record("W4389543639"),
    look_alike(GNMT.title.lower(), display_year=2017),
]


@settings(max_examples=30, deadline=None)
@given(st.permutations(RECORDS))
def test_merge_does_not_depend_on_input_order(records: list[WorkRecord]) -> None:
    assert merge_works(records) == merge_works(RECORDS)
