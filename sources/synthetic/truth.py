"""Ground truth for author disambiguation: the true person of every mention, and the persons."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from sources.synthetic import distributions as dist
from sources.synthetic.arxiv_shape import arxiv_name
from sources.synthetic.names import person_name
from sources.synthetic.openalex_shape import AUTHOR_BASE
from sources.synthetic.papers import Paper
from sources.synthetic.population import Population
from sources.synthetic.writers import TruthWriter

__all__ = ["MENTION_SCHEMA", "PERSON_SCHEMA", "MentionRows", "write_persons"]

# One row per author mention. mention_id is the pipeline's own (sources/*_records.py):
# "openalex:<W id>#<position>" and "arxiv:<arXiv id>#<position>", positions from 1.
MENTION_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("work_id", pa.string()),
        ("mention_id", pa.string()),
        ("position", pa.int32()),
        ("person_id", pa.int64()),
        ("group_id", pa.int32()),
        ("raw_name", pa.string()),
        ("source_author_id", pa.string()),
    ]
)
PERSON_SCHEMA = pa.schema(
    [
        ("person_id", pa.int64()),
        ("display_name", pa.string()),
        ("orcid", pa.string()),
        ("openalex_author_id", pa.string()),
        ("split_author_id", pa.string()),
        ("homonym_block_size", pa.int32()),
        ("group_id", pa.int32()),
        ("works_count", pa.int32()),
    ]
)
_OPENALEX_PREFIX = len("https://openalex.org/")
_PERSON_BATCH = 200_000


class MentionRows:
    """Columns of mention truth rows for one part."""

    def __init__(self) -> None:
        self.columns: dict[str, list[Any]] = {name: [] for name in MENTION_SCHEMA.names}

    def add_openalex(self, paper: Paper, work: dict[str, Any]) -> None:
        """Add the mentions of one OpenAlex work (names and author ids as the record shows them)."""
        work_id = work["id"][_OPENALEX_PREFIX:]
        authorships = work["authorships"]
        self._add(paper, "openalex", work_id)
        self.columns["raw_name"].extend([a["raw_author_name"] for a in authorships])
        self.columns["source_author_id"].extend([a["author"]["id"][_OPENALEX_PREFIX:] for a in authorships])

    def add_arxiv(self, paper: Paper, identifier: str, pop: Population) -> None:
        """Add the mentions of one arXiv entry (arXiv has no author ids)."""
        self._add(paper, "arxiv", identifier)
        self.columns["raw_name"].extend([arxiv_name(m, pop) for m in paper.mentions])
        self.columns["source_author_id"].extend([None] * len(paper.mentions))

    def _add(self, paper: Paper, source: str, work_id: str) -> None:
        count = len(paper.mentions)
        positions = range(1, count + 1)
        columns = self.columns
        columns["source"].extend([source] * count)
        columns["work_id"].extend([work_id] * count)
        columns["mention_id"].extend([f"{source}:{work_id}#{p}" for p in positions])
        columns["position"].extend(positions)
        columns["person_id"].extend([m.person for m in paper.mentions])
        columns["group_id"].extend([m.group for m in paper.mentions])


def write_persons(path: Path, pop: Population) -> None:
    """One row per true person: canonical name, ORCID, OpenAlex ids, homonym block, home group."""
    writer = TruthWriter(path, PERSON_SCHEMA)
    for start in range(0, pop.persons, _PERSON_BATCH):
        stop = min(pop.persons, start + _PERSON_BATCH)
        people = range(start, stop)
        keys = pop.name_key[start:stop].tolist()
        orcid = pop.has_orcid[start:stop].tolist()
        split = pop.split_id[start:stop].tolist()
        writer.write(
            {
                "person_id": list(people),
                "display_name": [person_name(k).display_name for k in keys],
                "orcid": [
                    dist.synthetic_orcid(p) if has else None for p, has in zip(people, orcid, strict=True)
                ],
                "openalex_author_id": [f"A{AUTHOR_BASE + n}" for n in pop.author_id[start:stop].tolist()],
                "split_author_id": [f"A{AUTHOR_BASE + n}" if n >= 0 else None for n in split],
                "homonym_block_size": pop.block_size[start:stop].tolist(),
                "group_id": pop.group[start:stop].tolist(),
                "works_count": pop.productivity[start:stop].tolist(),
            }
        )
    writer.close()
