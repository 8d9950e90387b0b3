"""One HTTP session policy for both clients: timeouts, retries, User-Agent and raw landing.

Retries live here, once per failure kind (STYLE: one retry layer per failure):
- OpenAlex: pyalex has none of its own once given our session, so urllib3 retries connection
  errors, read timeouts and the retryable statuses with exponential backoff, honouring Retry-After.
- arXiv: the arxiv package already retries non-200 answers, empty pages and connection errors
  (``num_retries``) with arXiv's 3 s spacing, so its session gets no second retry layer here.
"""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

from config import HttpPolicy
from sources.landing import FetchDir

__all__ = ["PolicySession"]


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
        retries = Retry(
            total=policy.max_retries if retry else 0,
            backoff_factor=policy.backoff_seconds,
            status_forcelist=policy.retry_statuses if retry else (),
            allowed_methods={"GET"},
            respect_retry_after_header=True,
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
        return super().request(method, url, *args, **kwargs)

    def land_into(self, fetch: FetchDir) -> None:
        """Store every successful response body unchanged in ``fetch`` before the client parses it."""

        def land(response: requests.Response, *args: Any, **kwargs: Any) -> None:
            if response.status_code == 200:
                fetch.write_page(response.url, response.content)

        self.hooks["response"] = [land]
