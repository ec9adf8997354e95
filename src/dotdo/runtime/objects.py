"""The door into the runtime: how every layer above it reaches objects.

`Objects` is what `http`, `context`, `graph`, `rpc` and the primitives may use to reach an object:
a stub, an HTTP request, a method call, a function run as one of its events, a WebSocket. The
embedded `Runtime` is one implementation; a runtime spread over several processes is another, and
nothing above the runtime knows which one it talks to. Objects are named by class (or registered
class name) and by name or `ObjectId`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.websockets import WebSocket

    from .durable_object import DurableObject
    from .ids import ObjectId
    from .object_storage import ObjectStorage
    from .stub import Stub


@runtime_checkable
class Objects(Protocol):
    """Reach objects by class and name (or id), wherever they are hosted."""

    def get(self, cls: type[DurableObject] | str, name_or_id: str | ObjectId) -> Stub:
        """A stub: `await stub.method(...)` calls the object, `await stub.fetch(url)` sends it a request."""
        ...

    async def fetch(self, cls: type[DurableObject] | str, name_or_id: str | ObjectId, request: Request) -> Response:
        """Deliver `request` to the object's `fetch` (activating it) and return its response."""
        ...

    async def call(
        self, cls: type[DurableObject] | str, name_or_id: str | ObjectId, method: str, /, *args: Any, **kwargs: Any
    ) -> Any:
        """Call a public method of the object as one event; arguments and result are copied."""
        ...

    async def run_in(self, cls: type[DurableObject] | str, name_or_id: str | ObjectId, fn: Callable[[Any], Any]) -> Any:
        """Run `fn(obj)` (sync or async) as one event of the object and return its result."""
        ...

    async def accept_websocket(
        self, cls: type[DurableObject] | str, name_or_id: str | ObjectId, socket: WebSocket
    ) -> None:
        """Hand an upgrade request to the object's `fetch`, then serve the connection it accepts until it closes.

        A connection the object does not accept is closed with 1008; an error in `fetch` closes it with 1011.
        """
        ...

    def spawn(
        self,
        cls: type[DurableObject] | str,
        name_or_id: str | ObjectId,
        fn: Callable[..., Awaitable[Any]],
        /,
        *args: Any,
    ) -> asyncio.Task[Any]:
        """Start `fn(*args)` as one event of the object, in the background (work an object starts for itself).

        Arguments are not copied; the task's result is `fn`'s. Needs a running event loop.
        """
        ...

    def live_storage(self, cls: type[DurableObject] | str, name_or_id: str | ObjectId) -> ObjectStorage | None:
        """The object's storage if the object is in memory in this process, else None; activates nothing.

        For reads that must neither run an event nor keep an idle object in memory (how much an
        object's outbox holds). Objects hosted by other processes always give None.
        """
        ...
