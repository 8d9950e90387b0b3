"""arXiv ``search_query`` syntax: a small parser from the query text to an entry predicate.

Supported, after arXiv's API manual (https://info.arxiv.org/help/api/user-manual.html#query_details):
``field:value`` clauses with the fields ``cat``, ``ti``, ``abs``, ``au`` and ``all`` (a bare term
means ``all``), quoted phrases, ``submittedDate:[YYYYMMDDHHMM TO YYYYMMDDHHMM]`` and
``lastUpdatedDate:[… TO …]`` (inclusive, UTC; 8-, 12- or 14-digit stamps), the operators ``AND``,
``OR`` and ``ANDNOT``, and parentheses. ``+`` counts as a space, so ``cat:X+AND+cat:Y`` works
whether or not the client decoded it. Anything else raises `SearchQueryError`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from sources.replay.arxiv_recordings import ArxivEntry, search_term

EntryPredicate = Callable[[ArxivEntry], bool]

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<paren>[()])
    | (?P<range>[A-Za-z]+:\[[^\]]*\])
    | (?P<phrase>(?:[A-Za-z]+:)?"[^"]*")
    | (?P<word>[^\s()"\[\]]+)
    )""",
    re.VERBOSE,
)
_RANGE = re.compile(r"^(?P<field>\w+):\[\s*(?P<low>\d+)\s+TO\s+(?P<high>\d+)\s*\]$")
_STAMP_FORMATS = {  # digits -> (format, precision)
    8: ("%Y%m%d", timedelta(days=1)),
    12: ("%Y%m%d%H%M", timedelta(minutes=1)),
    14: ("%Y%m%d%H%M%S", timedelta(seconds=1)),
}
_OPERATORS = {"AND", "OR", "ANDNOT"}
_TEXT_FIELDS = {"all", "ti", "abs", "au", "cat"}


class SearchQueryError(ValueError):
    """A ``search_query`` this parser (and arXiv) rejects; the message is sent to the client."""


def parse_search_query(text: str, term_hits: Mapping[str, tuple[str, ...]]) -> EntryPredicate | None:
    """Parse ``text`` into a predicate over recorded entries.

    Args:
        text: The decoded ``search_query`` parameter.
        term_hits: Recorded free-text terms and the ids arXiv returned for them: such a term
            matches exactly those entries; any other term is a case-insensitive substring of the
            title or summary.

    Returns:
        The predicate, or None for an empty query (no restriction).

    Raises:
        SearchQueryError: If the query is malformed.
    """
    tokens = _tokenize(text.replace("+", " "))
    if not tokens:
        return None
    parser = _Parser(tokens, term_hits)
    predicate = parser.parse_or()
    if parser.position != len(tokens):
        raise SearchQueryError(f"unexpected {tokens[parser.position]!r} in search_query")
    return predicate


def _tokenize(text: str) -> list[str]:
    tokens, position = [], 0
    while text[position:].strip():
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise SearchQueryError(f"cannot parse search_query near {text[position:]!r}")
        tokens.append(match.group().strip())
        position = match.end()
    return tokens


class _Parser:
    """Recursive descent: OR binds loosest; AND, ANDNOT and juxtaposition bind tighter."""

    def __init__(self, tokens: list[str], term_hits: Mapping[str, tuple[str, ...]]) -> None:
        self.tokens = tokens
        self.position = 0
        self.term_hits = {term: frozenset(ids) for term, ids in term_hits.items()}

    def _peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _take(self) -> str:
        token = self._peek()
        if token is None:
            raise SearchQueryError("search_query ends where a term was expected")
        self.position += 1
        return token

    def parse_or(self) -> EntryPredicate:
        left = self._parse_and()
        while self._peek() == "OR":
            self.position += 1
            left = _either(left, self._parse_and())
        return left

    def _parse_and(self) -> EntryPredicate:
        left = self._parse_unary()
        while (token := self._peek()) is not None and token not in {"OR", ")"}:
            if token in {"AND", "ANDNOT"}:
                self.position += 1
            right = self._parse_unary()
            left = _both(left, _negated(right) if token == "ANDNOT" else right)
        return left

    def _parse_unary(self) -> EntryPredicate:
        token = self._take()
        if token == "(":
            inner = self.parse_or()
            if self._take() != ")":
                raise SearchQueryError("unbalanced parentheses in search_query")
            return inner
        if token in _OPERATORS or token == ")":
            raise SearchQueryError(f"unexpected {token!r} in search_query")
        return self._clause(token)

    def _clause(self, token: str) -> EntryPredicate:
        if token.endswith("]"):
            return _date_range(token)
        field, sep, value = token.partition(":")
        if not sep or field.startswith('"'):
            field, value = "all", token
        value = value.strip('"').strip()
        if field not in _TEXT_FIELDS:
            raise SearchQueryError(f"unknown field {field!r} in search_query")
        if not value:
            raise SearchQueryError(f"empty value for {field!r} in search_query")
        if field == "cat":
            return lambda entry: value in entry.categories
        if field == "all" and search_term(value) in self.term_hits:
            hits = self.term_hits[search_term(value)]
            return lambda entry: entry.arxiv_id in hits
        return _text_match(field, value.lower())


def _text_match(field: str, needle: str) -> EntryPredicate:
    def matches(entry: ArxivEntry) -> bool:
        if field == "au":
            return any(needle in author.lower() for author in entry.authors)
        texts = {"ti": [entry.title], "abs": [entry.summary]}.get(field, [entry.title, entry.summary])
        return any(needle in text.lower() for text in texts)

    return matches


def _date_range(token: str) -> EntryPredicate:
    match = _RANGE.match(token)
    if match is None or match["field"] not in {"submittedDate", "lastUpdatedDate"}:
        raise SearchQueryError(f"bad date range {token!r}: use submittedDate:[YYYYMMDDHHMM TO YYYYMMDDHHMM]")
    low, high = _stamp(match["low"], end=False), _stamp(match["high"], end=True)
    if match["field"] == "submittedDate":
        return lambda entry: low <= entry.published <= high
    return lambda entry: low <= entry.updated <= high


def _stamp(digits: str, end: bool) -> datetime:
    if len(digits) not in _STAMP_FORMATS:
        raise SearchQueryError(f"bad date {digits!r}: use YYYYMMDDHHMM")
    pattern, step = _STAMP_FORMATS[len(digits)]
    try:
        moment = datetime.strptime(digits, pattern).replace(tzinfo=UTC)
    except ValueError:
        raise SearchQueryError(f"bad date {digits!r}: use YYYYMMDDHHMM") from None
    # The upper bound is inclusive at the stamp's own precision: 202401312359 covers 23:59:59.
    return moment + step - timedelta(microseconds=1) if end else moment


def _either(left: EntryPredicate, right: EntryPredicate) -> EntryPredicate:
    return lambda entry: left(entry) or right(entry)


def _both(left: EntryPredicate, right: EntryPredicate) -> EntryPredicate:
    return lambda entry: left(entry) and right(entry)


def _negated(inner: EntryPredicate) -> EntryPredicate:
    return lambda entry: not inner(entry)
