"""Parse the recorded folder once into the in-memory index every request is answered from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from sources.replay.arxiv_recordings import ArxivRecordings, load_arxiv

WORK_ID_PREFIX = "https://openalex.org/W"


@dataclass(frozen=True)
class RecordedIndex:
    """Everything the replay server answers from.

    Attributes:
        works: Unique OpenAlex work records, unchanged, ordered by numeric work id. When a work
            was recorded twice, the record with the latest ``updated_date`` is kept.
        arxiv: The recorded arXiv replies and their entries.
    """

    works: tuple[dict[str, Any], ...]
    arxiv: ArxivRecordings


def load_recorded(recorded_dir: Path) -> RecordedIndex:
    """Load ``openalex/works/*.json`` and ``arxiv/api/*.json`` from a recorded-data folder.

    Args:
        recorded_dir: The folder laid out like the repository's ``recorded/``.

    Returns:
        The parsed index.

    Raises:
        FileNotFoundError: If either sub-folder is missing.
    """
    works_dir = recorded_dir / "openalex" / "works"
    api_dir = recorded_dir / "arxiv" / "api"
    for folder in (works_dir, api_dir):
        if not folder.is_dir():
            raise FileNotFoundError(
                f"{folder} is missing: pass the folder that holds openalex/works and arxiv/api"
            )
    return RecordedIndex(works=load_works(works_dir), arxiv=load_arxiv(api_dir))


def work_number(work: dict[str, Any]) -> int:
    """The numeric part of a work id: ``https://openalex.org/W2525778437`` gives 2525778437."""
    return int(str(work["id"]).removeprefix(WORK_ID_PREFIX))


def load_works(works_dir: Path) -> tuple[dict[str, Any], ...]:
    """The recorded OpenAlex works of ``*.json`` pages, once each (the latest ``updated_date``), by id."""
    latest: dict[str, dict[str, Any]] = {}
    for path in sorted(works_dir.glob("*.json")):
        for work in orjson.loads(path.read_bytes()).get("results", []):
            kept = latest.get(work["id"])
            if kept is None or work["updated_date"] > kept["updated_date"]:
                latest[work["id"]] = work
    return tuple(sorted(latest.values(), key=work_number))
