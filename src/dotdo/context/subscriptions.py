"""Durable cross-object subscriptions: the source keeps subscribers and an outbox in its own SQLite.

`ctx.subscribe(ctx.Customer("alice"), "*.created", "on_customer_created")` stores a row in alice's
`subscriptions` table. Each matching event alice records is written to her `outbox` in the same
transaction as the event, then delivered by a timer (and at once, in the background): in order per
subscriber, retried with backoff, dead-lettered after `MAX_DELIVERY_ATTEMPTS`. The subscriber records
each delivered event id in its `events` table, so a repeated delivery runs its method once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import msgspec

from ..runtime.durable_object import RESERVED_NAMES
from ..runtime.errors import UnknownClassError
from ..runtime.ids import ObjectId
from ..runtime.lazy_table import LazyTable
from .dead_letters import describe_error
from .dispatch import call_isolated, is_async_callable
from .events import Event, decode_json, encode_json, split_type

if TYPE_CHECKING:
    from ..runtime.timer_table import Timer
    from .context import Context

log = logging.getLogger("dotdo.context")

SUBSCRIPTIONS_TABLE = "subscriptions"
OUTBOX_TABLE = "outbox"
OUTBOX_TIMER_ID = "dotdo:outbox"
OUTBOX_TIMER_KIND = "dotdo.outbox"
MAX_DELIVERY_ATTEMPTS = 10
FIRST_RETRY = 1.0
MAX_RETRY = 300.0
BACKSTOP_DELAY = 5.0


class UnreadableDeliveryError(Exception):
    """An outbox row whose stored event cannot be decoded (kept in the outbox, never dropped)."""


_reported_waits: set[str] = set()
"""Why deliveries were kept waiting (an unknown class, an unreadable row), each logged once per process."""


def _matches(pattern: str, event: Event) -> bool:
    noun, verb = pattern.partition(".")[::2]
    return noun in ("*", event.noun) and verb in ("*", event.verb)


def check_method_name(method: str) -> None:
    """A subscriber method name: a plain public identifier."""
    if not isinstance(method, str) or not method.isidentifier() or method.startswith("_"):
        raise ValueError(f"{method!r} is not a public method name (subscriptions call a method of the subscriber)")
    if method in RESERVED_NAMES:
        raise ValueError(f"{method!r} belongs to the runtime; subscribe a method of your own (e.g. 'on_{method}')")


class Subscriptions:
    """One object's subscribers (as a source) and its receiving side (as a subscriber)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._table = LazyTable(
            ctx.storage,
            SUBSCRIPTIONS_TABLE,
            f"CREATE TABLE IF NOT EXISTS {SUBSCRIPTIONS_TABLE} (id INTEGER PRIMARY KEY AUTOINCREMENT, "
            "namespace TEXT NOT NULL, object_id TEXT NOT NULL, object_name TEXT, pattern TEXT NOT NULL, "
            "method TEXT NOT NULL, created_at REAL NOT NULL, UNIQUE (namespace, object_id, pattern, method))",
            f"CREATE TABLE IF NOT EXISTS {OUTBOX_TABLE} (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
            "namespace TEXT NOT NULL, object_id TEXT NOT NULL, object_name TEXT, method TEXT NOT NULL, "
            "event TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at REAL NOT NULL, "
            "last_error TEXT)",
        )
        self._cache: list[dict[str, Any]] | None = None
        self._draining = False
        self._again = False

    # -- source side --------------------------------------------------------------------------------

    def add(self, subscriber: ObjectId, pattern: str, method: str) -> int:
        """Subscribe `subscriber.method` to this object's events matching `pattern` (idempotent)."""
        split_type(pattern, wildcard=True)
        check_method_name(method)
        self._table.ensure()
        self.ctx.storage.sql.exec(
            f"INSERT INTO {SUBSCRIPTIONS_TABLE} (namespace, object_id, object_name, pattern, method, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            subscriber.namespace,
            subscriber.hex,
            subscriber.name,
            pattern,
            method,
            self.ctx.now(),
        )
        self._cache = None
        row = self.ctx.storage.sql.exec(
            f"SELECT id FROM {SUBSCRIPTIONS_TABLE} "
            "WHERE namespace = ? AND object_id = ? AND pattern = ? AND method = ?",
            subscriber.namespace,
            subscriber.hex,
            pattern,
            method,
        ).one()
        return int(row["id"])

    def remove(self, subscriber: ObjectId, pattern: str, method: str) -> bool:
        """Stop a subscription; True if it existed (events already in the outbox are still delivered)."""
        if not self._table.exists():
            return False
        cursor = self.ctx.storage.sql.exec(
            f"DELETE FROM {SUBSCRIPTIONS_TABLE} WHERE namespace = ? AND object_id = ? AND pattern = ? AND method = ?",
            subscriber.namespace,
            subscriber.hex,
            pattern,
            method,
        )
        self._cache = None
        return cursor.rows_written == 1

    def list(self) -> list[dict[str, Any]]:
        """This object's subscribers: namespace, object_id, object_name, pattern, method."""
        if self._cache is None:
            self._cache = (
                self.ctx.storage.sql.exec(f"SELECT * FROM {SUBSCRIPTIONS_TABLE} ORDER BY id").to_list()
                if self._table.exists()
                else []
            )
        return self._cache

    def fan_out(self, event: Event) -> None:
        """Queue `event` for every matching subscriber (in the transaction that records the event)."""
        subscribers = [s for s in self.list() if _matches(s["pattern"], event)]
        if not subscribers:
            return
        ctx = self.ctx
        now = ctx.now()
        text = encode_json(event.to_dict())
        for sub in subscribers:
            ctx.storage.sql.exec(
                f"INSERT INTO {OUTBOX_TABLE} (namespace, object_id, object_name, method, event, next_attempt_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                sub["namespace"],
                sub["object_id"],
                sub["object_name"],
                sub["method"],
                text,
                now,
            )
        timer = ctx.storage.timers.get(OUTBOX_TIMER_ID)
        if timer is None or timer.fire_at > now + BACKSTOP_DELAY:
            ctx.storage.timers.set(OUTBOX_TIMER_ID, now + BACKSTOP_DELAY, kind=OUTBOX_TIMER_KIND)
        ctx.spawn(self.drain)

    def pending(self) -> int:
        """How many deliveries wait in the outbox."""
        if not self._table.exists():
            return 0
        return int(self.ctx.storage.sql.exec(f"SELECT count(*) AS n FROM {OUTBOX_TABLE}").one()["n"])

    async def drain(self) -> None:
        """Deliver what is due in the outbox, in order per subscriber; reschedule the rest."""
        if self._draining:
            self._again = True
            return
        self._draining = True
        try:
            self._again = True
            while self._again:
                self._again = False
                await self._deliver_due()
        finally:
            self._draining = False
        self._schedule_next()

    async def _deliver_due(self) -> None:
        if not self._table.exists():
            return
        ctx = self.ctx
        rows = ctx.storage.sql.exec(f"SELECT * FROM {OUTBOX_TABLE} ORDER BY seq LIMIT 1000").to_list()
        blocked: set[tuple[str, str]] = set()
        for row in rows:
            target = (row["namespace"], row["object_id"])
            if target in blocked:
                continue
            if row["next_attempt_at"] > ctx.now():
                blocked.add(target)
                continue
            try:
                await self._deliver(row)
            except (UnknownClassError, UnreadableDeliveryError) as exc:
                # Not the subscriber's failure: wait (uncounted) until its class is registered or the row is fixed.
                blocked.add(target)
                self._wait(row, exc)
            except Exception as exc:
                blocked.add(target)
                self._failed(row, exc)
            else:
                ctx.storage.sql.exec(f"DELETE FROM {OUTBOX_TABLE} WHERE seq = ?", row["seq"])

    async def _deliver(self, row: dict[str, Any]) -> None:
        runtime = self.ctx.runtime
        cls = runtime.class_named(row["namespace"])
        oid = ObjectId(row["namespace"], row["object_id"], row["object_name"])
        try:
            event = decode_json(row["event"])
        except msgspec.DecodeError as exc:
            raise UnreadableDeliveryError(f"the event stored in outbox row {row['seq']} is unreadable: {exc}") from None
        method = row["method"]
        await runtime.run_in(cls, oid, lambda obj: obj.ctx.subscriptions.receive(event, method))

    def _wait(self, row: dict[str, Any], exc: Exception) -> None:
        """Keep a delivery that cannot be attempted now; try it again after `MAX_RETRY` seconds."""
        error = describe_error(exc)
        if error not in _reported_waits:
            _reported_waits.add(error)
            log.warning(
                "outbox delivery to %s kept waiting: %s; trying again every %.0f s", row["namespace"], error, MAX_RETRY
            )
        ctx = self.ctx
        ctx.storage.sql.exec(
            f"UPDATE {OUTBOX_TABLE} SET next_attempt_at = ?, last_error = ? WHERE seq = ?",
            ctx.now() + MAX_RETRY,
            error,
            row["seq"],
        )

    def _failed(self, row: dict[str, Any], exc: Exception) -> None:
        ctx = self.ctx
        attempts = row["attempts"] + 1
        error = describe_error(exc)
        if attempts >= MAX_DELIVERY_ATTEMPTS:
            event = decode_json(row["event"])
            ctx.dead_letter_box.add(
                "delivery",
                f"{row['namespace']}/{row['object_name'] or row['object_id']}.{row['method']}",
                payload={key: row[key] for key in ("namespace", "object_id", "object_name", "method")}
                | {"event": event},
                error=error,
                attempts=attempts,
                now=ctx.now(),
                event_type=event.get("type"),
            )
            ctx.storage.sql.exec(f"DELETE FROM {OUTBOX_TABLE} WHERE seq = ?", row["seq"])
            return
        delay = min(FIRST_RETRY * 2 ** (attempts - 1), MAX_RETRY)
        log.info("delivery of outbox row %s failed (%s); retrying in %.0f s", row["seq"], error, delay)
        ctx.storage.sql.exec(
            f"UPDATE {OUTBOX_TABLE} SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE seq = ?",
            attempts,
            ctx.now() + delay,
            error,
            row["seq"],
        )

    def _schedule_next(self) -> None:
        if not self._table.exists():
            return
        ctx = self.ctx
        # Only the oldest row of each subscriber can be next: later ones wait for it (order per subscriber).
        row = ctx.storage.sql.exec(
            f"SELECT min(next_attempt_at) AS at FROM (SELECT next_attempt_at, min(seq) FROM {OUTBOX_TABLE} "
            "GROUP BY namespace, object_id)"
        ).one()
        if row["at"] is None:
            ctx.storage.timers.delete(OUTBOX_TIMER_ID)
        else:
            ctx.storage.timers.set(OUTBOX_TIMER_ID, max(row["at"], ctx.now()), kind=OUTBOX_TIMER_KIND)

    def requeue(self, payload: dict[str, Any]) -> None:
        """Put a dead-lettered delivery back in the outbox (replay)."""
        self._table.ensure()
        ctx = self.ctx
        ctx.storage.sql.exec(
            f"INSERT INTO {OUTBOX_TABLE} (namespace, object_id, object_name, method, event, next_attempt_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            payload["namespace"],
            payload["object_id"],
            payload["object_name"],
            payload["method"],
            encode_json(payload["event"]),
            ctx.now(),
        )

    # -- subscriber side ----------------------------------------------------------------------------

    async def receive(self, event_dict: dict[str, Any], method: str) -> bool:
        """Run `method(event)` for a delivered event unless it was received before; True if it ran."""
        check_method_name(method)
        ctx = self.ctx
        found = getattr(ctx.object, method, None)
        if found is None or not callable(found):
            raise AttributeError(f"{type(ctx.object).__name__} has no method {method!r} to receive events")
        fn: Callable[[Event], Any] = found
        event = Event.from_dict(event_dict)
        log_ = ctx.events_dispatcher.log
        if is_async_callable(fn):
            if log_.contains(event.id):
                return False
            await fn(event)
            received = log_.record_received(event)
        else:

            def run_once() -> bool:
                if not log_.record_received(event):
                    return False
                fn(event)
                return True

            received = bool(await call_isolated(ctx, run_once))
        if received:
            happenings = ctx.runtime.happenings
            happenings.events_delivered += 1
            if happenings.listeners:
                happenings.tell(ctx.object.id, "event", "%s received %s from %s", method, event.type, event.source)
        return received


async def fire_outbox(obj: Any, timer: Timer) -> None:
    """Timer kind "dotdo.outbox": deliver the events waiting in the outbox to subscribers."""
    await obj.ctx.subscriptions.drain()
