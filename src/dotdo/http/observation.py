"""What an `API` app tells an observer of its requests (the inspector's metrics, timeline and log context).

The app itself notes each request at the points it already knows them: the object (before it
dispatches), the status (in the `send` it already wraps) and the time (around its own call), so
observing adds no ASGI layer and no closure of its own. The observer decides which requests it
watches and what it does with each; while a watched request runs, `request_context` holds its id,
class and object, so every line logged meanwhile can name them.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from starlette.types import Receive, Scope

RequestNote = tuple[str, str, str]
"""`(request id, class, object name)` of a watched request: what `Observer.begin` returns."""

REQUEST_ID_HEADER = b"x-request-id"
"""Sent back with every watched request's answer (a client's own id, or one the observer made)."""

request_context: ContextVar[RequestNote | None] = ContextVar("dotdo_request_context", default=None)
"""The `RequestNote` of the watched request being served, if any."""


class Observer(Protocol):
    """Watches an app's requests and WebSockets (`API.observer`)."""

    def begin(self, scope: Scope) -> RequestNote | None:
        """The note of a request about to be served, or None to leave it unwatched."""
        ...

    def answered(self, note: RequestNote, scope: Scope, status: int, seconds: float) -> None:
        """An HTTP request was answered with `status` (500 if nothing was sent) after `seconds`."""
        ...

    def websocket_opened(self, note: RequestNote, scope: Scope, receive: Receive) -> Receive:
        """A WebSocket begins: the `receive` to serve it with (which may note its messages)."""
        ...

    def websocket_closed(self, note: RequestNote, receive: Receive) -> None:
        """The WebSocket served with `receive` (what `websocket_opened` gave) ended."""
        ...
