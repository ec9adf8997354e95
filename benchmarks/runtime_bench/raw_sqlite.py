"""The raw-sqlite3 side of the in-process comparisons: same file layout, pragmas and statement."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from counter_app import UPSERT

CREATE = "CREATE TABLE IF NOT EXISTS c(k TEXT PRIMARY KEY, v INTEGER NOT NULL)"


def open_raw(path: Path, *, synchronous: str = "NORMAL") -> sqlite3.Connection:
    """A connection set up the way dotdo sets up an object's database (WAL, exclusive lock, cache)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, cached_statements=64)
    conn.execute("PRAGMA locking_mode=EXCLUSIVE")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA cache_size=-1024")
    conn.execute(CREATE)
    return conn


def raw_increment(conn: sqlite3.Connection, by: int = 1) -> int:
    """The counter's upsert on a plain connection (the caller commits)."""
    return conn.execute(UPSERT, (by,)).fetchone()[0]
