"""The staging area (git's index) as a SQLite table: one row per path and merge stage.

Stage 0 is a normal entry; stages 1, 2 and 3 (base, ours, theirs) mark a path a merge left in
conflict, exactly as git records it, until `add` resolves it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dotdo.runtime.lazy_table import LazyTable

if TYPE_CHECKING:
    from collections.abc import Iterable

    from dotdo.runtime.object_storage import ObjectStorage

INDEX_TABLE = "_gitx_index"


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """A staged file: its mode and blob sha (hex bytes)."""

    mode: int
    sha: bytes


class StagingIndex:
    """Read and change the index of one repository."""

    def __init__(self, storage: ObjectStorage) -> None:
        self.storage = storage
        self._lazy_table = LazyTable(
            storage,
            INDEX_TABLE,
            f"CREATE TABLE IF NOT EXISTS {INDEX_TABLE} (path TEXT NOT NULL, stage INTEGER NOT NULL, "
            "mode INTEGER NOT NULL, sha TEXT NOT NULL, PRIMARY KEY (path, stage)) WITHOUT ROWID",
        )

    def _table(self) -> None:
        self._lazy_table.ensure()

    def entries(self) -> dict[str, IndexEntry]:
        """Stage-0 entries by path (what the next commit will hold)."""
        self._table()
        rows = self.storage.sql.exec(f"SELECT path, mode, sha FROM {INDEX_TABLE} WHERE stage = 0").raw()
        return {path: IndexEntry(mode, sha.encode("ascii")) for path, mode, sha in rows}

    def conflicts(self) -> dict[str, dict[int, IndexEntry]]:
        """Paths left in conflict by a merge: {path: {stage: entry}} for stages 1-3."""
        self._table()
        rows = self.storage.sql.exec(
            f"SELECT path, stage, mode, sha FROM {INDEX_TABLE} WHERE stage > 0 ORDER BY path, stage"
        ).raw()
        found: dict[str, dict[int, IndexEntry]] = {}
        for path, stage, mode, sha in rows:
            found.setdefault(path, {})[stage] = IndexEntry(mode, sha.encode("ascii"))
        return found

    def stage(self, path: str, entry: IndexEntry) -> None:
        """Stage one path (resolving any conflict on it)."""
        self._table()
        self.storage.sql.exec(f"DELETE FROM {INDEX_TABLE} WHERE path = ?", path)
        self.storage.sql.exec(
            f"INSERT INTO {INDEX_TABLE} (path, stage, mode, sha) VALUES (?, 0, ?, ?)",
            path,
            entry.mode,
            entry.sha.decode("ascii"),
        )

    def mark_conflict(self, path: str, stages: dict[int, IndexEntry]) -> None:
        """Record a conflicted path with its base/ours/theirs versions."""
        self._table()
        self.storage.sql.exec(f"DELETE FROM {INDEX_TABLE} WHERE path = ?", path)
        for number, entry in stages.items():
            self.storage.sql.exec(
                f"INSERT INTO {INDEX_TABLE} (path, stage, mode, sha) VALUES (?, ?, ?, ?)",
                path,
                number,
                entry.mode,
                entry.sha.decode("ascii"),
            )

    def unstage(self, path: str) -> bool:
        """Remove a path from the index (all stages); whether it was there."""
        self._table()
        return self.storage.sql.exec(f"DELETE FROM {INDEX_TABLE} WHERE path = ?", path).rows_written > 0

    def replace(self, entries: Iterable[tuple[str, IndexEntry]]) -> None:
        """Make the index hold exactly `entries` (e.g. a checked-out tree)."""
        self._table()
        self.storage.sql.exec(f"DELETE FROM {INDEX_TABLE}")
        for path, entry in entries:
            self.storage.sql.exec(
                f"INSERT INTO {INDEX_TABLE} (path, stage, mode, sha) VALUES (?, 0, ?, ?)",
                path,
                entry.mode,
                entry.sha.decode("ascii"),
            )
