"""clean_text / clean_title / rebuild_abstract on real recorded records and on properties.

Snippets quoted below are copied verbatim from the recorded files (record id in each case);
the full-corpus checks at the end read every recorded abstract and title.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from enrich.text import clean_text, clean_title
from sources.openalex_records import rebuild_abstract

RECORDED = Path(__file__).resolve().parents[1] / "recorded"
ATOM = {"atom": "http://www.w3.org/2005/Atom"}


# --- the cases the brief names -------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (r"code at \url{https://github.com/x}.", "code at https://github.com/x."),
        (r"an accuracy of $84.2\%$ (vs. 71.4\%)", "an accuracy of 84.2% (vs. 71.4%)"),
        (r"Bal\'azs and Schr{\"o}dinger", "Balázs and Schrödinger"),
        (r"\emph{x}, \textbf{y} and \textit{z}", "x, y and z"),
        (r"pages 1--10 and a pause --- here", "pages 1–10 and a pause — here"),
        (r"shown in Fig.~2 of~$X$", "shown in Fig. 2 of X"),
        (r"angle $\alpha$ and $x^2$", "angle α and x^2"),
        (r"in $O(n \log n)$ time", "in O(n log n) time"),
        (r"ratio $(1^{+1.39}_{-0.59})$", "ratio (1^{+1.39}_{-0.59})"),
        (r"$x^{n-1}$ and $x_i$", "x^{n-1} and x_i"),
        ("a prize of $35,000 in total", "a prize of $35,000 in total"),
        ("costs $5 to $10 and 90% of it", "costs $5 to $10 and 90% of it"),
        (r"costs \$5 for $\alpha$", "costs $5 for α"),
        ("a < b and c > d", "a < b and c > d"),
        ("  many\n\n  spaces\there  ", "many spaces here"),
        (r"see \cite{G2} and \cite[p.~3]{hajac}", "see [G2] and [hajac]"),
        (r"In $\XQM$, a quark", "In XQM, a quark"),  # unknown macros keep their name
        (r"\href{https://a.org/x_y%20}{our code}", "our code (https://a.org/x_y%20)"),
    ],
)
def test_brief_cases(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "<jats:title>Abstract</jats:title><jats:p>We show <i>in vivo</i> that CO<sub>2</sub>"
            " rises.</jats:p><jats:p>Next &amp; last.</jats:p>",
            "We show in vivo that CO₂ rises. Next & last.",
        ),
        ("<p>A&lt;B, it&#x27;s &eacute;t&eacute; &#233;</p>", "A<B, it's été é"),
        ("10<sup>-3</sup> mol and x<sub>i</sub>", "10⁻³ mol and xi"),
        ("p<0.05 and <x> stay; a?b=1&notify=2 too", "p<0.05 and <x> stay; a?b=1&notify=2 too"),
        ('<p class="x">Text</p><br/>end', "Text end"),
    ],
)
def test_markup(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize("raw", [None, "", "   ", "\n\t", "<p></p>", "<jats:p> </jats:p>"])
def test_nothing_readable_is_none(raw: str | None) -> None:
    assert clean_text(raw) is None
    assert clean_title(raw) is None


def test_abstract_heading_dropped_only_from_abstracts() -> None:
    assert clean_text("Abstract Algebra of X") == "Algebra of X"
    assert clean_title("Abstract Algebra of X") == "Abstract Algebra of X"
    assert clean_text("Abstract algebra is studied") == "Abstract algebra is studied"
    assert clean_text("ABSTRACT: We study") == "We study"


def test_unconvertible_latex_falls_back_to_original() -> None:
    # pylatexenc recurses per nested group; deep nesting makes it fail, and the text must survive.
    raw = r"\emph{" * 3000 + "deep" + "}" * 3000
    assert clean_text(raw) == raw


def test_unbalanced_latex_keeps_its_words() -> None:
    assert clean_text(r"unbalanced {brace and \frac{a}{b} $x") == "unbalanced brace and a/b $x"


# --- exact outputs on real snippets ---------------------------------------------------------


@pytest.mark.parametrize(
    ("record", "raw", "expected"),
    [
        (
            "arXiv 0704.0006 (kaggle snapshot)",
            "at $(k_F a)^{-1} \\ge 1$, both definitions give similar results, where more\n"
            "than 90% of the atoms occupy the corresponding molecula",
            "at (k_F a)^{-1} ≥ 1, both definitions give similar results, where more than 90% of "
            "the atoms occupy the corresponding molecula",
        ),
        (
            "arXiv 0704.0010",
            "semicubes, and Djokovi\\'{c}'s and Winkler's relati",
            "semicubes, and Djoković's and Winkler's relati",
        ),
        (
            "arXiv 0704.0059",
            "The system's period is short, $P=2.230736 \\pm 0.000010$ days, with\nan orbit "
            "indistinguishable from circular, $e=0.012 \\pm 0.021$.",
            "The system's period is short, P=2.230736 ± 0.000010 days, with an orbit "
            "indistinguishable from circular, e=0.012 ± 0.021.",
        ),
        (
            "arXiv 0704.0059",
            "Our observed line\nbroadening, $V_{\\rm rot} \\sin i_{\\rm rot} = 28.9 \\pm 1.0$ "
            "\\kms, gives a primary\nradius of $R_{\\rm A} = 1.28 \\pm 0.04$ \\rsun.",
            "Our observed line broadening, V_{rot} sin i_{rot} = 28.9 ± 1.0 kms, gives a primary "
            "radius of R_A = 1.28 ± 0.04 R☉.",
        ),
        (
            "arXiv 0704.0016",
            "doubly charmed baryons\n$\\Xi_{cc}^{+}$, $\\Xi_{cc}^{++}$ and $\\Omega_{cc}^{+}$.",
            "doubly charmed baryons Ξ_{cc}^+, Ξ_{cc}^{++} and Ω_{cc}^+.",
        ),
        (
            "arXiv 0704.0062",
            "as low as $\\Theta(m\\log n)$,\nwithout a significant slow-down",
            "as low as Θ(m log n), without a significant slow-down",
        ),
        (
            "arXiv 0704.0017",
            "modulated with velocities near ~500-600\nkm/s. ... model predictions of King & Wynn (1999)",
            "modulated with velocities near ~500-600 km/s. ... model predictions of King & Wynn (1999)",
        ),
        (
            "arXiv 0704.0155",
            "http://www.sron.rug.nl/~vdtak/radex/index.shtml . The program makes use of\nmolec",
            "http://www.sron.rug.nl/~vdtak/radex/index.shtml . The program makes use of molec",
        ),
        (
            "arXiv 0704.0041",
            "defined in \\cite{hajac} as the universal quantum group of\nho",
            "defined in [hajac] as the universal quantum group of ho",
        ),
        (
            "arXiv 0704.0012",
            "cusp forms $f(z) := \\sum_{n=0}^{\\infty}\na_f(n)q ^n \\in "
            "S_{\\lambda+1/2}(\\Gamma_0(N),\\chi)\\cap \\mathbb{Z}[[q]]$ that does\n",
            "cusp forms f(z) := ∑_{n=0}^∞ a_f(n)q ^n ∈ S_{λ+1/2}(Γ_0(N),χ)∩ ℤ[[q]] that does",
        ),
        (
            "arXiv 0704.0039",
            "determinations of \\pi\\pi scattering",
            "determinations of ππ scattering",
        ),
        (
            "arXiv API astro-ph/0601001v1",
            "to the spectroscopic-followup limit of V_max<17.5. ... is (1/310)(1^{+1.39}_{-0.59}) for HJs",
            "to the spectroscopic-followup limit of V_max<17.5. ... is (1/310)(1^{+1.39}_{-0.59}) for HJs",
        ),
        (
            "arXiv API 2104.12255v1",
            "The program generously awarded $35,000 in total for the reported bugs.",
            "The program generously awarded $35,000 in total for the reported bugs.",
        ),
        (
            "arXiv API 2004.03322v1",
            "only $50$ tests with a total of only $1000$ samples ... achieve $25\\%$ accuracy",
            "only 50 tests with a total of only 1000 samples ... achieve 25% accuracy",
        ),
        (
            "arXiv API 2403.16981v2",
            "when $α= β$ (prior-free) or $π= 1/2$ (Bayesian)",
            "when α= β (prior-free) or π= 1/2 (Bayesian)",
        ),
        (
            "arXiv API 2507.16734v4",
            "i.e. $X \\sim N(\\mathbfθ, I_\\infty)$, where",
            "i.e. X ∼ N(θ, I_∞), where",
        ),
        (
            "arXiv API 1904.08007v1",
            "Thus, AFP tools face the \\emph{oracle problem}. In",
            "Thus, AFP tools face the oracle problem. In",
        ),
        (
            "OpenAlex W4390096338",
            "<h2>Abstract</h2> The encroachment and rapid spread of <i>Anopheles stephensi</i> across Africa",
            "The encroachment and rapid spread of Anopheles stephensi across Africa",
        ),
        (
            "OpenAlex W4224261057",
            "<ns4:p><ns4:italic>Background</ns4:italic></ns4:p><ns4:p> Urban malaria is a public "
            "health problem",
            "Background Urban malaria is a public health problem",
        ),
        (
            "OpenAlex W4385961274",
            "<sec> <title>UNSTRUCTURED</title> Founded in 2009, the &lt;i&gt;Online Journal of "
            "Public Health Informatics&lt;/i&gt; (OJPHI) strives",
            "UNSTRUCTURED Founded in 2009, the Online Journal of Public Health Informatics (OJPHI) strives",
        ),
        (
            "OpenAlex W1972656833",
            "$162,000 since the beginning of the year (a 13% reduction in our portfolio).",
            "$162,000 since the beginning of the year (a 13% reduction in our portfolio).",
        ),
        ("OpenAlex W2097208965", "&gt;80% of pilot REDD projects", ">80% of pilot REDD projects"),
        (
            "OpenAlex W2136087731",
            "Abstract Abstract Governmental interventions that set out to",
            "Governmental interventions that set out to",
        ),
        (
            "OpenAlex W2339353088",
            "${\\sharp}$ of parasites per microliter.",
            "♯ of parasites per microliter.",
        ),
    ],
)
def test_real_abstract_snippets(record: str, raw: str, expected: str) -> None:
    assert clean_text(raw) == expected, record


@pytest.mark.parametrize(
    ("record", "raw", "expected"),
    [
        (
            "arXiv 0704.0019 title",
            "Approximation for extinction probability of the contact process based on\n  the "
            'Gr\\"obner basis',
            "Approximation for extinction probability of the contact process based on the Gröbner basis",
        ),
        (
            "arXiv 0704.0001 authors",
            "C. Bal\\'azs, E. L. Berger, P. M. Nadolsky, C.-P. Yuan",
            "C. Balázs, E. L. Berger, P. M. Nadolsky, C.-P. Yuan",
        ),
        (
            "arXiv 0704.0133 title",
            "PAH emission and star formation in the host of the z~2.56 Cloverleaf QSO",
            "PAH emission and star formation in the host of the z~2.56 Cloverleaf QSO",
        ),
        (
            "arXiv API 2306.03845v1 title",
            "$ω$Test: WebView-Oriented Testing for Android Applications",
            "ωTest: WebView-Oriented Testing for Android Applications",
        ),
        (
            "arXiv API 2302.03287v3 title",
            "ChatGPT and Software Testing Education: Promises & Perils",
            "ChatGPT and Software Testing Education: Promises & Perils",
        ),
        (
            "OpenAlex W4393133779 title",
            'Author response for "Pharmacokinetic behaviour ... in rainbow trout (&lt;i&gt;Oncorhynchus '
            'mykiss&lt;/i&gt;) after"',
            'Author response for "Pharmacokinetic behaviour ... in rainbow trout (Oncorhynchus '
            'mykiss) after"',
        ),
        (
            "OpenAlex W2091406001 title",
            "Tests for departure from normality. Empirical results for the distributions of "
            "<i>b</i><sup>2</sup> and √<i>b</i><sup>1</sup>",
            "Tests for departure from normality. Empirical results for the distributions of b² and √b¹",
        ),
    ],
)
def test_real_title_snippets(record: str, raw: str, expected: str) -> None:
    assert clean_title(raw) == expected, record


# --- rebuild_abstract -----------------------------------------------------------------------


def test_rebuild_abstract_orders_words_by_position() -> None:
    assert rebuild_abstract({"world": [1], "Hello": [0], "again": [3], "hello": [2]}) == (
        "Hello world hello again"
    )


def test_rebuild_abstract_skips_bad_entries_and_closes_gaps() -> None:
    index = {"a": [0, 7], "b": "3", "c": [True, -1, 2.0, None], "d": [4], "dup": [0], 5: [5]}
    assert rebuild_abstract(index) == "a d a"  # type: ignore[arg-type]


@pytest.mark.parametrize("index", [None, {}, {"a": []}, {"a": "x"}, [["a", [0]]], "text"])
def test_rebuild_abstract_empty_or_invalid_is_none(index: object) -> None:
    assert rebuild_abstract(index) is None  # type: ignore[arg-type]


def test_rebuild_abstract_real_work_then_clean() -> None:
    work = _openalex_works()["https://openalex.org/W4394648045"]
    rebuilt = rebuild_abstract(work["abstract_inverted_index"])
    assert rebuilt is not None
    assert rebuilt.startswith("<title>Abstract</title> New antimalarial drug candidates")
    cleaned = clean_text(rebuilt)
    assert cleaned is not None
    assert cleaned.startswith(
        "New antimalarial drug candidates that act via novel mechanisms are urgently needed"
    )
    assert "validation of Plasmodium M1 alanyl metalloaminopeptidase" in cleaned


# --- properties -----------------------------------------------------------------------------

_LATEXISH = st.lists(
    st.sampled_from([*"ab xyz019.,;:-()[]{}$%&<>/~^_\\'\"`\n\t", "\\alpha", "<i>", "&amp;"]),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), _LATEXISH))
def test_never_raises_and_output_is_one_clean_line(raw: str) -> None:
    for cleaned in (clean_text(raw), clean_title(raw)):
        if cleaned is None:
            continue
        assert cleaned == cleaned.strip()
        assert "  " not in cleaned
        assert not any(unicodedata.category(char) == "Cc" for char in cleaned)


@settings(max_examples=300, deadline=None)
# Backticks are LaTeX quotes (``like this'' becomes “like this”), so plain text has none.
@given(st.text(alphabet=st.characters(exclude_characters="\\$<&{}~`"), max_size=200))
def test_plain_text_is_idempotent_and_keeps_its_words(raw: str) -> None:
    cleaned = clean_title(raw)
    assert clean_title(cleaned) == cleaned
    if cleaned is not None:
        assert cleaned.split() == [w for w in _without_controls(raw).split()]


def _without_controls(text: str) -> str:
    return "".join(" " if unicodedata.category(char) == "Cc" else char for char in text)


# --- every recorded abstract and title ------------------------------------------------------

_LEFTOVER = re.compile(r"\\url|\\%|<jats:|&[a-z]+;|&#\d+;|\$\d[\d.,]*\$")


@cache
def _openalex_works() -> dict[str, dict[str, object]]:
    works: dict[str, dict[str, object]] = {}
    for path in sorted((RECORDED / "openalex").glob("*/*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for work in data.get("results") or [data]:
            if isinstance(work, dict) and str(work.get("id", "")).startswith("https://openalex.org/W"):
                works.setdefault(work["id"], work)
    return works


@cache
def _recorded_texts() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(record id, abstract) and (record id, title) pairs from all three recorded sources."""
    abstracts: list[tuple[str, str]] = []
    titles: list[tuple[str, str]] = []
    snapshot = RECORDED / "arxiv" / "kaggle-snapshot" / "arxiv-metadata-oai-snapshot.json"
    for line in snapshot.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        abstracts.append((record["id"], record["abstract"]))
        titles.append((record["id"], record["title"]))
    for path in sorted((RECORDED / "arxiv" / "api").glob("*.json")):
        body = json.loads(path.read_text(encoding="utf-8"))["body"].encode("latin-1")
        for entry in etree.fromstring(body).iterfind("atom:entry", ATOM):
            entry_id = entry.findtext("atom:id", namespaces=ATOM) or path.name
            abstracts.append((entry_id, entry.findtext("atom:summary", "", ATOM)))
            titles.append((entry_id, entry.findtext("atom:title", "", ATOM)))
    for work_id, work in _openalex_works().items():
        rebuilt = rebuild_abstract(work.get("abstract_inverted_index"))  # type: ignore[arg-type]
        if rebuilt:
            abstracts.append((work_id, rebuilt))
        if isinstance(work.get("title"), str):
            titles.append((work_id, str(work["title"])))
    return abstracts, titles


