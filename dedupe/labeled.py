"""Readers for labeled author-disambiguation sets: AMiner/Qian XML and S2AND directories.

Both give :class:`LabeledMention` rows: a mention, its true person label and the name group it is
evaluated in (the XML file stem, or the S2AND block).
"""

from __future__ import annotations

import html
import re
import warnings
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from lxml import etree

from dedupe.mentions import AuthorMention
from dedupe.names import ParsedName, UnusableNameError, clean_text, given_name_similarity, parse_name

__all__ = [
    "EvaluationDataError",
    "EvaluationDataWarning",
    "LabeledMention",
    "file_person_name",
    "read_aminer_xml",
    "read_s2and",
]

_ENTITY = re.compile(r"&(#?[A-Za-z0-9]+);?")
_BARE_AMPERSAND = re.compile(r"&(?![#A-Za-z0-9])")
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
# Control characters XML forbids; Qian's abstracts carry a few (PDF ligature debris: "de\x0cned").
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_MATCH_FLOOR = 0.5  # an author list entry below this similarity to the file name is someone else


class EvaluationDataError(Exception):
    """A labeled data set cannot be read.

    Attributes:
        path: The directory or file at fault.
        message: What is wrong and what to do about it.
    """

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}")

    def __reduce__(self) -> tuple[type[EvaluationDataError], tuple[str, str]]:
        return EvaluationDataError, (self.path, self.message)


class EvaluationDataWarning(UserWarning):
    """A labeled file was damaged and read only as far as it could be (the score covers less)."""


@dataclass(frozen=True, slots=True)
class LabeledMention:
    """A mention with its true person.

    Attributes:
        name: The group it is evaluated in (XML file stem, or S2AND block).
        publication_id: The publication id as the data set gives it (XML: ``<id>`` or the 0-based
            position in the file; S2AND: the signature id).
        label: True person id, unique within ``name``.
        mention: The mention to resolve.
    """

    name: str
    publication_id: str
    label: str
    mention: AuthorMention


def _require_dir(directory: Path) -> None:
    if not directory.is_dir():
        raise EvaluationDataError(
            str(directory), "no such directory; pass the folder that holds the labeled files"
        )


def read_aminer_xml(directory: str | Path) -> list[LabeledMention]:
    """Read an AMiner/Qian XML folder: one file per ambiguous name, ``<publication>`` rows.

    The file's name is matched against each publication's author list; the best-matching author is the
    mention and the others its co-authors. When nobody matches (the Qian rendering lists co-authors
    only), the file's name is the mention and every listed author a co-author. A publication id seen
    again in one file takes the next-best matching author (two namesakes on one paper).

    A damaged file (a truncated one, say) is read as far as its markup allows, with an
    :class:`EvaluationDataWarning` that names it, the first error and what was read.

    Raises:
        EvaluationDataError: Missing folder, no XML files, a file that cannot be read or parsed, or no
            publication in any file.
    """
    folder = Path(directory)
    _require_dir(folder)
    files = sorted(folder.glob("*.xml"))
    if not files:
        raise EvaluationDataError(str(folder), "no *.xml files; point at the AMiner/Qian XML folder")
    rows = [row for path in files for row in _read_xml_file(path)]
    if not rows:
        raise EvaluationDataError(str(folder), "no <publication> in any *.xml file; check the files")
    return rows


def _xml_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise EvaluationDataError(str(path), f"cannot read the file ({error}); check permissions") from error
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # older AMiner dumps are not UTF-8
    text = re.sub(r"^<\?xml[^>]*\?>", "", text.lstrip("\ufeff").lstrip())
    text = _CONTROL.sub(" ", text)
    # HTML entities (&aacute;) are not XML entities: resolve them, escape stray '&'.
    text = _BARE_AMPERSAND.sub("&amp;", text)
    return _ENTITY.sub(_resolve_entity, text)


def _resolve_entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if name in _XML_ENTITIES and match.group(0).endswith(";"):
        return match.group(0)
    resolved = html.unescape(match.group(0))
    if resolved == match.group(0):
        return "&amp;" + match.group(0)[1:]
    return html.escape(resolved, quote=False)


def _read_xml_file(path: Path) -> Iterator[LabeledMention]:
    parser = etree.XMLParser(recover=True, huge_tree=True, resolve_entities=False)
    try:
        root = etree.fromstring(_xml_text(path).encode("utf-8"), parser)
    except etree.XMLSyntaxError as error:
        raise EvaluationDataError(str(path), f"not parseable as XML ({error}); check the file") from error
    if root is None:
        raise EvaluationDataError(str(path), "empty or not XML; remove it or re-export it")
    publications = list(root.iter("publication"))
    if parser.error_log:
        first = parser.error_log[0]
        warnings.warn(
            f"{path}: damaged XML (line {first.line}: {first.message.strip()}); read the "
            f"{len(publications)} publications before or around it: check the file",
            EvaluationDataWarning,
            stacklevel=2,
        )
    stem = path.stem
    own = file_person_name(stem)
    seen: Counter[str] = Counter()
    for index, pub in enumerate(publications):
        pub_id = _field(pub, "id") or str(index)
        occurrence = seen[pub_id]
        seen[pub_id] += 1
        yield _xml_mention(stem, own, index, pub_id, occurrence, pub)


