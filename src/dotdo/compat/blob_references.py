"""Counted references from an object's rows to blobs of the blob store, and the sweep of those left unused.

A storage layer (an S3 or GCS bucket) keeps an object's bytes as blobs and counts, in its own
database, how many rows use each. A blob whose count reaches zero is not deleted at once: an upload
of the same bytes may be in flight and about to reference it again. It is noted as garbage and
deleted by `sweep` once it has stayed unreferenced for the grace period.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ..primitives.blob_store import BlobStore
from ..runtime.sql import SqlStorage

GARBAGE_GRACE = 3600.0
"""Seconds an unreferenced blob is kept before a sweep deletes it (longer than any upload takes)."""


def schema(prefix: str) -> str:
    """The two tables of a layer's references, named with its prefix (`s3`, `gcs`)."""
    return (
        f"CREATE TABLE IF NOT EXISTS {prefix}_blob_refs (sha TEXT PRIMARY KEY, refs INTEGER NOT NULL);\n"
        f"CREATE TABLE IF NOT EXISTS {prefix}_garbage (sha TEXT PRIMARY KEY, since REAL NOT NULL);\n"
    )


class BlobReferences:
    """The reference counts of one object's blobs (its tables `<prefix>_blob_refs` and `<prefix>_garbage`)."""

    def __init__(self, sql: SqlStorage, prefix: str, *, on_garbage: Callable[[], None] | None = None) -> None:
        self.sql = sql
        self.refs = f"{prefix}_blob_refs"
        self.garbage = f"{prefix}_garbage"
        self.on_garbage = on_garbage
        """Called when a blob becomes garbage (how a bucket sets the alarm that sweeps it)."""

    def add(self, sha: str) -> None:
        """One more row uses blob `sha`."""
        self.sql.exec(f"INSERT INTO {self.refs} VALUES (?, 1) ON CONFLICT(sha) DO UPDATE SET refs = refs + 1", sha)
        self.sql.exec(f"DELETE FROM {self.garbage} WHERE sha = ?", sha)

    def drop(self, sha: str) -> None:
        """One row fewer uses blob `sha`; with none left, it becomes garbage."""
        left = self.sql.exec(f"UPDATE {self.refs} SET refs = refs - 1 WHERE sha = ? RETURNING refs", sha).to_list()
        if not left or left[0]["refs"] <= 0:
            self.sql.exec(f"DELETE FROM {self.refs} WHERE sha = ?", sha)
            self.sql.exec(f"INSERT OR IGNORE INTO {self.garbage} VALUES (?, ?)", sha, time.time())
            if self.on_garbage is not None:
                self.on_garbage()

    def first_due(self, grace: float) -> float | None:
        """When the oldest garbage's grace ends (epoch seconds); None when there is no garbage."""
        oldest = self.sql.exec(f"SELECT min(since) AS since FROM {self.garbage}").one()["since"]
        return None if oldest is None else oldest + grace

    def sweep(self, blobs: BlobStore, namespace: str, *, older_than: float = GARBAGE_GRACE) -> int:
        """Delete the blobs unreferenced for longer than `older_than` seconds; how many went."""
        gone = self.sql.exec(f"SELECT sha FROM {self.garbage} WHERE since <= ?", time.time() - older_than).to_list()
        for row in gone:
            blobs.delete(row["sha"], namespace=namespace)
            self.sql.exec(f"DELETE FROM {self.garbage} WHERE sha = ?", row["sha"])
        return len(gone)