def test_recorded_corpus_is_all_there() -> None:
    abstracts, titles = _recorded_texts()
    assert len(abstracts) > 800
    assert len(titles) > 800
    assert sum("\\" in text or "$" in text for _, text in abstracts) > 100
    assert sum("<" in text or "&" in text for _, text in abstracts) > 50


def test_no_leftover_markup_in_any_recorded_abstract_or_title() -> None:
    abstracts, titles = _recorded_texts()
    for record_id, raw in abstracts:
        cleaned = clean_text(raw)
        assert cleaned, record_id
        assert not _LEFTOVER.search(cleaned), (record_id, _LEFTOVER.search(cleaned))
        assert "\\" not in cleaned, record_id
        assert clean_text(cleaned) == cleaned, record_id
    for record_id, raw in titles:
        cleaned = clean_title(raw)
        assert cleaned, record_id
        assert not _LEFTOVER.search(cleaned), (record_id, _LEFTOVER.search(cleaned))
        assert not re.search(r"</?(i|sup|sub)>", cleaned), record_id


def test_recorded_prices_survive() -> None:
    # OpenAlex W4298043876 lists book prices "$ 40.00. $ 59.95." and W1972656833 "$27,000/yr".
    abstracts, _ = _recorded_texts()
    for record_id, raw in abstracts:
        if record_id.endswith(("W4298043876", "W1972656833")):
            cleaned = clean_text(raw)
            assert cleaned is not None
            assert cleaned.count("$") == raw.count("$"), record_id


