"""``generate``: write a deterministic synthetic data set in the sources' own file formats.

Layout under ``out``::

    SYNTHETIC.md                                   what this is (synthetic, not real records)
    manifest.json                                  the SynthManifest (counts, arguments)
    openalex/works/updated_date=YYYY-MM-DD/part_NNN.gz   OpenAlex snapshot parts (gzip JSON lines)
    openalex/works/manifest                        OpenAlex's snapshot manifest shape (+ "synthetic")
    openalex/pages/page_NNNNN.json                 API list pages (only with pages=True)
    arxiv/arxiv-metadata-oai-snapshot.json         arXiv bulk metadata shape (JSON lines)
    truth/authors.parquet                          mention -> true person
    truth/persons.parquet                          person -> name, ORCID, OpenAlex ids, homonym block
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from sources.synthetic import distributions as dist
from sources.synthetic.arxiv_shape import arxiv_entry
from sources.synthetic.openalex_shape import (
    AUTHOR_BASE,
    NULL_AUTHOR_ID,
    WORK_BASE,
    arxiv_id,
    openalex_work,
)
from sources.synthetic.papers import (
    ARXIV_ONLY,
    BAD_KINDS,
    OPENALEX_ONLY,
    Paper,
    PaperPlan,
    build_papers,
    plan_papers,
)
from sources.synthetic.population import Population, build_population
from sources.synthetic.truth import MENTION_SCHEMA, MentionRows, write_persons
from sources.synthetic.writers import JsonLinesWriter, PageWriter, SnapshotWriter, TruthWriter, write_json

__all__ = ["SynthManifest", "generate"]

# Records are updated on consecutive days from this date (fixed, so output does not depend on
# when it is generated); one updated_date partition per 1,000 works, at most 30.
_FIRST_UPDATE = date(2026, 10, 1)
_MAX_DAYS = 30
_AUTHOR_CAPACITY = 899_999_999  # A9100000000 + n must stay below A9999999999 (NULL AUTHOR_ID)


@dataclass(frozen=True)
class SynthManifest:
    """What :func:`generate` wrote: counts, arguments and the files (relative to ``out``)."""

    works: int
    arxiv_entries: int
    shared_works: int  # works that are also arXiv entries
    authorships: int  # OpenAlex authorships
    arxiv_authorships: int
    persons: int
    homonym_blocks: int  # canonical names shared by two or more persons
    persons_in_homonym_blocks: int
    bad_records: dict[str, int]
    files: tuple[str, ...]
    seed: int
    arxiv_share: float
    synthetic: bool = field(default=True)

    def to_json(self) -> dict[str, Any]:
        """The manifest as a JSON-ready dict."""
        return asdict(self) | {"files": list(self.files)}


def generate(
    works: int,
    seed: int,
    out: Path,
    arxiv_share: float = 0.2,
    *,
    pages: bool = False,
    part_size: int = 10_000,
    per_page: int = 200,
) -> SynthManifest:
    """Write a synthetic OpenAlex + arXiv data set with its ground truth to ``out``.

    The same arguments give byte-identical files. Memory stays proportional to the number of
    persons and author slots (numpy arrays), never to the records: they are built and written one
    part at a time.

    Args:
        works: Number of OpenAlex works.
        seed: Seed of numpy's ``Generator(PCG64)`` streams.
        out: Output directory: created, or an existing empty directory.
        arxiv_share: arXiv entries as a share of ``works``; 70 % of them are also OpenAlex works.
        pages: Also write the works as API list pages under ``openalex/pages/``.
        part_size: Most records in one snapshot part file.
        per_page: Records per API page.

    Returns:
        The manifest, also written to ``out/manifest.json``.

    Raises:
        ValueError: An argument is out of range.
        FileExistsError: ``out`` holds files (stale parts of an earlier run would mix in).
    """
    _check_arguments(works, arxiv_share, part_size, per_page)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty: give a new or empty directory, or delete it first")
    population_seed, plan_seed, record_seed = np.random.SeedSequence(seed).spawn(3)
    arxiv_entries = round(arxiv_share * works)
    arxiv_only = arxiv_entries - round(arxiv_entries * dist.ARXIV_SHARED_SHARE)
    total = works + arxiv_only
    plan = plan_papers(_rng(plan_seed), works, arxiv_entries, total)
    pop = build_population(_rng(population_seed), total, works)
    if pop.persons * 2 > _AUTHOR_CAPACITY:
        raise ValueError(f"{works} works need more synthetic author ids than the reserved range holds")
    out.mkdir(parents=True, exist_ok=True)
    counts = _write_records(out, pop, plan, _rng(record_seed), pages, part_size, per_page)
    write_persons(out / "truth" / "persons.parquet", pop)
    (out / "SYNTHETIC.md").write_text(_NOTICE.format(works=works, seed=seed, arxiv_share=arxiv_share))
    manifest = _manifest(out, pop, plan, counts, seed, arxiv_share)
    write_json(out / "manifest.json", manifest.to_json())
    return manifest


def _manifest(
    out: Path, pop: Population, plan: PaperPlan, counts: dict[str, int], seed: int, arxiv_share: float
) -> SynthManifest:
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} | {"manifest.json"}
    return SynthManifest(
        works=int((plan.kind != ARXIV_ONLY).sum()),
        arxiv_entries=counts["arxiv_entries"],
        shared_works=int(((plan.kind != OPENALEX_ONLY) & (plan.kind != ARXIV_ONLY)).sum()),
        authorships=counts["authorships"],
        arxiv_authorships=counts["arxiv_authorships"],
        persons=pop.persons,
        homonym_blocks=pop.homonym_blocks,
        persons_in_homonym_blocks=int((pop.block_size >= 2).sum()),
        bad_records={kind: int((plan.bad_kind == i).sum()) for i, kind in enumerate(BAD_KINDS)},
        files=tuple(sorted(files)),
        seed=seed,
        arxiv_share=arxiv_share,
    )


def _check_arguments(works: int, arxiv_share: float, part_size: int, per_page: int) -> None:
    if works < 100:
        raise ValueError(f"works must be at least 100 (got {works}): the distributions need room")
    if not 0.0 <= arxiv_share <= 1.0:
        raise ValueError(f"arxiv_share must be between 0 and 1 (got {arxiv_share})")
    if part_size < 1 or per_page < 1:
        raise ValueError("part_size and per_page must be positive")


def _rng(seed: np.random.SeedSequence) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(seed))


def _write_records(
    out: Path,
    pop: Population,
    plan: PaperPlan,
    rng: np.random.Generator,
    pages: bool,
    part_size: int,
    per_page: int,
) -> dict[str, int]:
    """Build papers a part at a time and write each in its sources' formats, with its truth."""
    works = int((plan.kind != ARXIV_ONLY).sum())
    days = max(1, min(_MAX_DAYS, works // 1000))
    snapshot = SnapshotWriter(out / "openalex" / "works", part_size)
    page_writer = PageWriter(out / "openalex" / "pages", per_page, works) if pages else None
    arxiv = JsonLinesWriter(out / "arxiv" / "arxiv-metadata-oai-snapshot.json")
    truth = TruthWriter(out / "truth" / "authors.parquet", MENTION_SCHEMA)
    counts = {"authorships": 0, "arxiv_authorships": 0, "arxiv_entries": 0}
    total = plan.kind.size
    for start in range(0, total, part_size):
        rows = MentionRows()
        for paper in build_papers(rng, pop, plan, start, min(total, start + part_size)):
            kind = int(plan.kind[paper.paper_id])
            if kind != ARXIV_ONLY:
                line, work = _openalex_line(paper, plan, pop, works, days)
                snapshot.write(work["updated_date"][:10], line)
                if page_writer is not None:
                    page_writer.write(line[:-1])
                rows.add_openalex(paper, work)
                counts["authorships"] += len(paper.mentions)
            if kind != OPENALEX_ONLY:
                arxiv.write(arxiv_entry(paper, plan, pop))
                rows.add_arxiv(paper, arxiv_id(plan, paper.paper_id), pop)
                counts["arxiv_entries"] += 1
                counts["arxiv_authorships"] += len(paper.mentions)
        truth.write(rows.columns)
    snapshot.close()
    if page_writer is not None:
        page_writer.close()
    arxiv.close()
    truth.close()
    return counts


def _openalex_line(
    paper: Paper, plan: PaperPlan, pop: Population, works: int, days: int
) -> tuple[bytes, dict[str, Any]]:
    """The work object of an OpenAlex paper and its JSON line; its updated day is set by its number."""
    number = int(plan.work_number[paper.paper_id])
    updated = _FIRST_UPDATE + timedelta(days=number * days // works)
    work = openalex_work(paper, plan, pop, _timestamp(updated, paper.seconds))
    return orjson.dumps(work, option=orjson.OPT_APPEND_NEWLINE), work


def _timestamp(day: date, microseconds: int) -> str:
    seconds, micro = divmod(microseconds, 1_000_000)
    hours, rest = divmod(seconds, 3600)
    return f"{day.isoformat()}T{hours:02d}:{rest // 60:02d}:{rest % 60:02d}.{micro:06d}"


_NOTICE = f"""# SYNTHETIC DATA: not real records

Everything under this folder was generated by `sources.synthetic.generate` (works={{works}},
seed={{seed}}, arxiv_share={{arxiv_share}}). No record describes a real paper or person.

- OpenAlex ids are in reserved ranges: works W{WORK_BASE}+n, authors A{AUTHOR_BASE}+n, institutions
  I9200000000+n, topics T9300000000+n, journals S9400000000+n. `{NULL_AUTHOR_ID}` is OpenAlex's real
  NULL AUTHOR_ID placeholder, used on purpose for about 0.1 % of authorships.
- DOIs use the test prefix `10.5555/synthetic.`; arXiv ids are `YYMM.9NNNN` (sequence numbers from
  90000, above any real month's count), with arXiv DOIs `10.48550/arxiv.YYMM.9NNNN`.
- ORCID iDs are `0009-9xxx-xxxx-xxxC` (checksum-valid, above ORCID's issued ranges).
- The manifests carry `"synthetic": true`. The distributions are stated in
  `sources/synthetic/DISTRIBUTIONS.md`; `truth/` holds the true person of every author mention.
"""
