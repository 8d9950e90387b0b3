"""Author mentions (one per authorship) and the normalised evidence extracted from each.

A mention's evidence is computed once (:func:`extract_features`), so scoring a pair or a cluster never
re-parses names, titles or affiliations.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from functools import lru_cache
from operator import attrgetter
from typing import Any

from dedupe.names import ParsedName, UnusableNameError, clean_text, parse_name

__all__ = [
    "MAX_COAUTHORS",
    "AuthorMention",
    "MentionFeatures",
    "MentionRows",
    "coauthor_key",
    "extract_features",
    "feature_values",
]

# The mentions of one work share its title, venue and topics, and most names recur: the helpers below
# cache their results (the same immutable value for equal input), which saves time and, since
# equal features are then one object, memory. Callers must not modify a feature's title tokens (a dict).
_WORK_CACHE = 4096  # recent works (mentions come in mention-id order, so one work's are adjacent)
_NAME_CACHE = 200_000  # distinct co-author names

# Hyper-authorship (physics collaborations, consortia): with hundreds of names on a paper, sharing
# co-authors says little about being one person, and parsing them all costs. Above this many co-authors
# a mention contributes no co-author evidence (its title, venue, affiliation evidence still counts).
MAX_COAUTHORS = 50


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_WORD = re.compile(r"[a-z][a-z0-9]+")
_TITLE_STOPWORDS = _word_set(
    "a an and are as at based by for from in into is of on or over the to towards under using via "
    "with without new novel approach method methods study analysis paper toward its their this"
)
# Words every second affiliation carries: they make "Dept. of CS, Tsinghua Univ." look like
# "Dept. of CS, Peking Univ.", so affiliation similarity ignores them.
_AFFILIATION_STOPWORDS = _word_set(
    "a and at de der des di du for in of the la le und department dept school faculty college "
    "university univ universidad universitat universite universita institute inst institut "
    "laboratory lab labs center centre research science sciences engineering computer computing "
    "technology key state national division group program graduate china usa uk germany japan "
    "france italy spain canada korea india australia inc ltd co corp corporation"
)


@dataclass(frozen=True, slots=True)
class AuthorMention:
    """One authorship: a name as written on one work, with the evidence around it.

    Attributes:
        mention_id: Unique, stable id (for instance ``"<work_id>:<position>"``).
        raw_name: The name as the source wrote it.
        position: 0-based author position on the work (-1 when unknown).
        coauthors: Raw names of the other authors of the work (the person themself excluded).
        institution_ids: Institution ids (OpenAlex/ROR) given for this authorship.
        affiliations: Raw affiliation strings for this authorship.
        title: Title of the work.
        venue: Journal or conference name.
        year: Publication year, None when unknown.
        topics: Topic or category labels of the work.
        orcid: ORCID iD when the source gives one for this authorship.
        source_author_id: The source's own author id (OpenAlex ``A...``): evidence, not truth.
        work_id: Id of the (merged) work.
    """

    mention_id: str
    raw_name: str
    position: int = -1
    coauthors: tuple[str, ...] = ()
    institution_ids: tuple[str, ...] = ()
    affiliations: tuple[str, ...] = ()
    title: str = ""
    venue: str = ""
    year: int | None = None
    topics: tuple[str, ...] = ()
    orcid: str | None = None
    source_author_id: str | None = None
    work_id: str = ""


@dataclass(frozen=True, slots=True)
class MentionFeatures:
    """Normalised evidence of one mention (see :func:`extract_features`)."""

    mention_id: str
    name: ParsedName
    coauthors: frozenset[str]
    institutions: frozenset[str]
    affiliations: tuple[str, ...]
    venue: str
    title_tokens: dict[str, int] = field(compare=False)
    topics: frozenset[str]
    year: int | None
    orcid: str | None
    source_author_id: str | None
    work_id: str
    position: int

    def __reduce__(self) -> tuple[type[MentionFeatures], tuple[Any, ...]]:
        # Features cross processes by the million: pickled by position, which skips the field
        # lookups the dataclass default does for every object (a third of the unpickling time).
        return MentionFeatures, feature_values(self)


feature_values: Callable[[MentionFeatures], tuple[Any, ...]] = attrgetter(
    *(f.name for f in fields(MentionFeatures))
)
"""Every field of a mention's features, in order (what blocking and scoring read)."""


