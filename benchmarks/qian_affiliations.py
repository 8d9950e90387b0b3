"""Qian/DBLP XML with S2AND's affiliations: the labeled set here with both kinds of evidence.

The Qian/DBLP XML files (``recorded/disambiguation/qian-dblp-xml``) carry titles, co-authors,
venues and years but no affiliations (``<organization>null</organization>`` throughout).
S2AND-qian (``recorded/disambiguation/s2and-qian``) is the same Qian set with names and
affiliations (from the Microsoft Academic Graph) but no titles, and its person (cluster) ids are
the XML files' labels. Issue #3's model is also judged on labeled data with affiliations, so this
joins the two where the join is exact:

- a file's S2AND signatures are those of its name (first, middle and last name, accents folded,
  any case), in signature-id order; the file's publications are in file order;
- a person (label) whose publications in the file and signatures in S2AND are equal in number
  is joined one to one: its n-th publication gets its n-th signature's affiliation. A person whose
  counts differ (S2AND dropped some of its papers, and which is not known) keeps ``null`` on every
  publication: no affiliation is attached by guess.

Every file is written, the same as the original except for the ``<organization>`` of joined
publications (S2AND gives at most one affiliation; ``null`` stays where it has none), so the result
is the whole Qian set, comparable figure for figure.

    python -m benchmarks.qian_affiliations OUT_DIR
    .venv/bin/bzpeer authors evaluate --aminer-xml OUT_DIR
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import orjson
from unidecode import unidecode

from benchmarks.common import REPO
from dedupe.labeled import file_person_name, read_aminer_xml

QIAN_XML = REPO / "recorded" / "disambiguation" / "qian-dblp-xml"
S2AND_QIAN = REPO / "recorded" / "disambiguation" / "s2and-qian"
_ORGANIZATION = re.compile(r"<organization>(.*?)</organization>", re.DOTALL)


@dataclass(slots=True)
class JoinReport:
    """What :func:`join_affiliations` wrote.

    Attributes:
        names: Files written (every file of the input).
        publications: Publications in them.
        joined: Of those, publications joined to their S2AND signature.
        with_affiliation: Of those, publications given an affiliation.
        persons_joined: Persons whose publications were joined.
        persons_left: Persons left as they were (counts differ, or not in S2AND).
        names_not_found: Files whose name has no S2AND signature.
    """

    names: int = 0
    publications: int = 0
    joined: int = 0
    with_affiliation: int = 0
    persons_joined: int = 0
    persons_left: int = 0
    names_not_found: list[str] = field(default_factory=list)

    def to_text(self) -> str:
        return (
            f"{self.names} files written, {self.publications} publications: {self.joined} joined "
            f"to S2AND ({self.with_affiliation} with an affiliation), {self.persons_joined} persons "
            f"joined, {self.persons_left} left as they were (counts differ, or not in S2AND), "
            f"{len(self.names_not_found)} names not in S2AND"
        )


def join_affiliations(xml_dir: Path, s2and_dir: Path, out: Path) -> JoinReport:
    """Write every Qian XML file of ``xml_dir`` to ``out``, with S2AND's affiliations where they join."""
    signatures = orjson.loads((s2and_dir / "signatures.json").read_bytes())
    clusters = orjson.loads((s2and_dir / "clusters.json").read_bytes())
    person = {sid: cid for cid, cluster in clusters.items() for sid in cluster["signature_ids"]}
    by_name: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for sid, signature in signatures.items():
        info = signature["author_info"]
        name = " ".join(part for part in (info["first"], info["middle"], info["last"]) if part)
        by_name[_key(name)].append((int(sid), sid))
    files: dict[str, list[str]] = defaultdict(list)
    for row in read_aminer_xml(xml_dir):
        files[row.name].append(row.label)
    stray = sorted(p.name for p in out.glob("*") if p.suffix != ".xml" or p.stem not in files)
    if stray:
        # They would be evaluated with the joined files: refuse rather than mix sets.
        raise ValueError(f"{out} holds other files ({', '.join(stray[:3])}); give an empty or new folder")
    out.mkdir(parents=True, exist_ok=True)
    report = JoinReport()
    for stem, labels in sorted(files.items()):
        signed = by_name.get(_key(file_person_name(stem)), [])
        if not signed:
            report.names_not_found.append(stem)
        sids_of: dict[str, list[str]] = defaultdict(list)
        for _, sid in sorted(signed):
            sids_of[person[sid]].append(sid)
        pubs_of: dict[str, list[int]] = defaultdict(list)
        for index, label in enumerate(labels):
            pubs_of[label].append(index)
        affiliations: list[list[str] | None] = [None] * len(labels)
        for label, pubs in pubs_of.items():
            sids = sids_of.get(label, [])
            if len(sids) != len(pubs):
                report.persons_left += 1
                continue
            report.persons_joined += 1
            for index, sid in zip(pubs, sids, strict=True):
                affiliations[index] = signatures[sid]["author_info"]["affiliations"]
        text = (xml_dir / f"{stem}.xml").read_text(encoding="utf-8")
        (out / f"{stem}.xml").write_text(_filled(text, affiliations, stem), encoding="utf-8")
        report.names += 1
        report.publications += len(labels)
        report.joined += sum(given is not None for given in affiliations)
        report.with_affiliation += sum(bool(given) for given in affiliations)
    return report


def _filled(text: str, affiliations: list[list[str] | None], stem: str) -> str:
    """``text`` with the n-th ``<organization>`` set from the n-th affiliation list, where joined.

    ``None`` (not joined) keeps the element as it is; an empty list writes ``null``.
    """
    if len(_ORGANIZATION.findall(text)) != len(affiliations):
        raise ValueError(f"{stem}: not one <organization> per publication; check the file")
    remaining = iter(affiliations)

    def fill(match: re.Match[str]) -> str:
        given = next(remaining)
        if given is None or match.group(1).strip().lower() not in ("", "null"):
            return match.group(0)
        return f"<organization>{escape(given[0]) if given else 'null'}</organization>"

    return _ORGANIZATION.sub(fill, text)


def _key(name: str) -> str:
    return " ".join(unidecode(name).lower().split())


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m benchmarks.qian_affiliations OUT_DIR", file=sys.stderr)
        return 2
    try:
        report = join_affiliations(QIAN_XML, S2AND_QIAN, Path(argv[0]))
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(report.to_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
