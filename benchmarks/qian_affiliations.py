"""Qian/DBLP XML with S2AND's affiliations: the labeled set here closest to data with affiliations.

The Qian/DBLP XML files (``recorded/disambiguation/qian-dblp-xml``) carry titles, co-authors,
venues and years but no affiliations (``<organization>null</organization>`` throughout).
S2AND-qian (``recorded/disambiguation/s2and-qian``) is the same Qian set with names and
affiliations (from the Microsoft Academic Graph) but no titles. Issue #3's model is also judged on
labeled data with affiliations, so this joins the two where the join is proven:

- the S2AND signatures of a file's name (first, middle and last name, accents folded, any case) are
  taken in signature-id order, the file's publications in file order;
- a name is joined only when both sides have the same number of publications and split them into
  persons the same way (the n-th publication and the n-th signature belong to the same person, up
  to renaming the labels). A name failing either check is left out and reported: no affiliation is
  attached by guess.

A written file is the original one with each ``<organization>`` filled with its signature's
affiliation (S2AND gives at most one; ``null`` stays where it has none). Nothing else changes.

    python -m benchmarks.qian_affiliations OUT_DIR
    .venv/bin/bzpeer authors evaluate --aminer-xml OUT_DIR
"""

from __future__ import annotations

import html
import re
import sys
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import orjson
from unidecode import unidecode

from benchmarks.common import REPO
from dedupe.labeled import read_aminer_xml

QIAN_XML = REPO / "recorded" / "disambiguation" / "qian-dblp-xml"
S2AND_QIAN = REPO / "recorded" / "disambiguation" / "s2and-qian"
_ORGANIZATION = re.compile(r"<organization>(.*?)</organization>", re.DOTALL)


@dataclass(slots=True)
class JoinReport:
    """What :func:`join_affiliations` wrote and left out.

    Attributes:
        names: Files written.
        publications: Publications in them.
        with_affiliation: Of those, publications given an affiliation.
        skipped: Names left out, by reason (``no S2AND name``, ``count differs``,
            ``persons differ``, ``organization not null``).
    """

    names: int = 0
    publications: int = 0
    with_affiliation: int = 0
    skipped: dict[str, list[str]] = field(default_factory=dict)

    def skip(self, reason: str, name: str) -> None:
        self.skipped.setdefault(reason, []).append(name)

    def to_text(self) -> str:
        lines = [
            f"{self.names} names written, {self.publications} publications, "
            f"{self.with_affiliation} of them with an affiliation"
        ]
        lines += [f"left out, {reason}: {len(names)}" for reason, names in sorted(self.skipped.items())]
        return "\n".join(lines)


def join_affiliations(xml_dir: Path, s2and_dir: Path, out: Path) -> JoinReport:
    """Write the Qian XML files of ``xml_dir`` whose names join S2AND ``s2and_dir`` into ``out``."""
    signatures = orjson.loads((s2and_dir / "signatures.json").read_bytes())
    clusters = orjson.loads((s2and_dir / "clusters.json").read_bytes())
    person = {sid: cid for cid, cluster in clusters.items() for sid in cluster["signature_ids"]}
    by_name: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for sid, signature in signatures.items():
        info = signature["author_info"]
        name = " ".join(part for part in (info["first"], info["middle"], info["last"]) if part)
        by_name[_key(name)].append((int(sid), sid))
    files: dict[str, list[Hashable]] = defaultdict(list)
    for row in read_aminer_xml(xml_dir):
        files[row.name].append(row.label)
    out.mkdir(parents=True, exist_ok=True)
    report = JoinReport()
    for stem, labels in sorted(files.items()):
        sids = [sid for _, sid in sorted(by_name.get(_key(_person_name(stem)), []))]
        text = (xml_dir / f"{stem}.xml").read_text(encoding="utf-8")
        organizations = _ORGANIZATION.findall(text)
        if not sids:
            report.skip("no S2AND name", stem)
        elif len(sids) != len(labels) or len(organizations) != len(labels):
            report.skip("count differs", stem)
        elif _partition([person[sid] for sid in sids]) != _partition(labels):
            report.skip("persons differ", stem)
        elif any(o.strip().lower() not in ("", "null") for o in organizations):
            report.skip("organization not null", stem)
        else:
            affiliations = [signatures[sid]["author_info"]["affiliations"] for sid in sids]
            (out / f"{stem}.xml").write_text(_filled(text, affiliations), encoding="utf-8")
            report.names += 1
            report.publications += len(sids)
            report.with_affiliation += sum(bool(found) for found in affiliations)
    return report


def _filled(text: str, affiliations: list[list[str]]) -> str:
    """``text`` with its n-th ``<organization>`` set to the n-th affiliation (``null`` if none)."""
    remaining = iter(affiliations)

    def fill(_: re.Match[str]) -> str:
        found = next(remaining)
        return f"<organization>{escape(found[0]) if found else 'null'}</organization>"

    return _ORGANIZATION.sub(fill, text)


def _person_name(stem: str) -> str:
    """The person name of a Qian file stem (``S&eacute;bastien_Roy`` -> ``Sébastien Roy``)."""
    return html.unescape(html.unescape(stem)).replace("_", " ")


def _key(name: str) -> str:
    return " ".join(unidecode(name).lower().split())


def _partition(labels: Sequence[Hashable]) -> list[int]:
    """Labels renamed by first appearance: equal lists mean the same split into persons."""
    first: dict[Hashable, int] = {}
    return [first.setdefault(label, len(first)) for label in labels]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m benchmarks.qian_affiliations OUT_DIR", file=sys.stderr)
        return 2
    report = join_affiliations(QIAN_XML, S2AND_QIAN, Path(argv[0]))
    print(report.to_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
