"""Fetch a window of arXiv entries through the arxiv package, landing every raw Atom page."""

from __future__ import annotations

import arxiv
import requests
from lxml import etree

from config import ArxivScope, Settings
from sources.errors import SourceError
from sources.http import PolicySession
from sources.landing import FetchDir
from sources.windows import Window

__all__ = ["arxiv_search_query", "fetch_arxiv_window"]


def arxiv_search_query(scope: ArxivScope, window: Window) -> str:
    """The search_query of a scope's window: the scope's query AND a lastUpdatedDate range.

    arXiv's date ranges are inclusive and minute-precise, so the half-open window ends one
    minute before ``window.end``.
    """
    dates = f"lastUpdatedDate:[{window.start:%Y%m%d%H%M} TO {window.last_minute:%Y%m%d%H%M}]"
    return f"({scope.query}) AND {dates}" if scope.query else dates


def fetch_arxiv_window(settings: Settings, scope: ArxivScope, window: Window, fetch: FetchDir) -> int:
    """Fetch every entry of ``scope`` last updated in ``window``; pages land in ``fetch``.

    Args:
        settings: Base URL, page size, the delay between requests (3 s by arXiv's terms of use)
            and the HTTP policy.
        scope: A query and/or an id list.
        window: Half-open window on the entries' last update.
        fetch: Where raw pages land.

    Returns:
        The number of entries the client parsed (the normalizer reads the raw pages itself).

    Raises:
        SourceError: arXiv failed after the configured retries.
    """
    client = arxiv.Client(
        page_size=settings.arxiv_page_size,
        delay_seconds=settings.arxiv_delay_seconds,
        num_retries=settings.http.max_retries,
    )
    client.query_url_format = settings.arxiv_base_url + "?{}"
    session = PolicySession(settings.http, settings.user_agent, retry=False)
    session.land_into(fetch)
    client._session = session  # add timeouts and our User-Agent; the client keeps its paging
    search = arxiv.Search(
        query=arxiv_search_query(scope, window),
        id_list=list(scope.ids),
        max_results=None,
        sort_by=arxiv.SortCriterion.LastUpdatedDate,
        sort_order=arxiv.SortOrder.Ascending,
    )
    try:
        parsed = sum(1 for _ in client.results(search))
    except arxiv.ArxivError as exc:
        raise SourceError("arxiv", exc.url, f"{exc.message}; nothing from this window was published") from exc
    except requests.RequestException as exc:
        message = f"arXiv unreachable ({type(exc).__name__}); re-run the window when it answers"
        raise SourceError("arxiv", settings.arxiv_base_url, message) from exc
    _check_well_formed(fetch)
    return parsed


# Same safety settings as the normalizer's parser: no entities, no network.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)


def _check_well_formed(fetch: FetchDir) -> None:
    """Refuse a fetch whose landed page is broken XML.

    feedparser (inside the arxiv package) reads what it can of a broken page and carries on, so
    without this check the fetch would be marked complete, fail later in normalization, and break
    every ``bzpeer rebuild`` that re-reads complete fetches.
    """
    for page in fetch.read_pages():
        try:
            etree.fromstring(page.content, parser=_PARSER)
        except etree.XMLSyntaxError as exc:
            raise SourceError("arxiv", page.ref, f"raw page is not well-formed XML: {exc}") from exc
