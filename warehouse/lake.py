"""The Parquet lake: normalized batches and the pipeline's own state, written atomically.

Layout under ``<data_dir>/lake``::

    batches/<source>/<scope>/<window label>/<table>.parquet   one directory per fetched window
    state/pipeline_runs/<run_id>.parquet                       one file per run
    state/watermarks.parquet                                   current watermarks

A batch directory is written under a temporary name and renamed into place, replacing the batch
of the same window (re-running a window is idempotent). Leftover temporary directories from a
crash are removed by :func:`clean_lake`.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["batch_exists", "batch_files", "clean_lake", "read_state", "write_batch", "write_state"]

_TMP_PREFIX = ".tmp-"
_OLD_PREFIX = ".old-"
# A temporary entry is named <prefix><name>-<pid of its writer>-<random>, so cleaning up after a
# crash leaves alone the entries of a writer still at work (another flow staging a window while a
# publish cleans the lake). Entries of earlier versions end in -<random> alone.
_SUFFIX = re.compile(r"(?:-(\d+))?-[0-9a-f]{8}$")


def write_batch(lake_dir: Path, source: str, scope: str, window: str, tables: dict[str, pa.Table]) -> Path:
    """Write one normalized batch, replacing the batch of the same source, scope and window.

    Returns:
        The batch directory.
    """
    target = lake_dir / "batches" / source / scope / window
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / _temporary(_TMP_PREFIX, window)
    tmp.mkdir()
    try:
        for name, table in tables.items():
            pq.write_table(table, tmp / f"{name}.parquet", compression="zstd")
        _fsync_dir(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if target.exists():
        old = target.parent / _temporary(_OLD_PREFIX, window)
        os.replace(target, old)
        os.replace(tmp, target)
        shutil.rmtree(old)
    else:
        os.replace(tmp, target)
    return target


def batch_exists(lake_dir: Path, source: str, scope: str, window: str) -> bool:
    """Whether the batch of this window was written completely (batches appear atomically)."""
    return (lake_dir / "batches" / source / scope / window).is_dir()


def batch_files(lake_dir: Path, table: str) -> list[str]:
    """Parquet files of one source table across all published batches, in a stable order."""
    files = sorted((lake_dir / "batches").glob(f"*/*/*/{table}.parquet"))
    return [str(f) for f in files if not f.parent.name.startswith((_TMP_PREFIX, _OLD_PREFIX))]


def write_state(lake_dir: Path, name: str, table: pa.Table) -> None:
    """Atomically write a state table: ``pipeline_runs/<run_id>`` or ``watermarks``."""
    path = lake_dir / "state" / f"{name}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(_temporary(_TMP_PREFIX, path.name))
    pq.write_table(table, tmp)
    os.replace(tmp, path)


def read_state(lake_dir: Path, name: str, schema: pa.Schema) -> pa.Table:
    """Read a state table (``watermarks``) or all files of a state folder (``pipeline_runs``)."""
    path = lake_dir / "state" / name
    files = sorted(path.glob("*.parquet")) if path.is_dir() else [path.with_suffix(".parquet")]
    tables = [pq.read_table(f, schema=schema) for f in files if f.is_file() and not f.name.startswith(".")]
    return pa.concat_tables(tables) if tables else schema.empty_table()


def clean_lake(lake_dir: Path) -> list[Path]:
    """Remove temporary files left by an interrupted write; restore a batch caught mid-swap.

    Entries whose writer process is still running are another write at work, and stay.

    Returns:
        The paths removed.
    """
    removed: list[Path] = []
    for leftover in sorted(lake_dir.glob(f"**/{_OLD_PREFIX}*")):
        window, writer = _parse_temporary(leftover.name[len(_OLD_PREFIX) :])
        if _running(writer):
            continue
        target = leftover.parent / window
        if leftover.is_dir() and not target.exists():
            os.replace(leftover, target)  # the crash came between the two renames
        else:
            shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
            removed.append(leftover)
    for leftover in sorted(lake_dir.glob(f"**/{_TMP_PREFIX}*")):
        if _running(_parse_temporary(leftover.name[len(_TMP_PREFIX) :])[1]):
            continue
        shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
        removed.append(leftover)
    return removed


def _temporary(prefix: str, name: str) -> str:
    return f"{prefix}{name}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def _parse_temporary(rest: str) -> tuple[str, int | None]:
    """(the name it stands in for, its writer's pid if recorded) of a temporary entry's name."""
    match = _SUFFIX.search(rest)
    if match is None:
        return rest, None
    return rest[: match.start()], int(match.group(1)) if match.group(1) else None


def _running(pid: int | None) -> bool:
    """Whether the writer of a temporary entry still runs (this process may stage in other threads)."""
    if pid is None:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def _fsync_dir(path: Path) -> None:
    for child in path.iterdir():
        with child.open("rb") as handle:
            os.fsync(handle.fileno())
