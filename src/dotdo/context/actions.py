"""Durable actions: `ctx.try_` (one recorded attempt) and `ctx.do` (journaled, retried, resumed).

`do` writes its journal row and a resume timer and commits them before the action runs, so a step
interrupted by a crash is retried when the object's timers fire after the restart. A synchronous
action runs inside one savepoint together with its "completed" row: its writes to the object's own
storage and the journal commit together or not at all (exactly-once). An async action is
at-least-once; external effects use `ctx.idempotency_key` so a repeat can be recognised.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import importlib
import inspect
import logging
import uuid
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .action_journal import COMPLETED, FAILED, ActionJournal, ActionRecord
from .dead_letters import describe_error
from .dispatch import call_isolated, is_async_callable
from .events import encode_json
from .retry_policy import RetryPolicy

if TYPE_CHECKING:
    from ..runtime.timer_table import Timer
    from .context import Context

log = logging.getLogger("dotdo.context")

ACTION_TIMER_KIND = "dotdo.action"
MAX_STEP_ID_LENGTH = 200

current_step: ContextVar[str | None] = ContextVar("dotdo_current_step", default=None)
"""The step id of the `ctx.do` attempt running in this context (for `ctx.idempotency_key`)."""


class ActionFailedError(Exception):
    """A `ctx.do` step failed for good earlier; its journal row keeps the error. Replay its dead letter."""


@dataclass(frozen=True, slots=True)
class ResolvedAction:
    """A callable plus the name it is journaled (and resumed) under."""

    fn: Callable[..., Any]
    name: str
    resumable: bool


def resolve_action(obj: Any, action: Callable[..., Any] | str) -> ResolvedAction:
    """The callable for `action` (a method name of `obj`, or a callable) and its journal name."""
    if isinstance(action, str):
        if not action or action.startswith("__") or len(action) > MAX_STEP_ID_LENGTH:
            raise ValueError(f"{action!r} is not a method name of {type(obj).__name__}")
        fn = getattr(obj, action, None)
        if fn is None or not callable(fn):
            raise AttributeError(f"{type(obj).__name__} has no method {action!r} to run as an action")
        return ResolvedAction(fn, action, True)
    if not callable(action):
        raise TypeError(f"An action is a callable or a method name, not {type(action).__name__}")
    if getattr(action, "__self__", None) is obj:
        return ResolvedAction(action, action.__name__, True)
    if isinstance(action, functools.partial):
        return ResolvedAction(action, f"<partial {resolve_action(obj, action.func).name}>", False)
    module = getattr(action, "__module__", None)
    qualname = getattr(action, "__qualname__", None)
    if not (inspect.isfunction(action) or inspect.ismethod(action) or inspect.isbuiltin(action)):
        # A callable object: its class names it, but only this instance can run it.
        return ResolvedAction(action, f"{module or '?'}:<{type(action).__qualname__} instance>", False)
    if module and qualname and "<" not in qualname:
        return ResolvedAction(action, f"{module}:{qualname}", True)
    return ResolvedAction(action, f"{module or '?'}:{qualname or type(action).__name__}", False)


def load_action(obj: Any, name: str) -> Callable[..., Any] | None:
    """The callable a journaled action name refers to after a restart, or None if it cannot be found.

    Names with `<` (lambdas, nested functions, partials, callable objects) live only in memory.
    """
    if "<" in name:
        return None
    if ":" not in name:
        fn = getattr(obj, name, None)
        return fn if callable(fn) else None
    module_name, _, qualname = name.partition(":")
    try:
        target: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            target = getattr(target, part)
    except (ImportError, AttributeError):
        return None
    return target if callable(target) else None


def default_step_id(name: str, args_json: str) -> str:
    """The step id of an action with these arguments: the same call is the same step."""
    digest = hashlib.sha256(f"{name}\0{args_json}".encode()).hexdigest()[:24]
    return f"{name}:{digest}"


class DurableActions:
    """`try_` and `do` of one object, and the resumption of its interrupted steps."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.journal = ActionJournal(ctx.storage)
        self._waiters: dict[str, asyncio.Future[Any]] = {}
        self._attempting: set[str] = set()
        # The callable and arguments of each step a `do` call in this activation is waiting for:
        # its retries call them again, so a lambda or closure is retried as long as the object lives.
        self._live: dict[str, tuple[Callable[..., Any], tuple[Any, ...]]] = {}

    # -- try_ -------------------------------------------------------------------------------------

    async def try_(self, action: Callable[..., Any] | str, *args: Any, timeout: float | None = None) -> Any:
        """Run `action(*args)` once, record the attempt and its outcome; its exception propagates."""
        ctx = self.ctx
        resolved = resolve_action(ctx.object, action)
        step_id = f"try:{uuid.uuid4().hex}"
        self.journal.start(
            step_id,
            kind="try",
            action=resolved.name,
            args_json=_args_json(args, strict=False),
            policy=None,
            now=ctx.now(),
        )
        try:
            call = call_isolated(ctx, resolved.fn, *args)
            result = await (asyncio.wait_for(call, timeout) if timeout is not None else call)
        except BaseException as exc:
            self.journal.fail(step_id, describe_error(exc), ctx.now())
            raise
        self.journal.complete(step_id, _result_json(result, strict=False), ctx.now())
        return result

    # -- do ---------------------------------------------------------------------------------------

    async def do(
        self,
        action: Callable[..., Any] | str,
        *args: Any,
        step_id: str | None = None,
        retry: RetryPolicy | None = None,
    ) -> Any:
        """Run a journaled step: a completed step returns its stored result without running again."""
        ctx = self.ctx
        policy = retry or RetryPolicy()
        if not isinstance(policy, RetryPolicy):
            raise TypeError(f"retry must be a RetryPolicy, not {type(policy).__name__}")
        resolved = resolve_action(ctx.object, action)
        args_json = _args_json(args, strict=True)
        if step_id is None and not resolved.resumable:
            raise ValueError(
                f"{resolved.name} is a lambda, nested function, partial or callable object: its name does not "
                "identify it across calls and restarts; pass step_id=..., or use a method of the object"
            )
        step = step_id if step_id is not None else default_step_id(resolved.name, args_json)
        if not isinstance(step, str) or not step or len(step) > MAX_STEP_ID_LENGTH:
            raise ValueError(f"step_id must be a non-empty str of at most {MAX_STEP_ID_LENGTH} characters")
        record = self.journal.get(step)
        if record is not None and record.status == COMPLETED:
            return record.result
        if record is not None and record.status == FAILED:
            raise ActionFailedError(
                f"Step {step!r} ({record.action}) failed after {record.attempts} attempts: {record.error}; "
                "replay its dead letter with ctx.replay(id), or run it under a new step_id"
            )
        waiter = self._waiters.get(step)
        if waiter is not None:
            return await asyncio.shield(waiter)
        waiter = asyncio.get_running_loop().create_future()
        self._waiters[step] = waiter
        self._live[step] = (resolved.fn, args)
        try:
            finished = await self._attempt(step, resolved.fn, resolved.name, args, args_json, policy)
            if not finished:
                return await waiter
            return waiter.result()
        finally:
            if self._waiters.get(step) is waiter:
                del self._waiters[step]
                self._live.pop(step, None)
            if waiter.done() and not waiter.cancelled():
                waiter.exception()

    async def _attempt(
        self,
        step: str,
        fn: Callable[..., Any],
        name: str,
        args: tuple[Any, ...] | list[Any],
        args_json: str,
        policy: RetryPolicy,
        *,
        replaying: bool = False,
    ) -> bool:
        """One attempt; settles the step's waiter when it completes or fails for good. True if settled."""
        ctx = self.ctx
        storage = ctx.storage
        timer_id = f"dotdo:action:{step}"
        attempt = self.journal.start(
            step, kind="do", action=name, args_json=args_json, policy=policy.to_dict(), now=ctx.now()
        )
        # Journaled and committed before the action runs: a crash from here on resumes the step.
        storage.timers.set(timer_id, ctx.now() + max(policy.delay(attempt), 1.0), kind=ACTION_TIMER_KIND, payload=step)
        # commit() flushes the whole group, the runtime's alarm index first, so the resume timer is
        # known to the scheduler after a crash; settled() waits for the fsync in power mode.
        storage.commit()
        await storage.settled()
        self._attempting.add(step)
        token = current_step.set(step)
        try:
            result = await call_isolated(ctx, self._completing(fn, step, timer_id), *args)
        except Exception as exc:
            return self._failed(step, name, attempt, exc, policy, timer_id, replaying=replaying)
        finally:
            current_step.reset(token)
            self._attempting.discard(step)
        self._settle(step, result=result)
        ctx.send(f"{_noun(name)}.completed", {"step_id": step, "action": name, "result": result})
        return True

    def _completing(self, fn: Callable[..., Any], step: str, timer_id: str) -> Callable[..., Any]:
        """`fn` followed by writing its "completed" row; in the same savepoint when `fn` is synchronous."""
        ctx = self.ctx

        def finish(result: Any) -> Any:
            self.journal.complete(step, _result_json(result, strict=True), ctx.now())
            ctx.storage.timers.delete(timer_id)
            return result

        if is_async_callable(fn):

            async def run_async(*args: Any) -> Any:
                return finish(await fn(*args))

            return run_async

        async def finish_awaited(pending: Awaitable[Any]) -> Any:
            return finish(await pending)

        def run_sync(*args: Any) -> Any:
            result = fn(*args)
            # A plain callable returning an awaitable (a lambda calling an async method) runs as an
            # async action: its "completed" row follows the awaited result.
            return finish_awaited(result) if inspect.isawaitable(result) else finish(result)

        return run_sync

    def _failed(
        self,
        step: str,
        name: str,
        attempt: int,
        exc: Exception,
        policy: RetryPolicy,
        timer_id: str,
        *,
        replaying: bool = False,
    ) -> bool:
        ctx = self.ctx
        error = describe_error(exc)
        now = ctx.now()
        if policy.retryable(exc) and attempt < policy.max_attempts:
            when = now + policy.delay(attempt)
            self.journal.retry_at(step, error, when, now)
            ctx.storage.timers.set(timer_id, when, kind=ACTION_TIMER_KIND, payload=step)
            log.info("step %s attempt %d failed (%s); retrying at +%.3fs", step, attempt, error, when - now)
            return False
        self.journal.fail(step, error, now)
        ctx.storage.timers.delete(timer_id)
        self._settle(step, error=exc)
        if replaying:
            return True
        ctx.dead_letter_box.add(
            "action", name, payload={"step_id": step}, error=error, attempts=attempt, now=now, event_type=None
        )
        ctx.send(f"{_noun(name)}.failed", {"step_id": step, "action": name, "error": error, "attempts": attempt})
        return True

    def _settle(self, step: str, *, result: Any = None, error: BaseException | None = None) -> None:
        waiter = self._waiters.get(step)
        if waiter is None or waiter.done():
            return
        if error is None:
            waiter.set_result(result)
        else:
            waiter.set_exception(error)

    async def resume(self, step: str) -> None:
        """Run the next attempt of a step whose retry (or resume after a crash) came due."""
        record = self.journal.get(step)
        if record is None or record.status in (COMPLETED, FAILED):
            return
        if step in self._attempting:
            timer_id = f"dotdo:action:{step}"
            self.ctx.storage.timers.set(timer_id, self.ctx.now() + 1.0, kind=ACTION_TIMER_KIND, payload=step)
            return
        await self._run_recorded(record)

    async def _run_recorded(self, record: ActionRecord, *, replaying: bool = False) -> bool:
        policy = RetryPolicy.from_dict(record.policy) if record.policy else RetryPolicy()
        args = record.args or []
        live = self._live.get(record.step_id)
        if live is not None:
            fn, live_args = live
            return await self._attempt(
                record.step_id, fn, record.action, live_args, encode_json(args), policy, replaying=replaying
            )
        fn = load_action(self.ctx.object, record.action)
        if fn is None:
            missing = LookupError(_unresolvable(record, type(self.ctx.object).__name__))
            return self._failed(
                record.step_id,
                record.action,
                record.attempts,
                missing,
                RetryPolicy(max_attempts=1),
                _timer(record),
                replaying=replaying,
            )
        return await self._attempt(
            record.step_id, fn, record.action, args, encode_json(args), policy, replaying=replaying
        )

    async def replay(self, step: str) -> Any:
        """Run a failed step once more (replaying its dead letter); returns its result or raises."""
        record = self.journal.get(step)
        if record is None:
            raise LookupError(f"No journaled step {step!r} to replay")
        if record.status == COMPLETED:
            return record.result
        waiter = asyncio.get_running_loop().create_future()
        self._waiters[step] = waiter
        try:
            once = record.policy | {"max_attempts": 1} if record.policy else {"max_attempts": 1}
            await self._run_recorded(_with_policy(record, once), replaying=True)
            return waiter.result()
        finally:
            self._waiters.pop(step, None)


