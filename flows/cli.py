"""The ``bzpeer`` command: operators' and analysts' entry point.

Commands that run flows import Prefect lazily, so read-only commands (``profile``) stay fast.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from flows.cli_authors import app as authors_app
from flows.cli_settings import cli_settings, errors, fail, id_column, readonly_warehouse
from warehouse import Profile, find_authors, read_profile
from warehouse.identity_read import current_author_id
from warehouse.profile_page import render_profile_html
from warehouse.schema_doc import schema_markdown

app = typer.Typer(help="BZPEER researcher-profile pipeline.", no_args_is_help=True, add_completion=False)
app.add_typer(authors_app, name="authors")
console = Console()
RECORDED_DIR = Path(__file__).resolve().parent.parent / "recorded"
EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "example_queries.sql"

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", envvar="BZPEER_CONFIG_FILE", help="TOML settings file (see README)."),
]


@app.command()
def nightly(config: ConfigOption = None) -> None:
    """Run the nightly import now: every configured scope, window [watermark - lag, now)."""
    from flows.nightly import nightly_import
    from flows.runners import on_task_runner

    flow = on_task_runner(nightly_import, cli_settings(config))
    with _run_failures("the failed windows keep their watermark: the next nightly fetches them again"):
        result = flow(config_file=str(config) if config else None)
    console.print(f"published run {result['run_id']}: {result['works']} works, {result['authors']} authors")


@app.command("backfill")
def backfill_command(
    source: Annotated[
        str, typer.Option(help="openalex, arxiv (comma-separated), openalex-snapshot or arxiv-bulk.")
    ],
    start: Annotated[str, typer.Option(help="ISO date or datetime, inclusive.")],
    end: Annotated[str, typer.Option(help="ISO date or datetime, exclusive.")],
    scope: Annotated[str | None, typer.Option(help="Comma-separated scope names (default: all).")] = None,
    chunk: Annotated[
        int, typer.Option(help="Chunk size in days: one task run and one lake batch each.")
    ] = 30,
    bulk_path: Annotated[Path | None, typer.Option(help="Snapshot directory or bulk file.")] = None,
    force: Annotated[bool, typer.Option(help="Re-run chunks that finished earlier.")] = False,
    dask_workers: Annotated[
        int | None,
        typer.Option(
            help="Run chunks on a local Dask cluster of this many processes (settings: dask_workers)."
        ),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Import [start, end) chunk by chunk; finished chunks are skipped; watermarks stay put."""
    from flows.backfill import backfill, plan_backfill_run
    from flows.runners import on_task_runner

    sources = [s.strip() for s in source.split(",") if s.strip()]
    scopes = [s.strip() for s in scope.split(",")] if scope else None
    with _operator_errors():  # reject bad parameters before a flow run starts
        window, path = (start, end), str(bulk_path) if bulk_path else None
        settings = cli_settings(config)
        if dask_workers is not None:
            settings = settings.model_copy(update={"dask_workers": dask_workers})
        plans, _ = plan_backfill_run(settings, sources, scopes, window, chunk, path, datetime.now(UTC))
        console.print(f"backfill: {len(plans)} chunks (progress below, one line per chunk)")
        with _run_failures("run the same command again: the chunks that finished are skipped"):
            result = on_task_runner(backfill, settings)(
                sources,
                start,
                end,
                scopes,
                chunk,
                str(bulk_path) if bulk_path else None,
                force,
                str(config) if config else None,
            )
    console.print(
        f"backfill {result['run_id']}: {result['chunks']} chunks, {result['works']} works published"
    )


@app.command("rebuild")
def rebuild_command(config: ConfigOption = None) -> None:
    """Re-derive every table from raw landing (no network) and republish."""
    from flows.rebuild import rebuild
    from sources import SourceError

    with _operator_errors():
        try:
            result = rebuild(config_file=str(config) if config else None)
        except SourceError as exc:  # a raw page that no longer parses: the run is recorded as failed
            console.print(f"[red]rebuild failed: {exc}[/red] (see bzpeer status)", soft_wrap=True)
            raise typer.Exit(1) from exc
    if not result["restaged"]:
        console.print(
            "[yellow]no raw fetch to re-derive (nothing complete under the data folder's raw/): the "
            "lake's batches were published as they are[/yellow]",
            soft_wrap=True,
        )
    console.print(f"rebuild {result['run_id']}: {result['works']} works, {result['authors']} authors")


