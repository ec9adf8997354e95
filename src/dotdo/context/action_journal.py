"""The `actions` table: one row per `try_` attempt and per `do` step (its arguments, attempts, result)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..runtime.lazy_table import LazyTable
from .events import decode_json, encode_json

if TYPE_CHECKING:
    from ..runtime.object_storage import ObjectStorage

ACTIONS_TABLE = "actions"

RUNNING = "running"
RETRYING = "retrying"
COMPLETED = "completed"
FAILED = "failed"


@dataclass(frozen=True, slots=True)
class ActionRecord:
    """One journaled action: `status` is running, retrying, completed or failed."""

    step_id: str
    kind: str
    action: str
    args: Any
    status: str
    attempts: int
    result: Any
    error: str | None
    policy: dict[str, Any] | None
    created_at: float
    updated_at: float
    next_attempt_at: float | None


class ActionJournal:
    """The object's `actions` table (created on first use)."""

    def __init__(self, storage: ObjectStorage) -> None:
        self._storage = storage
        self._table = LazyTable(
            storage,
            ACTIONS_TABLE,
            f"CREATE TABLE IF NOT EXISTS {ACTIONS_TABLE} (step_id TEXT PRIMARY KEY, kind TEXT NOT NULL, "
            "action TEXT NOT NULL, args TEXT, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, "
            "result TEXT, error TEXT, policy TEXT, created_at REAL NOT NULL, updated_at REAL NOT NULL, "
            "next_attempt_at REAL)",
        )

    def ensure_table(self) -> None:
        """Create the table now if it does not exist yet (for layers that extend it, e.g. with triggers)."""
        self._table.ensure()

    def get(self, step_id: str) -> ActionRecord | None:
        """The journal row of a step, or None."""
        if not self._table.exists():
            return None
        rows = self._storage.sql.exec(f"SELECT * FROM {ACTIONS_TABLE} WHERE step_id = ?", step_id).to_list()
        return _record(rows[0]) if rows else None

    def start(
        self, step_id: str, *, kind: str, action: str, args_json: str, policy: dict[str, Any] | None, now: float
    ) -> int:
        """Mark an attempt as running (creating the row if new); returns the attempt number."""
        self._table.ensure()
        row = self._storage.sql.exec(
            f"INSERT INTO {ACTIONS_TABLE} (step_id, kind, action, args, status, attempts, policy, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, 'running', 1, ?, ?, ?) ON CONFLICT(step_id) DO UPDATE SET "
            "status = 'running', attempts = attempts + 1, updated_at = excluded.updated_at, next_attempt_at = NULL "
            "RETURNING attempts",
            step_id,
            kind,
            action,
            args_json,
            None if policy is None else encode_json(policy),
            now,
            now,
        ).one()
        return int(row["attempts"])

    def complete(self, step_id: str, result_json: str, now: float) -> None:
        """The step succeeded with this result."""
        self._storage.sql.exec(
            f"UPDATE {ACTIONS_TABLE} SET status = 'completed', result = ?, error = NULL, updated_at = ?, "
            "next_attempt_at = NULL WHERE step_id = ?",
            result_json,
            now,
            step_id,
        )

    def retry_at(self, step_id: str, error: str, when: float, now: float) -> None:
        """An attempt failed; the next one is due at `when`."""
        self._storage.sql.exec(
            f"UPDATE {ACTIONS_TABLE} SET status = 'retrying', error = ?, updated_at = ?, next_attempt_at = ? "
            "WHERE step_id = ?",
            error,
            now,
            when,
            step_id,
        )

    def fail(self, step_id: str, error: str, now: float) -> None:
        """The step failed for good."""
        self._storage.sql.exec(
            f"UPDATE {ACTIONS_TABLE} SET status = 'failed', error = ?, updated_at = ?, next_attempt_at = NULL "
            "WHERE step_id = ?",
            error,
            now,
            step_id,
        )

    def list(self, *, status: str | None = None, limit: int = 1000) -> list[ActionRecord]:
        """Journal rows, oldest first (of one status if given)."""
        if not self._table.exists():
            return []
        if status is None:
            rows = self._storage.sql.exec(f"SELECT * FROM {ACTIONS_TABLE} ORDER BY created_at LIMIT ?", limit)
        else:
            rows = self._storage.sql.exec(
                f"SELECT * FROM {ACTIONS_TABLE} WHERE status = ? ORDER BY created_at LIMIT ?", status, limit
            )
        return [_record(row) for row in rows]


def _record(row: dict[str, Any]) -> ActionRecord:
    return ActionRecord(
        row["step_id"],
        row["kind"],
        row["action"],
        decode_json(row["args"]),
        row["status"],
        row["attempts"],
        decode_json(row["result"]),
        row["error"],
        decode_json(row["policy"]),
        row["created_at"],
        row["updated_at"],
        row["next_attempt_at"],
    )
