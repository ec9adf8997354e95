"""Persisted schedules: the `schedules` table, one timer per schedule, missed-tick policies.

Each schedule is a row (cron, zone, handler name, policy, next fire time) and a timer of kind
`dotdo.schedule` in the object's timer table; the runtime wakes the object for the earliest timer,
so any number of schedules share the object's one alarm. A tick runs its handler and then moves the
schedule to its next fire time in the same event: a crash before the commit re-runs the tick
(at-least-once), never loses it.
"""

from __future__ import annotations

import hashlib
import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cron_descriptor import get_description

from ..runtime.lazy_table import LazyTable
from .actions import load_action, resolve_action
from .cron_times import fires_between, next_fire, zone
from .dead_letters import describe_error
from .dispatch import call_isolated
from .schedule_builder import Every, ScheduleSpec, class_schedules

if TYPE_CHECKING:
    from ..runtime.timer_table import Timer
    from .context import Context

log = logging.getLogger("dotdo.context")

SCHEDULES_TABLE = "schedules"
SCHEDULE_TIMER_KIND = "dotdo.schedule"
MAX_CATCH_UP = 1000
"""With `missed="all"`, at most this many missed ticks run after a downtime (the oldest are dropped)."""
ACTIVE, CANCELLED, RETIRED = 0, 1, 2
"""Values of a schedule's `cancelled` column; RETIRED: an `@every` method no longer declared (revived if it is)."""

_SCHEDULES_SCHEMA = (
    f"CREATE TABLE IF NOT EXISTS {SCHEDULES_TABLE} (id TEXT PRIMARY KEY, cron TEXT NOT NULL, "
    "timezone TEXT, handler TEXT NOT NULL, origin TEXT NOT NULL, missed TEXT NOT NULL, "
    "grace REAL NOT NULL, next_fire_at REAL NOT NULL, last_fired_at REAL, runs INTEGER NOT NULL "
    "DEFAULT 0, cancelled INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL)"
)

_reported_missing: set[tuple[str, str]] = set()
"""(class, handler) pairs already reported as not registered, so each is logged once per process."""


@dataclass(frozen=True, slots=True)
class ScheduleInfo:
    """A persisted schedule as `ctx.schedules.list()` shows it."""

    id: str
    cron: str
    timezone: str | None
    handler: str
    missed: str
    grace: float
    next_fire_at: float
    last_fired_at: float | None
    runs: int

    @property
    def next_run(self) -> datetime:
        """When it fires next, in its time zone."""
        return datetime.fromtimestamp(self.next_fire_at, zone(self.timezone))

    @property
    def description(self) -> str:
        """The cron in words (cron-descriptor)."""
        text = get_description(self.cron)
        return text if self.timezone is None else f"{text} ({self.timezone})"


def schedule_id(handler: str, spec: ScheduleSpec) -> str:
    """A stable id: the same handler on the same schedule is the same schedule (registering is idempotent)."""
    digest = hashlib.sha256(f"{handler}\0{spec.cron}\0{spec.timezone}".encode()).hexdigest()[:12]
    return f"{handler.rpartition(':')[2]}-{digest}"


def _timer_id(sid: str) -> str:
    return f"dotdo:schedule:{sid}"


def _takes_tick(fn: Callable[..., Any]) -> bool:
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL) for p in parameters)


