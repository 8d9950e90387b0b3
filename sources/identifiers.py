"""Normalization of scholarly identifiers (DOI, arXiv id, OpenAlex id, ORCID)."""

from __future__ import annotations

import re

__all__ = [
    "arxiv_id_from_doi",
    "arxiv_id_from_url",
    "normalize_doi",
    "normalize_orcid",
    "short_openalex_id",
    "split_arxiv_version",
]

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", re.IGNORECASE)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/([^?#]+?)(?:\.pdf)?/?(?:[?#]|$)", re.IGNORECASE)
_VERSION = re.compile(r"^(.+?)(?:v(\d+))?$")
_ORCID = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$", re.IGNORECASE)
_OPENALEX = re.compile(r"(?:https?://openalex\.org/)?([WAISTCFP]\d+)$", re.IGNORECASE)
_OPENALEX_PREFIX = "https://openalex.org/"
_PREFIX_LENGTH = len(_OPENALEX_PREFIX)
_OPENALEX_LETTERS = frozenset("WAISTCFP")


def normalize_doi(value: str | None) -> str | None:
    """``https://doi.org/10.X/Y`` or ``doi:10.X/Y`` to ``10.x/y`` (DOIs are case-insensitive)."""
    if not value:
        return None
    doi = _DOI_PREFIX.sub("", value.strip()).strip().lower()
    return doi if doi.startswith("10.") else None


def split_arxiv_version(arxiv_id: str) -> tuple[str, int | None]:
    """``1609.08144v2`` to ``("1609.08144", 2)``; an id without version gives ``None``."""
    match = _VERSION.match(arxiv_id.strip())
    assert match is not None  # the pattern matches any non-empty string
    version = match.group(2)
    return match.group(1), int(version) if version else None


def arxiv_id_from_url(url: str | None) -> str | None:
    """The version-less arXiv id in an arxiv.org abs/pdf URL (Atom entry ids are such URLs)."""
    if not url:
        return None
    match = _ARXIV_URL.search(url)
    return split_arxiv_version(match.group(1))[0] if match else None


def arxiv_id_from_doi(doi: str | None) -> str | None:
    """The arXiv id inside an arXiv DOI ``10.48550/arxiv.<id>``, else None."""
    normalized = normalize_doi(doi)
    match = _ARXIV_DOI.match(normalized) if normalized else None
    return split_arxiv_version(match.group(1))[0] if match else None


def normalize_orcid(value: str | None) -> str | None:
    """``https://orcid.org/0000-0002-1825-0097`` to ``0000-0002-1825-0097``."""
    match = _ORCID.search(value.strip()) if value else None
    return match.group(1).upper() if match else None


def short_openalex_id(value: str | None) -> str | None:
    """``https://openalex.org/W2525778437`` to ``W2525778437``; None if it is not one."""
    # Fast path for the canonical form (every id in a snapshot): same result as the pattern, as
    # str.isdecimal() is true exactly for the Unicode digits (category Nd) that ``\d`` matches.
    if (
        type(value) is str
        and value.startswith(_OPENALEX_PREFIX)
        and value[_PREFIX_LENGTH : _PREFIX_LENGTH + 1] in _OPENALEX_LETTERS
        and value[_PREFIX_LENGTH + 1 :].isdecimal()
    ):
        return value[_PREFIX_LENGTH:]
    match = _OPENALEX.search(value.strip()) if value else None
    return match.group(1).upper() if match else None
