"""The ``bzpeer`` command: operators' and analysts' entry point.

Commands that run flows import Prefect lazily, so read-only commands (``profile``) stay fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from config import load_settings
from flows.cli_authors import app as authors_app
from warehouse import Profile, WarehouseMissing, find_authors, open_readonly, read_profile
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

    result = nightly_import(config_file=str(config) if config else None)
    console.print(f"published run {result['run_id']}: {result['works']} works, {result['authors']} authors")


@app.command("replay-server")
def replay_server(
    host: str = "127.0.0.1",
    port: int = 8765,
    recorded: Annotated[Path, typer.Option(help="Folder of recorded responses.")] = RECORDED_DIR,
) -> None:
    """Serve the recorded real API responses on loopback (point the base URLs at it)."""
    from sources.replay import serve

    console.print(f"OpenAlex: http://{host}:{port}/openalex   arXiv: http://{host}:{port}/arxiv/api/query")
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
    settings = load_settings(config)
    try:
        con = open_readonly(settings.warehouse_path)
    except WarehouseMissing as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    with con:
        matches = find_authors(con, id_or_name)
        if not matches:
            console.print(f"[red]no author matches {id_or_name!r}[/red]")
            raise typer.Exit(1)
        if matches[0][0] != id_or_name and len(matches) > 1:
            _print_matches(matches)
            raise typer.Exit(1)
        found = read_profile(con, matches[0][0])
    assert found is not None
    if html is not None:
        html.write_text(render_profile_html(found), encoding="utf-8")
        console.print(f"wrote {html}")
    elif as_json:
        typer.echo(json.dumps(found.to_dict(), indent=2, ensure_ascii=False))
    else:
        _print_profile(found)


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
    settings = load_settings(config)
    with open_readonly(settings.warehouse_path) as con:
        text = schema_markdown(con, EXAMPLES)
    if write is None:
        typer.echo(text)
    else:
        write.write_text(text, encoding="utf-8")
        console.print(f"wrote {write}")


def _print_matches(matches: list[tuple[str, str, int]]) -> None:
    table = Table("author_id", "name", "works", title="Several authors match; pass an author_id")
    for author_id, name, works in matches:
        table.add_row(author_id, name, str(works))
    console.print(table)


if __name__ == "__main__":
    app()
