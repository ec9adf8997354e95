"""The inspector's observer of an app's requests and WebSockets: timeline, metrics, request ids.

An `API` app tells its observer of each request at the points it already knows them (see
`dotdo.http.observation`): no layer wraps the app. Per request this costs a path lookup, a
request id, a row of plain integers and, with the timeline on, one tuple appended to a ring.
"""

from __future__ import annotations

import itertools
import uuid
from bisect import bisect_left
from typing import TYPE_CHECKING

from ..runtime.ids import namespace_of
from .metrics import LATENCY_BUCKETS, Metrics
from .timeline import Timeline

if TYPE_CHECKING:
    from starlette.types import Message, Receive, Scope

    from ..http.app import API
    from ..http.observation import RequestNote

INSPECTOR_PREFIX = "/_dotdo"
RPC_PATH = "/rpc"
NAME_CACHE_SIZE = 4096
"""Paths whose object name the observer remembers (when the routing looks at the path alone)."""
REQUEST_TEMPLATE = "%s %s → %d in %.1f ms"


class RequestObserver:
    """Notes each request `app` serves, with its object, status and time, in `timeline` and `metrics`.

    Requests for the inspector itself (`/_dotdo/…`) go unwatched.
    """

    def __init__(self, app: API, timeline: Timeline | None, metrics: Metrics) -> None:
        self.app = app
        self.timeline = timeline
        self.metrics = metrics
        self.counts = metrics.counts
        self.namespace = namespace_of(app.cls)
        self._id_prefix = uuid.uuid4().hex[:8]
        self._ids = itertools.count(1)
        self._names: dict[str, str] = {}
        self._rows = self.counts.requests

    def object_of(self, scope: Scope) -> tuple[str, str]:
        """The class and object name a request is for (`rpc` for the RPC endpoint, `?` if none matches)."""
        path: str = scope["path"]
        name = self._names.get(path)
        if name is not None:
            return self.namespace, name
        if path == RPC_PATH or path.startswith(RPC_PATH + "/"):
            return "rpc", "session"
        routing = self.app.routing
        try:
            name = routing.match(scope).name
        except Exception:  # a path no object answers: the app itself refuses it
            return self.namespace, "?"
        if routing.by_path_alone:
            if len(self._names) >= NAME_CACHE_SIZE:
                self._names.clear()
            self._names[path] = name
        return self.namespace, name

    def begin(self, scope: Scope) -> RequestNote | None:
        """The request's id (the client's `x-request-id`, or a new one), class and object name."""
        path: str = scope["path"]
        name = self._names.get(path)
        if name is not None:
            cls = self.namespace
        elif path.startswith(INSPECTOR_PREFIX):
            return None
        else:
            cls, name = self.object_of(scope)
        for key, value in scope["headers"]:
            if key == b"x-request-id":
                return value.decode("latin-1")[:64], cls, name
        return f"{self._id_prefix}-{next(self._ids):x}", cls, name

    def answered(self, note: RequestNote, scope: Scope, status: int, seconds: float) -> None:
        """Count the request by class and status, and put it on its object's timeline."""
        cls = note[1]
        row = self._rows.get((cls, status))
        if row is None:
            row = self.counts.row(cls, status)
        row[0] += 1
        row[1] += seconds
        row[2 + bisect_left(LATENCY_BUCKETS, seconds)] += 1
        if cls == "rpc":
            self.counts.rpc_sessions += 1
        if self.timeline is not None:
            self.timeline.record(
                cls,
                note[2],
                "rpc" if cls == "rpc" else "request",
                REQUEST_TEMPLATE,
                (scope.get("method", "GET"), scope["path"], status, seconds * 1000),
            )

    def websocket_opened(self, note: RequestNote, scope: Scope, receive: Receive) -> Receive:
        """Count the session and note its connection; the `receive` returned notes each message."""
        _, cls, obj = note
        self.counts.websocket_opened(cls)
        if self.timeline is not None:
            self.timeline.record(cls, obj, "websocket", "connect %s", (scope["path"],))
        return ObservedReceive(receive, self.timeline, cls, obj)

    def websocket_closed(self, note: RequestNote, receive: Receive) -> None:
        """Count the session closed and note how many messages it received."""
        _, cls, obj = note
        self.counts.websocket_closed(cls)
        if self.timeline is not None:
            messages = receive.messages if isinstance(receive, ObservedReceive) else 0
            self.timeline.record(cls, obj, "websocket", "closed after %d messages in", (messages,))


class ObservedReceive:
    """A WebSocket's `receive` that counts the messages it hands on, each noted on the timeline."""

    def __init__(self, receive: Receive, timeline: Timeline | None, cls: str, obj: str) -> None:
        self.receive = receive
        self.timeline = timeline
        self.cls = cls
        self.obj = obj
        self.messages = 0

    async def __call__(self) -> Message:
        message = await self.receive()
        if message["type"] == "websocket.receive":
            self.messages += 1
            if self.timeline is not None:
                size = len(message.get("text") or "") or len(message.get("bytes") or b"")
                self.timeline.record(self.cls, self.obj, "websocket", "message in (%d characters or bytes)", (size,))
        return message
