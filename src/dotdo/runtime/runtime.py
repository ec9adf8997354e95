"""The embedded runtime: hosts objects from a data folder, fires their alarms, evicts idle ones."""

from __future__ import annotations

import asyncio
import contextlib
import os
import weakref
from collections.abc import Awaitable, Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .alarm_scheduler import AlarmScheduler
from .change_log import DEFAULT_RETENTION, ChangeLog
from .clock import Clock
from .data_folder import DataFolder
from .durable_object import DurableObject
from .errors import ObjectClosedError
from .extensions import Extensions, declared_extensions
from .folder_lock import FolderLock
from .group_commit import DURABILITY_MODES
from .happenings import Happenings
from .host import Forward, ObjectHost
from .ids import ObjectId, id_from_name, id_from_string, new_unique_id
from .storage import Storage
from .stub import Namespace, ObjectStub

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.websockets import WebSocket


class Env(dict[str, Any]):
    """The runtime's bindings: the values given as `env=`, and a `Namespace` per registered class."""

    def __init__(self, host: ObjectHost, bindings: Mapping[str, Any]) -> None:
        super().__init__(bindings)
        self._host = host

    def __getattr__(self, name: str) -> Any:
        if name in self:
            return self[name]
        cls = self._host.classes.get(name)
        if cls is None:
            raise AttributeError(
                f"env has no binding {name!r}; bindings: {', '.join(sorted(self)) or 'none'}, "
                f"classes: {', '.join(sorted(self._host.classes)) or 'none'}"
            )
        return Namespace(self._host, cls)


_runtimes_by_folder: weakref.WeakValueDictionary[Path, Runtime] = weakref.WeakValueDictionary()
"""The runtime of each data folder in this process: the one holding it, else the first one created for it."""


