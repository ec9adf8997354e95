"""The object host: activation, event delivery through the gates, LRU and idle eviction, timers."""

from __future__ import annotations

import asyncio
import copy
import inspect
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from .clock import Clock
from .connection_budget import ConnectionBudget
from .data_folder import DataFolder
from .durable_object import RESERVED_NAMES, DurableObject, current_object
from .errors import ObjectClosedError, RuntimeNotStartedError, UnknownClassError
from .gates import InputGate
from .group_commit import GroupCommit
from .happenings import Happenings
from .ids import ObjectId, namespace_of
from .responses import as_response
from .storage import Storage
from .timer_table import ALARM_TIMER_ID, Timer
from .websockets import HibernatableWebSocket, WebSocketRegistry

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.websockets import WebSocket

    from .change_log import ChangeLog
    from .runtime import Runtime

ObjectKey = tuple[str, str]
Forward = Callable[[ObjectId, str, tuple[Any, ...]], Awaitable[Any] | None]
"""`forward(object_id, kind, args)`: the event's awaitable if another process owns the object, else None.

Kinds and their args: "call" (method, args, kwargs), "run_in" (fn,), "run_event" (fn, *args),
"fetch" (request,), "websocket" (socket,)."""

ALARM_MAX_RETRIES = 6
ALARM_FIRST_BACKOFF = 2.0
UNRUNNABLE_TIMER_RETRY = 60.0
"""Seconds after which a timer that could not run (its kind not registered, its payload unreadable) is tried again."""

log = logging.getLogger("dotdo.runtime")

_IMMUTABLE = frozenset({int, float, str, bytes, bool, type(None)})


def clone(value: Any) -> Any:
    """Copy a value crossing between objects, so no two objects share mutable state."""
    if type(value) in _IMMUTABLE:
        return value
    return copy.deepcopy(value)


class ObjectRecord:
    """What the host keeps for one live object."""

    __slots__ = ("active", "cls", "gate", "host", "id", "instance", "key", "last_used", "storage")

    instance: DurableObject
    """The object itself, set right after the record (the object is built from it)."""

    def __init__(self, host: ObjectHost, cls: type[DurableObject], oid: ObjectId, storage: Storage) -> None:
        self.host = host
        self.cls = cls
        self.id = oid
        self.key: ObjectKey = (oid.namespace, oid.hex)
        self.storage = storage
        self.gate = InputGate()
        self.active = 0
        self.last_used = 0.0

    # The storage's callbacks: methods of the record rather than closures made per object.

    def timers_changed(self, storage: Storage) -> None:
        """The object's timers changed: the host re-reads its earliest one."""
        self.host.timers_changed(self)

    def commit_failed(self, storage: Storage, exc: BaseException) -> None:
        """A commit of the object failed: its writes were rolled back, so it is reset."""
        self.host.evict(self.key, force=True)


