"""`AlgoliaAccount`: one tenant's Algolia application: its indexes (with their Algolia settings), tasks, API keys.

Algolia answers every write with a task id and applies it a moment later; here the write is applied
before the answer is sent, so every task is recorded already `published` and `waitForTask` returns
on its first look. Task ids count up per tenant. Indexes created and deleted are events of this
object (`AlgoliaIndex.created`, `AlgoliaIndex.deleted`) that other objects may subscribe to.
"""

from __future__ import annotations

import json
import secrets
import time
from datetime import UTC, datetime
from typing import Any

from ...context import DO

SCHEMA = """
CREATE TABLE IF NOT EXISTS algolia_indexes (
    name TEXT PRIMARY KEY, settings TEXT NOT NULL, created_at REAL NOT NULL, updated_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS algolia_tasks (id INTEGER PRIMARY KEY AUTOINCREMENT, index_name TEXT, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS algolia_keys (
    value TEXT PRIMARY KEY, acl TEXT NOT NULL, indexes TEXT NOT NULL, description TEXT NOT NULL,
    validity INTEGER NOT NULL, created_at REAL NOT NULL);
"""


def timestamp(seconds: float) -> str:
    """Seconds since the epoch as Algolia writes dates (ISO 8601, milliseconds, `Z`)."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(seconds * 1000) % 1000:03d}Z"


class AlgoliaAccount(DO):
    """The indexes, tasks and API keys of one tenant."""

    async def on_start(self) -> None:
        self.storage.sql.exec(SCHEMA)

    # -- indexes ------------------------------------------------------------------------------------

    def add_index(self, name: str) -> bool:
        """Record index `name` with no settings of its own (an `AlgoliaIndex.created` event); False if it was
        there already."""
        now = time.time()
        rows = self.storage.sql.exec(
            "INSERT OR IGNORE INTO algolia_indexes VALUES (?, '{}', ?, ?) RETURNING name", name, now, now
        ).to_list()
        if rows:
            self.ctx.send("AlgoliaIndex.created", {"index": name})
        return bool(rows)

    def touch_index(self, name: str) -> None:
        """Note that index `name` changed now."""
        self.storage.sql.exec("UPDATE algolia_indexes SET updated_at = ? WHERE name = ?", time.time(), name)

    def remove_index(self, name: str) -> bool:
        """Forget index `name` (an `AlgoliaIndex.deleted` event); False if there was none."""
        removed = self.storage.sql.exec("DELETE FROM algolia_indexes WHERE name = ? RETURNING name", name).to_list()
        if removed:
            self.ctx.send("AlgoliaIndex.deleted", {"index": name})
        return bool(removed)

    def index(self, name: str) -> dict[str, Any] | None:
        """Index `name`: its settings as set through Algolia's API, created and updated times; or None."""
        rows = self.storage.sql.exec("SELECT * FROM algolia_indexes WHERE name = ?", name).to_list()
        return _index(rows[0]) if rows else None

    def indexes(self) -> list[dict[str, Any]]:
        """Every index, by name."""
        return [_index(row) for row in self.storage.sql.exec("SELECT * FROM algolia_indexes ORDER BY name")]

    def set_settings(self, name: str, settings: dict[str, Any]) -> None:
        """Replace index `name`'s Algolia settings."""
        self.storage.sql.exec(
            "UPDATE algolia_indexes SET settings = ?, updated_at = ? WHERE name = ?",
            json.dumps(settings),
            time.time(),
            name,
        )

    # -- tasks --------------------------------------------------------------------------------------

    def record_task(self, index_name: str | None) -> int:
        """A new task id, for a write to `index_name` that has been applied."""
        return self.storage.sql.exec(
            "INSERT INTO algolia_tasks (index_name, at) VALUES (?, ?) RETURNING id", index_name, time.time()
        ).one()["id"]

    def task_exists(self, task_id: int) -> bool:
        """Whether task `task_id` was recorded."""
        return self.storage.sql.exec("SELECT 1 FROM algolia_tasks WHERE id = ?", task_id).to_list() != []

    # -- API keys -----------------------------------------------------------------------------------

    def create_key(self, acl: list[str], indexes: list[str], description: str, validity: int) -> dict[str, Any]:
        """A new API key with these rights; its value is made here."""
        value = secrets.token_hex(16)
        self.storage.sql.exec(
            "INSERT INTO algolia_keys VALUES (?, ?, ?, ?, ?, ?)",
            value,
            json.dumps(acl),
            json.dumps(indexes),
            description,
            validity,
            time.time(),
        )
        found = self.key(value)
        assert found is not None
        return found

    def key(self, value: str) -> dict[str, Any] | None:
        """The key of this value, or None."""
        rows = self.storage.sql.exec("SELECT * FROM algolia_keys WHERE value = ?", value).to_list()
        return _key(rows[0]) if rows else None

    def keys(self) -> list[dict[str, Any]]:
        """Every key, oldest first."""
        return [_key(row) for row in self.storage.sql.exec("SELECT * FROM algolia_keys ORDER BY created_at")]

    def update_key(
        self, value: str, acl: list[str], indexes: list[str], description: str, validity: int
    ) -> dict[str, Any] | None:
        """Replace a key's rights; None if there is no such key."""
        if self.key(value) is None:
            return None
        self.storage.sql.exec(
            "UPDATE algolia_keys SET acl = ?, indexes = ?, description = ?, validity = ? WHERE value = ?",
            json.dumps(acl),
            json.dumps(indexes),
            description,
            validity,
            value,
        )
        return self.key(value)

    def delete_key(self, value: str) -> bool:
        """Delete a key; False if there was none."""
        return self.storage.sql.exec("DELETE FROM algolia_keys WHERE value = ? RETURNING value", value).to_list() != []


def _index(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": row["name"],
        "settings": json.loads(row["settings"]),
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
    }


def _key(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "value": row["value"],
        "acl": json.loads(row["acl"]),
        "indexes": json.loads(row["indexes"]),
        "description": row["description"],
        "validity": row["validity"],
        "createdAt": int(row["created_at"]),
    }
