"""Raw landing: every fetched page is stored unchanged (gzip) before anything parses it.

Layout under the data directory::

    raw/<source>/<run_id>/<scope>/<window label>/page-00001.json.gz   (or .xml.gz)
                                                 pages.jsonl          (one line per page: url, sha256)
                                                 _COMPLETE.json       (written last: the fetch finished)

A fetch directory without ``_COMPLETE.json`` was interrupted; rebuilds and normalizers skip it.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson

__all__ = ["FetchDir", "RawPage", "complete_fetches"]

_SECRET_PARAM = re.compile(r"(api_key|mailto|email)=[^&]*", re.IGNORECASE)
_COMPLETE = "_COMPLETE.json"


@dataclass(frozen=True, slots=True)
class RawPage:
    """One landed page: its reference (relative to the data directory) and raw bytes."""

    ref: str
    content: bytes


class FetchDir:
    """The landing directory of one (source, run, scope, window) fetch."""

    def __init__(self, data_dir: Path, source: str, run_id: str, scope: str, window: str) -> None:
        self.data_dir = data_dir
        self.path = data_dir / "raw" / source / run_id / scope / window
        self.extension = "xml" if source == "arxiv" else "json"
        self.pages = 0

    def write_page(self, url: str, content: bytes) -> str:
        """Store one response body unchanged; return its reference."""
        self.path.mkdir(parents=True, exist_ok=True)
        self.pages += 1
        name = f"page-{self.pages:05d}.{self.extension}.gz"
        _write_atomic(self.path / name, gzip.compress(content, compresslevel=6))
        line = {"page": name, "url": redact_url(url), "sha256": hashlib.sha256(content).hexdigest()}
        with (self.path / "pages.jsonl").open("ab") as index:
            index.write(orjson.dumps(line) + b"\n")
        return self.ref(name)

    def mark_complete(self, **facts: object) -> None:
        """Record that the fetch finished; only complete fetches are normalized."""
        self.path.mkdir(parents=True, exist_ok=True)
        body = {"pages": self.pages, "completed_at": datetime.now(UTC).isoformat(), **facts}
        _write_atomic(self.path / _COMPLETE, orjson.dumps(body, option=orjson.OPT_INDENT_2))

    def ref(self, name: str) -> str:
        """A page reference relative to the data directory, as stored in raw_ref columns."""
        return (self.path / name).relative_to(self.data_dir).as_posix()

    def read_pages(self) -> Iterator[RawPage]:
        """The landed pages in fetch order."""
        for page in sorted(self.path.glob(f"page-*.{self.extension}.gz")):
            yield RawPage(self.ref(page.name), gzip.decompress(page.read_bytes()))

    @property
    def is_complete(self) -> bool:
        """Whether the fetch finished and was marked complete."""
        return (self.path / _COMPLETE).is_file()


def complete_fetches(data_dir: Path, source: str) -> list[FetchDir]:
    """Every complete fetch of a source under raw/, oldest run first (for rebuilds)."""
    found = []
    for marker in sorted((data_dir / "raw" / source).glob(f"*/*/*/{_COMPLETE}")):
        window_dir = marker.parent
        run_id, scope, window = window_dir.parts[-3:]
        fetch = FetchDir(data_dir, source, run_id, scope, window)
        found.append(fetch)
    return found


def redact_url(url: str) -> str:
    """Drop credentials and contact details from a URL before it is stored or logged."""
    return _SECRET_PARAM.sub(r"\1=REDACTED", url)


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