@app.command()
def status(config: ConfigOption = None) -> None:
    """Watermarks, recent runs and their outcome, table counts and coverage."""
    from warehouse.status import read_status

    report = read_status(cli_settings(config).data_dir)
    marks = Table("source", "scope", "watermark", title="Watermarks")
    for (source, scope), mark in sorted(report.watermarks.items()):
        marks.add_row(source, scope, mark)
    console.print(marks)
    runs = Table(
        id_column("run", [run.run_id for run in report.runs]),
        "flow",
        "status",
        "started",
        "records",
        "works",
        title="Recent runs",
    )
    for run in report.runs:
        colour = {"published": "green", "running": "yellow"}.get(run.status, "red")
        runs.add_row(
            run.run_id,
            run.flow,
            f"[{colour}]{run.status}[/{colour}]",
            run.started_at,
            str(run.records_fetched),
            str(run.works_published or ""),
        )
    console.print(runs)
    for run in report.runs:
        if run.resume:
            console.print(f"[red]{run.run_id} {run.status}[/red]: {run.error or 'the process stopped'}")
            console.print(f"  resume with: [bold]{run.resume}[/bold]")
    console.print("Tables: " + ", ".join(f"{t} {n}" for t, n in report.counts.items()))
    console.print(
        "Coverage: " + ", ".join(f"{label} {share:.1%}" for label, share in report.coverage.items())
    )


@app.command()
def serve(config: ConfigOption = None) -> None:
    """Serve the nightly-import (cron), backfill and rebuild deployments (needs PREFECT_API_URL)."""
    from flows.serve import serve_deployments

    serve_deployments(config)


@contextmanager
def _run_failures(retry: str) -> Iterator[None]:
    """A run with a failed window ends in one red paragraph and exit code 1, not a traceback (the
    flow run itself is Failed in Prefect, with the task's traceback in its log)."""
    from flows.tasks import RunFailed

    try:
        yield
    except RunFailed as exc:
        errors.print(
            f"[red]{escape(str(exc))}[/red]\nAny window that finished was published; {retry}. "
            "`bzpeer status` shows every window of the run.",
            soft_wrap=True,
        )
        raise typer.Exit(1) from exc


@contextmanager
def _operator_errors() -> Iterator[None]:
    """Turn a bad operator request into a red message and exit code 2 instead of a traceback."""
    from sources import InvalidRequest

    try:
        yield
    except InvalidRequest as exc:
        fail(exc)


@app.command()
def synth(
    works: Annotated[int, typer.Option(help="Number of OpenAlex-shaped works.")],
    out: Annotated[Path, typer.Option(help="Empty output directory.")],
    seed: Annotated[int, typer.Option(help="Random seed: the same seed writes the same files.")] = 1,
    arxiv_share: Annotated[float, typer.Option(help="Share of works also written as arXiv entries.")] = 0.2,
    pages: Annotated[bool, typer.Option(help="Also write API-shaped pages.")] = False,
) -> None:
    """Write a deterministic SYNTHETIC data set (snapshot layout, arXiv bulk file, ground truth)."""
    from sources.synthetic import generate

    try:
        manifest = generate(works, seed, out, arxiv_share, pages=pages)
    except (FileExistsError, ValueError) as exc:
        fail(exc)
    console.print(
        f"wrote SYNTHETIC data to {out}: {manifest.works} works, {manifest.persons} persons", soft_wrap=True
    )


