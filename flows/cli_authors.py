"""``bzpeer authors ...``: explain, review and correct author identities; evaluate the resolver.

Decisions are stored at once in the lake (append-only) and replayed by every later build, so an
operator's decision always wins and survives rebuilds; the warehouse is then republished.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import duckdb
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from config import Settings
from flows.cli_settings import cli_settings, errors, fail, id_column, readonly_warehouse
from warehouse import Override, save_override
from warehouse.identity_read import author_joins, author_mentions, current_author_id, review_pairs

if TYPE_CHECKING:
    from dedupe.evaluation import NameErrors

app = typer.Typer(help="Explain, review and correct author identities.", no_args_is_help=True)
console = Console()
ConfigOption = Annotated[
    Path | None, typer.Option("--config", envvar="BZPEER_CONFIG_FILE", help="TOML settings file.")
]
ReasonOption = Annotated[str, typer.Option("--reason", help="Why: kept with the decision.")]
ByOption = Annotated[str, typer.Option("--by", envvar="USER", help="Operator name.")]


@app.command()
def explain(author_id: str, config: ConfigOption = None) -> None:
    """Show an author's mentions and the evidence of every join that built it."""
    with readonly_warehouse(cli_settings(config)) as con:
        live = _live_id(con, author_id)
        mentions, joins = author_mentions(con, live), author_joins(con, live)
    table = Table(
        id_column("mention", [m.mention_id for m in mentions]),
        "name",
        "year",
        "title",
        "affiliations",
        title=f"{live}: {len(mentions)} mentions",
    )
    for m in mentions:
        table.add_row(
            m.mention_id, m.raw_name, str(m.year or ""), m.title[:60], "; ".join(m.affiliations)[:40]
        )
    console.print(table)
    evidence = Table(
        "step",
        id_column("joined", [j.right_mention for j in joins]),
        id_column("with", [j.left_mention for j in joins]),
        "score",
        "rule",
        "evidence",
        title="Why these mentions are one person",
    )
    for step, j in enumerate(joins, 1):
        evidence.add_row(str(step), j.right_mention, j.left_mention, f"{j.score:.2f}", j.rule, j.evidence)
    console.print(evidence if joins else "One mention: nothing was joined.")


@app.command()
def review(
    author_id: Annotated[str | None, typer.Argument(help="Only pairs of this author.")] = None,
    limit: int = 20,
    same: Annotated[
        tuple[str, str] | None, typer.Option(help="Decide: these two mentions are one person.")
    ] = None,
    different: Annotated[
        tuple[str, str] | None, typer.Option(help="Decide: these two are different people.")
    ] = None,
    reason: ReasonOption = "",
    by: ByOption = "operator",
    config: ConfigOption = None,
) -> None:
    """List uncertain pairs kept apart, or decide one with --same / --different."""
    settings = cli_settings(config)
    if same or different:
        kind, pair = ("must_link", same) if same else ("cannot_link", different)
        assert pair is not None
        with readonly_warehouse(settings) as con:
            unknown = [m for m in pair if not _is_mention(con, m)]
        if unknown or pair[0] == pair[1]:
            # Decisions are kept for good: one about no mention would be replayed forever.
            console.print(
                "[red]--same / --different take two different mention ids of the published warehouse "
                f"(`bzpeer authors review` and `explain` list them); not found: {unknown}[/red]"
            )
            raise typer.Exit(2)
        _decide(settings, [Override(kind, pair[0], pair[1], "review", reason, by)], config)
        return
    with readonly_warehouse(settings) as con:
        pairs = review_pairs(con, limit, _live_id(con, author_id) if author_id else None)
    if not pairs:
        console.print(f"No pairs kept apart for review{f' around {author_id}' if author_id else ''}.")
        return
    table = Table(
        id_column("left", [p.left_mention for p in pairs]),
        id_column("right", [p.right_mention for p in pairs]),
        "score",
        "authors",
        "evidence",
        title="Pairs kept apart, for review",
    )
    for p in pairs:
        table.add_row(
            p.left_mention,
            p.right_mention,
            f"{p.score:.2f}",
            f"{p.left_author} / {p.right_author}",
            p.evidence,
        )
    console.print(table)


@app.command()
def merge(
    first: str, second: str, reason: ReasonOption = "", by: ByOption = "operator", config: ConfigOption = None
) -> None:
    """Decide that two authors are one person (every mention of both, linked to one anchor)."""
    settings = cli_settings(config)
    with readonly_warehouse(settings) as con:
        authors = [_live_id(con, a) for a in (first, second)]
        mentions = sorted(m.mention_id for a in authors for m in author_mentions(con, a))
    if authors[0] == authors[1]:
        console.print(
            f"[red]{first} and {second} are one author already ({authors[0]}): nothing to merge[/red]"
        )
        raise typer.Exit(2)
    anchor = mentions[0]
    _decide(settings, [Override("must_link", anchor, m, "merge", reason, by) for m in mentions[1:]], config)
    with readonly_warehouse(settings) as con:
        console.print(f"{first} and {second} are now {current_author_id(con, authors[0])}")


