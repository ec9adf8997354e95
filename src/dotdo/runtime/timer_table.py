"""The per-object timer table: the user's alarm and every internal timer (schedules, retries) share it.

One row per timer; the object's earliest timer is what the runtime's alarm scheduler wakes it for.
Features above the runtime declare a handler per timer `kind` (see `extensions.Extensions`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import msgspec

from .lazy_table import LazyTable

if TYPE_CHECKING:
    from .storage import Storage

TIMER_TABLE = "_dotdo_timers"
ALARM_TIMER_ID = "alarm"
TIMER_TABLE_SCHEMA = (
    f"CREATE TABLE IF NOT EXISTS {TIMER_TABLE} (id TEXT PRIMARY KEY, fire_at REAL NOT NULL, "
    "kind TEXT NOT NULL, payload BLOB, retry_count INTEGER NOT NULL DEFAULT 0, "
    "generation INTEGER NOT NULL DEFAULT 0)",
    f"CREATE INDEX IF NOT EXISTS {TIMER_TABLE}_fire_at ON {TIMER_TABLE}(fire_at)",
)
"""The timer table's DDL (a class whose objects all use timers declares it in `Extensions(tables=)`)."""

_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder()


@dataclass(frozen=True, slots=True)
class Timer:
    """One pending timer: fires `kind` at `fire_at` (epoch seconds) with `payload`."""

    id: str
    fire_at: float
    kind: str
    payload: Any
    retry_count: int
    generation: int
    unreadable: str | None = None
    """Why the stored payload could not be decoded (the row is kept as it is), or None."""


class TimerTable:
    """The timers of one object, in its own SQLite database."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        # The storage tells this table of every rollback (`forget_schema`): creation is remembered
        # even inside a transaction_sync block.
        self._table = LazyTable(storage, TIMER_TABLE, create=self._create, remember_in_blocks=True)

    def forget_schema(self) -> None:
        """The table may be gone (a rollback, delete_all); check again on next use."""
        self._table.forget()

    def _create(self) -> None:
        storage = self._storage
        # Checked first: the runtime's statements count as writes, and a read must not cost a commit.
        if not storage.table_exists(TIMER_TABLE):
            for statement in TIMER_TABLE_SCHEMA:
                storage.run_internal(statement, write=True)

    def set(self, timer_id: str, fire_at: float, *, kind: str, payload: Any = None, retry_count: int = 0) -> None:
        """Create or replace a timer."""
        self._table.ensure()
        self._storage.run_internal(
            f"INSERT INTO {TIMER_TABLE} (id, fire_at, kind, payload, retry_count) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET fire_at = excluded.fire_at, kind = excluded.kind, "
            "payload = excluded.payload, retry_count = excluded.retry_count, generation = generation + 1",
            (timer_id, float(fire_at), kind, _encoder.encode(payload), retry_count),
            write=True,
        )
        self._storage.notify_timers_changed()

    def get(self, timer_id: str) -> Timer | None:
        """The timer with that id, or None."""
        if not self._table.exists():
            return None
        rows = self._storage.run_internal(f"SELECT * FROM {TIMER_TABLE} WHERE id = ?", (timer_id,))
        return _timer(rows[0]) if rows else None

    def delete(self, timer_id: str) -> bool:
        """Delete a timer; True if it existed."""
        if not self._table.exists():
            return False
        rows = self._storage.run_internal(
            f"DELETE FROM {TIMER_TABLE} WHERE id = ? RETURNING id", (timer_id,), write=True
        )
        self._storage.notify_timers_changed()
        return bool(rows)

    def finish(self, timer: Timer) -> None:
        """Remove a timer that fired, unless its handler set it again meanwhile."""
        self._storage.run_internal(
            f"DELETE FROM {TIMER_TABLE} WHERE id = ? AND generation = ?", (timer.id, timer.generation), write=True
        )
        self._storage.notify_timers_changed()

    def postpone(self, timer: Timer, fire_at: float) -> None:
        """Move a timer that could not run yet (unknown kind, unreadable payload) to `fire_at`, unchanged."""
        self._storage.run_internal(
            f"UPDATE {TIMER_TABLE} SET fire_at = ?, generation = generation + 1 WHERE id = ? AND generation = ?",
            (fire_at, timer.id, timer.generation),
            write=True,
        )
        self._storage.notify_timers_changed()

    def retry(self, timer: Timer, fire_at: float) -> None:
        """Push a failed timer back to `fire_at` with its retry count raised."""
        self._storage.run_internal(
            f"UPDATE {TIMER_TABLE} SET fire_at = ?, retry_count = retry_count + 1, generation = generation + 1 "
            "WHERE id = ? AND generation = ?",
            (fire_at, timer.id, timer.generation),
            write=True,
        )
        self._storage.notify_timers_changed()

    def next_fire_at(self) -> float | None:
        """When the earliest timer is due, or None."""
        if not self._table.exists():
            return None
        rows = self._storage.run_internal(f"SELECT min(fire_at) FROM {TIMER_TABLE}")
        return rows[0][0]

    def due(self, now: float, limit: int = 1000) -> list[Timer]:
        """Timers due at `now`, earliest first."""
        if not self._table.exists():
            return []
        rows = self._storage.run_internal(
            f"SELECT * FROM {TIMER_TABLE} WHERE fire_at <= ? ORDER BY fire_at, id LIMIT ?", (now, limit)
        )
        return [_timer(row) for row in rows]

    def list(self, kind: str | None = None) -> list[Timer]:
        """Every timer (of one kind if given), earliest first."""
        if not self._table.exists():
            return []
        if kind is None:
            rows = self._storage.run_internal(f"SELECT * FROM {TIMER_TABLE} ORDER BY fire_at, id")
        else:
            rows = self._storage.run_internal(
                f"SELECT * FROM {TIMER_TABLE} WHERE kind = ? ORDER BY fire_at, id", (kind,)
            )
        return [_timer(row) for row in rows]


def _timer(row: tuple[Any, ...]) -> Timer:
    timer_id, fire_at, kind, payload, retry_count, generation = row
    try:
        value = _decoder.decode(payload) if payload else None
    except (msgspec.DecodeError, TypeError) as exc:
        # Kept and reported, never dropped: one bad row must not stop the object's other timers.
        return Timer(timer_id, fire_at, kind, None, retry_count, generation, f"{type(exc).__name__}: {exc}")
    return Timer(timer_id, fire_at, kind, value, retry_count, generation)
