"""The loopback HTTP server: routes requests to the OpenAlex and arXiv answerers.

Standard library ``ThreadingHTTPServer`` only, bound to a loopback address. Every request is logged
in ``request_log`` (path and query, as received) so tests can assert that paging happened.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import cast
from urllib.parse import unquote, urlsplit

from sources.replay.arxiv_api import answer_query
from sources.replay.index import RecordedIndex, load_recorded
from sources.replay.openalex_works import answer_work, answer_works
from sources.replay.reply import FaultInjector, Reply, json_reply

logger = logging.getLogger(__name__)

OPENALEX_PREFIX = "/openalex"
ARXIV_PATH = "/arxiv/api/query"


class _ReplayHTTPServer(ThreadingHTTPServer):
    """Carries the shared state the request handlers read."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], index: RecordedIndex) -> None:
        super().__init__(address, _ReplayHandler)
        self.index = index
        self.request_log: list[str] = []
        self.faults: FaultInjector | None = None
        self.log_lock = threading.Lock()


class _ReplayHandler(BaseHTTPRequestHandler):
    server_version = "bzpeer-replay/1"

    def do_GET(self) -> None:
        """Answer one GET: route it, let the fault injector change the reply, write it."""
        server = cast(_ReplayHTTPServer, self.server)
        with server.log_lock:
            server.request_log.append(self.path)
        try:
            reply = route(server.index, self.path)
        except Exception:  # a bug in an answerer must reach the client as a 500, not a hang
            logger.exception("replay server failed on %s", self.path)
            reply = json_reply(500, {"error": "Internal replay server error", "path": self.path})
        faults = server.faults
        if faults is not None:
            reply = faults(self.path, reply)
        try:
            self._write(reply)
        except (BrokenPipeError, ConnectionResetError):
            logger.debug("client went away during %s", self.path)  # e.g. it timed out first

    def _write(self, reply: Reply) -> None:
        if reply.delay_seconds:
            time.sleep(reply.delay_seconds)
        if reply.reset:
            # SO_LINGER with a zero timeout makes close() send a TCP RST instead of a FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        body = reply.body if reply.truncate_at is None else reply.body[: reply.truncate_at]
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Send access logs to ``logging`` at debug level instead of stderr."""
        logger.debug(format, *args)


def route(index: RecordedIndex, path_and_query: str) -> Reply:
    """Answer one request path (with its query string) from the index.

    Args:
        index: The recorded data.
        path_and_query: The request target, e.g. ``/openalex/works?filter=doi:…``.

    Returns:
        The reply: the OpenAlex or arXiv answer, or a 404 JSON error for any other path.
    """
    target = urlsplit(path_and_query)
    path = target.path.rstrip("/")
    if path == ARXIV_PATH:
        return answer_query(index.arxiv, target.query)
    if path == f"{OPENALEX_PREFIX}/works":
        return answer_works(index.works, target.query)
    if path.startswith(f"{OPENALEX_PREFIX}/works/"):
        return answer_work(index.works, unquote(path.removeprefix(f"{OPENALEX_PREFIX}/works/")))
    return json_reply(
        404,
        {
            "error": "Not Found",
            "message": f"{target.path} is not served: use {OPENALEX_PREFIX}/works or {ARXIV_PATH}",
        },
    )


class ReplayServer:
    """Serve recorded OpenAlex and arXiv responses on a loopback port, in a daemon thread.

    Use as a context manager, or call `start` and `stop`. Point the clients at `openalex_url` and
    `arxiv_url`. Set `faults` to a `FaultInjector` to change replies (429, 5xx, stalls, cut
    bodies); it is consulted on every request.

    Args:
        recorded_dir: The recorded-data folder (with ``openalex/works`` and ``arxiv/api``).
        host: A loopback IPv4 address; anything else is refused.
        port: The port to bind; 0 picks a free one.

    Raises:
        ValueError: If ``host`` is not a loopback address.
    """

    def __init__(self, recorded_dir: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self._httpd = _ReplayHTTPServer((_loopback(host), port), load_recorded(recorded_dir))
        self._thread: threading.Thread | None = None
        bound_host, bound_port = self._httpd.server_address[:2]
        self.base_url = f"http://{bound_host!s}:{bound_port}"
        self.openalex_url = self.base_url + OPENALEX_PREFIX
        self.arxiv_url = self.base_url + ARXIV_PATH

    @property
    def index(self) -> RecordedIndex:
        """The recorded data this server answers from."""
        return self._httpd.index

    @property
    def request_log(self) -> list[str]:
        """Every request target received so far (path and query), in arrival order."""
        return self._httpd.request_log

    @property
    def faults(self) -> FaultInjector | None:
        """The fault injector consulted per request; None serves the recorded data as is."""
        return self._httpd.faults

    @faults.setter
    def faults(self, injector: FaultInjector | None) -> None:
        self._httpd.faults = injector

    def start(self) -> ReplayServer:
        """Start serving in a daemon thread; returns self."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="replay-server",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def serve(recorded_dir: Path, host: str, port: int) -> None:
    """Serve in the foreground until interrupted (for ``bzpeer replay-server``).

    Args:
        recorded_dir: The recorded-data folder.
        host: A loopback IPv4 address.
        port: The port to bind; 0 picks a free one.
    """
    server = ReplayServer(recorded_dir, host, port)
    logger.info("replay server: OpenAlex at %s, arXiv at %s", server.openalex_url, server.arxiv_url)
    try:
        server._httpd.serve_forever()
    except KeyboardInterrupt:
        logger.info("replay server stopped")
    finally:
        server.stop()


def _loopback(host: str) -> str:
    address = "127.0.0.1" if host == "localhost" else host
    try:
        is_loopback = ipaddress.IPv4Address(address).is_loopback
    except ValueError:
        is_loopback = False
    if not is_loopback:
        raise ValueError(f"the replay server binds loopback only; got host {host!r}, use 127.0.0.1")
    return address
