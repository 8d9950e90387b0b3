"""Read an OpenAlex works snapshot (for big backfills) into the same tables as the API path.

Layout (https://docs.openalex.org/download-all-data/snapshot-data-format)::

    ROOT/works/manifest                                  Redshift-style JSON manifest of every part
    ROOT/works/updated_date=YYYY-MM-DD/part_NNN.gz        gzip JSON Lines, one work per line

A line is the same work object as an API page's ``results`` item, so each goes through
``normalize_openalex_record`` as it is; only the raw reference differs:
``snapshot/openalex/works/updated_date=2025-05-27/part_000.gz#17`` (line 17, counted from 0).

OpenAlex deletes a type's manifest while it rewrites a partition and writes it back when done,
so "if the manifest is there, all the entities are there too" (same page). Parts are therefore
checked against the manifest: a missing part or a part the manifest does not list before anything
is read, and a part's number of lines as it is read (one pass over the file, not two). Either
means the local copy is incomplete or mixed, and reading on would silently lose or duplicate works,
so the chunk fails and nothing read from it is published.
"""

from __future__ import annotations

import gc
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import orjson
from isal import igzip, isal_zlib

from sources.batch import BatchBuilder
from sources.errors import SourceError
from sources.openalex_records import normalize_openalex_record

__all__ = ["SnapshotPart", "normalize_snapshot_part", "snapshot_parts"]

_READ_BUFFER = 1 << 20
_REF_ROOT = "snapshot/openalex"
_PART_PATH = re.compile(r"(?:^|/)(works/updated_date=(\d{4}-\d{2}-\d{2})/[^/]+\.gz)$")
# What reading a damaged gzip file raises (isal's stubs type its error as an instance, not a class).
_UNREADABLE: tuple[type[Exception], ...] = (OSError, EOFError, isal_zlib.error)  # type: ignore[assignment]
_RESYNC = "re-sync it (aws s3 sync s3://openalex/data/works ROOT/works --no-sign-request) and retry"


@dataclass(frozen=True, slots=True)
class SnapshotPart:
    """One gzip JSON Lines file of a works snapshot, as the manifest lists it.

    Attributes:
        path: The local file.
        relative_path: Its path under the snapshot root, e.g.
            ``works/updated_date=2025-05-27/part_000.gz``.
        updated_date: The ``updated_date`` partition it lies in.
        record_count: Lines the manifest says it holds, when the manifest says.
    """

    path: Path
    relative_path: str
    updated_date: date
    record_count: int | None

    @property
    def ref(self) -> str:
        """The part's raw reference, e.g. ``snapshot/openalex/works/updated_date=.../part_000.gz``."""
        return f"{_REF_ROOT}/{self.relative_path}"


def snapshot_parts(root: Path, start: date, end: date) -> list[SnapshotPart]:
    """The part files whose ``updated_date`` partition lies in ``[start, end)``, checked against the manifest.

    Their contents are checked as they are read (:func:`normalize_snapshot_part`).

    Args:
        root: The snapshot root (the directory holding ``works/``).
        start: First partition date read.
        end: First partition date not read.

    Returns:
        The parts, sorted by partition date and file name.

    Raises:
        SourceError: The manifest is missing or unreadable, or a part of the window is missing or
            not in the manifest.
    """
    listed = {p.relative_path: p for p in _manifest_parts(root) if start <= p.updated_date < end}
    on_disk = {p.relative_path for p in _parts_on_disk(root) if start <= p.updated_date < end}
    if unlisted := sorted(on_disk - listed.keys()):
        raise _error(root, f"not in the manifest (the copy is mixed): {_some(unlisted)}; {_RESYNC}")
    if missing := sorted(listed.keys() - on_disk):
        raise _error(root, f"listed in the manifest but missing: {_some(missing)}; {_RESYNC}")
    return [listed[name] for name in sorted(listed, key=lambda n: (listed[n].updated_date, n))]