class ObjectHost:
    """Hosts the live objects of one runtime: exactly one instance per id."""

    def __init__(
        self,
        runtime: Runtime,
        data_folder: DataFolder,
        *,
        durability: str,
        clock: Clock,
        max_live_objects: int,
        idle_timeout: float,
        max_open_databases: int | None,
        change_log: ChangeLog | None = None,
    ) -> None:
        self.runtime = runtime
        self.data_folder = data_folder
        self.durability = durability
        self.clock = clock
        self.max_live_objects = max_live_objects
        self.idle_timeout = idle_timeout
        self.group_commit = GroupCommit(durability)
        self.change_log = change_log
        """Ships every object's commits to object storage, when the runtime has one."""
        self.budget = ConnectionBudget(max_open_databases)
        self.websockets = WebSocketRegistry()
        self.classes: dict[str, type[DurableObject]] = {}
        self.activations = 0
        self.evictions = 0
        self.happenings = Happenings()
        self.closed = False
        self.on_timers_changed: Callable[[ObjectRecord, float | None], None] | None = None
        self.storage_hooks: list[Callable[[ObjectId, Storage], None]] = []
        """Called with each object's storage when it activates, before its own start-up code runs."""
        self.forward: Forward | None = None
        """Set by a cluster host: sends an event to the process that owns the object (see `Forward`).
        Stub calls, `ctx` calls, `run_in`, `fetch`, WebSockets and spawned work go through it."""
        self._live: OrderedDict[ObjectKey, ObjectRecord] = OrderedDict()
        self._activating: dict[ObjectKey, asyncio.Future[ObjectRecord]] = {}
        self._reported_timers: set[tuple[str, str, str]] = set()

    # -- classes ------------------------------------------------------------------------------

    def register(self, cls: type[DurableObject]) -> type[DurableObject]:
        """Make `cls` addressable by its namespace (class name unless it sets `namespace`)."""
        if not (isinstance(cls, type) and issubclass(cls, DurableObject)):
            raise TypeError(f"{cls!r} is not a Durable Object class (subclass dotdo.DO)")
        namespace = namespace_of(cls)
        known = self.classes.get(namespace)
        if known is not None and known is not cls:
            raise ValueError(f"Two classes share the namespace {namespace!r}: {known!r} and {cls!r}")
        self.classes[namespace] = cls
        return cls

    def class_for(self, cls_or_name: type[DurableObject] | str) -> type[DurableObject]:
        """Resolve a class or a registered class name."""
        if isinstance(cls_or_name, str):
            found = self.classes.get(cls_or_name)
            if found is None:
                registered = ", ".join(sorted(self.classes)) or "none"
                everyone = ", ".join([*sorted(self.classes), cls_or_name])
                raise UnknownClassError(
                    f"Unknown class {cls_or_name!r}; registered: {registered}. Register it: "
                    f"Runtime(objects=[{everyone}]) or API(..., objects=[{cls_or_name}])"
                )
            return found
        if namespace_of(cls_or_name) not in self.classes:
            self.register(cls_or_name)
        return cls_or_name

    # -- activation ---------------------------------------------------------------------------

    def live(self, key: ObjectKey) -> ObjectRecord | None:
        """The live record of `key`, if the object is in memory."""
        return self._live.get(key)

    @property
    def live_count(self) -> int:
        """How many objects are in memory."""
        return len(self._live)

    def live_ids(self) -> list[ObjectId]:
        """The ids of the objects in memory (with their names, when reached by one)."""
        return [record.id for record in self._live.values()]

    async def record(self, cls: type[DurableObject], oid: ObjectId) -> ObjectRecord:
        """The live record for `oid`, activating the object if needed."""
        key = (oid.namespace, oid.hex)
        record = self._live.get(key)
        if record is not None:
            self._live.move_to_end(key)
            self.budget.touch(record.storage)
            return record
        return await self._activate(cls, oid, key)

    async def _activate(self, cls: type[DurableObject], oid: ObjectId, key: ObjectKey) -> ObjectRecord:
        if self.closed:
            raise ObjectClosedError("The runtime is closed")
        if not self.runtime.started:
            raise RuntimeNotStartedError(
                "The runtime is not started: use `async with Runtime(...) as rt:` or `await rt.start()`"
            )
        pending = self._activating.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[ObjectRecord] = asyncio.get_running_loop().create_future()
        self._activating[key] = future
        try:
            record = await self._start_object(cls, oid)
        except BaseException as exc:
            future.set_exception(exc)
            future.add_done_callback(lambda f: f.exception())
            raise
        finally:
            del self._activating[key]
        future.set_result(record)
        self._live[key] = record
        self.activations += 1
        if len(self._live) > self.max_live_objects:
            self.enforce_limit()
        return record

    async def _start_object(self, cls: type[DurableObject], oid: ObjectId) -> ObjectRecord:
        storage = Storage(
            self.data_folder.object_path(oid.namespace, oid.hex),
            durability=self.durability,
            group_commit=self.group_commit,
            budget=self.budget,
            template=self.runtime.extensions_for(cls).database_template,
        )
        record = ObjectRecord(self, cls, oid, storage)
        instance = record.instance = cls(record, self.runtime.env, self.runtime)
        try:
            if self.change_log is not None:
                await self.change_log.attach(oid, storage)
            for hook in self.storage_hooks:
                hook(oid, storage)
        except BaseException:
            storage.close()
            raise
        storage.on_timers_changed = record.timers_changed
        storage.on_commit_failed = record.commit_failed
        if storage.change_log is not None and storage.change_log.rebuilt:
            # A copy rebuilt from the log: this runtime's alarm index has never seen its timers.
            self.timers_changed(record)
        if self.happenings.listeners:
            storage.on_committed = self._committed_reporter(oid)
        record.last_used = self.clock.now()
        record.gate.close()
        token = current_object.set(instance)
        try:
            await instance._on_activate()
            await instance.on_start()
        except BaseException:
            storage.close()
            raise
        finally:
            current_object.reset(token)
            record.gate.open()
        return record

    def _committed_reporter(self, oid: ObjectId) -> Callable[[Storage, int], None]:
        """What an object's storage calls after each commit, to tell the listeners."""
        listeners = self.happenings.listeners

        def committed(storage: Storage, rows: int) -> None:
            # `Happenings.tell` inlined: this runs on every commit of every object while someone listens.
            for listener in listeners:
                listener(oid, "commit", "committed %d row changes", (rows,))

        return committed

    # -- events -------------------------------------------------------------------------------

    async def deliver(self, record: ObjectRecord, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run one event of the object: input gate, current-object binding, then the output gate."""
        gate = record.gate
        if gate.closed:
            await gate.wait_open()
        record.active += 1
        token = current_object.set(record.instance)
        try:
            result = fn(*args, **kwargs)
            if inspect.isawaitable(result):
                result = await result
        finally:
            current_object.reset(token)
            try:
                waiter = record.storage.commit_waiter()
                if waiter is not None:
                    await asyncio.shield(waiter)
            finally:
                record.active -= 1
                record.last_used = self.clock.now()
        return result

    async def call(
        self, cls: type[DurableObject], oid: ObjectId, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        """Call a public method of an object, copying arguments and result across the boundary."""
        await release_outgoing()
        if self.forward is not None:
            forwarded = self.forward(oid, "call", (method, args, kwargs))
            if forwarded is not None:
                return await forwarded
        record = await self.record(cls, oid)
        fn = public_method(record.instance, method)
        if args:
            args = tuple(clone(a) for a in args)
        if kwargs:
            kwargs = {k: clone(v) for k, v in kwargs.items()}
        return clone(await self.deliver(record, fn, *args, **kwargs))

    async def run_in(self, cls: type[DurableObject], oid: ObjectId, fn: Callable[[Any], Any]) -> Any:
        """Run `fn(obj)` as an event of the object (for layers above the runtime)."""
        await release_outgoing()
        if self.forward is not None:
            forwarded = self.forward(oid, "run_in", (fn,))
            if forwarded is not None:
                return await forwarded
        record = await self.record(cls, oid)
        return await self.deliver(record, fn, record.instance)

    async def fetch(self, cls: type[DurableObject], oid: ObjectId, request: Request) -> Response:
        """Deliver an HTTP request to the object's `fetch` and turn its result into a response."""
        if self.forward is not None:
            forwarded = self.forward(oid, "fetch", (request,))
            if forwarded is not None:
                return await forwarded
        record = await self.record(cls, oid)
        return as_response(await self.deliver(record, record.instance.fetch, request), cls)

    async def accept_websocket(self, cls: type[DurableObject], oid: ObjectId, socket: WebSocket) -> None:
        """Hand an upgrade to the object's `fetch`, then pump the connection it accepted until it closes."""
        if self.forward is not None:
            forwarded = self.forward(oid, "websocket", (socket,))
            if forwarded is not None:
                await forwarded
                return
        record = await self.record(cls, oid)
        try:
            await self.deliver(record, record.instance.fetch, socket)
        except Exception:
            log.exception("%s.fetch raised for a WebSocket on %s", cls.__name__, socket.url.path)
            await socket.close(code=1011)
            return
        connection = self.websockets.accepted(record.key, socket)
        if connection is None:
            await socket.close(code=1008, reason="the object did not accept this WebSocket")
            return
        key = record.key

        async def deliver(hook: str, *args: Any) -> Any:
            return await self.deliver_websocket(key, hook, *args)

        await self.websockets.serve(connection, deliver)

    async def run_event(self, cls: type[DurableObject], oid: ObjectId, fn: Callable[..., Any], *args: Any) -> Any:
        """Run `fn(*args)` as one event of the object (activating it), arguments not copied."""
        if self.forward is not None:
            forwarded = self.forward(oid, "run_event", (fn, *args))
            if forwarded is not None:
                return await forwarded
        record = await self.record(cls, oid)
        return await self.deliver(record, fn, *args)

    async def deliver_websocket(self, key: ObjectKey, hook: str, *args: Any) -> Any:
        """Deliver a WebSocket event to `key`, reactivating it if it was evicted (hibernation)."""
        record = self._live.get(key)
        if record is None:
            cls = self.classes[key[0]]
            record = await self.record(cls, ObjectId(key[0], key[1], _name_of(args)))
        return await self.deliver(record, getattr(record.instance, hook), *args)

    # -- timers -------------------------------------------------------------------------------

    def timers_changed(self, record: ObjectRecord) -> None:
        """Tell the alarm scheduler when the object's earliest timer is due now."""
        if self.on_timers_changed is not None:
            self.on_timers_changed(record, record.storage.timers.next_fire_at())

    async def run_due_timers(self, cls: type[DurableObject], oid: ObjectId) -> None:
        """Fire every timer of the object that is due now; failures are retried with backoff."""
        record = await self.record(cls, oid)
        timers = record.storage.timers
        due = timers.due(self.clock.now())
        if not due:
            # The index pointed at a timer whose write was rolled back (a failed commit or block):
            # correct it, or the scheduler would wake this object again at once.
            self.timers_changed(record)
        for timer in due:
            handler = self.runtime.extensions_for(cls).timer_kinds.get(timer.kind)
            if handler is None or timer.unreadable is not None:
                self._keep_unrunnable(record, timer)
                continue
            happenings = self.happenings
            try:
                await self.deliver(record, handler, record.instance, timer)
            except Exception as exc:
                # Only the user's alarm gives up (after 6 retries, as in Cloudflare); the runtime's own
                # timers (events, outbox, schedules, steps) keep retrying at the longest backoff.
                if timer.retry_count < ALARM_MAX_RETRIES or timer.id != ALARM_TIMER_ID:
                    delay = ALARM_FIRST_BACKOFF * 2 ** min(timer.retry_count, ALARM_MAX_RETRIES)
                    log.exception("%s %s of %s failed; retrying in %.0f s", timer.kind, timer.id, cls.__name__, delay)
                    timers.retry(timer, self.clock.now() + delay)
                    happenings.alarms_retried += 1
                    if happenings.listeners:
                        summary = "%s %s failed (%s); retrying in %.0f s"
                        happenings.tell(oid, timer.kind, summary, timer.kind, timer.id, repr(exc)[:200], delay)
                else:
                    log.exception(
                        "%s %s of %s failed %d times; giving up",
                        timer.kind,
                        timer.id,
                        cls.__name__,
                        timer.retry_count + 1,
                    )
                    timers.finish(timer)
                    if happenings.listeners:
                        summary = "%s %s failed (%s); given up"
                        happenings.tell(oid, timer.kind, summary, timer.kind, timer.id, repr(exc)[:200])
            else:
                timers.finish(timer)
                happenings.alarms_fired += 1
                if happenings.listeners:
                    happenings.tell(oid, timer.kind, "%s %s fired", timer.kind, timer.id)
        await record.storage.settled()

    def _keep_unrunnable(self, record: ObjectRecord, timer: Timer) -> None:
        """Keep a timer that cannot run now and try it again later; say so once per kind and class."""
        why = "its payload is unreadable" if timer.unreadable is not None else "no handler is registered for its kind"
        report = (record.id.namespace, timer.kind, why)
        if report not in self._reported_timers:
            self._reported_timers.add(report)
            log.error(
                "Timer %s (kind %r) of %s %s cannot run: %s%s; keeping it and trying again every %.0f s "
                "(import the module that registers the kind, or delete the timer to cancel it)",
                timer.id,
                timer.kind,
                record.cls.__name__,
                record.id,
                why,
                f" ({timer.unreadable})" if timer.unreadable else "",
                UNRUNNABLE_TIMER_RETRY,
            )
        record.storage.timers.postpone(timer, self.clock.now() + UNRUNNABLE_TIMER_RETRY)

    # -- eviction -----------------------------------------------------------------------------

    def evict(self, key: ObjectKey, *, force: bool = False) -> bool:
        """Drop a live object from memory (its WebSockets stay open); False if it is busy."""
        record = self._live.get(key)
        if record is None:
            return False
        storage = record.storage
        if not force and (record.active or record.gate.closed or storage.dirty or storage.commit_waiter()):
            return False
        del self._live[key]
        if force:
            storage.abandon()
        else:
            storage.close()
        self.evictions += 1
        if self.happenings.listeners:
            why = " (reset after a failed commit)" if force else ""
            self.happenings.tell(record.id, "eviction", "evicted from memory%s", why)
        return True

    def evict_idle(self) -> int:
        """Evict objects idle for longer than `idle_timeout`; returns how many."""
        cutoff = self.clock.now() - self.idle_timeout
        evicted = 0
        for key, record in list(self._live.items()):
            if record.last_used <= cutoff and self.evict(key):
                evicted += 1
        return evicted

    def enforce_limit(self) -> None:
        """Evict least recently used idle objects beyond `max_live_objects`."""
        for key in list(self._live):
            if len(self._live) <= self.max_live_objects:
                return
            self.evict(key)

    async def close(self) -> None:
        """Commit everything and close every object's storage."""
        self.closed = True
        await self.group_commit.drain()
        for record in list(self._live.values()):
            record.storage.close()
        self._live.clear()
        self.budget.closer.shutdown()
        self.group_commit.close()
        if self.change_log is not None:
            await self.change_log.close()


def public_method(instance: DurableObject, name: str) -> Callable[..., Any]:
    """The method `name` of `instance` if a stub may call it; AttributeError saying why if not."""
    cls = type(instance)
    if not isinstance(name, str) or name.startswith("_") or name in RESERVED_NAMES:
        raise AttributeError(f"{cls.__name__}.{name} is not callable from outside the object")
    fn = getattr(instance, name, None)
    if fn is None or not callable(fn):
        raise AttributeError(f"{cls.__name__} has no method {name!r}")
    return fn


async def release_outgoing() -> None:
    """Hold a call leaving an object until that object's writes are committed (output gate)."""
    caller = current_object.get()
    if caller is not None:
        waiter = caller.storage.commit_waiter()
        if waiter is not None:
            await asyncio.shield(waiter)


def _name_of(args: tuple[Any, ...]) -> str | None:
    connection = args[0] if args else None
    return connection.object_name if isinstance(connection, HibernatableWebSocket) else None
