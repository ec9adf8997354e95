"""Executes one workflow instance: runs `run()` from the top, replaying its history, until it must wait.

An execution ends in one of three ways: `run()` returns (complete), raises (errored), or reaches a
step that must wait (a sleep, an event, a retry's backoff), which unwinds it with `Suspended`; the
instance's timer is then set for when to execute it again. Nothing waits in memory: the instance
may be evicted, the process may die, and the timer brings it back.

One timer per instance (`TIMER_ID`) says when to execute next. While an execution runs it points a
few seconds ahead, so an execution cut short by a crash is resumed after the restart.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from .directory import WorkflowDirectory
from .errors import InstanceExistsError, InstanceNotFoundError, InvalidInstanceStateError
from .step import Step, Suspended, WorkflowEvent, check_event_type, describe
from .store import (
    COMPLETE,
    ERRORED,
    FINISHED,
    PAUSED,
    RUNNING,
    TERMINATED,
    WAITING,
    InstanceRow,
    InstanceStore,
    encode,
    short_name,
)

if TYPE_CHECKING:
    from .workflow import Workflow

log = logging.getLogger("dotdo.workflows")

TIMER_ID = "dotdo:workflow"
TIMER_KIND = "dotdo.workflow"
RESUME_AFTER = 2.0
"""Seconds after which an execution that was cut short (a crash) is started again."""
RELEASE_AFTER = 60.0
"""An instance that waits longer than this closes its SQLite connection until it wakes (a connection
holds a page cache, a WAL index and prepared statements: far more than a sleeping instance needs)."""


class Runner:
    """The execution state of one live workflow instance (one per activation)."""

    __slots__ = ("again", "armed_at", "executing", "obj", "storage", "store")

    def __init__(self, obj: Workflow) -> None:
        self.obj = obj
        self.storage = obj.storage
        self.store = InstanceStore(obj.storage)
        self.executing = False
        self.again = False
        self.armed_at: float | None = None
        """When this activation last set the timer to (None once it fired or was deleted)."""

    # -- identity and time ------------------------------------------------------------------------

    @property
    def instance_id(self) -> str:
        """The instance's id (the object's name)."""
        oid = self.obj.id
        return oid.name if oid.name is not None else oid.hex

    @property
    def workflow(self) -> str:
        """The workflow's name (the class's namespace)."""
        return self.obj.id.namespace

    def now(self) -> float:
        """The runtime clock's time."""
        return self.obj.runtime.clock.now()

    def step_key(self, run: int, name: str) -> str:
        """The idempotency key of step `name` of run number `run`."""
        return f"{self.workflow}/{self.instance_id}/{run}/{name}"

    def check_live(self, run: int) -> None:
        """Unwind `run()` if the instance was paused, terminated or restarted meanwhile."""
        row = self.store.instance()
        if row is None or row.run != run or row.status in FINISHED or row.status == PAUSED:
            raise Suspended(None, row.status if row is not None else TERMINATED)

    def check_run(self, run: int) -> None:
        """Unwind `run()` if the instance was restarted (or is gone) meanwhile."""
        row = self.store.instance()
        if row is None or row.run != run:
            raise Suspended(None, TERMINATED)

    def _row(self) -> InstanceRow:
        row = self.store.instance()
        if row is None:
            raise InstanceNotFoundError(f"No {self.workflow} instance {self.instance_id!r} was created")
        return row

    # -- lifecycle calls ----------------------------------------------------------------------------

    def start(self, params: Any) -> dict[str, Any]:
        """Create the instance (queued) and begin executing it."""
        params_json = encode(params, "params")
        now = self.now()
        if not self.store.create(params_json, now):
            raise InstanceExistsError(f"A {self.workflow} instance {self.instance_id!r} already exists")
        self._arm(now + RESUME_AFTER)
        self.kick()
        return {"id": self.instance_id, "created_at": now}

    def status(self) -> dict[str, Any]:
        """`{"status", "output", "error", "steps"}` of the instance, and its pending events."""
        row = self._row()
        return {
            "id": self.instance_id,
            "status": row.status,
            "output": row.output,
            "error": _error_of(row),
            "steps": [s.to_dict() for s in self.store.steps(row.run)],
            "params": row.params,
            "run": row.run,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
            "pending_events": self.store.pending_events(),
        }

    def send_event(self, event_type: str, payload: Any) -> None:
        """Keep an event for the `wait_for_event` of its type, and execute the instance if it waits."""
        check_event_type(event_type)
        row = self._row()
        if row.status in FINISHED:
            raise InvalidInstanceStateError(
                f"{self.workflow} instance {self.instance_id!r} is {row.status}: it takes no more events"
            )
        now = self.now()
        self.store.add_event(event_type, encode(payload, "an event payload"), now)
        if row.status != PAUSED:
            # Committed with the event: if the process dies before the execution takes it, it resumes.
            self._arm(now + RESUME_AFTER)
            self.kick()

    def pause(self) -> None:
        """Stop at the next step boundary until `resume()`; a step already running finishes first."""
        row = self._row()
        if row.status in FINISHED:
            raise InvalidInstanceStateError(f"Cannot pause {self._label()}: it is {row.status}")
        if row.status != PAUSED:
            self.store.set_status(PAUSED, self.now())
            self._arm(self.now() + RESUME_AFTER)
            self.kick()

    def resume(self) -> None:
        """Go on from where a paused instance stopped."""
        row = self._row()
        if row.status != PAUSED:
            raise InvalidInstanceStateError(f"Cannot resume {self._label()}: it is {row.status}, not paused")
        now = self.now()
        self.store.set_status(RUNNING, now)
        self._arm(now + RESUME_AFTER)
        self.kick()

    def terminate(self) -> None:
        """End the instance now (status terminated); `restart()` runs it again from the top."""
        row = self._row()
        if row.status in FINISHED:
            raise InvalidInstanceStateError(f"Cannot terminate {self._label()}: it is already {row.status}")
        now = self.now()
        self.store.finish(TERMINATED, now, output_json=None, error=None)
        self._arm(now + RESUME_AFTER)
        self.kick()

    def restart(self) -> None:
        """Run the instance again from the top with the same params, forgetting its step history."""
        self._row()
        now = self.now()
        self.store.new_run(now)
        self._arm(now + RESUME_AFTER)
        self.kick()

    def _label(self) -> str:
        return f"{self.workflow} instance {self.instance_id!r}"

    # -- execution ----------------------------------------------------------------------------------

    def _arm(self, when: float) -> None:
        self.storage.timers.set(TIMER_ID, when, kind=TIMER_KIND)
        self.armed_at = when

    def kick(self) -> None:
        """Execute the instance soon, as an event of its own (or again after the running execution)."""
        if self.executing:
            self.again = True
            return
        self.obj.ctx.spawn(self.execute)

    async def on_timer(self) -> None:
        """The instance's timer came due: a sleep ended, a wait timed out, a retry or a resume is due."""
        self.armed_at = None
        if self.executing:
            self._arm(self.now() + RESUME_AFTER)
            return
        await self.execute()

    async def execute(self) -> None:
        """Execute `run()` until it must wait or ends; again if something happened meanwhile."""
        if self.executing:
            self.again = True
            return
        self.executing = True
        try:
            while True:
                self.again = False
                await self._execute_once()
                if not self.again:
                    break
        finally:
            self.executing = False
        await self._report()
        await self._release_while_waiting()

    async def _release_while_waiting(self) -> None:
        row = self.store.instance()
        if self.executing or row is None or row.status != WAITING:
            return
        if self.armed_at is not None and self.armed_at - self.now() <= RELEASE_AFTER:
            return
        # Only once every write is durable (an fsync in flight must not find its file closed), and
        # not if another event of the instance wrote or began an execution meanwhile.
        await self.storage.settled()
        if not self.executing and self.storage.commit_waiter() is None:
            self.storage.release_connection()

    async def _execute_once(self) -> None:
        store = self.store
        row = store.instance()
        if row is None or row.status in FINISHED or row.status == PAUSED:
            return
        now = self.now()
        if row.status != RUNNING:
            # Written only if the execution yields to other events (which could then see it): one that
            # runs straight to its end or to its next wait writes that status alone.
            asyncio.get_running_loop().call_soon(self._mark_running, row.run)
        if self.armed_at is None or self.armed_at < now + RESUME_AFTER / 2:
            self._arm(now + RESUME_AFTER)
        step = Step(self, row.run)
        event = WorkflowEvent(row.params, self.instance_id, row.created_at)
        try:
            output = await self.obj.run(event, step)
            output_json = encode(output, "the output of run()")
        except Suspended as suspended:
            self._suspend(row.run, suspended)
            return
        except Exception as exc:
            if self._current(row.run):
                self._end(ERRORED, None, exc)
            return
        if self._current(row.run):
            self._end(COMPLETE, output_json, None)

    def _mark_running(self, run: int) -> None:
        row = self.store.instance()
        if self.executing and self._current(run) and row is not None and row.status != RUNNING:
            self.store.set_status(RUNNING, self.now())

    def _current(self, run: int) -> bool:
        row = self.store.instance()
        return row is not None and row.run == run and row.status not in FINISHED and row.status != PAUSED

    def _suspend(self, run: int, suspended: Suspended) -> None:
        if not self._current(run):
            return
        now = self.now()
        self.store.set_status(suspended.status, now)
        if suspended.wake_at is not None:
            self._arm(suspended.wake_at)

    def _end(self, status: str, output_json: str | None, exc: BaseException | None) -> None:
        error = None if exc is None else describe(exc)
        self.store.finish(status, self.now(), output_json=output_json, error=error)
        if exc is not None:
            log.info("%s failed: %s: %s", self._label(), error[0] if error else "", exc)

    async def _report(self) -> None:
        """Tell the directory the instance's status; the timer stays until it has (see directory.py)."""
        row = self.store.instance()
        if row is None:
            return
        if row.listed_status != row.status:
            directory = self.obj.runtime.get(WorkflowDirectory, self.workflow)
            try:
                await directory.note(self.instance_id, row.status, row.created_at, row.updated_at, _error_of(row))
            except Exception:
                log.exception("Reporting the status of %s failed; trying again later", self._label())
                return
            latest = self.store.instance()
            if latest is None or latest.status != row.status:
                return
            self.store.set_listed(row.status)
        if row.status in FINISHED or row.status == PAUSED:
            self.storage.timers.delete(TIMER_ID)
            self.armed_at = None


def _error_of(row: InstanceRow) -> dict[str, Any] | None:
    """How the instance failed, as `status()` and the `errored` event give it."""
    return None if row.error is None else {"name": short_name(row.error_type), "message": row.error}