def normalize_snapshot_part(part: SnapshotPart, batch: BatchBuilder, ref: str) -> int:
    """Normalize every work of one snapshot part into ``batch``, one line at a time.

    Line ``i`` (from 0) gets the raw reference ``<ref>#<i>``; a line that is not JSON is quarantined
    ("invalid JSON line"), a blank line is skipped.

    Args:
        part: A part from ``snapshot_parts``.
        batch: Where rows and quarantined records go.
        ref: The part's raw reference, usually ``part.ref``.

    Returns:
        The number of records (non-blank lines) read.

    Raises:
        SourceError: The file is not readable gzip, or holds another number of records than the
            manifest says (the rows already added to ``batch`` must then not be published).
    """
    records = 0
    with _collector_paused():
        for index, line in _lines(part):
            records += 1
            normalize_openalex_record(line, f"{ref}#{index}", batch)
    _check_record_count(part, records)
    return records


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while rows pile up (measured: a fifth of normalizing time).

    Each work adds a score of row dicts and lists, which the collector would walk again and again
    although none of them can form a cycle: reference counting frees everything else as before.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _manifest_parts(root: Path) -> Iterator[SnapshotPart]:
    manifest = root / "works" / "manifest"
    try:
        body = orjson.loads(manifest.read_bytes())
    except FileNotFoundError:
        raise _error(
            root, f"no manifest at {manifest}: OpenAlex removes it while it rewrites partitions; {_RESYNC}"
        ) from None
    except orjson.JSONDecodeError as exc:
        raise _error(root, f"manifest {manifest} is not JSON ({exc}); {_RESYNC}") from None
    entries = body.get("entries") if isinstance(body, dict) else None
    if not isinstance(entries, list):
        raise _error(root, f"manifest {manifest} has no 'entries' list; {_RESYNC}")
    for entry in entries:
        yield _manifest_part(root, entry)


def _manifest_part(root: Path, entry: Any) -> SnapshotPart:
    url = entry.get("url") if isinstance(entry, dict) else None
    match = _PART_PATH.search(url) if isinstance(url, str) else None
    if match is None:
        raise _error(root, f"manifest entry {str(entry)[:120]} has no works/updated_date=.../*.gz url")
    count = (entry.get("meta") or {}).get("record_count")
    if count is not None and (not isinstance(count, int) or isinstance(count, bool) or count < 0):
        raise _error(root, f"manifest entry {url} has an invalid record_count {count!r}; {_RESYNC}")
    return SnapshotPart(root / match.group(1), match.group(1), _partition_date(root, match), count)


def _parts_on_disk(root: Path) -> Iterator[SnapshotPart]:
    for path in (root / "works").glob("updated_date=*/*.gz"):
        relative_path = path.relative_to(root).as_posix()
        match = _PART_PATH.search(relative_path)
        if match is None:
            raise _error(root, f"{relative_path} is not in an updated_date=YYYY-MM-DD partition")
        yield SnapshotPart(path, relative_path, _partition_date(root, match), None)


def _partition_date(root: Path, match: re.Match[str]) -> date:
    try:
        return date.fromisoformat(match.group(2))
    except ValueError:
        raise _error(root, f"{match.group(1)}: {match.group(2)} is not a date") from None


def _check_record_count(part: SnapshotPart, records: int) -> None:
    if part.record_count is not None and records != part.record_count:
        raise SourceError(
            "openalex",
            str(part.path),
            f"{part.relative_path} holds {records} records but the manifest says {part.record_count}: "
            f"the copy is incomplete or from another snapshot; {_RESYNC}",
        )


def _lines(part: SnapshotPart) -> Iterator[tuple[int, bytes]]:
    """The non-blank lines of a part with their 0-based line index."""
    try:
        # ISA-L's gzip (isal) inflates about three times as fast as the standard library's; a
        # BufferedReader on top splits lines in C instead of a Python-level readline per line.
        gzip_file = igzip.open(part.path, "rb")  # type: ignore[no-untyped-call]
        with gzip_file, io.BufferedReader(gzip_file, _READ_BUFFER) as stream:
            for index, line in enumerate(stream):
                if line.strip():
                    yield index, line
    except _UNREADABLE as exc:
        raise SourceError(
            "openalex", str(part.path), f"{part.relative_path} is not readable gzip ({exc}); {_RESYNC}"
        ) from exc


def _some(names: list[str]) -> str:
    more = f" and {len(names) - 3} more" if len(names) > 3 else ""
    return ", ".join(names[:3]) + more


def _error(root: Path, message: str) -> SourceError:
    return SourceError("openalex", str(root), message)
