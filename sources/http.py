"""One HTTP session policy for both clients: timeouts, retries, User-Agent and raw landing.

Retries live here, once per failure kind (STYLE: one retry layer per failure):
- OpenAlex: pyalex has none of its own once given our session, so urllib3 retries connection
  errors, read timeouts and the retryable statuses with exponential backoff, honouring Retry-After.
- arXiv: the arxiv package already retries non-200 answers, empty pages and connection errors
  (``num_retries``) with arXiv's 3 s spacing, so its session gets no second retry layer here.
  It does not retry a read timeout or a body cut short, so this session reports those as
  connection errors, which it does retry; and it waits out a 429/503's ``Retry-After`` first.
- A body cut short after the headers (urllib3 retries only up to the headers) is retried here
  for OpenAlex, with the same budget and backoff.
"""

from __future__ import annotations

import time
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

from config import HttpPolicy
from sources.landing import FetchDir

__all__ = ["PolicySession"]

# Longest Retry-After this session waits out for the arXiv client: a longer one fails the window
# after the client's retries instead of holding the nightly run (the next run resumes it).


class PolicySession(requests.Session):
    """A requests session that applies our timeouts and User-Agent to every request.

    Both client libraries call ``session.get`` without a timeout and set their own User-Agent
    per request; this session overrides both, because a stalled server must not hang a run and
    arXiv asks for a descriptive User-Agent.
    """

    def __init__(self, policy: HttpPolicy, user_agent: str, *, retry: bool) -> None:
        super().__init__()
        self.timeout = (policy.connect_timeout_seconds, policy.timeout_seconds)
        self.user_agent = user_agent
        self._policy = policy
        self._retry = retry
        retries = Retry(
            total=policy.max_retries if retry else 0,
            backoff_factor=policy.backoff_seconds,
            status_forcelist=policy.retry_statuses if retry else (),
            allowed_methods={"GET"},
            respect_retry_after_header=True,
            retry_after_max=int(policy.max_retry_after_seconds),
            raise_on_status=False,
        )
        adapter = HTTPAdapter(max_retries=retries)
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        """Send with our timeout and User-Agent, whatever the calling library passed."""
        kwargs.setdefault("timeout", self.timeout)
        headers = {k: v for k, v in (kwargs.get("headers") or {}).items() if k.lower() != "user-agent"}
        headers["User-Agent"] = self.user_agent
        kwargs["headers"] = headers
        tries = self._policy.max_retries + 1 if self._retry else 1
        for attempt in range(tries):
            try:
                response = super().request(method, url, *args, **kwargs)
            except requests.exceptions.ChunkedEncodingError as exc:  # the body was cut short
                if attempt + 1 < tries:
                    time.sleep(self._policy.backoff_seconds * 2**attempt)
                    continue
                raise self._for_client(exc) from exc
            except requests.exceptions.ReadTimeout as exc:
                raise self._for_client(exc) from exc
            if not self._retry:
                _wait_retry_after(response, self._policy.max_retry_after_seconds)
            return response
        raise AssertionError("unreachable: the last try returns or raises")

    def _for_client(self, exc: requests.RequestException) -> requests.RequestException:
        """The arxiv client retries only ConnectionError: report a stall or cut body as one."""
        if self._retry:
            return exc
        return requests.ConnectionError(f"{type(exc).__name__}: {exc}", request=exc.request)

    def land_into(self, fetch: FetchDir) -> None:
        """Store every successful response body unchanged in ``fetch`` before the client parses it."""

        def land(response: requests.Response, *args: Any, **kwargs: Any) -> None:
            if response.status_code == 200:
                fetch.write_page(response.url, response.content)

        self.hooks["response"] = [land]


def _wait_retry_after(response: requests.Response, longest: float) -> None:
    """Sleep for a 429/503's Retry-After (seconds, capped) before the client retries."""
    if response.status_code not in (429, 503):
        return
    try:
        seconds = float(response.headers.get("Retry-After", ""))
    except ValueError:
        return  # absent, or an HTTP date: the client's own delay applies
    time.sleep(min(max(seconds, 0.0), longest))
