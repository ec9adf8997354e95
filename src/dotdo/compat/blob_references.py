"""Counted references from an object's rows to blobs of the blob store, and the sweep of those left unused.

A storage layer (an S3 or GCS bucket) keeps an object's bytes as blobs and counts, in its own
database, how many rows use each. A blob whose count reaches zero is not deleted at once: an upload
of the same bytes may be in flight and about to reference it again. It is noted as garbage and
deleted by `sweep` once it has stayed unreferenced for the grace period.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

from ..primitives.blob_store import BlobStore
from ..runtime.sql import SqlStorage

GARBAGE_GRACE = 3600.0
"""Seconds an unreferenced blob is kept before a sweep deletes it (longer than any upload takes)."""


def schema(prefix: str) -> str:
    """The tables of a layer's references, named with its prefix (`s3`, `gcs`)."""
    return (
        f"CREATE TABLE IF NOT EXISTS {prefix}_blob_refs (sha TEXT PRIMARY KEY, refs INTEGER NOT NULL);\n"
        f"CREATE TABLE IF NOT EXISTS {prefix}_garbage (sha TEXT PRIMARY KEY, since REAL NOT NULL);\n"
        f"CREATE TABLE IF NOT EXISTS {prefix}_sweep (grace REAL NOT NULL);\n"
    )


class SweptStorage(Protocol):
    """What the references need of the object's storage: its SQL and its alarm (which runs the sweep)."""

    @property
    def sql(self) -> SqlStorage: ...

    def get_alarm(self) -> Any: ...

    def set_alarm(self, when: float) -> None: ...


class BlobReferences:
    """The reference counts of one object's blobs (its tables `<prefix>_blob_refs` and `<prefix>_garbage`),
    and the grace (`<prefix>_sweep`) after which the object's alarm sweeps the blobs no row uses."""

    def __init__(self, storage: SweptStorage, prefix: str) -> None:
        self.storage = storage
        self.sql = storage.sql
        self.refs = f"{prefix}_blob_refs"
        self.garbage = f"{prefix}_garbage"
        self.sweeps = f"{prefix}_sweep"

    def set_grace(self, grace: float) -> None:
        """Keep unreferenced blobs `grace` seconds before a sweep deletes them."""
        self.sql.exec(f"DELETE FROM {self.sweeps}")
        self.sql.exec(f"INSERT INTO {self.sweeps} (grace) VALUES (?)", grace)

    def grace(self) -> float:
        """Seconds an unreferenced blob is kept (`GARBAGE_GRACE` unless set)."""
        rows = self.sql.exec(f"SELECT grace FROM {self.sweeps}").to_list()
        return rows[0]["grace"] if rows else GARBAGE_GRACE

    def schedule_sweep(self) -> None:
        """Set the object's alarm for when the oldest garbage's grace ends (unless an alarm is set already)."""
        oldest = self.sql.exec(f"SELECT min(since) AS since FROM {self.garbage}").one()["since"]
        if oldest is not None and self.storage.get_alarm() is None:
            self.storage.set_alarm(oldest + self.grace())

    def add(self, sha: str) -> None:
        """One more row uses blob `sha`."""
        self.sql.exec(f"INSERT INTO {self.refs} VALUES (?, 1) ON CONFLICT(sha) DO UPDATE SET refs = refs + 1", sha)
        self.sql.exec(f"DELETE FROM {self.garbage} WHERE sha = ?", sha)

    def drop(self, sha: str) -> None:
        """One row fewer uses blob `sha`; with none left, it becomes garbage."""
        left = self.sql.exec(f"UPDATE {self.refs} SET refs = refs - 1 WHERE sha = ? RETURNING refs", sha).to_list()
        if not left or left[0]["refs"] <= 0:
            self.sql.exec(f"DELETE FROM {self.refs} WHERE sha = ?", sha)
            now = time.time()
            self.sql.exec(f"INSERT OR IGNORE INTO {self.garbage} VALUES (?, ?)", sha, now)
            # Garbage always has an alarm coming (the sweep sets the next one): only the first drop sets
            # it, with no look at the other garbage (a delete of many keys drops many blobs).
            if self.storage.get_alarm() is None:
                self.storage.set_alarm(now + self.grace())

    def sweep(self, blobs: BlobStore, namespace: str, *, older_than: float | None = None) -> int:
        """Delete the blobs unreferenced for longer than `older_than` seconds (the grace by default); how
        many went."""
        grace = self.grace() if older_than is None else older_than
        gone = self.sql.exec(f"SELECT sha FROM {self.garbage} WHERE since <= ?", time.time() - grace).to_list()
        for row in gone:
            blobs.delete(row["sha"], namespace=namespace)
            self.sql.exec(f"DELETE FROM {self.garbage} WHERE sha = ?", row["sha"])
        return len(gone)
