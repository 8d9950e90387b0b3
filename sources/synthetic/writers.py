"""Streaming, deterministic writers: snapshot part files, API-shaped pages, JSON lines, truth.

Same input gives byte-identical files: gzip headers carry no time or file name, JSON is written by
orjson with keys in insertion order, Parquet files carry no timestamps.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["JsonLinesWriter", "PageWriter", "SnapshotWriter", "TruthWriter", "write_json"]

_GZIP_LEVEL = 1  # fastest: compression is a large share of the run time at level 6


def write_json(path: Path, value: Any) -> None:
    """Write ``value`` as indented JSON (with a final newline)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps(value, option=orjson.OPT_INDENT_2) + b"\n")


class SnapshotWriter:
    """OpenAlex snapshot layout: ``updated_date=YYYY-MM-DD/part_NNN.gz`` plus a ``manifest``."""

    def __init__(self, root: Path, part_size: int, label: str = "synthetic") -> None:
        self.root = root
        self.part_size = part_size
        self.label = label  # a manifest meta key set to true: what kind of data the files hold
        self.entries: list[dict[str, Any]] = []
        self._date: str | None = None
        self._part = 0
        self._count = 0
        self._file: gzip.GzipFile | None = None
        self._raw: IO[bytes] | None = None
        self._path: Path | None = None

    def write(self, date: str, line: bytes) -> None:
        """Append one record (a JSON line) to the current part of partition ``date``."""
        if date != self._date:
            self._close_part()
            self._date, self._part = date, 0
        elif self._count >= self.part_size:
            self._close_part()
            self._part += 1
        if self._file is None:
            self._open_part()
        assert self._file is not None
        self._file.write(line)
        self._count += 1

    def _open_part(self) -> None:
        self._path = self.root / f"updated_date={self._date}" / f"part_{self._part:03d}.gz"
        self._path.parent.mkdir(parents=True, exist_ok=True)
        raw = self._path.open("wb")
        self._file = gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=_GZIP_LEVEL, mtime=0)
        self._raw = raw
        self._count = 0

    def _close_part(self) -> None:
        if self._file is None or self._raw is None or self._path is None:
            return
        self._file.close()
        self._raw.close()
        # Relative to the snapshot root, like the tail of the real "s3://openalex/data/works/...".
        url = self._path.relative_to(self.root.parent).as_posix()
        meta = {"content_length": self._path.stat().st_size, "record_count": self._count}
        self.entries.append({"url": url, "meta": meta})
        self._file = None

    def close(self) -> dict[str, Any]:
        """Close the last part and write the manifest; returns the manifest."""
        self._close_part()
        manifest = {
            "entries": self.entries,
            "meta": {
                "content_length": sum(e["meta"]["content_length"] for e in self.entries),
                "record_count": sum(e["meta"]["record_count"] for e in self.entries),
                self.label: True,
            },
        }
        write_json(self.root / "manifest", manifest)
        return manifest


class PageWriter:
    """API list pages ``page_NNNNN.json`` (``{"meta": ..., "results": [...]}``) of ``per_page``."""

    def __init__(self, root: Path, per_page: int, total: int) -> None:
        self.root = root
        self.per_page = per_page
        self.total = total
        self.pages = 0
        self._results: list[bytes] = []
        root.mkdir(parents=True, exist_ok=True)

    def write(self, line: bytes) -> None:
        """Add one record (its JSON without the newline)."""
        self._results.append(line)
        if len(self._results) >= self.per_page:
            self._flush()

    def _flush(self) -> None:
        if not self._results:
            return
        self.pages += 1
        last = self.pages * self.per_page >= self.total
        meta = {
            "count": self.total,
            "db_response_time_ms": 0,
            "page": self.pages,
            "per_page": self.per_page,
            "next_cursor": None if last else f"synthetic-{self.pages + 1}",
            "groups_count": None,
            "synthetic": True,
        }
        body = b'{"meta":' + orjson.dumps(meta) + b',"results":[' + b",".join(self._results)
        (self.root / f"page_{self.pages:05d}.json").write_bytes(body + b'],"group_by":[]}\n')
        self._results = []

    def close(self) -> int:
        """Write the last page; returns the number of pages."""
        self._flush()
        return self.pages


class JsonLinesWriter:
    """A plain JSON-lines file (arXiv's snapshot is uncompressed)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.count = 0
        self._file = path.open("wb")

    def write(self, value: Any) -> None:
        """Append one object as a line."""
        self._file.write(orjson.dumps(value) + b"\n")
        self.count += 1

    def close(self) -> None:
        """Close the file."""
        self._file.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


class TruthWriter:
    """A Parquet file written one row group per batch of rows (dict of columns)."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.schema = schema
        self.rows = 0
        self._writer = pq.ParquetWriter(path, schema, compression="zstd")

    def write(self, columns: dict[str, list[Any]]) -> None:
        """Write one batch of rows."""
        table = pa.table(columns, schema=self.schema)
        self._writer.write_table(table)
        self.rows += table.num_rows

    def close(self) -> None:
        """Finish the file."""
        self._writer.close()
