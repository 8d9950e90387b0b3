"""Loopback replay server for recorded OpenAlex and arXiv API responses (tests and the demo)."""

from sources.replay.index import RecordedIndex, load_recorded
from sources.replay.reply import FaultInjector, Reply
from sources.replay.server import ReplayServer, serve

__all__ = ["FaultInjector", "RecordedIndex", "ReplayServer", "Reply", "load_recorded", "serve"]
