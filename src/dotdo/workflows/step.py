"""`step`: what `run(event, step)` is given — durable steps, sleeps and event waits, replayed from history.

Every call names its step. The first time `run()` reaches a step it runs and its outcome is recorded
in the instance's own storage; when `run()` is executed again (after a sleep, an event, a retry's
backoff or a crash) the recorded outcome is returned without running anything again. A synchronous
step function runs in one SQLite savepoint together with its "complete" row, so its writes to the
instance's own storage happen exactly once; an `async` step function is at-least-once and gets
`step.idempotency_key` for the services it calls.

A synchronous function given a `timeout` cannot run on the event loop (nothing could interrupt it
there), so it runs in a worker thread of its own: it is then at-least-once like an `async` one, it
must not use the instance's storage (a thread may outlive its attempt, and SQLite writes from it
would race the object's own), and when it overruns its timeout the attempt fails with
`StepTimeoutError` while the thread is left to finish in the background, its result dropped
(Python cannot stop a thread).
"""

from __future__ import annotations

import asyncio
import contextvars
import importlib
import inspect
import threading
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .durations import Duration, When, parse_duration, to_epoch
from .errors import (
    DuplicateStepError,
    EventTimeoutError,
    NonDeterminismError,
    NonRetryableError,
    StepFailedError,
    StepTimeoutError,
)
from .store import (
    RUNNING,
    STEP_COMPLETE,
    STEP_ERRORED,
    STEP_RETRYING,
    STEP_RUNNING,
    STEP_WAITING,
    WAITING,
    StepRow,
    decode,
    encode,
)

if TYPE_CHECKING:
    from .runner import Runner

MAX_STEP_NAME = 256
MAX_EVENT_TYPE = 100
BACKOFFS = ("constant", "linear", "exponential")
DEFAULT_EVENT_TIMEOUT = 24 * 3600.0

current_step_key: ContextVar[str | None] = ContextVar("dotdo_workflow_step_key", default=None)


def idempotency_key() -> str:
    """A key unique to the running `step.do` (the same for each of its attempts, new after `restart()`):
    give it to the external services the step calls, so a repeated attempt is recognised."""
    key = current_step_key.get()
    if key is None:
        raise RuntimeError("an idempotency key is only set while a step.do function runs")
    return key


class Suspended(BaseException):
    """Unwinds `run()` when it must wait (a sleep, an event, a retry's backoff, a pause).

    A BaseException, like `asyncio.CancelledError`, so `except Exception` in user code lets it through.
    """

    def __init__(self, wake_at: float | None, status: str) -> None:
        super().__init__(wake_at, status)
        self.wake_at = wake_at
        self.status = status


