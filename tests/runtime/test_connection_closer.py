"""Closing SQLite connections on worker threads: off the caller's thread, bounded, and waited for."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from dotdo.runtime.connection_closer import ConnectionCloser


class RecordingConnection(sqlite3.Connection):
    """A connection that notes which thread closed it, and can be held back from closing."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.closed_on: str | None = None
        self.release = threading.Event()
        self.release.set()

    def close(self) -> None:
        self.release.wait(10)
        self.closed_on = threading.current_thread().name
        super().close()


def connect(path: Path) -> RecordingConnection:
    conn = sqlite3.connect(path, factory=RecordingConnection, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (x)")
    conn.execute("INSERT INTO t VALUES (1)")
    conn.commit()
    assert isinstance(conn, RecordingConnection)
    return conn


def test_a_connection_is_closed_on_a_worker_thread_and_its_checkpoint_is_done_when_the_future_is(
    tmp_path: Path,
) -> None:
    closer = ConnectionCloser()
    conn = connect(tmp_path / "a.sqlite")
    future = closer.close(conn)
    assert future is not None
    future.result(10)
    assert conn.closed_on is not None and conn.closed_on.startswith("dotdo-close")
    assert not (tmp_path / "a.sqlite-wal").exists(), "the last close checkpoints and removes the WAL"
    assert closer.pending == 0
    closer.shutdown()


def test_past_the_bound_a_close_runs_inline_instead_of_queueing_descriptors(tmp_path: Path) -> None:
    closer = ConnectionCloser(threads=1, max_pending=1)
    slow = connect(tmp_path / "slow.sqlite")
    slow.release.clear()
    held = closer.close(slow)
    assert held is not None and not held.done()
    other = connect(tmp_path / "other.sqlite")
    assert closer.close(other) is None
    assert other.closed_on == threading.current_thread().name
    slow.release.set()
    held.result(10)
    closer.shutdown()


def test_shutdown_waits_for_every_pending_close(tmp_path: Path) -> None:
    closer = ConnectionCloser(threads=2)
    conns = [connect(tmp_path / f"{index}.sqlite") for index in range(6)]
    for conn in conns:
        conn.release.clear()
    futures = [closer.close(conn) for conn in conns]
    threading.Timer(0.2, lambda: [conn.release.set() for conn in conns]).start()
    closer.shutdown()
    assert all(future is not None and future.done() for future in futures)
    assert all(conn.closed_on is not None for conn in conns)