# The math-delimiter pattern as first written (a lazy scan): the faster possessive one must find
# exactly its spans. Checked exhaustively up to 8 characters over this alphabet when it changed.
_LAZY_MATH_CANDIDATE = re.compile(r"\$\$.+?\$\$|\$(?!\s)(?:\\.|[^\\$])+?(?<!\s)\$(?!\d)", re.S)


@settings(max_examples=500)
@given(st.text(alphabet="$\\ a1\n{", max_size=24))
def test_math_candidates_are_those_of_the_lazy_pattern(text: str) -> None:
    from enrich._latex import _MATH_CANDIDATE

    for start in range(len(text)):
        fast, lazy = _MATH_CANDIDATE.match(text, start), _LAZY_MATH_CANDIDATE.match(text, start)
        assert (fast and fast.span()) == (lazy and lazy.span())
    assert [m.span() for m in _MATH_CANDIDATE.finditer(text)] == [
        m.span() for m in _LAZY_MATH_CANDIDATE.finditer(text)
    ]


@settings(max_examples=500)
@given(
    st.text(alphabet=st.sampled_from(" a\t\n\x00\x1c\x85\xa0\u2028\u3000\x7fé-"), max_size=12)
    | st.text(max_size=30)
)
def test_a_clean_line_is_what_split_and_join_would_leave(text: str) -> None:
    from enrich.text import _CONTROL, _is_one_clean_line

    if _is_one_clean_line(text):
        assert " ".join(text.split()) == text
        assert _CONTROL.search(text) is None
    assert _is_one_clean_line(" ".join(text.split())) == " ".join(text.split()).isprintable()