class Schedules:
    """`ctx.schedules`: the object's persisted schedules (`list`, `cancel`), and their firing."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._table = LazyTable(ctx.storage, SCHEDULES_TABLE, _SCHEDULES_SCHEMA)
        self._handlers: dict[str, Callable[..., Any]] = {}

    # -- table --------------------------------------------------------------------------------------

    def _row(self, sid: str) -> dict[str, Any] | None:
        if not self._table.exists():
            return None
        rows = self.ctx.storage.sql.exec(f"SELECT * FROM {SCHEDULES_TABLE} WHERE id = ?", sid).to_list()
        return rows[0] if rows else None

    # -- registration -------------------------------------------------------------------------------

    @property
    def every(self) -> Every:
        """`ctx.every`: schedules registered on this object."""
        return Every(self)

    def register(self, spec: ScheduleSpec, handler: Callable[..., Any], *, name: str | None = None) -> ScheduleInfo:
        """Persist `spec` with `handler` (idempotent: an existing schedule keeps its next fire time).

        The schedule is identified by `name` (default: the handler's qualified name) and its cron, so
        two lambdas of one function need distinct names.
        """
        resolved = resolve_action(self.ctx.object, handler)
        if name is not None and (not isinstance(name, str) or not name or len(name) > 200):
            raise ValueError(f"A schedule name is a non-empty str of at most 200 characters, not {name!r}")
        sid = self._upsert(spec, resolved.name, origin="runtime", key=name)
        self._handlers[sid] = handler
        info = self.get(sid)
        assert info is not None
        return info

    def _upsert(
        self, spec: ScheduleSpec, handler: str, *, origin: str, revive: bool = True, key: str | None = None
    ) -> str:
        self._table.ensure()
        sid = schedule_id(key or handler, spec)
        ctx = self.ctx
        row = self._row(sid)
        # A method schedule the user cancelled stays cancelled; one retired by a code change comes back.
        if row is not None and (row["cancelled"] == ACTIVE or (not revive and row["cancelled"] == CANCELLED)):
            if (row["missed"], row["grace"]) != (spec.missed, spec.grace):
                ctx.storage.sql.exec(
                    f"UPDATE {SCHEDULES_TABLE} SET missed = ?, grace = ? WHERE id = ?", spec.missed, spec.grace, sid
                )
            return sid
        fire_at = next_fire(spec.cron, spec.timezone, ctx.now())
        ctx.storage.sql.exec(
            f"INSERT INTO {SCHEDULES_TABLE} (id, cron, timezone, handler, origin, missed, grace, next_fire_at, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET cancelled = 0, "
            "next_fire_at = excluded.next_fire_at, missed = excluded.missed, grace = excluded.grace",
            sid,
            spec.cron,
            spec.timezone,
            handler,
            origin,
            spec.missed,
            spec.grace,
            fire_at,
            ctx.now(),
        )
        ctx.storage.timers.set(_timer_id(sid), fire_at, kind=SCHEDULE_TIMER_KIND, payload=sid)
        return sid

    def sync_class_schedules(self) -> None:
        """Persist the `@every` methods of the object's class; retire rows of methods no longer decorated."""
        declared = class_schedules(type(self.ctx.object))
        if not declared and not self._table.exists():
            return
        keep = {self._upsert(spec, method, origin="method", revive=False) for method, spec in declared}
        if not self._table.exists():
            return
        stale = self.ctx.storage.sql.exec(
            f"SELECT id FROM {SCHEDULES_TABLE} WHERE origin = 'method' AND cancelled = 0"
        ).to_list()
        for row in stale:
            if row["id"] not in keep:
                self.ctx.storage.sql.exec(
                    f"UPDATE {SCHEDULES_TABLE} SET cancelled = ? WHERE id = ?", RETIRED, row["id"]
                )
                self.ctx.storage.timers.delete(_timer_id(row["id"]))

    # -- listing and cancelling ---------------------------------------------------------------------

    def list(self) -> list[ScheduleInfo]:
        """Active schedules, soonest first."""
        if not self._table.exists():
            return []
        rows = self.ctx.storage.sql.exec(
            f"SELECT * FROM {SCHEDULES_TABLE} WHERE cancelled = 0 ORDER BY next_fire_at, id"
        )
        return [_info(row) for row in rows]

    def get(self, sid: str) -> ScheduleInfo | None:
        """One active schedule by id, or None."""
        row = self._row(sid)
        return None if row is None or row["cancelled"] else _info(row)

    def cancel(self, sid: str) -> bool:
        """Stop a schedule (a cancelled `@every` method stays cancelled across restarts); True if it was active."""
        if not isinstance(sid, str):
            raise TypeError(f"A schedule id is a str (from ctx.schedules.list()), not {type(sid).__name__}")
        if not self._table.exists():
            return False
        cursor = self.ctx.storage.sql.exec(
            f"UPDATE {SCHEDULES_TABLE} SET cancelled = 1 WHERE id = ? AND cancelled = 0", sid
        )
        self.ctx.storage.timers.delete(_timer_id(sid))
        self._handlers.pop(sid, None)
        return cursor.rows_written == 1

    # -- firing -------------------------------------------------------------------------------------

    def _handler(self, sid: str, name: str) -> Callable[..., Any] | None:
        return self._handlers.get(sid) or load_action(self.ctx.object, name)

    async def fire(self, sid: str) -> int:
        """Run the ticks of a schedule that came due (per its missed policy); returns how many ran."""
        row = self._row(sid)
        if row is None or row["cancelled"]:
            return 0
        ctx = self.ctx
        now = ctx.now()
        cron, tz, grace = row["cron"], row["timezone"], row["grace"]
        if row["next_fire_at"] > now:
            ctx.storage.timers.set(_timer_id(sid), row["next_fire_at"], kind=SCHEDULE_TIMER_KIND, payload=sid)
            return 0
        ticks = [row["next_fire_at"], *fires_between(cron, tz, row["next_fire_at"], now, MAX_CATCH_UP)]
        run = _ticks_to_run(ticks, now, grace, row["missed"])
        handler = self._handler(sid, row["handler"])
        if handler is None and run:
            self._wait_for_handler(sid, row["handler"])
            return 0
        for tick in run:
            await self._run_tick(sid, row["handler"], handler, tick)
        fire_at = next_fire(cron, tz, now)
        ctx.storage.sql.exec(
            f"UPDATE {SCHEDULES_TABLE} SET next_fire_at = ?, last_fired_at = ?, runs = runs + ? WHERE id = ?",
            fire_at,
            run[-1] if run else row["last_fired_at"],
            len(run),
            sid,
        )
        ctx.storage.timers.set(_timer_id(sid), fire_at, kind=SCHEDULE_TIMER_KIND, payload=sid)
        return len(run)

    def _wait_for_handler(self, sid: str, name: str) -> None:
        """Keep the due ticks of a schedule whose handler is not registered (yet) and look again later."""
        owner = type(self.ctx.object).__name__
        if (owner, name) not in _reported_missing:
            _reported_missing.add((owner, name))
            log.warning(
                "schedule %s of %s: handler %r is not registered; keeping its ticks and trying again every %.0f s "
                "(register it with ctx.every in on_start, or cancel the schedule)",
                sid,
                owner,
                name,
                RETRY_AFTER_FAILURE,
            )
        self.ctx.storage.timers.set(
            _timer_id(sid), self.ctx.now() + RETRY_AFTER_FAILURE, kind=SCHEDULE_TIMER_KIND, payload=sid
        )

    async def replay_tick(self, sid: str, name: str, tick: float) -> Any:
        """Run a schedule's handler once for a tick that failed (replaying its dead letter)."""
        handler = self._handler(sid, name)
        if handler is None:
            raise LookupError(f"Schedule handler {name!r} is not registered now; register it, then replay")
        when = datetime.fromtimestamp(tick, UTC)
        return await (
            call_isolated(self.ctx, handler, when) if _takes_tick(handler) else call_isolated(self.ctx, handler)
        )

    async def _run_tick(self, sid: str, name: str, handler: Any, tick: float) -> None:
        ctx = self.ctx
        when = datetime.fromtimestamp(tick, UTC)
        try:
            if _takes_tick(handler):
                await call_isolated(ctx, handler, when)
            else:
                await call_isolated(ctx, handler)
        except Exception as exc:
            log.warning("schedule %s tick at %s failed: %s", sid, when.isoformat(), exc)
            ctx.dead_letter_box.add(
                "handler",
                name,
                payload={"schedule": sid, "tick": tick},
                error=describe_error(exc),
                attempts=1,
                now=ctx.now(),
                event_type=None,
            )


def _ticks_to_run(ticks: list[float], now: float, grace: float, missed: str) -> list[float]:
    on_time = [t for t in ticks if now - t <= grace]
    late = [t for t in ticks if now - t > grace]
    if missed == "all":
        return ticks
    if missed == "skip" or not late:
        return on_time
    return on_time or [late[-1]]


def _info(row: dict[str, Any]) -> ScheduleInfo:
    return ScheduleInfo(
        row["id"],
        row["cron"],
        row["timezone"],
        row["handler"],
        row["missed"],
        row["grace"],
        row["next_fire_at"],
        row["last_fired_at"],
        row["runs"],
    )


RETRY_AFTER_FAILURE = 60.0
"""Seconds after which a schedule whose firing itself failed (not its handler) is tried again."""


async def fire_schedule(obj: Any, timer: Timer) -> None:
    """Timer kind "dotdo.schedule": run a due `every` schedule and set its next tick."""
    try:
        await obj.ctx.schedules.fire(timer.payload)
    except Exception:
        log.exception("schedule %s of %s failed to fire; trying again soon", timer.payload, type(obj).__name__)
        # Keep the schedule alive: its row still holds the tick, which the next attempt runs.
        obj.storage.timers.set(
            timer.id, obj.ctx.now() + RETRY_AFTER_FAILURE, kind=SCHEDULE_TIMER_KIND, payload=timer.payload
        )
