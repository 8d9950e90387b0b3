"""Settings for a CLI command: a bad or missing configuration is a red message and exit code 2."""

from __future__ import annotations

from pathlib import Path

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from config import Settings, load_settings

__all__ = ["cli_settings"]


def cli_settings(config: Path | None) -> Settings:
    """``load_settings(config)``; on an invalid value or a missing file, say which and exit 2."""
    try:
        return load_settings(config)
    except FileNotFoundError as exc:
        Console(stderr=True).print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(2) from exc
    except ValidationError as exc:
        where = f"in {config}" if config else "in the BZPEER_* environment"
        Console(stderr=True).print(
            f"[red]configuration error {where}:[/red]\n{escape(str(exc))}", soft_wrap=True
        )
        raise typer.Exit(2) from exc
