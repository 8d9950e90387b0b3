"""Half-open time windows [start, end) in UTC, the unit of every fetch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

__all__ = ["Window"]


@dataclass(frozen=True, slots=True)
class Window:
    """A half-open window [start, end) of source update times, in UTC."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        for moment in (self.start, self.end):
            if moment.tzinfo is None:
                raise ValueError(f"window bound {moment} has no time zone; use UTC")
        if self.end <= self.start:
            raise ValueError(f"window end {self.end} is not after its start {self.start}")

    @classmethod
    def parse(cls, start: str, end: str) -> Window:
        """Build a window from ISO dates or datetimes (naive values are taken as UTC)."""
        return cls(_as_utc(datetime.fromisoformat(start)), _as_utc(datetime.fromisoformat(end)))

    @property
    def label(self) -> str:
        """A file-name-safe label, e.g. ``20260101T0000--20260102T0000``."""
        return f"{self.start:%Y%m%dT%H%M}--{self.end:%Y%m%dT%H%M}"

    @property
    def last_minute(self) -> datetime:
        """The last whole minute inside the window, for APIs with inclusive minute ranges."""
        return self.end - timedelta(minutes=1)

    @property
    def last_day(self) -> datetime:
        """The last day inside the window, for APIs with inclusive day ranges."""
        return self.end - timedelta(microseconds=1)


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
