"""Closes SQLite connections on worker threads, so the checkpoint a closing WAL database runs stays off
the event loop.

When the last connection to a WAL database closes, SQLite copies the WAL into the database file and
syncs both (with `synchronous=NORMAL`): milliseconds of disk wait per connection. The connection
budget closes the least recently used idle connection for every database it opens past its limit,
so a runtime touching more databases than the budget holds (a workflow per instance, thousands of
tenants) would otherwise wait for one such checkpoint per object it opens. The checkpoint releases
the GIL, so several closing at once on threads overlap their syncs while the loop runs turns.

At most `max_pending` closes wait at once (each still holds its file descriptors); past that a close
runs inline, which slows the opener down to the pace of the disk instead of letting descriptors pile
up.
"""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import Future, ThreadPoolExecutor

DEFAULT_THREADS = 4
"""Closing threads: two to four overlap the syncs of a local SSD; more add little."""
DEFAULT_MAX_PENDING = 64
"""Closes queued or running at once before a close runs inline."""


class ConnectionCloser:
    """A small thread pool that closes SQLite connections, with a bound on how many may be pending."""

    def __init__(self, threads: int = DEFAULT_THREADS, max_pending: int = DEFAULT_MAX_PENDING) -> None:
        self.threads = threads
        self.max_pending = max_pending
        self._executor: ThreadPoolExecutor | None = None
        self._pending = 0
        self._lock = threading.Lock()

    @property
    def pending(self) -> int:
        """Closes queued or running right now."""
        return self._pending

    def close(self, conn: sqlite3.Connection) -> Future[None] | None:
        """Close `conn` on a worker thread and return the future of that close, or close it here and
        return None when `max_pending` closes are already under way. The caller must not use `conn`
        again, and must wait for the future before opening the same database file."""
        with self._lock:
            if self._pending >= self.max_pending:
                inline = True
            else:
                inline = False
                self._pending += 1
                if self._executor is None:
                    self._executor = ThreadPoolExecutor(self.threads, thread_name_prefix="dotdo-close")
                executor = self._executor
        if inline:
            conn.close()
            return None
        future = executor.submit(conn.close)
        future.add_done_callback(self._done)
        return future

    def _done(self, _: Future[None]) -> None:
        with self._lock:
            self._pending -= 1

    def shutdown(self) -> None:
        """Wait for every pending close; later closes start a new pool."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)
