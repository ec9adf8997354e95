"""The ctx of an object (the original's `$`): its identity and storage, events, schedules, durable
actions, stubs to other objects, plus attached capabilities.

Capabilities (`things`, `fs`, `bash`, `git`, …) attach on first use, built by the factories the
runtime's registry holds for the object's class (`Extensions.attachments`): this layer names none
of them, and `dotdo.Runtime` and `API()` add those of the layers above it.
A capitalised attribute (`ctx.Customer`) is a stub factory for that registered class.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .actions import DurableActions, current_step
from .dead_letters import DeadLetter, DeadLetterBox, describe_error
from .dispatch import EventDispatcher, call_isolated
from .events import Event
from .handlers import OnSelector
from .retry_policy import RetryPolicy
from .schedule_builder import Every
from .schedules import Schedules
from .stubs import ContextStub, StubCache
from .subscriptions import Subscriptions

if TYPE_CHECKING:
    from ..runtime.durable_object import DurableObject
    from ..runtime.ids import ObjectId
    from ..runtime.object_storage import ObjectStorage
    from ..runtime.runtime import Runtime

log = logging.getLogger("dotdo.context")


class Context:
    """Everything an object's code reaches through `self.ctx` (or `dotdo.ctx` inside an event)."""

    def __init__(self, obj: DurableObject) -> None:
        self.object = obj
        # Made by the first spawn and dropped once its tasks are done: most objects, idle most of
        # the time, then hold no set.
        self._tasks: set[asyncio.Task[Any]] | None = None

    # -- identity -----------------------------------------------------------------------------------

    @property
    def id(self) -> ObjectId:
        """The object's id."""
        return self.object.id

    @property
    def name(self) -> str | None:
        """The object's name, or None for unique ids."""
        return self.object.id.name

    @property
    def storage(self) -> ObjectStorage:
        """The object's storage."""
        return self.object.storage

    @property
    def env(self) -> Any:
        """The runtime's bindings."""
        return self.object.env

    @property
    def runtime(self) -> Runtime:
        """The runtime hosting the object."""
        return self.object.runtime

    @property
    def source(self) -> str:
        """How events of this object name their source: "Class/name" (or "Class/<hex id>")."""
        oid = self.object.id
        return f"{oid.namespace}/{oid.name if oid.name is not None else oid.hex}"

    def now(self) -> float:
        """The runtime clock's time (epoch seconds)."""
        return self.object.runtime.clock.now()

    # -- the parts ----------------------------------------------------------------------------------

    @cached_property
    def events_dispatcher(self) -> EventDispatcher:
        """Records and dispatches this object's events."""
        return EventDispatcher(self)

    @cached_property
    def dead_letter_box(self) -> DeadLetterBox:
        """The `dead_letters` table."""
        return DeadLetterBox(self.storage, on_added=self._dead_lettered)

    def _dead_lettered(self, kind: str, name: str, error: str) -> None:
        happenings = self.runtime.happenings
        happenings.dead_letters += 1
        if happenings.listeners:
            happenings.tell(self.object.id, "dead letter", "%s %s dead-lettered: %s", kind, name, error[:200])

    @cached_property
    def actions(self) -> DurableActions:
        """`try_`/`do` and the `actions` journal."""
        return DurableActions(self)

    @cached_property
    def schedules(self) -> Schedules:
        """`ctx.schedules.list()`, `ctx.schedules.cancel(id)`."""
        return Schedules(self)

    @cached_property
    def subscriptions(self) -> Subscriptions:
        """Subscribers of this object's events and the outbox that delivers to them."""
        return Subscriptions(self)

    @cached_property
    def stubs(self) -> StubCache:
        """The LRU of stubs to other objects (`ctx.stubs.configure(cache_size=…, failure_threshold=…)`)."""
        return StubCache(self, getattr(type(self.object), "stub_policy", None))

    # -- events ---------------------------------------------------------------------------------------

    @property
    def on(self) -> OnSelector:
        """Register handlers: `ctx.on.Customer.signup(h)`, `ctx.on["*"].created(h)`, `ctx.on.Customer["*"](h)`."""
        return OnSelector(self.events_dispatcher.registry)

    def send(self, event_type: str, data: Any = None) -> str | None:
        """Record an event and dispatch it in the background; never raises (returns its id, or None)."""
        return self.events_dispatcher.send(event_type, data)

    async def emit(self, event_type: str, data: Any = None) -> Event:
        """Record an event and run its local handlers before returning."""
        return await self.events_dispatcher.emit(event_type, data)

    def event_log(self, event_type: str | None = None, *, limit: int = 100) -> list[Event]:
        """The most recent events of this object (sent, emitted and received), newest first."""
        return self.events_dispatcher.log.list(event_type=event_type, limit=limit)

    async def subscribe(self, source: ContextStub | Any, pattern: str, method: str) -> int:
        """Deliver `source`'s events matching `pattern` to this object's `method`, durably and in order."""
        cls, oid = _target(source)
        me = self.object.id
        if not callable(getattr(self.object, method, None)):
            raise AttributeError(f"{type(self.object).__name__} has no method {method!r} to receive events")
        return await self.runtime.run_in(cls, oid, lambda obj: obj.ctx.subscriptions.add(me, pattern, method))

    async def unsubscribe(self, source: ContextStub | Any, pattern: str, method: str) -> bool:
        """Stop a subscription made with `subscribe`; True if it existed."""
        cls, oid = _target(source)
        me = self.object.id
        return await self.runtime.run_in(cls, oid, lambda obj: obj.ctx.subscriptions.remove(me, pattern, method))

    # -- schedules ------------------------------------------------------------------------------------

    @property
    def every(self) -> Every:
        """Persist a schedule for this object: `ctx.every.hour(h)`, `ctx.every("first monday", h)`."""
        return self.schedules.every

    # -- durable actions ------------------------------------------------------------------------------

    async def try_(self, action: Callable[..., Any] | str, *args: Any, timeout: float | None = None) -> Any:
        """One recorded attempt of `action(*args)` (a callable or a method name); its exception propagates."""
        return await self.actions.try_(action, *args, timeout=timeout)

    async def do(
        self,
        action: Callable[..., Any] | str,
        *args: Any,
        step_id: str | None = None,
        retry: RetryPolicy | None = None,
    ) -> Any:
        """A journaled step: retried with backoff, resumed after a restart, never re-run once completed."""
        return await self.actions.do(action, *args, step_id=step_id, retry=retry)

    @property
    def idempotency_key(self) -> str:
        """A key unique to the running `do` step: pass it to external services so repeats are recognised."""
        step = current_step.get()
        if step is None:
            raise RuntimeError("ctx.idempotency_key is only set while a ctx.do step runs")
        return f"{self.object.id.hex}:{step}"

    # -- dead letters ---------------------------------------------------------------------------------

    def dead_letters(self, *, include_replayed: bool = False) -> list[DeadLetter]:
        """What failed for good (handlers, steps, sends, deliveries), oldest first."""
        return self.dead_letter_box.list(include_replayed=include_replayed)

    async def replay(self, dead_letter_id: int) -> Any:
        """Run a dead letter's work once more; on success it is marked replayed. Raises if it fails again."""
        box = self.dead_letter_box
        letter = box.get(dead_letter_id)
        if letter is None:
            raise LookupError(f"No dead letter {dead_letter_id!r}; see ctx.dead_letters() for the ids")
        if letter.replayed_at is not None:
            raise ValueError(f"Dead letter {dead_letter_id} was already replayed")
        try:
            result = await self._replay(letter)
        except Exception as exc:
            box.note_failed_replay(dead_letter_id, describe_error(exc))
            raise
        box.mark_replayed(dead_letter_id, self.now())
        return result

    async def _replay(self, letter: DeadLetter) -> Any:
        payload = letter.payload
        if letter.kind == "action":
            return await self.actions.replay(payload["step_id"])
        if letter.kind == "delivery":
            self.subscriptions.requeue(payload)
            self.spawn(self.subscriptions.drain)
            return None
        if letter.kind == "handler" and "event" in payload:
            handler = self.events_dispatcher.registry.named(payload["handler"])
            if handler is None:
                raise LookupError(f"Handler {payload['handler']!r} is not registered now; register it, then replay")
            return await call_isolated(self, handler.fn, Event.from_dict(payload["event"]))
        if letter.kind == "handler" and "schedule" in payload:
            return await self.schedules.replay_tick(payload["schedule"], letter.name, payload["tick"])
        raise ValueError(f"A failed {letter.kind} cannot be replayed ({letter.error}); send the event again")

    # -- background work ------------------------------------------------------------------------------

    def spawn(self, fn: Callable[..., Coroutine[Any, Any, Any]], *args: Any) -> None:
        """Run `fn(*args)` soon as an event of this object (no-op without a running loop: timers cover it)."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return
        task = self.runtime.spawn(type(self.object), self.object.id, self._background, fn, *args)
        tasks = self._tasks
        if tasks is None:
            tasks = self._tasks = set()
        tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        tasks = self._tasks
        if tasks is not None:
            tasks.discard(task)
            if not tasks:
                self._tasks = None

    async def _background(self, fn: Callable[..., Coroutine[Any, Any, Any]], *args: Any) -> None:
        try:
            await fn(*args)
        except Exception:
            log.exception("background work of %s failed", self.source)

    async def settle(self) -> None:
        """Wait until the background dispatches and deliveries started by this object have finished."""
        current = asyncio.current_task()
        while True:
            pending = [t for t in self._tasks or () if t is not current and not t.done()]
            if not pending:
                return
            await asyncio.gather(*pending, return_exceptions=True)

    # -- attachments and stubs ------------------------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        attachments = self.runtime.extensions_for(type(self.object)).attachments
        factory = attachments.get(name)
        if factory is None:
            if name[:1].isupper():
                return self.stubs.factory(name)
            raise AttributeError(
                f"ctx has no attribute {name!r}; attachments: {', '.join(sorted(attachments)) or 'none'} "
                "(dotdo.Runtime and API() attach things, relationships, fs, git and bash)"
            )
        value = factory(self)
        setattr(self, name, value)
        return value

    def __repr__(self) -> str:
        return f"<ctx of {type(self.object).__name__} {self.name or self.id.hex[:12]!r}>"


def _target(stub: Any) -> tuple[Any, ObjectId]:
    if isinstance(stub, ContextStub):
        return stub.cls, stub.id
    cls = getattr(stub, "_cls", None)
    oid = getattr(stub, "id", None)
    if cls is None or oid is None:
        raise TypeError(f"subscribe takes a stub such as ctx.Customer('alice'), not {type(stub).__name__}")
    return cls, oid
