"""The sources package's one exception type: picklable, so it crosses Prefect and Dask workers."""

from __future__ import annotations

__all__ = ["SourceError"]


class SourceError(Exception):
    """A fetch or a raw page failed; nothing from its window is published.

    Attributes:
        source: ``openalex`` or ``arxiv``.
        url: The request or raw page that failed ('' when not tied to one).
        message: What went wrong and what to do about it.
    """

    def __init__(self, source: str, url: str, message: str) -> None:
        self.source = source
        self.url = url
        self.message = message
        super().__init__(f"{source}: {message}" + (f" ({url})" if url else ""))

    def __reduce__(self) -> tuple[type[SourceError], tuple[str, str, str]]:
        return SourceError, (self.source, self.url, self.message)