class Runtime:
    """Hosts Durable Objects in one process: `async with Runtime(data_dir=...) as rt: rt.get(Cls, name)`.

    One runtime owns a data folder: `Runtime.shared(data_dir)` (what `API()` uses) returns the one
    this process already has for that folder, and a runtime of another process on the same folder
    fails at `start()` with `DataFolderInUseError` naming that process.
    """

    def __init__(
        self,
        data_dir: str | os.PathLike[str] = ".dotdo",
        objects: Iterable[type[DurableObject]] = (),
        durability: str = "process",
        max_live_objects: int = 10_000,
        idle_timeout: float = 30.0,
        clock: Clock | None = None,
        *,
        env: Mapping[str, Any] | None = None,
        max_open_databases: int | None = None,
        extensions: Extensions | None = None,
        replicate_to: str | os.PathLike[str] | None = None,
        replicate_options: Mapping[str, str] | None = None,
        retention: float = DEFAULT_RETENTION,
    ) -> None:
        if durability not in DURABILITY_MODES:
            raise ValueError(f"durability must be one of {', '.join(DURABILITY_MODES)}, not {durability!r}")
        if max_live_objects < 1:
            raise ValueError("max_live_objects must be at least 1")
        if idle_timeout <= 0:
            raise ValueError("idle_timeout must be positive (seconds)")
        self.data_folder = DataFolder(data_dir)
        self.durability = durability
        self.clock = clock or Clock()
        self.extensions = extensions or Extensions()
        """Timer kinds, HTTP mounts and ctx attachments for every class, added to what each class declares."""
        self._defaults = Extensions()
        self._class_extensions: dict[type[DurableObject], Extensions] = {}
        self.change_log: ChangeLog | None = None
        """Ships every commit to object storage (`replicate_to`, by default `<data_dir>/log` when replicated)."""
        if replicate_to is None and durability == "replicated":
            replicate_to = self.data_folder.root / "log"
        if replicate_to is not None:
            self.change_log = ChangeLog(
                replicate_to, durability=durability, options=replicate_options, retention=retention
            )
        self.host = ObjectHost(
            self,
            self.data_folder,
            durability=durability,
            clock=self.clock,
            max_live_objects=max_live_objects,
            idle_timeout=idle_timeout,
            max_open_databases=max_open_databases,
            change_log=self.change_log,
        )
        self.env = Env(self.host, env or {})
        self.alarms: AlarmScheduler | None = None
        for cls in objects:
            self.register(cls)
        self._index: Storage | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self._start_lock: asyncio.Lock | None = None
        self._folder_lock = FolderLock(self.data_folder.root)
        self._users = 0
        self.started = False
        self.closed = False
        known = _runtimes_by_folder.get(self.data_folder.root)
        if known is None or known.closed:
            _runtimes_by_folder[self.data_folder.root] = self

    @classmethod
    def shared(
        cls,
        data_dir: str | os.PathLike[str] = ".dotdo",
        *,
        durability: str | None = None,
        replicate_to: str | os.PathLike[str] | None = None,
        replicate_options: Mapping[str, str] | None = None,
    ) -> Runtime:
        """The runtime this process has for `data_dir`, created if it has none: apps on one folder share it.

        `durability` (default "process") and `replicate_to` must match the existing runtime's if there is one.
        """
        root = Path(data_dir).expanduser().resolve()
        known = _runtimes_by_folder.get(root)
        if known is None or known.closed:
            return cls(
                data_dir=root,
                durability=durability or "process",
                replicate_to=replicate_to,
                replicate_options=replicate_options,
            )
        if durability is not None and durability != known.durability:
            raise ValueError(
                f"The data folder {root} already has a runtime with durability {known.durability!r} in this "
                f"process; one runtime serves a folder, so durability {durability!r} cannot apply to it"
            )
        if replicate_to is not None and (
            known.change_log is None or known.change_log.store.url != os.fspath(replicate_to)
        ):
            shipping = f"ships to {known.change_log.store.url}" if known.change_log else "ships no change log"
            raise ValueError(
                f"The data folder {root} already has a runtime in this process, which {shipping}; one runtime "
                f"serves a folder, so it cannot also ship to {os.fspath(replicate_to)}"
            )
        return known

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> Runtime:
        """Open the data folder and start firing alarms (idempotent)."""
        if self.started:
            return self
        if self.closed:
            raise ObjectClosedError("This runtime was closed; create a new Runtime")
        if self._start_lock is None:
            self._start_lock = asyncio.Lock()
        async with self._start_lock:
            if self.started:
                return self
            self.data_folder.prepare()
            self._folder_lock.acquire()
            # Holding the folder makes this the runtime `Runtime.shared` hands out for it.
            _runtimes_by_folder[self.data_folder.root] = self
            try:
                alarms = self._open()
            except BaseException:
                self._folder_lock.release()
                raise
            if self.clock.manual:
                await alarms.fire_due()
        return self

    def _open(self) -> AlarmScheduler:
        """Open the runtime's own database and start the alarm scheduler and the idle sweeper."""
        self._index = Storage(
            self.data_folder.index_path, durability=self.durability, group_commit=self.host.group_commit
        )
        self.alarms = alarms = AlarmScheduler(self.host, self._index, self.clock)
        alarms.start()
        if self.clock.manual:
            self.clock.subscribe(self._sweep_now)
        else:
            self._sweeper = asyncio.get_running_loop().create_task(self._sweep(), name="dotdo-idle-sweeper")
        self.started = True
        return alarms

    async def close(self) -> None:
        """Stop timers, commit everything, close every database."""
        if not self.started or self.closed:
            self.closed = True
            return
        self.closed = True
        self.clock.unsubscribe(self._sweep_now)
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        if self.alarms is not None:
            await self.alarms.close()
        try:
            await self.host.close()
            if self._index is not None:
                self._index.close()
        finally:
            self._folder_lock.release()

    async def acquire(self) -> Runtime:
        """Start the runtime for one more user (an app's lifespan); `release()` when done."""
        await self.start()
        self._users += 1
        return self

    async def release(self) -> None:
        """One user is done with the runtime; the last one closes it."""
        self._users -= 1
        if self._users <= 0:
            await self.close()

    async def __aenter__(self) -> Runtime:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def _sweep(self) -> None:
        interval = min(self.host.idle_timeout / 2, 5.0)
        while True:
            await asyncio.sleep(interval)
            self.host.evict_idle()

    async def _sweep_now(self) -> None:
        self.host.evict_idle()

    # -- classes and stubs --------------------------------------------------------------------

    def register(self, cls: type[DurableObject]) -> type[DurableObject]:
        """Make a class addressable by name (from code, RPC and alarms after a restart)."""
        registered = self.host.register(cls)
        if self.alarms is not None:
            self.alarms.wake()
        return registered

    def add_defaults(self, extensions: Extensions) -> None:
        """Extend every class with `extensions`, under what a class declares and what `extensions=` gave.

        How the layers above the runtime bring their capabilities (`dotdo.Runtime` and `API()` add
        `ctx.fs`, `ctx.git`, …): a class or the runtime's own registry may still replace one of them.
        """
        self._defaults = self._defaults.merged(extensions)
        self._class_extensions.clear()

    def extensions_for(self, cls: type[DurableObject]) -> Extensions:
        """What extends objects of `cls`: the defaults, its (and its bases') declarations, then the runtime's."""
        found = self._class_extensions.get(cls)
        if found is None:
            found = self._class_extensions[cls] = self._defaults.merged(declared_extensions(cls)).merged(
                self.extensions
            )
        return found

    def add_storage_hook(self, hook: Callable[[ObjectId, Storage], None]) -> None:
        """Call `hook(object_id, storage)` whenever an object activates, before its start-up code.

        Layers above the runtime use it to extend every object's database (e.g. the tiers' outbox);
        an exception from the hook fails the activation.
        """
        self.host.storage_hooks.append(hook)

    @property
    def classes(self) -> dict[str, type[DurableObject]]:
        """Registered classes by namespace (class name unless the class sets `namespace`)."""
        return dict(self.host.classes)

    def class_named(self, name: str) -> type[DurableObject]:
        """A registered class by name; `UnknownClassError` listing the registered ones otherwise."""
        return self.host.class_for(name)

    def get(self, cls: type[DurableObject] | str, name_or_id: str | ObjectId) -> ObjectStub:
        """A stub for the object called `name_or_id` (or with that id) of class `cls` (a class or class name)."""
        resolved = self.host.class_for(cls)
        return ObjectStub(self.host, resolved, self._id(resolved, name_or_id))

    def _id(self, cls: type[DurableObject], name_or_id: str | ObjectId) -> ObjectId:
        return name_or_id if isinstance(name_or_id, ObjectId) else id_from_name(cls, name_or_id)

    async def fetch(self, cls: type[DurableObject] | str, name_or_id: str | ObjectId, request: Request) -> Response:
        """Deliver `request` to the object's `fetch` (activating it) and return its response."""
        resolved = self.host.class_for(cls)
        return await self.host.fetch(resolved, self._id(resolved, name_or_id), request)

    async def call(
        self, cls: type[DurableObject] | str, name_or_id: str | ObjectId, method: str, /, *args: Any, **kwargs: Any
    ) -> Any:
        """Call a public method of the object as one event; arguments and result are copied."""
        resolved = self.host.class_for(cls)
        return await self.host.call(resolved, self._id(resolved, name_or_id), method, args, kwargs)

    def spawn(
        self,
        cls: type[DurableObject] | str,
        name_or_id: str | ObjectId,
        fn: Callable[..., Awaitable[Any]],
        /,
        *args: Any,
    ) -> asyncio.Task[Any]:
        """Start `fn(*args)` as one event of the object, in the background; the task's result is `fn`'s."""
        resolved = self.host.class_for(cls)
        work = self.host.run_event(resolved, self._id(resolved, name_or_id), fn, *args)
        return asyncio.get_running_loop().create_task(work)

    async def accept_websocket(
        self, cls: type[DurableObject] | str, name_or_id: str | ObjectId, socket: WebSocket
    ) -> None:
        """Hand an upgrade to the object's `fetch`, then serve the connection it accepts until it closes."""
        resolved = self.host.class_for(cls)
        await self.host.accept_websocket(resolved, self._id(resolved, name_or_id), socket)

    def get_by_id(self, cls: type[DurableObject] | str, oid: ObjectId | str) -> ObjectStub:
        """A stub for an object by id (an `ObjectId` or its 64-hex string form)."""
        resolved = self.host.class_for(cls)
        if isinstance(oid, str):
            oid = id_from_string(resolved, oid)
        return ObjectStub(self.host, resolved, oid)

    def id_from_name(self, cls: type[DurableObject] | str, name: str) -> ObjectId:
        """The id of the object called `name`."""
        return id_from_name(self.host.class_for(cls), name)

    def new_unique_id(self, cls: type[DurableObject] | str) -> ObjectId:
        """A fresh random id of class `cls`."""
        return new_unique_id(self.host.class_for(cls))

    async def run_in(self, cls: type[DurableObject] | str, name_or_id: str | ObjectId, fn: Callable[[Any], Any]) -> Any:
        """Run `fn(obj)` (sync or async) as an event of that object and return its result."""
        resolved = self.host.class_for(cls)
        return await self.host.run_in(resolved, self._id(resolved, name_or_id), fn)

    def evict(self, cls: type[DurableObject] | str, name_or_id: str | ObjectId) -> bool:
        """Drop the object from memory if it is there and idle (its WebSockets stay open); False otherwise."""
        resolved = self.host.class_for(cls)
        oid = self._id(resolved, name_or_id)
        return self.host.evict((oid.namespace, oid.hex))

    async def adopt_timers(self, cls: type[DurableObject] | str, name_or_id: str | ObjectId) -> None:
        """Activate the object and enter its earliest timer in this runtime's alarm index.

        For an object whose timers another runtime indexed until now (a host that took it over):
        a timer already due fires at once.
        """
        resolved = self.host.class_for(cls)
        record = await self.host.record(resolved, self._id(resolved, name_or_id))
        if self.alarms is not None:
            self.alarms.note(record, record.storage.timers.next_fire_at())

    @property
    def forward(self) -> Forward | None:
        """Asked first by every event sent to an object (call, run_in, fetch, WebSocket, spawn): its
        awaitable if another process owns the object, else None (it runs here). A cluster host sets it."""
        return self.host.forward

    @forward.setter
    def forward(self, forward: Forward | None) -> None:
        self.host.forward = forward

    @property
    def live_count(self) -> int:
        """How many objects are in memory."""
        return self.host.live_count

    @property
    def max_open_databases(self) -> int:
        """The most SQLite databases kept open at once (idle ones close first; objects stay live)."""
        return self.host.budget.max_open

    @max_open_databases.setter
    def max_open_databases(self, count: int) -> None:
        if count < 1:
            raise ValueError(f"max_open_databases must be at least 1, not {count}")
        # Lowered: the idle databases past it close as the next ones open.
        self.host.budget.max_open = count

    @property
    def activations(self) -> int:
        """How many times an object was activated since the runtime started."""
        return self.host.activations

    @property
    def evictions(self) -> int:
        """How many times an object was evicted from memory since the runtime started."""
        return self.host.evictions

    @property
    def commit_counts(self) -> tuple[int, int, int]:
        """(transactions committed, group commits, fsync calls) since the runtime started."""
        commits = self.host.group_commit
        return commits.commits, commits.flushes, commits.fsyncs

    @property
    def fsync_seconds(self) -> float:
        """Seconds spent making commits durable (fsync, syncfs) since the runtime started."""
        return self.host.group_commit.fsync_seconds

    @property
    def happenings(self) -> Happenings:
        """Counts of alarms, events and dead letters, and the listeners told of each happening (the
        inspector's timeline). A listener added before an object activates also hears its commits."""
        return self.host.happenings

    def live_id(self, namespace: str, hex_id: str) -> ObjectId | None:
        """The id (with its name, if it was reached by one) of object `hex_id` of class `namespace` if it
        is in memory; None if it is not."""
        record = self.host.live((namespace, hex_id))
        return None if record is None else record.id

    def live_ids(self) -> list[ObjectId]:
        """The ids of every object in memory (with its name, if it was reached by one)."""
        return self.host.live_ids()

    def live_storage(self, cls: type[DurableObject] | str, name_or_id: str | ObjectId) -> Storage | None:
        """The object's storage if it is in memory, else None; activates nothing and runs no event."""
        resolved = self.host.class_for(cls)
        oid = self._id(resolved, name_or_id)
        record = self.host.live((oid.namespace, oid.hex))
        return None if record is None else record.storage