def _with_policy(record: ActionRecord, policy: dict[str, Any]) -> ActionRecord:
    return ActionRecord(
        record.step_id,
        record.kind,
        record.action,
        record.args,
        record.status,
        0,
        record.result,
        record.error,
        policy,
        record.created_at,
        record.updated_at,
        record.next_attempt_at,
    )


def _unresolvable(record: ActionRecord, class_name: str) -> str:
    """Why the action of a step cannot be run again without the `ctx.do` call that started it."""
    if "<" in record.action:
        return (
            f"Cannot resume step {record.step_id!r}: its action {record.action!r} is a lambda, nested "
            "function, partial or callable object, which only the ctx.do call that started it knows, and that "
            "call is gone (the object restarted or was evicted, or the call ended). To resume a step after a "
            f"restart, pass ctx.do a method of {class_name} (or its name) or a module-level function"
        )
    return (
        f"Cannot resume step {record.step_id!r}: action {record.action!r} is neither a method of "
        f"{class_name} nor an importable function (pass a method or its name to ctx.do)"
    )


def _timer(record: ActionRecord) -> str:
    return f"dotdo:action:{record.step_id}"


def _noun(name: str) -> str:
    """The event noun for an action name: its last dotted/colon part, in event-type characters."""
    last = name.strip("<>").rpartition(":")[2].rpartition(".")[2].strip("<>")
    cleaned = "".join(c if c.isalnum() or c in "_-" else "_" for c in last)
    return cleaned or "action"


def _args_json(args: tuple[Any, ...], *, strict: bool) -> str:
    try:
        return encode_json(list(args), "action arguments")
    except TypeError:
        if strict:
            raise
        return encode_json([repr(a)[:500] for a in args])


def _result_json(result: Any, *, strict: bool) -> str:
    try:
        return encode_json(result, "an action result")
    except TypeError:
        if strict:
            raise
        return encode_json(repr(result)[:2000])


RETRY_AFTER_FAILURE = 60.0
"""Seconds after which resuming a step is tried again when the resumption itself failed."""


async def fire_action(obj: Any, timer: Timer) -> None:
    """Timer kind "dotdo.action": resume a durable action (a retry or a deferred send)."""
    try:
        await obj.ctx.actions.resume(timer.payload)
    except Exception:
        log.exception("resuming step %s of %s failed; trying again soon", timer.payload, type(obj).__name__)
        obj.storage.timers.set(
            timer.id, obj.ctx.now() + RETRY_AFTER_FAILURE, kind=ACTION_TIMER_KIND, payload=timer.payload
        )
