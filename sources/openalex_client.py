"""Fetch a window of OpenAlex works through pyalex, with cursor paging, landing every raw page."""

from __future__ import annotations

from typing import Any

import pyalex
import requests

from config import OpenAlexScope, Settings
from sources.errors import SourceError
from sources.http import PolicySession
from sources.landing import FetchDir
from sources.windows import Window

__all__ = ["fetch_openalex_window"]

_LIVE_URL = "https://api.openalex.org"


class Works(pyalex.Works):  # type: ignore[misc]
    """pyalex's Works query pointed at a configurable base URL.

    pyalex 0.21 hard-codes https://api.openalex.org in ``BaseOpenAlex.url`` and ignores
    ``config.openalex_url``; this is the one contained override that lets the same client talk to
    the loopback replay server. The class must keep the name ``Works``: pyalex derives the path
    from it.
    """

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self._base_url = base_url

    @property
    def url(self) -> str:
        live: str = super().url
        return self._base_url + live.removeprefix(_LIVE_URL)


def fetch_openalex_window(settings: Settings, scope: OpenAlexScope, window: Window, fetch: FetchDir) -> int:
    """Fetch every work of ``scope`` updated in ``window``; pages land in ``fetch``.

    Args:
        settings: Base URL, credentials, page size and HTTP policy.
        scope: The scope's own filters.
        window: Half-open window on the works' ``updated_date`` (day precision: OpenAlex date
            filters are inclusive days, so the first and last day are fetched whole and the
            idempotent merge absorbs the overlap).
        fetch: Where raw pages land.

    Returns:
        The number of records fetched.

    Raises:
        SourceError: The API failed after the configured retries, or answered something that is
            not a works page.
    """
    _configure_pyalex(settings)
    filters: dict[str, Any] = dict(scope.filters)
    filters["from_updated_date"] = window.start.date().isoformat()
    filters["to_updated_date"] = window.last_day.date().isoformat()
    query = Works(settings.openalex_base_url).filter(**filters)
    pager = query.paginate(method="cursor", per_page=settings.openalex_per_page, n_max=None)
    session = PolicySession(settings.http, settings.user_agent, retry=True)
    session.land_into(fetch)
    pager._session = session  # pyalex builds an https-only retry session; use ours
    fetched = 0
    try:
        for page in pager:
            fetched += len(page)
    except (requests.RequestException, ValueError, KeyError) as exc:
        raise SourceError("openalex", query.url, _explain(exc)) from exc
    return fetched


def _configure_pyalex(settings: Settings) -> None:
    # pyalex reads credentials from its module-level config; it sends the key as a Bearer header
    # and the email as From:, never in the URL, so neither reaches the landed page index.
    pyalex.config.email = settings.openalex_email
    key = settings.openalex_api_key
    pyalex.config.api_key = key.get_secret_value() if key is not None else None
    pyalex.config.user_agent = settings.user_agent


def _explain(exc: Exception) -> str:
    if isinstance(exc, pyalex.api.QueryError):
        return f"OpenAlex rejected the query: {exc}; fix the scope's filters in the settings."
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        status = exc.response.status_code
        hint = " Check BZPEER_OPENALEX_API_KEY." if status in (401, 403) else ""
        return f"OpenAlex answered HTTP {status} after retries; nothing from this window was published.{hint}"
    if isinstance(exc, requests.exceptions.JSONDecodeError):  # a RequestException too: test first
        return f"OpenAlex sent a page that is not a works page (malformed JSON: {exc})."
    if isinstance(exc, requests.RequestException):
        return f"OpenAlex unreachable ({type(exc).__name__}); re-run the window when it answers."
    return f"OpenAlex sent a page that is not a works page ({type(exc).__name__}: {exc})."
