"""What every CLI command needs first: its settings and the published warehouse. A bad or missing
configuration, no warehouse yet, or a bad input is a red message and exit code 2, not a traceback."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import NoReturn

import duckdb
import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Column

from config import Settings, load_settings
from warehouse import WarehouseBusy, WarehouseMissing, open_readonly

__all__ = ["cli_settings", "fail", "id_column", "readonly_warehouse"]


# Messages for the operator on stderr, printed whole (never wrapped at the terminal's width): they
# name paths, ids and commands that operators copy.
errors = Console(stderr=True, soft_wrap=True)


def cli_settings(config: Path | None) -> Settings:
    """``load_settings(config)``; on an invalid value, a file that is not TOML or a missing file, say
    which and exit 2."""
    try:
        return load_settings(config)
    except FileNotFoundError as exc:
        errors.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(2) from exc
    except tomllib.TOMLDecodeError as exc:
        errors.print(f"[red]config file {config} is not valid TOML: {escape(str(exc))}[/red]")
        raise typer.Exit(2) from exc
    except ValidationError as exc:
        where = f"in {config}" if config else "in the BZPEER_* environment"
        errors.print(f"[red]configuration error {where}:[/red]\n{escape(str(exc))}")
        raise typer.Exit(2) from exc


def readonly_warehouse(settings: Settings) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published warehouse; none published yet (or a publish kept
    replacing it): say so and exit 2."""
    try:
        return open_readonly(settings.warehouse_path)
    except (WarehouseMissing, WarehouseBusy) as exc:
        fail(exc)


def fail(error: Exception) -> NoReturn:
    """Print an error about the command's input (its message says what to do) and exit 2."""
    errors.print(f"[red]{escape(str(error))}[/red]")
    raise typer.Exit(2) from error


def id_column(header: str, ids: list[str]) -> Column:
    """A table column of ids, never cut short on a narrow terminal (operators copy them into
    commands): the other columns wrap instead."""
    return Column(header, no_wrap=True, min_width=max(map(len, ids), default=len(header)))
