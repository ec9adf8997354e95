"""`VectorCatalog`: the collection list of one tenant of one vector layer (what "list collections" answers)."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from ...context import DO

SCHEMA = """
CREATE TABLE IF NOT EXISTS vector_catalog (
    name TEXT PRIMARY KEY, uid TEXT NOT NULL UNIQUE, metadata TEXT NOT NULL, created_at REAL NOT NULL);
"""


class VectorCatalog(DO):
    """The collections of one tenant of one layer (object name `<layer>/<tenant>`), each with a uid and metadata."""

    async def on_start(self) -> None:
        self.storage.sql.exec(SCHEMA)

    def add(self, name: str, metadata: dict[str, Any] | None = None) -> dict[str, Any]:
        """Record collection `name` (kept as it is if already there); its entry."""
        self.storage.sql.exec(
            "INSERT OR IGNORE INTO vector_catalog VALUES (?, ?, ?, ?)",
            name,
            str(uuid.uuid4()),
            json.dumps(metadata or {}),
            time.time(),
        )
        found = self.find(name)
        assert found is not None
        return found

    def find(self, name_or_uid: str) -> dict[str, Any] | None:
        """The entry of the collection with this name or uid, or None."""
        rows = self.storage.sql.exec(
            "SELECT * FROM vector_catalog WHERE name = ? OR uid = ?", name_or_uid, name_or_uid
        ).to_list()
        return _entry(rows[0]) if rows else None

    def update(self, name: str, new_name: str | None, metadata: dict[str, Any] | None) -> dict[str, Any] | None:
        """Change a collection's metadata (and, in the catalog only, its name)."""
        if self.find(name) is None:
            return None
        if metadata is not None:
            self.storage.sql.exec("UPDATE vector_catalog SET metadata = ? WHERE name = ?", json.dumps(metadata), name)
        if new_name is not None and new_name != name:
            self.storage.sql.exec("UPDATE vector_catalog SET name = ? WHERE name = ?", new_name, name)
            name = new_name
        return self.find(name)

    def remove(self, name: str) -> bool:
        """Forget collection `name`; False if it was not there."""
        return self.storage.sql.exec("DELETE FROM vector_catalog WHERE name = ? RETURNING name", name).to_list() != []

    def list(self, offset: int = 0, limit: int | None = None) -> list[dict[str, Any]]:
        """The entries, oldest first."""
        rows = self.storage.sql.exec(
            "SELECT * FROM vector_catalog ORDER BY created_at, name LIMIT ? OFFSET ?",
            -1 if limit is None else limit,
            offset,
        )
        return [_entry(row) for row in rows]


def _entry(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": row["name"],
        "uid": row["uid"],
        "metadata": json.loads(row["metadata"]),
        "createdAt": row["created_at"],
    }
