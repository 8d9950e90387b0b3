"""Name normalisation and the blocking key: exact cases and properties."""

from __future__ import annotations

import pickle
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe import names
from dedupe.mentions import coauthor_key
from dedupe.names import (
    UnusableNameError,
    given_name_similarity,
    is_east_asian,
    is_east_asian_key,
    is_long_chinese_given,
    name_key,
    normalize_name,
    parse_name,
)


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Lu Yuan", "yuan, l"),
        ("Yuan, Lu", "yuan, l"),
        ("L. Yuan", "yuan, l"),
        ("LU YUAN", "yuan, l"),
        ("YUAN Lu", "yuan, l"),
        ("Yuan L", "yuan, l"),
        ("  lu   yuan ", "yuan, l"),
        ("Xiao-Ming Wang", "wang, x"),
        ("Bal\\'azs Szab\\'o", "szabo, b"),
        ("Bal&aacute;zs Szab&oacute;", "szabo, b"),
        ("Alberto Gonz&amp;aacute;lez", "gonzalez, a"),
        ("Prabhat", "prabhat"),
    ],
)
def test_name_key(raw: str, key: str) -> None:
    assert name_key(raw) == key


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("Xiao-Ming Wang", "wang, xiaoming"),
        ("Xiaoming Wang", "wang, xiaoming"),
        ("Xiao Ming Wang", "wang, xiao ming"),
        ("X.-M. Wang", "wang, x m"),
        ("Smith JC", "smith, j c"),
        ("JC Smith", "smith, j c"),
        ("J. Smith Jr.", "smith, j"),
        ("Dr A'bdul Sattar", "sattar, abdul"),
        ("arjan j. c. van gemund", "van gemund, arjan j c"),
        ("Miguel Jim&eacute;nez", "jimenez, miguel"),
        ("Paul Erd\\H{o}s", "erdos, paul"),
        ('Wolfgang M\\"uller', "muller, wolfgang"),
        ("王小明", "wang, xiaoming"),
        ("김민수", "gim, minsu"),
        ("Владимир Путин", "putin, vladimir"),
    ],
)
def test_normalize_name(raw: str, canonical: str) -> None:
    assert normalize_name(raw) == canonical


@pytest.mark.parametrize("raw", ["", "   ", "a", "J.", " . ", "😀", "-", "&amp;"])
def test_unusable_names_raise(raw: str) -> None:
    with pytest.raises(UnusableNameError, match="quarantine"):
        name_key(raw)


def test_unusable_name_error_pickles() -> None:
    error = UnusableNameError("x", "fewer than two letters after cleaning")
    clone = pickle.loads(pickle.dumps(error))
    assert (clone.raw_name, clone.reason, str(clone)) == (error.raw_name, error.reason, str(error))


@pytest.mark.parametrize(
    ("left", "right", "similarity"),
    [
        ("Lei Wang", "Lei Wang", 1.0),
        ("Lei Wang", "Lin Wang", 0.0),
        ("Xiao Ming Wang", "Xiaoming Wang", 1.0),
        ("Xiao-Ming Wang", "Xiaoming Wang", 1.0),
        ("L. Wang", "Lei Wang", 0.6),
        ("L. Wang", "L. Wang", 0.5),
        ("John Smith", "John Michael Smith", 0.75),
        ("John M. Smith", "John Michael Smith", 0.85),
        ("John M. Smith", "John K. Smith", 0.0),
        ("J. M. Smith", "J. K. Smith", 0.0),
        ("Jing Zhang", "Jing Zhao", 0.0),
    ],
)
def test_given_name_similarity(left: str, right: str, similarity: float) -> None:
    a, b = parse_name(left), parse_name(right)
    assert given_name_similarity(a, b) == similarity
    assert given_name_similarity(b, a) == similarity


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Wei Wang", True), ("Minsoo Kim", True), ("Wolfgang Müller", False), ("L. Wang", False)],
)
def test_is_east_asian(raw: str, expected: bool) -> None:
    assert is_east_asian(parse_name(raw)) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jianping Fan", True),
        ("Xiao-Ming Wang", True),
        ("Wang, Xiaoming", True),
        ("Wei Wang", False),  # one syllable
        ("Xian Li", False),  # one syllable (xi-an is read as one, the more cautious reading)
        ("Minsoo Kim", False),  # a Korean family name
        ("Wolfgang Müller", False),
        ("J. Fan", False),
    ],
)
def test_is_long_chinese_given(raw: str, expected: bool) -> None:
    assert is_long_chinese_given(parse_name(raw)) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Li Wang", True),
        ("Jiawei Han", True),
        ("Minsoo Kim", True),
        ("Jian Pei", False),  # not a common family name
        ("L. Wang", False),  # an initial: the key is "wang, l"
        ("Wolfgang Müller", False),
    ],
)
def test_is_east_asian_key(raw: str, expected: bool) -> None:
    name = parse_name(raw)
    assert is_east_asian_key(coauthor_key(name)) is expected
    assert is_east_asian(name) is expected  # the same rule as for a parsed name


_NAMES = st.one_of(
    st.text(max_size=30),
    st.text(alphabet="abcdeXYZ -.,'&;\\{}éü王김", max_size=25),
)


@settings(max_examples=300, deadline=None)
@given(_NAMES)
def test_name_key_and_normalize_are_idempotent(raw: str) -> None:
    try:
        key, canonical = name_key(raw), normalize_name(raw)
    except UnusableNameError:
        return
    assert name_key(key) == key
    assert normalize_name(canonical) == canonical
    assert name_key(canonical) == key


_SPECIAL_WORDS = ["van", "de", "Dr", "Dr.", "Jr", "St", "Abu", "y", "e", "E.", "Mac", "Ph.", "Jac."]
_SPECIAL_WORDS += ["H.-K.", "Li", "Wang", "J", "J.", "Maria", "III", "Dong-Min", "Jean-e", "Abdul-Aziz"]
_SPECIAL_WORDS += ["X", "x", "Vi", "Ix", "IV", "V.", "Xi"]  # roman numerals, and one that is not
_WORDS = st.one_of(
    st.sampled_from(_SPECIAL_WORDS),
    st.from_regex(r"[A-Za-z]{1,8}(-[A-Za-z]{1,5})?\.?", fullmatch=True),
)


@settings(max_examples=1000, deadline=None)
@given(st.lists(_WORDS, min_size=2, max_size=4).map(" ".join))
def test_plain_names_skip_nameparser_only_when_it_would_split_them_the_same(text: str) -> None:
    # "Given [Middle ...] Surname" skips nameparser only when nameparser would split it the same way.
    fast = names._split_western(text)
    with patch.object(names, "_plain", lambda word: False):
        slow = names._split_western(text)
    assert (fast[0], fast[1].strip()) == (slow[0], slow[1].strip())
