"""The alarm scheduler: one runtime-wide index of each object's earliest timer, fired when due.

The index is a SQLite file of the runtime's own, committed before the objects' files in every
flush, so a crash can leave a stale index entry (a harmless spurious wake-up) but never lose one.
Alarms missed while the process was down are due at start and fire at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from .clock import Clock
from .ids import ObjectId
from .storage import Storage

if TYPE_CHECKING:
    from .host import ObjectHost, ObjectRecord

log = logging.getLogger("dotdo.runtime")

INDEX_TABLE = "alarm_index"
_BATCH = 500
_MANUAL_ROUNDS = 100
FIRING_FIRST_BACKOFF = 2.0
FIRING_MAX_BACKOFF = 300.0
"""Seconds before an object whose timers could not be fired at all (its activation failed) is tried again."""


class AlarmScheduler:
    """Wakes objects whose timers are due, by the runtime's clock."""

    def __init__(self, host: ObjectHost, index: Storage, clock: Clock) -> None:
        self.host = host
        self.index = index
        self.clock = clock
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._running: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._reported_classes: set[str] = set()
        self._failures: dict[tuple[str, str], int] = {}
        self._closed = False
        self.changes = 0
        """How many times the index was written: a copy of it kept elsewhere is stale when this moved."""
        index.group_commit.first = index
        index.run_internal(
            f"CREATE TABLE IF NOT EXISTS {INDEX_TABLE} (namespace TEXT NOT NULL, id TEXT NOT NULL, name TEXT, "
            "fire_at REAL NOT NULL, PRIMARY KEY (namespace, id)) WITHOUT ROWID",
            write=True,
        )
        index.run_internal(f"CREATE INDEX IF NOT EXISTS {INDEX_TABLE}_fire_at ON {INDEX_TABLE}(fire_at)", write=True)
        host.on_timers_changed = self.note

    def note(self, record: ObjectRecord, fire_at: float | None) -> None:
        """Record an object's earliest timer (None: it has none)."""
        oid = record.id
        self.changes += 1
        if fire_at is None:
            self.index.run_internal(
                f"DELETE FROM {INDEX_TABLE} WHERE namespace = ? AND id = ?", (oid.namespace, oid.hex), write=True
            )
            return
        self.index.run_internal(
            f"INSERT INTO {INDEX_TABLE} (namespace, id, name, fire_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(namespace, id) DO UPDATE SET fire_at = excluded.fire_at, name = excluded.name",
            (oid.namespace, oid.hex, oid.name, fire_at),
            write=True,
        )
        self._wake.set()

    def wake(self) -> None:
        """Look at the index again now (a class was registered: its due alarms can fire)."""
        self._wake.set()

    def start(self) -> None:
        """Begin firing timers (at once for those missed while the runtime was down)."""
        if self.clock.manual:
            self.clock.subscribe(self.fire_due)
        else:
            self._task = asyncio.get_running_loop().create_task(self._loop(), name="dotdo-alarm-scheduler")

    async def close(self) -> None:
        """Stop firing; timers in flight finish first."""
        self._closed = True
        self.clock.unsubscribe(self.fire_due)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._running:
            await asyncio.gather(*self._running.values(), return_exceptions=True)

    def entries(self) -> list[tuple[str, str, str | None]]:
        """(namespace, id, name) of every object with a timer, in the order they come due."""
        return self.index.run_internal(f"SELECT namespace, id, name FROM {INDEX_TABLE} ORDER BY fire_at")

    def next_fire_at(self) -> float | None:
        """The earliest timer of any object, or None."""
        return self.index.run_internal(f"SELECT min(fire_at) FROM {INDEX_TABLE}")[0][0]

    async def _loop(self) -> None:
        while not self._closed:
            self._wake.clear()
            # One instant for both questions: a timer that came due between them would be neither
            # dispatched nor waited for, and would sleep until something else woke the loop.
            now = self.clock.now()
            self._dispatch_due(now)
            upcoming = self.index.run_internal(f"SELECT min(fire_at) FROM {INDEX_TABLE} WHERE fire_at > ?", (now,))[0][
                0
            ]
            timeout = None if upcoming is None else max(0.0, upcoming - self.clock.now())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    def _dispatch_due(self, now: float) -> None:
        classes = self.host.classes
        self._report_unregistered(now)
        # Alarms of classes not registered (yet) stay in the index and never take a registered class's turn.
        marks = ", ".join("?" * len(classes))
        rows = self.index.run_internal(
            f"SELECT namespace, id, name FROM {INDEX_TABLE} WHERE fire_at <= ? AND namespace IN ({marks}) "
            "ORDER BY fire_at LIMIT ?",
            (now, *classes, _BATCH),
        )
        for namespace, hex_id, name in rows:
            key = (namespace, hex_id)
            if key in self._running:
                continue
            cls = classes[namespace]
            task = asyncio.get_running_loop().create_task(self._fire(cls, ObjectId(namespace, hex_id, name)))
            self._running[key] = task

    def _report_unregistered(self, now: float) -> None:
        """Say once per class that alarms are due for a class this runtime does not know (they are kept)."""
        for (namespace,) in self.index.run_internal(
            f"SELECT DISTINCT namespace FROM {INDEX_TABLE} WHERE fire_at <= ?", (now,)
        ):
            if namespace not in self.host.classes and namespace not in self._reported_classes:
                self._reported_classes.add(namespace)
                log.warning(
                    "Alarms are due for class %r, which is not registered; keeping them until it is "
                    "(pass it to Runtime(objects=...) or API(objects=...))",
                    namespace,
                )

    async def _fire(self, cls: type, oid: ObjectId) -> None:
        key = (oid.namespace, oid.hex)
        try:
            await self.host.run_due_timers(cls, oid)
        except Exception:
            # The timers stay. Tried again at once (a failed commit resets the object), then with
            # backoff rather than in a loop (an object whose activation keeps failing).
            failures = self._failures.get(key, 0) + 1
            self._failures[key] = failures
            log.exception("Firing timers of %s %s failed (%d in a row)", cls.__name__, oid, failures)
            if failures > 1:
                delay = min(FIRING_FIRST_BACKOFF * 2 ** (failures - 2), FIRING_MAX_BACKOFF)
                self.index.run_internal(
                    f"UPDATE {INDEX_TABLE} SET fire_at = ? WHERE namespace = ? AND id = ?",
                    (self.clock.now() + delay, *key),
                    write=True,
                )
        else:
            self._failures.pop(key, None)
        finally:
            self._running.pop(key, None)
            self._wake.set()

    async def fire_due(self) -> None:
        """Fire everything due now and wait for it (how `ManualClock.advance` drives time)."""
        for _ in range(_MANUAL_ROUNDS):
            self._dispatch_due(self.clock.now())
            if not self._running:
                return
            await asyncio.gather(*list(self._running.values()), return_exceptions=True)
            self.host.group_commit.flush()
