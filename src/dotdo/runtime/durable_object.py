"""The bare Durable Object the runtime hosts: identity, storage, env, lifecycle hooks, WebSockets."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar, cast

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .extensions import Extensions
from .ids import ObjectId
from .timer_table import Timer

if TYPE_CHECKING:
    from starlette.websockets import WebSocket

    from .host import ObjectRecord
    from .object_storage import ObjectStorage
    from .runtime import Runtime
    from .storage import Storage
    from .websockets import HibernatableWebSocket

T = TypeVar("T")

current_object: ContextVar[DurableObject | None] = ContextVar("dotdo_current_object", default=None)
"""The object whose event is running in this context (None outside any object)."""


@dataclass(frozen=True, slots=True)
class AlarmInfo:
    """What `alarm(info)` is told: how many times this alarm was already retried, and when it was set for."""

    retry_count: int
    scheduled_time: datetime
    """The time given to `storage.set_alarm` (aware UTC), the same on every retry."""

    @property
    def is_retry(self) -> bool:
        """Whether an earlier attempt of this alarm failed."""
        return self.retry_count > 0


async def _fire_alarm(obj: DurableObject, timer: Timer) -> None:
    scheduled = timer.payload if isinstance(timer.payload, float) else timer.fire_at
    # The runtime hosts its objects on its own Storage: the contract above it has no alarm bookkeeping.
    storage = cast("Storage", obj.storage)
    storage.firing_alarm_generation = timer.generation
    try:
        await obj.alarm(AlarmInfo(timer.retry_count, datetime.fromtimestamp(scheduled, UTC)))
    finally:
        storage.firing_alarm_generation = None


class Place(Protocol):
    """A place that stands for placement labels (`dotdo.cluster.location.Location`)."""

    @property
    def placement(self) -> tuple[str, ...]:
        """The labels a host must carry to run objects placed here."""
        ...


class DurableObject:
    """A stateful object with its own SQLite storage; the runtime delivers it one event at a time.

    Subclasses put set-up in `async def on_start(self)`; `__init__` belongs to the runtime.
    """

    namespace: ClassVar[str | None] = None

    placement: ClassVar[str | tuple[str, ...] | Place | None] = None
    """Where a cluster may run objects of this class: a host label such as "region:eu-west" (a Ray
    custom resource or node label of the host's node), several labels (all required), a place
    (`Location`, from `normalize_location("London")`), or None (anywhere). Ignored by the in-process
    runtime; see `dotdo.cluster.placement`.
    """

    extensions: ClassVar[Extensions] = Extensions(timer_kinds={"alarm": _fire_alarm})
    """What this class brings to the runtime: timer kinds, HTTP mounts, ctx attachments (see `Extensions`).

    Subclasses declare their own; they add to their bases'.
    """

    storage: ObjectStorage
    id: ObjectId
    env: Any
    runtime: Runtime
    _dotdo: ObjectRecord

    def __init__(self, record: ObjectRecord, env: Any, runtime: Runtime) -> None:
        """Called by the runtime's host, once per activation (subclasses use `on_start`)."""
        self.storage = record.storage
        self.id = record.id
        self.env = env
        self.runtime = runtime
        self._dotdo = record

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:
            raise TypeError(
                f"{cls.__name__} defines __init__, which belongs to the runtime: "
                "put set-up in `async def on_start(self)` instead"
            )

    @property
    def name(self) -> str | None:
        """The name this object was addressed by (`id.name`), or None for unique ids."""
        return self.id.name

    async def on_start(self) -> None:
        """Runs once per activation, before any event; other events wait until it finishes."""

    async def fetch(self, request: Request) -> Response:
        """Handle an HTTP request (a WebSocket request passes a `starlette.websockets.WebSocket`)."""
        return JSONResponse(
            {"error": "not_implemented", "message": f"{type(self).__name__} does not define fetch(request)"},
            status_code=501,
        )

    async def alarm(self, info: AlarmInfo) -> None:
        """Runs when the alarm set with `storage.set_alarm(when)` comes due."""

    async def block_concurrency_while(self, fn: Callable[[], Awaitable[T]]) -> T:
        """Run `fn()` while no other event of this object is delivered."""
        return await self._dotdo.gate.hold_while(fn)

    # -- WebSockets (hibernatable: connections outlive the object's eviction) --------------------

    def accept_websocket(self, ws: WebSocket, tags: list[str] | None = None) -> HibernatableWebSocket:
        """Accept a WebSocket handed to `fetch`; its messages then go to `websocket_message`."""
        return self.runtime.host.websockets.accept(self._dotdo.key, ws, tags or [], self.id.name)

    def get_websockets(self, tag: str | None = None) -> list[HibernatableWebSocket]:
        """This object's open WebSockets (with `tag`, if given)."""
        return self.runtime.host.websockets.sockets(self._dotdo.key, tag)

    def set_websocket_auto_response(self, request: str | None = None, response: str | None = None) -> None:
        """Answer the message `request` with `response` without waking the object (None clears it)."""
        self.runtime.host.websockets.set_auto_response(self._dotdo.key, request, response)

    def get_websocket_auto_response(self) -> tuple[str, str] | None:
        """The `(request, response)` pair set with `set_websocket_auto_response`, or None."""
        return self.runtime.host.websockets.auto_response(self._dotdo.key)

    async def websocket_message(self, ws: HibernatableWebSocket, message: str | bytes) -> None:
        """A message arrived on one of this object's WebSockets."""

    async def websocket_close(self, ws: HibernatableWebSocket, code: int, reason: str) -> None:
        """A WebSocket of this object closed."""

    async def websocket_error(self, ws: HibernatableWebSocket, error: BaseException) -> None:
        """Handling a WebSocket message raised `error`."""

    async def _on_activate(self) -> None:
        """Hook for layers above the runtime, run before `on_start` under the same gate."""


RESERVED_NAMES = frozenset(name for name in dir(DurableObject) if not name.startswith("__")) | {
    "storage",
    "id",
    "env",
    "runtime",
    "name",
}
"""Names of the base class: never callable through a stub or RPC."""
