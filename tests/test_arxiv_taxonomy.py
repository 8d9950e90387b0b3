"""arXiv category names come from arXiv's own taxonomy and cover every recorded category."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from sources.arxiv_taxonomy import ArxivCategory, category_info, category_name

RECORDED = Path(__file__).resolve().parents[1] / "recorded" / "arxiv"


def _api_category_terms() -> set[str]:
    terms: set[str] = set()
    for path in sorted((RECORDED / "api").glob("*.json")):
        body = json.loads(path.read_text(encoding="utf-8"))["body"].encode("latin-1")
        terms.update(re.findall(r'<category term="([^"]+)"', body.decode("utf-8")))
    return terms


def _snapshot_categories() -> set[str]:
    lines = (RECORDED / "kaggle-snapshot" / "arxiv-metadata-oai-snapshot.json").read_text("utf-8")
    return {code for line in lines.splitlines() for code in json.loads(line)["categories"].split()}


def test_recorded_data_has_categories() -> None:
    assert len(_api_category_terms()) > 30
    assert len(_snapshot_categories()) > 60


@pytest.mark.parametrize("code", sorted(_api_category_terms() | _snapshot_categories()))
def test_every_recorded_category_has_a_name(code: str) -> None:
    assert category_name(code)


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("cs.LG", "Machine Learning"),
        ("hep-th", "High Energy Physics - Theory"),
        ("astro-ph.EP", "Earth and Planetary Astrophysics"),
        ("astro-ph", "Astrophysics"),
        ("cond-mat", "Condensed Matter"),
        ("quant-ph", "Quantum Physics"),
        ("hep-ph", "High Energy Physics - Phenomenology"),
        ("solv-int", "Exactly Solvable and Integrable Systems"),
        ("cmp-lg", "Computation and Language"),
        ("math.IT", "Information Theory"),
        ("stat.TH", "Statistics Theory"),
        ("math-ph", "Mathematical Physics"),
        ("econ.GN", "General Economics"),
    ],
)
def test_exact_names(code: str, name: str) -> None:
    assert category_name(code) == name


def test_category_info_for_an_active_category() -> None:
    assert category_info("astro-ph.EP") == ArxivCategory(
        code="astro-ph.EP",
        name="Earth and Planetary Astrophysics",
        archive="astro-ph",
        archive_name="Astrophysics",
        group="grp_physics",
        group_name="Physics",
        active=True,
        alias_of=None,
        subsumed_by=None,
    )


def test_legacy_archives_are_inactive_and_point_to_their_successor() -> None:
    solv_int = category_info("solv-int")
    assert solv_int is not None
    assert not solv_int.active
    assert solv_int.subsumed_by == "nlin.SI"
    assert solv_int.canonical == "nlin.SI"
    cmp_lg = category_info("cmp-lg")
    assert cmp_lg is not None
    assert (cmp_lg.group_name, cmp_lg.canonical) == ("Computer Science", "cs.CL")
    astro_ph = category_info("astro-ph")
    assert astro_ph is not None
    assert (astro_ph.active, astro_ph.canonical) == (False, "astro-ph")


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("math.IT", "cs.IT"),
        ("stat.TH", "math.ST"),
        ("math.MP", "math-ph"),
        ("cs.SY", "eess.SY"),
        ("cs.NA", "math.NA"),
        ("q-fin.EC", "econ.GN"),
    ],
)
def test_aliases_as_the_source_defines_them(alias: str, canonical: str) -> None:
    info = category_info(alias)
    assert info is not None
    assert info.alias_of == canonical
    assert info.canonical == canonical
    assert category_name(canonical) is not None


def test_alias_keeps_its_own_archive() -> None:
    info = category_info("math.IT")
    assert info is not None
    assert (info.archive, info.group_name) == ("math", "Mathematics")


@pytest.mark.parametrize("code", [None, "", "   ", "cs.lg", "I.2.7", "68T05", "nonsense"])
def test_unknown_codes_have_no_name(code: str | None) -> None:
    assert category_name(code) is None
    assert category_info(code) is None


def test_surrounding_whitespace_is_ignored() -> None:
    assert category_name(" cs.LG\n") == "Machine Learning"


def test_category_is_frozen() -> None:
    info = category_info("cs.LG")
    assert info is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.name = "x"  # type: ignore[misc]


def test_every_alias_and_successor_resolves() -> None:
    data = json.loads(
        (Path(__file__).resolve().parents[1] / "sources" / "arxiv_taxonomy.json").read_text("utf-8")
    )
    for code in data["categories"]:
        info = category_info(code)
        assert info is not None
        assert category_info(info.canonical) is not None, code
