"""Raw affiliation strings matched to known institutions with rapidfuzz.

A string matches an institution when the institution's whole name appears in it, allowing small
differences (``fuzz.partial_ratio`` >= 95 on normalized text) and the name is long enough to be
specific (>= 10 characters): "Dept. of Physics, The Ohio State University, Columbus" matches "The
Ohio State University"; "University of California, Los Angeles" does not match "University of
California, Berkeley". The longest matching name wins (the most specific institution). Candidates
are found through shared rare name words first, so cost follows the number of strings.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from rapidfuzz import fuzz
from unidecode import unidecode

__all__ = ["match_affiliations"]

MIN_SCORE = 95.0
MIN_NAME_LENGTH = 10
_WORD = re.compile(r"[a-z0-9]+")
_COMMON = frozenset(
    [
        "the",
        "of",
        "and",
        "for",
        "de",
        "la",
        "le",
        "der",
        "des",
        "di",
        "du",
        "university",
        "institute",
        "college",
        "school",
    ]
)


def match_affiliations(raw_strings: Iterable[str], institutions: Mapping[str, str]) -> dict[str, str]:
    """Map each raw affiliation string to the institution id it names, where one is clear.

    Args:
        raw_strings: Affiliation strings as printed on works.
        institutions: institution_id -> display name of the known institutions.

    Returns:
        raw string -> institution id, for the strings that match.
    """
    names = {i: _normalize(n) for i, n in institutions.items() if len(n) >= MIN_NAME_LENGTH}
    frequency = Counter(w for name in names.values() for w in set(_WORD.findall(name)))
    by_word: dict[str, list[str]] = defaultdict(list)
    for institution_id, name in sorted(names.items()):
        words = [w for w in set(_WORD.findall(name)) if w not in _COMMON]
        for word in sorted(words, key=lambda w: (frequency[w], w))[:2]:  # its two rarest words
            by_word[word].append(institution_id)
    matches = {}
    for raw in set(raw_strings):
        text = _normalize(raw)
        candidates = {i for w in set(_WORD.findall(text)) for i in by_word.get(w, ())}
        scored = [(len(names[i]), i) for i in candidates if fuzz.partial_ratio(names[i], text) >= MIN_SCORE]
        if scored:
            matches[raw] = max(scored)[1]
    return matches


def _normalize(text: str) -> str:
    return " ".join(_WORD.findall(unidecode(text).lower()))