@dataclass(frozen=True, slots=True)
class MentionRows:
    """Mentions still in batches of rows, as a table reader gives them.

    The processes that extract features turn each batch into mentions (``to_mentions``), so the
    process reading the table only reads it: with many mentions, building them there was the
    bottleneck of the whole extraction. ``to_mentions`` must be a module-level function (it is sent
    to the worker processes by name) and the batches must pickle and have a length, their number
    of rows (Arrow record batches do).
    """

    batches: Iterable[Any]
    to_mentions: Callable[[Any], list[AuthorMention]]


def extract_features(mention: AuthorMention) -> MentionFeatures:
    """Normalise a mention's evidence.

    Raises:
        UnusableNameError: The mention's own name is unusable; quarantine the mention.
    """
    name = parse_name(mention.raw_name)
    return MentionFeatures(
        mention_id=mention.mention_id,
        name=name,
        coauthors=_coauthor_keys(mention.coauthors, name),
        institutions=_lower_set(mention.institution_ids),
        affiliations=_affiliation_texts(mention.affiliations),
        venue=_venue(mention.venue),
        title_tokens=_title_tokens(mention.title),
        topics=_lower_set(mention.topics),
        year=mention.year,
        orcid=_orcid(mention.orcid),
        source_author_id=(mention.source_author_id or "").strip() or None,
        work_id=mention.work_id,
        position=mention.position,
    )


def coauthor_key(name: ParsedName) -> str:
    """Full given name when known (``"li, mingjing"``), else the initial key (``"li, m"``)."""
    return f"{name.surname}, {''.join(name.given)}" if name.has_full_given else name.key


def _coauthor_keys(raw_names: tuple[str, ...], own: ParsedName) -> frozenset[str]:
    if len(raw_names) > MAX_COAUTHORS:
        return frozenset()
    keys: set[str] = set()
    for raw in raw_names:
        parsed = _coauthor(raw)
        if parsed is None:
            continue
        if parsed[0] == own.surname and parsed[1] == own.first_initial:
            continue  # the person themself, or a namesake we cannot tell apart from them
        keys.add(parsed[2])
    return frozenset(keys)


@lru_cache(maxsize=_NAME_CACHE)
def _coauthor(raw: str) -> tuple[str, str, str] | None:
    """Surname, first initial and co-author key of a raw name; None when the name is unusable."""
    try:
        parsed = parse_name(raw)
    except UnusableNameError:
        return None
    return parsed.surname, parsed.first_initial, coauthor_key(parsed)


@lru_cache(maxsize=_WORK_CACHE)
def _lower_set(values: tuple[str, ...]) -> frozenset[str]:
    return frozenset(v.strip().lower() for v in values if v.strip())


@lru_cache(maxsize=_WORK_CACHE)
def _title_tokens(title: str) -> dict[str, int]:
    words = _WORD.findall(clean_text(title).lower())
    # Crude stemming by truncation: "networks"/"network", "learning"/"learned" share a prefix.
    # A plain dict, not the Counter: it crosses processes for every mention, and unpickling a
    # Counter runs its Python constructor (about 1.5 us of the 9 us of a mention's features).
    return dict(Counter(w[:6] for w in words if w not in _TITLE_STOPWORDS and len(w) > 2))


@lru_cache(maxsize=_WORK_CACHE)
def _venue(venue: str) -> str:
    words = _WORD.findall(clean_text(venue).lower())
    return " ".join(w for w in words if not w.isdigit())


@lru_cache(maxsize=_WORK_CACHE)
def _affiliation_texts(affiliations: tuple[str, ...]) -> tuple[str, ...]:
    texts = set()
    for raw in affiliations:
        words = _WORD.findall(clean_text(raw).lower())
        kept = [w for w in words if w not in _AFFILIATION_STOPWORDS and not w.isdigit()]
        if kept and raw.strip().lower() != "null":
            texts.add(" ".join(sorted(set(kept))))
    return tuple(sorted(texts))


def _orcid(orcid: str | None) -> str | None:
    if not orcid:
        return None
    digits = re.sub(r"[^0-9X]", "", orcid.upper().rsplit("/", 1)[-1])
    return digits or None