@app.command()
def split(
    author_id: str,
    mentions: Annotated[str, typer.Option(help="Comma-separated mention ids that are another person.")],
    reason: ReasonOption = "",
    by: ByOption = "operator",
    config: ConfigOption = None,
) -> None:
    """Decide that some mentions of an author are another person."""
    settings = cli_settings(config)
    moved = sorted({m.strip() for m in mentions.split(",") if m.strip()})
    with readonly_warehouse(settings) as con:
        own = {m.mention_id for m in author_mentions(con, _live_id(con, author_id))}
    unknown = sorted(set(moved) - own)
    problem = None
    if unknown:
        problem = f"these are not its mentions: {', '.join(unknown)}"
    elif not moved:
        problem = "no mention id given"
    elif set(moved) == own:
        problem = "that is every one of its mentions: a split keeps at least one with the author"
    if problem:
        console.print(
            f"[red]--mentions must name some, not all, mentions of {author_id} "
            f"(`bzpeer authors explain {author_id}` lists them); {problem}[/red]"
        )
        raise typer.Exit(2)
    stay = sorted(own - set(moved))
    decisions = [Override("cannot_link", m, s, "split", reason, by) for m in moved for s in stay]
    decisions += [Override("must_link", moved[0], m, "split", reason, by) for m in moved[1:]]
    _decide(settings, decisions, config)


@app.command()
def evaluate(
    aminer_xml: Annotated[
        Path | None, typer.Option("--aminer-xml", help="Folder of AMiner/Qian XML files.")
    ] = None,
    s2and: Annotated[
        Path | None, typer.Option("--s2and", help="Folder with signatures.json and clusters.json.")
    ] = None,
    predictions: Annotated[
        Path | None, typer.Option(help="Write one JSON line per publication of --aminer-xml here.")
    ] = None,
    worst: Annotated[int, typer.Option(min=0, help="Also list the N names with the most wrong pairs.")] = 0,
) -> None:
    """Score the resolver on labeled data: B-cubed and pairwise P/R/F1, with a name-only baseline."""
    from dedupe.evaluation import evaluate_aminer, evaluate_s2and
    from dedupe.labeled import EvaluationDataError, EvaluationDataWarning

    if aminer_xml is None and s2and is None:
        console.print("[red]give --aminer-xml DIR and/or --s2and DIR[/red]")
        raise typer.Exit(2)
    if predictions is not None and aminer_xml is None:
        console.print(
            "[red]--predictions writes the publications of --aminer-xml: give that folder too[/red]"
        )
        raise typer.Exit(2)
    for kind, folder, evaluate_dir in (
        ("AMiner XML", aminer_xml, evaluate_aminer),
        ("S2AND", s2and, evaluate_s2and),
    ):
        if folder is None:
            continue
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", EvaluationDataWarning)
            try:
                report = evaluate_dir(folder)
            except EvaluationDataError as exc:
                fail(exc)
        for warning in caught:
            if issubclass(warning.category, EvaluationDataWarning):
                errors.print(f"[yellow]warning: {escape(str(warning.message))}[/yellow]")
        console.print(f"[bold]{kind}: {folder}[/bold]")
        console.print(report.to_text())
        if worst:
            _print_errors(report.errors[:worst], len(report.errors))
        if predictions is not None and kind == "AMiner XML":
            try:
                report.write_predictions(predictions)
            except OSError as exc:
                fail(OSError(f"cannot write the predictions to {predictions}: {exc.strerror}"))
            console.print(f"predictions written to {predictions}")


def _print_errors(errors: Sequence[NameErrors], total: int) -> None:
    title = f"{len(errors)} of {total} names with a wrong pair (missed: one person apart; wrong: two joined)"
    table = Table(title=title)
    table.add_column("name", no_wrap=True)
    for column in ("split", "mentions", "persons", "clusters", "missed", "wrong"):
        table.add_column(column)
    for e in errors:
        counts = (e.mentions, e.persons, e.clusters, e.missed_pairs, e.wrong_pairs)
        table.add_row(e.name, e.split, *(str(n) for n in counts))
    console.print(table)


def _decide(settings: Settings, decisions: list[Override], config: Path | None) -> None:
    from flows.pipeline import republish

    decision_id = save_override(settings.lake_dir, decisions)
    console.print(f"decision {decision_id} stored ({len(decisions)} mention pairs); republishing ...")
    counts = republish(settings, "identity-override", {"decision_id": decision_id}, _progress, config)
    console.print(f"published: {counts.works} works, {counts.authors} authors")


def _progress(line: str) -> None:
    console.print(line, markup=False, highlight=False, style="dim")


def _is_mention(con: duckdb.DuckDBPyConnection, mention_id: str) -> bool:
    return con.execute("SELECT 1 FROM authorships WHERE mention_id = ?", [mention_id]).fetchone() is not None


def _live_id(con: duckdb.DuckDBPyConnection, author_id: str) -> str:
    live = current_author_id(con, author_id)
    if live is None:
        console.print(
            f"[red]no author {author_id!r} (nor a redirect from it) in the warehouse[/red]", soft_wrap=True
        )
        raise typer.Exit(1)
    if live != author_id:
        console.print(f"{author_id} now is {live}", soft_wrap=True)
    return live