@dataclass(frozen=True, slots=True)
class Retries:
    """How a failing `step.do` is retried: `limit` retries after the first attempt, `delay` before the
    first retry, growing by `backoff` ("constant", "linear" or "exponential")."""

    limit: int = 5
    delay: Duration = "10 s"
    backoff: str = "exponential"

    def __post_init__(self) -> None:
        if isinstance(self.limit, bool) or not isinstance(self.limit, int) or self.limit < 0:
            raise ValueError(f"retries limit must be an int >= 0, not {self.limit!r}")
        parse_duration(self.delay, what="retry delay")
        if self.backoff not in BACKOFFS:
            raise ValueError(f"backoff must be one of {', '.join(BACKOFFS)}, not {self.backoff!r}")

    def wait_after(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        base = parse_duration(self.delay, what="retry delay")
        if self.backoff == "constant":
            return base
        if self.backoff == "linear":
            return base * attempt
        return base * 2 ** (attempt - 1)


@dataclass(frozen=True, slots=True)
class WorkflowEvent:
    """What `run(event, step)` is given: the instance's `params` (`payload` too), its id and creation time."""

    params: Any
    instance_id: str
    timestamp: float

    @property
    def payload(self) -> Any:
        """The params, under Cloudflare's name."""
        return self.params

    @property
    def time(self) -> datetime:
        """When the instance was created, as an aware UTC datetime."""
        return datetime.fromtimestamp(self.timestamp, UTC)


@dataclass(frozen=True, slots=True)
class ReceivedEvent:
    """What `step.wait_for_event` returns: the event's `type`, its `payload` and when it arrived."""

    type: str
    payload: Any
    timestamp: float


class Step:
    """The `step` argument of `run()`: `do`, `sleep`, `sleep_until`, `wait_for_event`."""

    def __init__(self, runner: Runner, run: int) -> None:
        self._runner = runner
        self._run = run
        self._names: set[str] = set()
        self._seq = 0
        self._history: dict[int, StepRow] | None = None
        """The steps this run recorded before this execution, by number (read once, on the first step)."""

    @property
    def idempotency_key(self) -> str:
        """`idempotency_key()`: the key of the `step.do` function running now."""
        return idempotency_key()

    # -- do -------------------------------------------------------------------------------------

    async def do(
        self,
        name: str,
        fn: Callable[..., Any],
        *args: Any,
        retries: int | Retries | dict[str, Any] | None = None,
        delay: Duration | None = None,
        backoff: str | None = None,
        timeout: Duration | None = None,
    ) -> Any:
        """Run `fn(*args)` as the step `name` and return its (JSON-compatible) result.

        A failure is retried `retries` times (default 5) after `delay` (default "10 s") growing by
        `backoff` (default "exponential"); `NonRetryableError` fails the step at once. `timeout`
        bounds each attempt: an async `fn` is cancelled, a sync `fn` with a timeout runs in a worker
        thread (see the module docstring). A step that failed for good raises its error into `run()`.
        """
        policy = _retries(retries, delay, backoff)
        limit = None if timeout is None else parse_duration(timeout, what="timeout")
        if not callable(fn):
            raise TypeError(f"step.do({name!r}, fn) takes a callable, not {type(fn).__name__}")
        seq, row = self._reach(name, "do")
        if row is not None:
            if row.status == STEP_COMPLETE:
                return row.result
            if row.status == STEP_ERRORED:
                raise rebuild_error(row)
            if row.status == STEP_RETRYING and row.wake_at is not None and row.wake_at > self._runner.now():
                raise Suspended(row.wake_at, RUNNING)
        attempts = row.attempts if row is not None else 0
        while True:
            attempts += 1
            outcome = await self._attempt(name, seq, fn, args, attempts, limit)
            if not isinstance(outcome, BaseException):
                return outcome
            retryable = not isinstance(outcome, NonRetryableError) and attempts <= policy.limit
            runner = self._runner
            now = runner.now()
            error = describe(outcome)
            if not retryable:
                runner.store.put_step(self._run, seq, name, "do", STEP_ERRORED, now, attempts=attempts, error=error)
                raise rebuild_error_from(name, error) from outcome
            wake_at = now + policy.wait_after(attempts)
            runner.store.put_step(
                self._run, seq, name, "do", STEP_RETRYING, now, attempts=attempts, error=error, wake_at=wake_at
            )
            if wake_at > now:
                raise Suspended(wake_at, RUNNING)

    async def _attempt(
        self, name: str, seq: int, fn: Callable[..., Any], args: tuple[Any, ...], attempt: int, limit: float | None
    ) -> Any:
        """One attempt; returns the (recorded) result, or the exception it failed with."""
        runner = self._runner
        store, storage = runner.store, runner.storage
        run = self._run
        token = current_step_key.set(runner.step_key(run, name))
        try:
            in_thread = limit is not None and not _is_async(fn)
            if in_thread or _is_async(fn):
                # Recorded and committed before the function runs: the attempt count survives a crash.
                store.put_step(run, seq, name, "do", STEP_RUNNING, runner.now(), attempts=attempt)
                storage.commit()
                await storage.settled()
                runner.check_live(run)
                try:
                    call = _in_worker_thread(name, fn, args) if in_thread else fn(*args)
                    result = await (call if limit is None else asyncio.wait_for(call, limit))
                except TimeoutError:
                    return StepTimeoutError(f"Step {name!r} attempt {attempt} ran longer than {limit:g} s")
                except Exception as exc:
                    return exc
                # Recorded even if the instance was paused or terminated meanwhile (it did run), not
                # if it was restarted: that run's history is gone.
                runner.check_run(run)
                try:
                    result_json = encode(result, f"the result of step {name!r}")
                except TypeError as exc:
                    return exc
                store.put_step(
                    run, seq, name, "do", STEP_COMPLETE, runner.now(), attempts=attempt, result_json=result_json
                )
                # Committed before run() goes on: the external effect is not repeated after a later crash.
                storage.commit()
                await storage.settled()
                return store_result(result_json)

            def run_sync() -> str:
                text = encode(_call_sync(name, fn, args), f"the result of step {name!r}")
                store.put_step(run, seq, name, "do", STEP_COMPLETE, runner.now(), attempts=attempt, result_json=text)
                return text

            try:
                return store_result(storage.transaction_sync(run_sync))
            except Exception as exc:
                return exc
        finally:
            current_step_key.reset(token)

    # -- sleeps ---------------------------------------------------------------------------------

    async def sleep(self, name: str, duration: Duration) -> None:
        """Sleep for `duration` ("3 days", a timedelta, seconds) durably: no process waits meanwhile."""
        seconds = parse_duration(duration, what=f"the duration of sleep {name!r}")
        await self._sleep(name, lambda now: now + seconds)

    async def sleep_until(self, name: str, when: When) -> None:
        """Sleep until `when` (an aware datetime or epoch seconds) durably."""
        target = to_epoch(when, what=f"the time of sleep {name!r}")
        await self._sleep(name, lambda now: target)

    async def _sleep(self, name: str, wake: Callable[[float], float]) -> None:
        runner = self._runner
        seq, row = self._reach(name, "sleep")
        now = runner.now()
        if row is not None and row.status == STEP_COMPLETE:
            return
        wake_at = row.wake_at if row is not None and row.wake_at is not None else wake(now)
        if wake_at <= now:
            runner.store.put_step(self._run, seq, name, "sleep", STEP_COMPLETE, now, wake_at=wake_at)
            return
        if row is None:
            runner.store.put_step(self._run, seq, name, "sleep", STEP_WAITING, now, wake_at=wake_at)
        raise Suspended(wake_at, WAITING)

    # -- events ---------------------------------------------------------------------------------

    async def wait_for_event(self, name: str, *, type: str, timeout: Duration = DEFAULT_EVENT_TIMEOUT) -> ReceivedEvent:
        """Wait until an event of `type` is sent to the instance (`inst.send_event`); events sent before
        the wait are kept for it. Raises `EventTimeoutError` after `timeout` (default 24 hours)."""
        check_event_type(type)
        seconds = parse_duration(timeout, what=f"the timeout of {name!r}")
        runner = self._runner
        seq, row = self._reach(name, "wait_for_event")
        if row is not None:
            if row.status == STEP_COMPLETE:
                return ReceivedEvent(**row.result)
            if row.status == STEP_ERRORED:
                raise rebuild_error(row)
            if row.detail != {"type": type}:
                raise NonDeterminismError(
                    f"Step {name!r} waits for events of type {type!r}, but the recorded history has it waiting "
                    f"for {row.detail!r}: the workflow code changed under a running instance; restart() it"
                )
        now = runner.now()
        store = runner.store
        received = store.take_event(type, f"{self._run}:{seq}")
        if received is not None:
            store.put_step(
                self._run, seq, name, "wait_for_event", STEP_COMPLETE, now, result_json=encode(received, "event")
            )
            return ReceivedEvent(**received)
        deadline = row.wake_at if row is not None and row.wake_at is not None else now + seconds
        if deadline <= now:
            error = (
                "dotdo.workflows.errors:EventTimeoutError",
                f"No {type!r} event arrived within the timeout of step {name!r}",
            )
            store.put_step(self._run, seq, name, "wait_for_event", STEP_ERRORED, now, error=error, wake_at=deadline)
            raise EventTimeoutError(error[1])
        if row is None:
            store.put_step(
                self._run,
                seq,
                name,
                "wait_for_event",
                STEP_WAITING,
                now,
                wake_at=deadline,
                detail_json=encode({"type": type}, "event type"),
            )
        raise Suspended(deadline, WAITING)

    # -- history --------------------------------------------------------------------------------

    def _reach(self, name: str, kind: str) -> tuple[int, StepRow | None]:
        """Number the next step, check it against the recorded history, and return its record."""
        if not isinstance(name, str) or not name or len(name) > MAX_STEP_NAME:
            raise ValueError(f"A step name must be a non-empty str of at most {MAX_STEP_NAME} characters, not {name!r}")
        if name in self._names:
            raise DuplicateStepError(
                f"Two steps of this run are named {name!r}: step names identify steps in the history, "
                "so each must be unique within a run (add a counter or an id to the name)"
            )
        runner = self._runner
        runner.check_live(self._run)
        self._names.add(name)
        self._seq += 1
        seq = self._seq
        if self._history is None:
            self._history = {recorded.seq: recorded for recorded in runner.store.steps(self._run)}
        row = self._history.get(seq)
        if row is not None and (row.name != name or row.kind != kind):
            raise NonDeterminismError(
                f"Step #{seq} of this run is {kind} {name!r}, but the recorded history has {row.kind} {row.name!r} "
                "there: the workflow code changed under a running instance (steps must be reached in the same "
                "order with the same names on every replay); restart() the instance to run the new code from the top"
            )
        return seq, row


DEFAULT_RETRIES = Retries()
"""The policy of a `step.do` given no `retries`, `delay` or `backoff`."""


def _retries(retries: int | Retries | dict[str, Any] | None, delay: Duration | None, backoff: str | None) -> Retries:
    if retries is None:
        policy = DEFAULT_RETRIES
    elif isinstance(retries, Retries):
        policy = retries
    elif isinstance(retries, dict):
        unknown = set(retries) - {"limit", "delay", "backoff"}
        if unknown:
            raise ValueError(f"retries takes limit, delay and backoff, not {', '.join(sorted(unknown))}")
        policy = Retries(**retries)
    elif isinstance(retries, int) and not isinstance(retries, bool):
        policy = Retries(limit=retries)
    else:
        raise TypeError(f"retries must be an int, a Retries or a dict, not {type(retries).__name__}")
    if delay is not None or backoff is not None:
        policy = Retries(policy.limit, policy.delay if delay is None else delay, backoff or policy.backoff)
    return policy


def _is_async(fn: Callable[..., Any]) -> bool:
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(type(fn).__call__)


def _call_sync(name: str, fn: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    value = fn(*args)
    if inspect.isawaitable(value):
        if inspect.iscoroutine(value):
            value.close()
        raise TypeError(f"step {name!r}: fn returned an awaitable; make fn `async def`")
    return value


def _in_worker_thread(name: str, fn: Callable[..., Any], args: tuple[Any, ...]) -> asyncio.Future[Any]:
    """Run a sync step function in a daemon thread of its own; the future settles with its outcome.

    A daemon thread rather than an executor's: a function that never returns must not hold a pool's
    worker, nor keep the process from exiting. The thread sees only the step's idempotency key, not
    the object's context (`dotdo.ctx`), whose storage it must not use.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()
    context = contextvars.Context()
    context.run(current_step_key.set, current_step_key.get())

    def settle(outcome: Any, failed: bool) -> None:
        if future.done():  # the attempt timed out (cancelled) meanwhile: the outcome is dropped
            return
        if failed:
            future.set_exception(outcome)
        else:
            future.set_result(outcome)

    def work() -> None:
        try:
            outcome, failed = context.run(_call_sync, name, fn, args), False
        except BaseException as exc:
            outcome, failed = exc, True
        try:
            loop.call_soon_threadsafe(settle, outcome, failed)
        except RuntimeError:  # the event loop closed while the function ran: nobody waits for it
            pass

    threading.Thread(target=work, name=f"dotdo-step {name}", daemon=True).start()
    return future


def check_event_type(event_type: Any) -> None:
    """An event type: 1 to 100 letters, digits, `-`, `_` or `.`."""
    if (
        not isinstance(event_type, str)
        or not event_type
        or len(event_type) > MAX_EVENT_TYPE
        or not all(c.isalnum() or c in "-_." for c in event_type)
    ):
        raise ValueError(f"An event type is 1 to {MAX_EVENT_TYPE} letters, digits, '-', '_' or '.', not {event_type!r}")


def store_result(result_json: str) -> Any:
    """A step's result as replays will see it (decoded from its record), so every run sees the same value."""
    return decode(result_json)


def describe(exc: BaseException) -> tuple[str, str]:
    """`(qualified class name, message)` of an exception, as the history records it."""
    cls = type(exc)
    return f"{cls.__module__}:{cls.__qualname__}", str(exc)


def rebuild_error(row: StepRow) -> Exception:
    """The exception a recorded failed step raises into `run()` on replay."""
    return rebuild_error_from(row.name, (row.error_type or "builtins:Exception", row.error or ""))


def rebuild_error_from(step: str, error: tuple[str, str]) -> Exception:
    """An exception of the recorded class with the recorded message, or `StepFailedError` if it cannot be built."""
    error_type, message = error
    module_name, _, qualname = error_type.partition(":")
    try:
        target: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            target = getattr(target, part)
        if isinstance(target, type) and issubclass(target, Exception):
            return target(message)
    except Exception:
        pass
    return StepFailedError(step, error_type, message)