@app.command("replay-server")
def replay_server(
    host: str = "127.0.0.1",
    port: int = 8765,
    recorded: Annotated[Path, typer.Option(help="Folder of recorded responses.")] = RECORDED_DIR,
) -> None:
    """Serve the recorded real API responses on loopback (point the base URLs at it)."""
    from sources.replay import serve

    console.print(
        f"OpenAlex: http://{host}:{port}/openalex   arXiv: http://{host}:{port}/arxiv/api/query",
        soft_wrap=True,
    )
    serve(recorded, host, port)


@app.command()
def profile(
    id_or_name: Annotated[str, typer.Argument(help="An author id, or part of a name.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    html: Annotated[
        Path | None, typer.Option("--html", help="Write a self-contained HTML preview here.")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Print one author's profile from the published warehouse (read-only)."""
    settings = cli_settings(config)
    with readonly_warehouse(settings) as con:
        live = current_author_id(con, id_or_name)  # a retired id reads its successor, as pages do
        if live is not None and live != id_or_name:
            errors.print(f"{id_or_name} now is {live}")
            id_or_name = live
        matches, total = find_authors(con, id_or_name)
        if not matches:
            console.print(f"[red]no author matches {id_or_name!r}[/red]")
            raise typer.Exit(1)
        if matches[0][0] != id_or_name and len(matches) > 1:
            _print_matches(matches, total)
            raise typer.Exit(1)
        found = read_profile(con, matches[0][0])
    assert found is not None
    if html is not None:
        html = _inside(settings.data_dir, html)
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(render_profile_html(found), encoding="utf-8")
        console.print(f"wrote {html}")
    elif as_json:
        typer.echo(json.dumps(found.to_dict(), indent=2, ensure_ascii=False))
    else:
        _print_profile(found)


def _inside(data_dir: Path, path: Path) -> Path:
    """The output path, resolved; outputs stay inside the data directory (no '..' or absolute escapes)."""
    resolved, root = path.resolve(), data_dir.resolve()
    if not resolved.is_relative_to(root):
        console.print(
            f"[red]{path} is outside the data directory {root}: write it under {root}[/red]", soft_wrap=True
        )
        raise typer.Exit(2)
    return resolved


def _print_profile(found: Profile) -> None:
    console.print(f"[bold]{found.display_name}[/bold]  ({found.author_id})")
    if found.summary:
        console.print(found.summary)
    console.print(f"Affiliation: {found.affiliation or 'unknown'}   ORCID: {found.orcid or '-'}")
    console.print(
        f"Works {found.works_count} · Topics {found.topics_count} · Close collaborators "
        f"{found.close_collaborators_count} · Co-authors {found.coauthor_count} · Active "
        f"{found.first_year}-{found.last_year} · {found.verification_level}, confidence "
        f"{found.identity_confidence:.2f}"
    )
    for kind in ("person", "topic", "institution"):  # the graph slice (its papers are the works below)
        labels = [node.label or node.target_id for node in found.graph if node.kind == kind]
        if labels:
            console.print(f"Nearby {kind}s: " + " · ".join(labels), markup=False, highlight=False)
    works = Table("year", "type", "venue", "title")
    for w in found.works:
        works.add_row(str(w.display_year or ""), w.type or "", w.venue or "", w.title)
    console.print(works)


@app.command()
def schema(
    write: Annotated[Path | None, typer.Option(help="Write the document here (docs/SCHEMA.md).")] = None,
    config: ConfigOption = None,
) -> None:
    """Print (or write) every table and column of the warehouse with its comment."""
    with readonly_warehouse(cli_settings(config)) as con:
        text = schema_markdown(con, EXAMPLES)
    if write is None:
        typer.echo(text)
    else:
        write.write_text(text, encoding="utf-8")
        console.print(f"wrote {write}")


def _print_matches(matches: list[tuple[str, str, int]], total: int) -> None:
    table = Table("author_id", "name", "works", title="Several authors match; pass an author_id")
    for author_id, name, works in matches:
        table.add_row(author_id, name, str(works))
    console.print(table)
    if total > len(matches):
        console.print(
            f"{total} authors match; these are the {len(matches)} with the most works. "
            "Give more of the name, or an author_id."
        )


if __name__ == "__main__":
    app()