def file_person_name(stem: str) -> str:
    """The person name an AMiner/Qian file is named for (``S&eacute;bastien_Roy`` -> ``Sébastien Roy``)."""
    return html.unescape(html.unescape(stem)).replace("_", " ")


def _field(element: Any, tag: str) -> str:
    text = element.findtext(tag)
    value = html.unescape(html.unescape(text)).strip() if text else ""
    return "" if value.lower() == "null" else value


def _xml_mention(stem: str, own: str, index: int, pub_id: str, occurrence: int, pub: Any) -> LabeledMention:
    authors = [a.strip() for a in _field(pub, "authors").split(",") if a.strip()]
    position = _nth_best_author(own, authors, occurrence)
    year = _field(pub, "year")
    organization = _field(pub, "organization")
    mention = AuthorMention(
        mention_id=f"{stem}#{index:05d}",
        raw_name=authors[position] if position >= 0 else own,
        position=position,
        coauthors=tuple(a for i, a in enumerate(authors) if i != position),
        affiliations=(organization,) if organization else (),
        title=_field(pub, "title"),
        venue=_field(pub, "jconf"),
        topics=tuple(k.strip() for k in _field(pub, "keyword").split(";") if k.strip()),
        year=int(year) if year.isdigit() else None,
        work_id=f"{stem}:{pub_id}",
    )
    return LabeledMention(stem, pub_id, _field(pub, "label") or f"unlabeled-{index}", mention)


def _nth_best_author(own: str, authors: list[str], occurrence: int) -> int:
    try:
        target = parse_name(own)
    except UnusableNameError:
        return -1
    scored = sorted(((_match(target, author), -i) for i, author in enumerate(authors)), reverse=True)
    candidates = [-neg for similarity, neg in scored if similarity >= _MATCH_FLOOR]
    return candidates[occurrence] if occurrence < len(candidates) else -1


def _match(target: ParsedName, raw: str) -> float:
    try:
        parsed = parse_name(raw)
    except UnusableNameError:
        return 0.0
    if parsed.key == target.key:
        return given_name_similarity(target, parsed)
    swapped = clean_text(raw).lower().split()[::-1]  # "Wang Lei" written surname first
    return 0.5 if swapped and parse_name(" ".join(swapped)) == target else 0.0


def read_s2and(directory: str | Path) -> list[LabeledMention]:
    """Read an S2AND dataset folder: ``signatures.json``, ``clusters.json``, ``papers.json`` if present.

    Raises:
        EvaluationDataError: Missing folder or file, unreadable JSON, or a cluster naming an unknown
            signature id.
    """
    folder = Path(directory)
    _require_dir(folder)
    signatures = _load_json(folder / "signatures.json", required=True)
    clusters = _load_json(folder / "clusters.json", required=True)
    papers = _load_json(folder / "papers.json", required=False)
    labels: dict[str, str] = {}
    for cluster_id, cluster in clusters.items():
        for signature_id in cluster.get("signature_ids", []):
            if str(signature_id) not in signatures:
                raise EvaluationDataError(
                    str(folder / "clusters.json"),
                    f"cluster {cluster_id!r} names signature {signature_id!r}, which is not in "
                    "signatures.json; use the clusters file that belongs to these signatures",
                )
            labels[str(signature_id)] = str(cluster_id)
    return [
        _s2and_mention(sig_id, signature, labels[sig_id], papers)
        for sig_id, signature in sorted(signatures.items())
        if sig_id in labels
    ]


def _load_json(path: Path, *, required: bool) -> dict[str, Any]:
    if not path.exists():
        if required:
            raise EvaluationDataError(
                str(path), "missing; an S2AND folder needs signatures.json and clusters.json"
            )
        return {}
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as error:
        raise EvaluationDataError(str(path), f"cannot read it as JSON ({error}); re-download it") from error
    if not isinstance(data, dict):
        raise EvaluationDataError(str(path), "expected a JSON object keyed by id")
    return data


def _s2and_mention(
    sig_id: str, signature: dict[str, Any], label: str, papers: dict[str, Any]
) -> LabeledMention:
    info = signature.get("author_info") or {}
    parts = [info.get(k) for k in ("first", "middle", "last")]
    raw_name = " ".join(str(p) for p in parts if p)
    raw_position = info.get("position")
    position = raw_position if isinstance(raw_position, int) else -1
    paper = papers.get(str(signature.get("paper_id")), {})
    coauthors = tuple(
        str(a.get("author_name", ""))
        for a in paper.get("authors", [])
        if a.get("position") != position and a.get("author_name")
    )
    mention = AuthorMention(
        mention_id=sig_id,
        raw_name=raw_name,
        position=position,
        coauthors=coauthors,
        affiliations=tuple(str(a) for a in info.get("affiliations") or []),
        title=str(paper.get("title") or ""),
        venue=str(paper.get("venue") or paper.get("journal_name") or ""),
        year=paper.get("year") if isinstance(paper.get("year"), int) else None,
        topics=tuple(str(t) for t in paper.get("fields_of_study") or []),
        work_id=str(signature.get("paper_id", "")),
    )
    return LabeledMention(str(info.get("block") or raw_name), sig_id, label, mention)
