"""Which windows a run fetches: the nightly windows, and a backfill cut into chunks.

Operator parameters are validated here with messages that say what to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from config import Settings
from sources.windows import Window

__all__ = [
    "BULK_SOURCES",
    "SOURCES",
    "InvalidRequest",
    "Source",
    "WindowPlan",
    "plan_backfill",
    "plan_chunks",
    "plan_nightly",
]

Source = Literal["openalex", "arxiv"]
SOURCES: tuple[Source, ...] = ("openalex", "arxiv")
# Bulk sources (a snapshot folder, a metadata file) and the source whose records they hold.
BULK_SOURCES: dict[str, Source] = {"openalex-snapshot": "openalex", "arxiv-bulk": "arxiv"}


class InvalidRequest(ValueError):
    """An operator's parameters cannot be run as given; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class WindowPlan:
    """One unit of work: a source, a scope and a window."""

    source: Source
    scope: str
    window: Window


def plan_nightly(
    settings: Settings, watermarks: dict[tuple[str, str], datetime], now: datetime
) -> list[WindowPlan]:
    """Every configured scope's window: [watermark - lag, now), or [initial_start, now) at first.

    ``now`` is truncated to the minute so a window end is a clean API bound.
    """
    end = now.astimezone(UTC).replace(second=0, microsecond=0)
    lag = timedelta(days=settings.nightly_lag_days)
    initial = datetime.combine(settings.initial_start, datetime.min.time(), tzinfo=UTC)
    plans = []
    for source in SOURCES:
        for scope in settings.scope_names(source):
            mark = watermarks.get((source, scope))
            start = mark - lag if mark is not None else initial
            plans.append(WindowPlan(source, scope, Window(min(start, end - timedelta(minutes=1)), end)))
    return plans


def plan_backfill(
    settings: Settings,
    sources: list[str],
    scopes: list[str] | None,
    start: str,
    end: str,
    chunk_days: int,
    now: datetime,
) -> list[WindowPlan]:
    """The chunks of a backfill: each source's scopes over [start, end) in ``chunk_days`` pieces.

    Chunk bounds are aligned to ``start`` so a re-run of the same backfill produces the same chunks
    (and skips the finished ones).

    Raises:
        InvalidRequest: Unknown source or scope, end not after start, a window in the future, or a
            chunk size below one day.
    """
    chunks = plan_chunks(start, end, chunk_days, now)
    plans = []
    for source in sources:
        if source not in SOURCES:
            choices = ", ".join([*SOURCES, *BULK_SOURCES])
            raise InvalidRequest(f"unknown source {source!r}: choose from {choices}")
        known = settings.scope_names(source)
        chosen = scopes or known
        unknown = sorted(set(chosen) - set(known))
        if unknown:
            raise InvalidRequest(f"unknown {source} scope(s) {unknown}: configured are {known}")
        for scope in chosen:
            plans += [WindowPlan(source, scope, chunk) for chunk in chunks]
    return plans


def plan_chunks(start: str, end: str, chunk_days: int, now: datetime) -> list[Window]:
    """[start, end) cut into ``chunk_days`` pieces aligned to ``start``.

    Raises:
        InvalidRequest: Unparsable bounds, end not after start, end in the future, chunk < 1 day.
    """
    if chunk_days < 1:
        raise InvalidRequest(f"--chunk must be at least 1 day (got {chunk_days})")
    return _chunks(_window(start, end, now), timedelta(days=chunk_days))


def _window(start: str, end: str, now: datetime) -> Window:
    try:
        window = Window.parse(start, end)
    except ValueError as exc:
        raise InvalidRequest(
            f"invalid window [{start}, {end}): {exc} (use ISO dates, end after start)"
        ) from None
    if window.end > now:
        raise InvalidRequest(
            f"window end {end} is in the future: backfills cover the past (the nightly does the rest)"
        )
    return window


def _chunks(window: Window, size: timedelta) -> list[Window]:
    chunks, start = [], window.start
    while start < window.end:
        chunks.append(Window(start, min(start + size, window.end)))
        start += size
    return chunks
