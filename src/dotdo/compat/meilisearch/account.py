"""`MeiliAccount`: one tenant's Meilisearch instance-wide state: its index list, its tasks, its API keys.

Meilisearch answers every write with a task and runs it later; here the write runs before the answer
is sent, and the task is recorded with its outcome, so a client waiting on the task id (as the SDKs
do) sees it `succeeded` or `failed` on its first look. Task ids count up per tenant.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from ...context import DO

SCHEMA = """
CREATE TABLE IF NOT EXISTS meili_indexes (uid TEXT PRIMARY KEY, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS meili_tasks (
    uid INTEGER PRIMARY KEY AUTOINCREMENT, index_uid TEXT, status TEXT NOT NULL, type TEXT NOT NULL,
    details TEXT, error TEXT, enqueued_at REAL NOT NULL, started_at REAL, finished_at REAL,
    custom_metadata TEXT);
CREATE TABLE IF NOT EXISTS meili_keys (
    uid TEXT PRIMARY KEY, key TEXT NOT NULL UNIQUE, name TEXT, description TEXT, actions TEXT NOT NULL,
    indexes TEXT NOT NULL, expires_at TEXT, created_at REAL NOT NULL, updated_at REAL NOT NULL);
"""


def timestamp(seconds: float | None) -> str | None:
    """Seconds since the epoch as Meilisearch writes dates (RFC 3339, microseconds, `Z`)."""
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _duration(started: float | None, finished: float | None) -> str | None:
    if started is None or finished is None:
        return None
    return f"PT{max(0.0, finished - started):.6f}S"


class MeiliAccount(DO):
    """The indexes, tasks and API keys of one tenant."""

    async def on_start(self) -> None:
        self.storage.sql.exec(SCHEMA)
        columns = {row["name"] for row in self.storage.sql.exec("PRAGMA table_info(meili_tasks)")}
        if "custom_metadata" not in columns:  # a task table of an earlier version
            self.storage.sql.exec("ALTER TABLE meili_tasks ADD COLUMN custom_metadata TEXT")

    # -- indexes ------------------------------------------------------------------------------------

    def add_index(self, uid: str) -> None:
        """Record index `uid` (again: a no-op)."""
        self.storage.sql.exec("INSERT OR IGNORE INTO meili_indexes VALUES (?, ?)", uid, time.time())

    def remove_index(self, uid: str) -> None:
        """Forget index `uid`."""
        self.storage.sql.exec("DELETE FROM meili_indexes WHERE uid = ?", uid)

    def indexes(self) -> list[str]:
        """The tenant's index uids, sorted."""
        return [row["uid"] for row in self.storage.sql.exec("SELECT uid FROM meili_indexes ORDER BY uid")]

    # -- tasks --------------------------------------------------------------------------------------

    def record_task(
        self,
        index_uid: str | None,
        task_type: str,
        details: dict[str, Any],
        error: dict[str, Any] | None,
        enqueued_at: float,
        started_at: float,
        custom_metadata: str | None = None,
    ) -> dict[str, Any]:
        """Record a task that has run, with its outcome; the task's summary (`TaskInfo`) as enqueued."""
        row = self.storage.sql.exec(
            "INSERT INTO meili_tasks (index_uid, status, type, details, error, enqueued_at, started_at, finished_at, "
            "custom_metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING uid",
            index_uid,
            "failed" if error else "succeeded",
            task_type,
            json.dumps(details),
            json.dumps(error) if error else None,
            enqueued_at,
            started_at,
            time.time(),
            custom_metadata,
        ).one()
        return {
            "taskUid": row["uid"],
            "indexUid": index_uid,
            "status": "enqueued",
            "type": task_type,
            "enqueuedAt": timestamp(enqueued_at),
        }

    def task(self, uid: int) -> dict[str, Any] | None:
        """Task `uid` as `GET /tasks/{uid}` shows it, or None."""
        rows = self.storage.sql.exec("SELECT * FROM meili_tasks WHERE uid = ?", uid).to_list()
        return _task(rows[0]) if rows else None

    def tasks(self, filters: dict[str, list[str]], limit: int, start: int | None) -> dict[str, Any]:
        """Tasks newest first, filtered by uids, statuses, types and indexUids: `GET /tasks`."""
        where, bindings = _task_filter(filters)
        total = self.storage.sql.exec(f"SELECT count(*) AS n FROM meili_tasks WHERE {where}", *bindings).one()["n"]
        if start is not None:
            where += " AND uid <= ?"
            bindings.append(start)
        rows = self.storage.sql.exec(
            f"SELECT * FROM meili_tasks WHERE {where} ORDER BY uid DESC LIMIT ?", *bindings, limit + 1
        ).to_list()
        following = rows[limit]["uid"] if len(rows) > limit else None
        results = [_task(row) for row in rows[:limit]]
        return {
            "results": results,
            "total": total,
            "limit": limit,
            "from": results[0]["uid"] if results else None,
            "next": following,
        }

    def delete_tasks(self, filters: dict[str, list[str]]) -> int:
        """Forget the finished tasks that `filters` select (`DELETE /tasks`); how many were deleted."""
        where, bindings = _task_filter(filters)
        return self.storage.sql.exec(
            f"DELETE FROM meili_tasks WHERE {where} AND status IN ('succeeded', 'failed', 'canceled')", *bindings
        ).rows_written

    # -- API keys -----------------------------------------------------------------------------------

    def create_key(
        self,
        tenant: str,
        actions: list[str],
        indexes: list[str],
        expires_at: str | None,
        name: str | None,
        description: str | None,
        uid: str | None,
    ) -> dict[str, Any]:
        """A new API key of this tenant (its value names the tenant: `<tenant>_<random>`)."""
        now = time.time()
        uid = uid or str(uuid.uuid4())
        key = f"{tenant}_{secrets.token_hex(24)}"
        self.storage.sql.exec(
            "INSERT INTO meili_keys VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            uid,
            key,
            name,
            description,
            json.dumps(actions),
            json.dumps(indexes),
            expires_at,
            now,
            now,
        )
        found = self.key(uid)
        assert found is not None
        return found

    def key(self, key_or_uid: str) -> dict[str, Any] | None:
        """The key with this uid or value, or None."""
        rows = self.storage.sql.exec(
            "SELECT * FROM meili_keys WHERE uid = ? OR key = ?", key_or_uid, key_or_uid
        ).to_list()
        return _key(rows[0]) if rows else None

    def keys(self) -> list[dict[str, Any]]:
        """Every API key, newest first."""
        return [_key(row) for row in self.storage.sql.exec("SELECT * FROM meili_keys ORDER BY created_at DESC")]

    def update_key(self, key_or_uid: str, name: Any, description: Any) -> dict[str, Any] | None:
        """Change a key's name and description (the only fields Meilisearch lets change)."""
        found = self.key(key_or_uid)
        if found is None:
            return None
        self.storage.sql.exec(
            "UPDATE meili_keys SET name = ?, description = ?, updated_at = ? WHERE uid = ?",
            name,
            description,
            time.time(),
            found["uid"],
        )
        return self.key(found["uid"])

    def delete_key(self, key_or_uid: str) -> bool:
        """Delete a key; False if there was none."""
        found = self.key(key_or_uid)
        if found is None:
            return False
        self.storage.sql.exec("DELETE FROM meili_keys WHERE uid = ?", found["uid"])
        return True


def _task_filter(filters: dict[str, list[str]]) -> tuple[str, list[Any]]:
    """The WHERE clause and its bindings that select the tasks `filters` name."""
    conditions, bindings = ["1"], []
    columns = {"uids": "uid", "statuses": "status", "types": "type", "indexUids": "index_uid"}
    for name, column in columns.items():
        if filters.get(name):
            conditions.append(f"{column} IN (SELECT value FROM json_each(?))")
            values = [int(v) for v in filters[name]] if name == "uids" else filters[name]
            bindings.append(json.dumps(values))
    return " AND ".join(conditions), bindings


def _task(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "uid": row["uid"],
        "indexUid": row["index_uid"],
        "status": row["status"],
        "type": row["type"],
        "canceledBy": None,
        "details": json.loads(row["details"]) if row["details"] else None,
        "error": json.loads(row["error"]) if row["error"] else None,
        "duration": _duration(row["started_at"], row["finished_at"]),
        "enqueuedAt": timestamp(row["enqueued_at"]),
        "startedAt": timestamp(row["started_at"]),
        "finishedAt": timestamp(row["finished_at"]),
        **({"customMetadata": row["custom_metadata"]} if row["custom_metadata"] is not None else {}),
    }


def _key(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "uid": row["uid"],
        "key": row["key"],
        "name": row["name"],
        "description": row["description"],
        "actions": json.loads(row["actions"]),
        "indexes": json.loads(row["indexes"]),
        "expiresAt": row["expires_at"],
        "createdAt": timestamp(row["created_at"]),
        "updatedAt": timestamp(row["updated_at"]),
    }
