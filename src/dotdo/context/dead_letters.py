"""The dead-letter table: what failed for good (a handler, a `do` step, a send, a delivery), replayable.

Each row keeps what replaying needs (`payload`, JSON) and the last error. Replaying is done by the
context (`ctx.replay(id)`), which knows how to re-run each kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..runtime.lazy_table import LazyTable
from .events import decode_json, encode_json

if TYPE_CHECKING:
    from ..runtime.object_storage import ObjectStorage

DEAD_LETTERS_TABLE = "dead_letters"
MAX_ERROR_LENGTH = 4000

KINDS = ("handler", "action", "send", "delivery")
"""handler: an event handler kept failing; action: a `do` step exhausted its retries; send: an event
could not be recorded; delivery: an event could not reach a subscriber."""


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """One failure kept for inspection and replay."""

    id: int
    kind: str
    name: str
    event_type: str | None
    payload: Any
    error: str
    attempts: int
    created_at: float
    replayed_at: float | None

    @property
    def created(self) -> datetime:
        """`created_at` as an aware UTC datetime."""
        return datetime.fromtimestamp(self.created_at, UTC)


def describe_error(exc: BaseException) -> str:
    """`"ValueError: message"`, cut to a bounded length."""
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= MAX_ERROR_LENGTH else text[: MAX_ERROR_LENGTH - 1] + "…"


class DeadLetterBox:
    """The object's `dead_letters` table (created on first use)."""

    def __init__(self, storage: ObjectStorage, on_added: Callable[[str, str, str], None] | None = None) -> None:
        """`on_added(kind, name, error)` is told of each failure kept."""
        self._storage = storage
        self._on_added = on_added
        self._table = LazyTable(
            storage,
            DEAD_LETTERS_TABLE,
            f"CREATE TABLE IF NOT EXISTS {DEAD_LETTERS_TABLE} (id INTEGER PRIMARY KEY AUTOINCREMENT, "
            "kind TEXT NOT NULL, name TEXT NOT NULL, event_type TEXT, payload TEXT, error TEXT NOT NULL, "
            "attempts INTEGER NOT NULL, created_at REAL NOT NULL, replayed_at REAL)",
        )

    def add(
        self, kind: str, name: str, *, payload: Any, error: str, attempts: int, now: float, event_type: str | None
    ) -> int:
        """Keep one failure; returns its id."""
        if kind not in KINDS:
            raise ValueError(f"Unknown dead-letter kind {kind!r}; expected one of {', '.join(KINDS)}")
        self._table.ensure()
        row = self._storage.sql.exec(
            f"INSERT INTO {DEAD_LETTERS_TABLE} (kind, name, event_type, payload, error, attempts, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            kind,
            name,
            event_type,
            encode_json(payload, "dead-letter payload"),
            error[:MAX_ERROR_LENGTH],
            attempts,
            now,
        ).one()
        if self._on_added is not None:
            self._on_added(kind, name, error)
        return int(row["id"])

    def get(self, dead_letter_id: int) -> DeadLetter | None:
        """The dead letter with that id, or None."""
        if not self._table.exists():
            return None
        rows = self._storage.sql.exec(f"SELECT * FROM {DEAD_LETTERS_TABLE} WHERE id = ?", dead_letter_id).to_list()
        return _dead_letter(rows[0]) if rows else None

    def list(self, *, include_replayed: bool = False, limit: int = 1000) -> list[DeadLetter]:
        """Dead letters, oldest first (only those not replayed successfully, unless asked)."""
        if not self._table.exists():
            return []
        where = "" if include_replayed else "WHERE replayed_at IS NULL "
        rows = self._storage.sql.exec(f"SELECT * FROM {DEAD_LETTERS_TABLE} {where}ORDER BY id LIMIT ?", limit)
        return [_dead_letter(row) for row in rows]

    def mark_replayed(self, dead_letter_id: int, now: float) -> None:
        """A replay succeeded."""
        self._storage.sql.exec(f"UPDATE {DEAD_LETTERS_TABLE} SET replayed_at = ? WHERE id = ?", now, dead_letter_id)

    def note_failed_replay(self, dead_letter_id: int, error: str) -> None:
        """A replay failed again: count the attempt and keep the new error."""
        self._storage.sql.exec(
            f"UPDATE {DEAD_LETTERS_TABLE} SET attempts = attempts + 1, error = ? WHERE id = ?",
            error[:MAX_ERROR_LENGTH],
            dead_letter_id,
        )


def _dead_letter(row: dict[str, Any]) -> DeadLetter:
    return DeadLetter(
        row["id"],
        row["kind"],
        row["name"],
        row["event_type"],
        decode_json(row["payload"]),
        row["error"],
        row["attempts"],
        row["created_at"],
        row["replayed_at"],
    )
