"""The ASGI layer in front of an app that notes each request and WebSocket: timeline, metrics, log context."""

from __future__ import annotations

import itertools
import re
import uuid
from bisect import bisect_left
from time import perf_counter
from typing import TYPE_CHECKING, Any

from ..runtime.ids import id_from_name, namespace_of
from .logs import request_context
from .metrics import LATENCY_BUCKETS, Metrics
from .timeline import Timeline

if TYPE_CHECKING:
    from starlette.types import Message, Receive, Scope, Send

    from ..http.app import API

INSPECTOR_PREFIX = "/_dotdo"
RPC_PATH = "/rpc"
NAME_CACHE_SIZE = 4096
"""Paths whose object name the observer remembers (when the routing looks at the path alone)."""
OBJECT_PAGE = re.compile(r"/_dotdo/(?:api/)?objects/([^/]+)/([0-9a-f]{64})(?:/(.*))?")
"""An inspector path about one object: its class, its id and what of it (a live stream stays on the host asked)."""


class RequestObserver:
    """Serves `app`, noting each request's object, status and time in `timeline` and `metrics`."""

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

    @property
    def runtime(self) -> Any:
        """The served app's runtime."""
        return self.app.runtime

    @property
    def cls(self) -> Any:
        """The served app's Durable Object class."""
        return self.app.cls

    @property
    def routing(self) -> Any:
        """How the served app finds a request's object."""
        return self.app.routing

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

    def object_for(self, scope: Scope) -> tuple[str, str] | None:
        """The (class, hex id) of the object a request is about, None when any process may answer it.

        What a cluster host asks to send a request to the host that owns its object: the app's own
        requests, and the inspector's pages and API about one object (which then read it where it
        lives). Lists, metrics, live streams and the RPC endpoint are answered by the host asked.
        """
        path: str = scope["path"]
        if path.startswith(INSPECTOR_PREFIX):
            found = OBJECT_PAGE.fullmatch(path)
            if found is None or (found.group(3) or "").endswith("stream"):
                return None
            return found.group(1), found.group(2)
        cls, name = self.object_of(scope)
        if cls == "rpc" or name == "?":
            return None
        return cls, id_from_name(cls, name).hex

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind != "http":
            if kind == "websocket" and not scope["path"].startswith(INSPECTOR_PREFIX):
                await self._websocket(scope, receive, send)
            else:
                await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path.startswith(INSPECTOR_PREFIX):
            await self.app(scope, receive, send)
            return
        # One frame for the whole request, few helper calls: this runs for every request the app answers.
        obj = self._names.get(path)
        if obj is None:
            cls, obj = self.object_of(scope)
        else:
            cls = self.namespace
        request_id = None
        for key, value in scope["headers"]:
            if key == b"x-request-id":
                request_id = value.decode("latin-1")[:64]
                break
        if request_id is None:
            request_id = f"{self._id_prefix}-{next(self._ids):x}"
        header = (b"x-request-id", request_id.encode("latin-1"))
        status = 500

        async def observed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), header]}
            await send(message)

        token = request_context.set({"request_id": request_id, "class": cls, "object": obj})
        started = perf_counter()
        try:
            await self.app(scope, receive, observed_send)
        finally:
            elapsed = perf_counter() - started
            request_context.reset(token)
            row = self._rows.get((cls, status))
            if row is None:
                row = self.counts.row(cls, status)
            row[0] += 1
            row[1] += elapsed
            row[2 + bisect_left(LATENCY_BUCKETS, elapsed)] += 1
            if cls == "rpc":
                self.counts.rpc_sessions += 1
            if self.timeline is not None:
                self.timeline.record(
                    cls,
                    obj,
                    "rpc" if cls == "rpc" else "request",
                    "%s %s → %d in %.1f ms",
                    (scope.get("method", "GET"), path, status, elapsed * 1000),
                )

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        cls, obj = self.object_of(scope)
        request_id = _header(scope, b"x-request-id") or f"{self._id_prefix}-{next(self._ids):x}"
        token = request_context.set({"request_id": request_id, "class": cls, "object": obj})
        try:
            await self._observed_websocket(cls, obj, scope, receive, send)
        finally:
            request_context.reset(token)

    async def _observed_websocket(self, cls: str, obj: str, scope: Scope, receive: Receive, send: Send) -> None:
        timeline = self.timeline
        messages = 0

        async def observed_receive() -> Message:
            nonlocal messages
            message = await receive()
            if message["type"] == "websocket.receive":
                messages += 1
                if timeline is not None:
                    size = len(message.get("text") or "") or len(message.get("bytes") or b"")
                    timeline.record(cls, obj, "websocket", "message in (%d characters or bytes)", (size,))
            return message

        self.counts.websocket_opened(cls)
        if timeline is not None:
            timeline.record(cls, obj, "websocket", "connect %s", (scope["path"],))
        try:
            await self.app(scope, observed_receive, send)
        finally:
            self.counts.websocket_closed(cls)
            if timeline is not None:
                timeline.record(cls, obj, "websocket", "closed after %d messages in", (messages,))


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")[:64]
    return None
