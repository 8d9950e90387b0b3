"""One warehouse writer at a time: an exclusive lock file in the data directory.

Readers never take it. A second writer waits up to ``wait_seconds`` and then fails with a clear
error; the lock is released by the kernel if the holder dies, so a crash never leaves it stuck.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["WarehouseBusy", "writer_lock"]


class WarehouseBusy(RuntimeError):
    """Another process is publishing the warehouse."""


@contextmanager
def writer_lock(data_dir: Path, wait_seconds: float = 600.0) -> Iterator[None]:
    """Hold the data directory's writer lock for the duration of the block.

    Raises:
        WarehouseBusy: Another writer held the lock for longer than ``wait_seconds``.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / ".writer.lock"
    with path.open("a+") as handle:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "unknown"
                    raise WarehouseBusy(
                        f"another writer ({holder}) is publishing {data_dir}; "
                        "wait for it to finish (bzpeer status shows running runs) and retry"
                    ) from None
                time.sleep(0.2)
        handle.truncate(0)
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
