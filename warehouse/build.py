"""Build the DuckDB warehouse from the lake as a new file, then swap it in atomically (and its
tables' Parquet copies, :mod:`warehouse.parquet_copies`).

DuckDB lets no other process open a file while one holds it read-write, not even read-only, so
the warehouse is never written in place: each publish builds ``.warehouse-<run>.duckdb`` next to
it and ``os.replace``s it over ``warehouse.duckdb``. A reader that opened the old file keeps
reading the old state; a reader that opens after the rename sees the new one; none is locked out.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from importlib.resources import files
from pathlib import Path

import duckdb
import orjson
import pyarrow as pa

from dedupe.clustering import fewer_collections
from warehouse.author_step import resolve_identities
from warehouse.changes import changes_since, coverage
from warehouse.comments import apply_comments
from warehouse.duck import create_from_arrow, row_count
from warehouse.enrich_step import create_mention_institutions, fill_summaries
from warehouse.identity_state import IdentityState
from warehouse.lake import batch_files
from warehouse.parquet_copies import PARQUET_DIR, make_current, remove_stale_copies, write_copies
from warehouse.read import PAGE_COLLABORATORS, PAGE_TOPICS, PAGE_WORKS
from warehouse.schemas import SOURCE_TABLES
from warehouse.state import PIPELINE_RUNS, WATERMARKS
from warehouse.work_step import register_merged_works

__all__ = ["BuildOptions", "PublishedCounts", "build_and_publish", "load_lake"]

# Files written by duckdb 2.x with default settings cannot be opened by 1.x clients (the DuckDB
# CLI on PyPI among them); this keeps the warehouse readable by every current analyst client.
DUCKDB_CONFIG: dict[str, str | bool | int | float | list[str]] = {"storage_compatibility_version": "v1.0.0"}
_TMP_GLOB = ".warehouse-*.duckdb*"
# DuckDB memory budgeted per author of a batch of the page build, whose lists DuckDB holds in memory:
# batches are sized to half the memory limit. Measured in whole builds of 100k synthetic works
# (163,460 authors; 2026-11-28): under a 2 GB limit batches of 82,000 ran out of memory and 41,000
# fitted, under 400 MB 23,000 ran out and 11,700 fitted (the tables built before take their share).
# At 8 KiB every batch was retried in halves; at 32 KiB none is (2 GB: 6 batches, pages 20.3 s).
PAGE_MEMORY_PER_AUTHOR = 32 << 10
_SIZE = re.compile(r"([\d.]+) (bytes|KiB|MiB|GiB|TiB)")
_UNITS = {"bytes": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}
_INTERMEDIATE = (
    "work_records",
    "record_mentions",
    "merged_mentions",
    "merged_works",
    "merged_sources",
    "mention_authors",
    "mention_institutions",
)


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """Rules of the derived tables that operators may tune (from the settings)."""

    close_min_works: int = 2
    max_authors: int = 50
    # Reuse what the last publish did where its inputs did not change: the author units whose
    # mentions did not, the profile pages whose inputs did not (False: redo all, as a rebuild does).
    incremental: bool = True
    identity_workers: int = 1  # processes that resolve author identities
    memory_limit: str | None = None  # DuckDB's memory_limit for the build (None: DuckDB's default)


@dataclass(frozen=True, slots=True)
class PublishedCounts:
    """Row counts of the state just published, and the identity state to persist after it."""

    works: int
    authors: int
    authorships: int
    quarantine: int
    identity: IdentityState
    coverage: dict[str, float]
    changes: dict[str, int]


def build_and_publish(
    lake_dir: Path,
    warehouse_path: Path,
    run_id: str,
    built_at: datetime,
    state: dict[str, pa.Table],
    options: BuildOptions | None = None,
    progress: Callable[[str], None] | None = None,
) -> PublishedCounts:
    """Build a complete new warehouse from the lake and swap it in.

    Args:
        lake_dir: The Parquet lake (batches and state).
        warehouse_path: The published database, e.g. ``data/warehouse.duckdb``.
        run_id: Names the temporary build file.
        built_at: Stamped on profile rows as ``updated_at``.
        state: The ``pipeline_runs`` and ``watermarks`` tables to publish with it.
        options: Collaboration rules; defaults to :class:`BuildOptions`.
        progress: Called with a line of text as each stage of the build starts and ends (a big
            build takes minutes; the flows send these lines to the run's log).

    Returns:
        Row counts of the published state.
    """
    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_builds(warehouse_path.parent)
    tmp = warehouse_path.with_name(f".warehouse-{run_id}.duckdb")
    parquet = warehouse_path.parent / PARQUET_DIR  # the tables as Parquet too (warehouse.parquet_copies)
    options = options or BuildOptions()
    config = dict(DUCKDB_CONFIG)
    if options.memory_limit:
        config["memory_limit"] = options.memory_limit
    stages = _Stages(progress)
    try:
        # A build holds every mention, unit and join of the warehouse as Python objects at some point.
        with fewer_collections(), duckdb.connect(str(tmp), config=config) as con:
            counts = _build(con, lake_dir, built_at, state, options, warehouse_path, stages)
            with stages.stage("writing the new warehouse file"):
                con.execute(
                    "UPDATE pipeline_runs SET works_published = ?, authors_published = ?, "
                    "coverage = ?, changes = ? WHERE run_id = ?",
                    [counts.works, counts.authors, _json(counts.coverage), _json(counts.changes), run_id],
                )
                con.execute("CHECKPOINT")
            with stages.stage("writing the tables as Parquet"):
                write_copies(con, parquet / f".{run_id}")
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, warehouse_path)
        make_current(parquet, run_id)
        stages.report(f"published {counts.works} works, {counts.authors} authors to {warehouse_path}")
    finally:
        for leftover in tmp.parent.glob(tmp.name + "*"):
            leftover.unlink()
        shutil.rmtree(parquet / f".{run_id}", ignore_errors=True)
    return counts


def remove_stale_builds(data_dir: Path) -> list[Path]:
    """Delete half-built warehouse files and Parquet copies left by an interrupted publish."""
    stale = sorted(data_dir.glob(_TMP_GLOB))
    for path in stale:
        path.unlink()
    return stale + remove_stale_copies(data_dir / PARQUET_DIR)


def _build(
    con: duckdb.DuckDBPyConnection,
    lake_dir: Path,
    built_at: datetime,
    state: dict[str, pa.Table],
    options: BuildOptions,
    previous: Path,
    stages: _Stages,
) -> PublishedCounts:
    with stages.stage("loading the lake's batches"):
        load_lake(con, lake_dir)
        for name, schema in (("pipeline_runs", PIPELINE_RUNS), ("watermarks", WATERMARKS)):
            create_from_arrow(con, name, state[name].cast(schema))
    with stages.stage("merging works across sources"):
        for statement in _statements("records.sql"):
            con.execute(statement)
        register_merged_works(con)
        for statement in _statements("derive_works.sql"):
            con.execute(statement)
    with stages.stage(f"resolving author identities of {row_count(con, 'authorships')} mentions"):
        identity = resolve_identities(con, lake_dir, options.incremental, workers=options.identity_workers)
    stages.report(
        f"identity units: {identity.units_recomputed} clustered ({identity.units_extended} of them "
        f"extending their earlier clusters), {identity.units_reused} reused"
    )
    with stages.stage("deriving authors, collaborators and summaries"):
        create_mention_institutions(con)
        params = {
            "built_at": built_at,
            "close_min": options.close_min_works,
            "max_authors": options.max_authors,
        }
        _run_script(con, "derive_authors.sql", params)
        fill_summaries(con)
    with stages.stage("building profile pages"):
        build_pages(con, stages.report, previous if options.incremental else None)
    with stages.stage("counting and comparing with the published warehouse"):
        for name in [*(f"src_{t}" for t in SOURCE_TABLES), *_INTERMEDIATE]:
            con.execute(f"DROP TABLE {name}")
        apply_comments(con)
        works, authors, mentions, quarantined = (
            row_count(con, t) for t in ("works", "authors", "authorships", "quarantine")
        )
        changes = changes_since(con, previous)
        covered = coverage(con)
    return PublishedCounts(works, authors, mentions, quarantined, identity, covered, changes)


class _Stages:
    """Reports the stages of a build as they start and end (``build: <stage> ...``)."""

    def __init__(self, progress: Callable[[str], None] | None) -> None:
        self._progress = progress

    def report(self, message: str) -> None:
        if self._progress is not None:
            self._progress(f"build: {message}")

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        self.report(f"{name} ...")
        started = time.perf_counter()
        try:
            yield
        except duckdb.OutOfMemoryException as error:
            # DuckDB names the allocation only: say which step and what to do.
            hint = f"the warehouse build ran out of memory while {name}: raise warehouse_memory_limit"
            raise duckdb.OutOfMemoryException(f"{error}\n{hint}") from error
        self.report(f"{name}: done in {time.perf_counter() - started:.1f} s")


def load_lake(con: duckdb.DuckDBPyConnection, lake_dir: Path) -> None:
    """Create ``src_<table>`` from every batch of the lake, for each source table (empty when none)."""
    for name, schema in SOURCE_TABLES.items():
        paths = batch_files(lake_dir, name)
        if paths:
            # Table names here and below are our schema's constants; values are always bound.
            sql = f"CREATE TABLE src_{name} AS SELECT * FROM read_parquet(?, union_by_name = true)"  # noqa: S608
            con.execute(sql, [paths])
        else:
            create_from_arrow(con, f"src_{name}", schema.empty_table())


def build_pages(
    con: duckdb.DuckDBPyConnection, report: Callable[[str], None], published: Path | None = None
) -> int:
    """Create ``profile_pages`` in batches of authors that fit DuckDB's memory limit, then its index.

    With ``published``, the warehouse file last published, the page of every author whose inputs
    digest (see ``sql/derive_pages.sql``) is unchanged is copied from it instead: after a nightly
    import most pages are. Returns how many pages were copied.

    Batches are first sized by :func:`page_batches`. DuckDB's memory use near its limit varies from
    run to run, so no size rule can promise a fit: a batch that runs out of memory (its insert is
    undone) is split in two and each half inserted in turn, down to batches of about one author.
    """
    create, digests, insert, *after = _statements("derive_pages.sql")
    limits = {"max_works": PAGE_WORKS, "max_topics": PAGE_TOPICS, "max_collaborators": PAGE_COLLABORATORS}
    con.execute(create)
    con.execute(digests, {"salt": _page_salt(insert, limits)})
    copied = _copy_unchanged_pages(con, published, report)
    con.execute(
        "CREATE TEMP TABLE page_todo AS "
        "SELECT author_id FROM page_digests ANTI JOIN profile_pages USING (author_id)"
    )
    authors = row_count(con, "page_todo")
    batches = page_batches(authors, _memory_limit(con))
    # A batch is (modulus, remainder): the authors whose hash(author_id) % modulus == remainder.
    todo = [(batches, batch) for batch in reversed(range(batches))]
    while todo:
        modulus, remainder = todo.pop()
        try:
            con.execute(insert, {**limits, "batches": modulus, "batch": remainder})
        except duckdb.OutOfMemoryException as error:
            if modulus >= max(authors, 1):
                message = f"{error}\n(profile pages in batches of about one author)"
                raise duckdb.OutOfMemoryException(message) from error
            report(f"profile pages: batch {remainder} of {modulus} ran out of memory, splitting it in two")
            # hash % 2m is r or r + m exactly when hash % m is r: the halves hold the batch's authors.
            todo += [(2 * modulus, remainder + modulus), (2 * modulus, remainder)]
    for statement in after:
        con.execute(statement)
    con.execute("DROP TABLE page_todo")
    con.execute("DROP TABLE page_digests")
    return copied


def _page_salt(insert: str, limits: Mapping[str, int]) -> str:
    """What turns a page's inputs into its JSON besides them: the statement, its limits, DuckDB."""
    text = orjson.dumps([insert, sorted(limits.items()), duckdb.__version__]).decode()
    return hashlib.sha256(text.encode()).hexdigest()


def _copy_unchanged_pages(
    con: duckdb.DuckDBPyConnection, published: Path | None, report: Callable[[str], None]
) -> int:
    """Copy from the ``published`` warehouse the pages whose inputs digest equals the new one."""
    if published is None or not published.is_file():
        return 0
    con.execute("ATTACH ? AS published (READ_ONLY)", [str(published)])
    try:
        has_digests = con.execute(
            "SELECT count(*) FROM duckdb_columns() WHERE database_name = 'published' "
            "AND table_name = 'profile_pages' AND column_name = 'inputs_digest'"
        ).fetchone()
        if not has_digests or not has_digests[0]:
            report("profile pages: the published warehouse keeps no page digests, so every page is built")
            return 0
        con.execute(
            # One join, whose hash table holds the digests: the pages stream through it.
            "INSERT INTO profile_pages SELECT o.author_id, d.updated_at, o.page, o.inputs_digest "
            "FROM page_digests d "
            "JOIN published.profile_pages o ON o.author_id = d.author_id AND o.inputs_digest = d.digest"
        )
    finally:
        con.execute("DETACH published")
    copied = row_count(con, "profile_pages")
    report(f"profile pages: {copied} of {row_count(con, 'page_digests')} unchanged, copied from {published}")
    return copied


def page_batches(authors: int, memory_limit: float) -> int:
    """Batches of the page build for ``authors`` under a DuckDB memory limit of ``memory_limit`` bytes."""
    per_batch = max(1, int(memory_limit / 2 / PAGE_MEMORY_PER_AUTHOR))
    return max(1, -(-authors // per_batch))


def _memory_limit(con: duckdb.DuckDBPyConnection) -> float:
    """DuckDB's memory limit in bytes (it reports e.g. ``18.8 GiB``)."""
    row = con.execute("SELECT current_setting('memory_limit')").fetchone()
    match = _SIZE.fullmatch(str(row[0] if row else ""))
    if match is None:
        raise RuntimeError(f"unexpected DuckDB memory_limit {row}: update warehouse.build._SIZE")
    return float(match.group(1)) * _UNITS[match.group(2)]


def _run_script(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, object]) -> None:
    """Run the statements of ``sql/<name>``, each given the parameters it names (``$name``)."""
    for statement in _statements(name):
        con.execute(statement, {k: v for k, v in params.items() if f"${k}" in statement})


def _statements(name: str) -> list[str]:
    text = files("warehouse").joinpath(f"sql/{name}").read_text()
    return [s.strip() for s in text.split("\n;\n") if s.strip()]


def _json(value: object) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
