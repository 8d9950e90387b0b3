"""The one response type every replay route returns, and the hook faults will plug into."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import orjson

JSON_TYPE = "application/json; charset=utf-8"
ATOM_TYPE = "application/atom+xml; charset=utf-8"


@dataclass(frozen=True)
class Reply:
    """An HTTP response the server writes as is.

    ``delay_seconds``, ``truncate_at`` and ``reset`` are honoured by the writer so that fault
    injection (stalls, cut-off bodies, connection resets) only has to return a changed ``Reply``;
    the routes leave them unset. ``reset`` closes the connection with a TCP reset before anything
    is sent: the client sees a connection reset by peer.
    """

    status: int
    body: bytes
    content_type: str = JSON_TYPE
    headers: tuple[tuple[str, str], ...] = ()
    delay_seconds: float = 0.0
    truncate_at: int | None = None
    reset: bool = False


class FaultInjector(Protocol):
    """Consulted once per request with the reply the recorded data gives.

    Return that reply unchanged, or another one: a 429 with ``Retry-After``, a 5xx, a reply with
    ``delay_seconds`` (a stall), ``truncate_at`` (a body cut short after the full Content-Length
    was announced) or ``reset`` (the connection reset before any answer).
    """

    def __call__(self, path_and_query: str, reply: Reply) -> Reply:
        """Return the reply to send for this request."""
        ...


def json_reply(status: int, payload: Any) -> Reply:
    """Serialise ``payload`` with orjson into a JSON reply.

    Args:
        status: HTTP status code.
        payload: Anything orjson can serialise.

    Returns:
        The reply.
    """
    return Reply(status=status, body=orjson.dumps(payload))
