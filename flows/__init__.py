"""Prefect flows, thin tasks and the ``bzpeer`` command: the only package that imports prefect.

Prefect's telemetry stays off unless an operator turns it on explicitly (the machines running the
pipeline have no business calling home, and the attempt logs `database is locked` noise).
"""

import os

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
