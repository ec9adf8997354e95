"""WAL frames: the pages read after each commit rebuild the database byte for byte, across WAL restarts."""

from __future__ import annotations

import os
import random
import sqlite3
from pathlib import Path

from dotdo.runtime.wal_frames import WalReader, apply_pages


def test_pages_after_each_commit_rebuild_the_file_exactly_across_checkpoints(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA locking_mode=EXCLUSIVE")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=20")  # the WAL restarts from its start, with new salts, often
    reader = WalReader()
    image = bytearray()
    rng = random.Random(7)
    conn.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB)")
    for step in range(300):
        conn.execute("BEGIN")
        for _ in range(rng.randrange(1, 6)):
            if rng.random() < 0.3:
                conn.execute("DELETE FROM t WHERE k = ?", (rng.randrange(200),))
            else:
                conn.execute(
                    "INSERT OR REPLACE INTO t VALUES (?, ?)", (rng.randrange(200), os.urandom(rng.randrange(900)))
                )
        if step % 97 == 0:
            conn.execute("CREATE TABLE IF NOT EXISTS extra (x)")  # schema changes are pages too
        conn.execute("COMMIT")
        fd = os.open(f"{path}-wal", os.O_RDONLY)
        try:
            committed = reader.read_committed(fd)
        finally:
            os.close(fd)
        if committed is not None:
            apply_pages(image, committed)
        assert bytes(image) == conn.serialize(), f"step {step}"
    conn.close()


def test_nothing_new_reads_as_none(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (x)")
    fd = os.open(f"{path}-wal", os.O_RDONLY)
    try:
        reader = WalReader()
        assert reader.read_committed(fd) is not None
        assert reader.read_committed(fd) is None
    finally:
        os.close(fd)
        conn.close()
