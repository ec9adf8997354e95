"""Event dispatch: `send` (record now, run handlers in the background) and `emit` (run them and wait).

An event is recorded in the `events` table before any handler runs. `send` then schedules the
dispatch as an event of the object and keeps a backstop timer, so a dispatch cut short by a crash
runs again when the object comes back. Each handler runs in isolation: a synchronous handler's
writes are all-or-nothing, a failing handler is retried `max_retries` times and then dead-lettered,
and the other handlers run regardless.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from .dead_letters import describe_error
from .events import Event, EventLog, split_type
from .handlers import Handler, HandlerOptions, HandlerRegistry, class_handlers

if TYPE_CHECKING:
    from ..runtime.timer_table import Timer
    from .context import Context

log = logging.getLogger("dotdo.context")

DISPATCH_TIMER_ID = "dotdo:events"
DISPATCH_TIMER_KIND = "dotdo.events"
BACKSTOP_DELAY = 5.0
"""Seconds after a `send` at which the backstop timer dispatches whatever is still undispatched."""


def is_async_callable(fn: Callable[..., Any]) -> bool:
    """Whether `fn` is declared async: async functions and methods, partials of them, `async __call__`.

    A plain callable may still return an awaitable (`lambda e: self.onboard(e)`); `call_isolated`
    awaits that too.
    """
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(type(fn).__call__)


async def call_isolated(ctx: Context, fn: Callable[..., Any], *args: Any) -> Any:
    """Call `fn(*args)` and await what it returns if it is awaitable.

    A synchronous `fn` runs all-or-nothing on the object's storage. A plain callable that returns
    an awaitable (a lambda calling an async method) has its synchronous part run in that block and
    the awaitable awaited after it, like an async handler.
    """
    if is_async_callable(fn):
        return await fn(*args)
    pending: list[Awaitable[Any]] = []

    def run() -> Any:
        result = fn(*args)
        if inspect.isawaitable(result):
            pending.append(result)
            return None
        return result

    result = ctx.storage.transaction_sync(run)
    if pending:
        return await pending[0]
    return result


class EventDispatcher:
    """Records, dispatches and re-dispatches the events of one object."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.log = EventLog(ctx.storage)
        self.registry = HandlerRegistry()
        self._in_flight: set[int] = set()
        self._backstop_until = 0.0
        obj = ctx.object
        for method, pattern, options in class_handlers(type(obj)):
            self.registry.add(pattern, getattr(obj, method), _named(options, method))

    def record(self, event_type: str, data: Any, *, dispatched: bool = False) -> Event:
        """Append the event to the events table and queue it for subscribers of this object
        (`dispatched`: no local handler is to run for it)."""
        ctx = self.ctx
        event = self.log.record(event_type, data, source=ctx.source, now=ctx.now(), dispatched=dispatched)
        ctx.subscriptions.fan_out(event)
        return event

    def send(self, event_type: str, data: Any) -> str | None:
        """Record and dispatch in the background; never raises (failures become dead letters)."""
        ctx = self.ctx
        in_block = ctx.storage.in_transaction_block
        try:
            noun, verb = split_type(event_type)
            local = bool(self.registry.matching(noun, verb))
            # No handler of this object takes it: recorded as dispatched, with no dispatch to run
            # (subscribers of other objects get it through the outbox all the same).
            event = self.record(event_type, data, dispatched=not local)
            now = ctx.now()
            if local and (self._backstop_until <= now or in_block):
                ctx.storage.timers.set(DISPATCH_TIMER_ID, now + BACKSTOP_DELAY, kind=DISPATCH_TIMER_KIND)
                # Inside a transaction_sync block the timer may roll back: do not trust it later.
                self._backstop_until = 0.0 if in_block else now + BACKSTOP_DELAY
        except Exception as exc:
            log.warning("send(%r) failed: %s", event_type, exc)
            self._dead_letter_send(event_type, data, exc)
            return None
        happenings = ctx.runtime.happenings
        happenings.events_sent += 1
        if happenings.listeners:
            happenings.tell(ctx.object.id, "event", "sent %s", event_type)
        if local:
            ctx.spawn(self._dispatch_in_background, event, in_block)
        return event.id

    def _dead_letter_send(self, event_type: Any, data: Any, exc: Exception) -> None:
        try:
            self.ctx.dead_letter_box.add(
                "send",
                str(event_type)[:200],
                payload={"type": str(event_type)[:200], "data": repr(data)[:2000]},
                error=describe_error(exc),
                attempts=1,
                now=self.ctx.now(),
                event_type=str(event_type)[:200],
            )
        except Exception:
            log.exception("could not dead-letter a failed send of %r", event_type)

    async def emit(self, event_type: str, data: Any) -> Event:
        """Record the event and run its local handlers before returning."""
        event = self.record(event_type, data)
        await self.dispatch(event)
        return event

    async def _dispatch_in_background(self, event: Event, sent_in_block: bool) -> None:
        # A send inside a transaction_sync block that rolled back left no event behind.
        if not sent_in_block or self.log.contains(event.id):
            await self.dispatch(event)

    async def dispatch(self, event: Event) -> None:
        """Run the handlers matching `event`, then mark it dispatched (once, even if asked twice)."""
        if event.sequence in self._in_flight:
            return
        self._in_flight.add(event.sequence)
        try:
            for handler in self.registry.matching(event.noun, event.verb):
                await self.run_handler(handler, event)
            self.log.mark_dispatched(event)
        finally:
            self._in_flight.discard(event.sequence)

    async def run_handler(self, handler: Handler, event: Event) -> bool:
        """Run one handler with its retries; dead-letter it if it keeps failing. True on success."""
        options = handler.options
        error: Exception | None = None
        attempts = 0
        for _ in range(options.max_retries + 1):
            attempts += 1
            try:
                if options.filter is not None and not options.filter(event):
                    return True
                await call_isolated(self.ctx, handler.fn, event)
            except Exception as exc:
                error = exc
            else:
                self._handled(handler, event)
                return True
        assert error is not None
        log.warning("handler %s failed on %s after %d attempts: %s", handler.name, event.type, attempts, error)
        self.ctx.dead_letter_box.add(
            "handler",
            handler.name,
            payload={"event": event.to_dict(), "handler": handler.name},
            error=describe_error(error),
            attempts=attempts,
            now=self.ctx.now(),
            event_type=event.type,
        )
        return False

    def _handled(self, handler: Handler, event: Event) -> None:
        happenings = self.ctx.runtime.happenings
        happenings.events_delivered += 1
        if happenings.listeners:
            summary = "%s handled %s from %s"
            happenings.tell(self.ctx.object.id, "event", summary, handler.name, event.type, event.source)

    async def dispatch_pending(self) -> None:
        """Dispatch every recorded event whose dispatch never finished (after a crash)."""
        while True:
            pending = [e for e in self.log.undispatched() if e.sequence not in self._in_flight]
            if not pending:
                break
            for event in pending:
                await self.dispatch(event)


def _named(options: HandlerOptions, method: str) -> HandlerOptions:
    if options.name is not None:
        return options
    return HandlerOptions(options.priority, options.filter, method, options.max_retries)


async def fire_dispatch_backstop(obj: Any, timer: Timer) -> None:
    """Timer kind "dotdo.events": dispatch the events whose in-process dispatch did not finish."""
    await obj.ctx.events_dispatcher.dispatch_pending()
