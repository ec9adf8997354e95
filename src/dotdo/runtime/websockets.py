"""Hibernatable WebSockets: connections are held by the runtime, not the object, so they survive eviction."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from starlette.websockets import WebSocket, WebSocketDisconnect

ObjectKey = tuple[str, str]
Deliver = Callable[..., Awaitable[Any]]

MAX_ATTACHMENT_BYTES = 16 * 1024

log = logging.getLogger("dotdo.runtime")
_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder()


class HibernatableWebSocket:
    """One accepted WebSocket of an object: `send`, `close`, tags and a small serialized attachment."""

    def __init__(self, socket: WebSocket, key: ObjectKey, tags: list[str], object_name: str | None = None) -> None:
        self.socket = socket
        self.key = key
        self.object_name = object_name
        self.tags = tuple(tags)
        self.closed = False
        self._attachment: bytes | None = None
        self._outbox: deque[tuple[str, Any]] = deque()
        self._wakeup: asyncio.Event = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None

    def send(self, message: str | bytes) -> None:
        """Queue a message (text for str, binary for bytes); sent in order, without waiting."""
        if self.closed:
            raise RuntimeError("This WebSocket is closed; get the open ones with get_websockets()")
        if not isinstance(message, str | bytes):
            raise TypeError(f"WebSocket messages are str or bytes, not {type(message).__name__}")
        self._outbox.append(("send", message))
        self._wakeup.set()

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the connection with `code` and `reason`."""
        if not self.closed:
            self.closed = True
            self._outbox.append(("close", (code, reason)))
            self._wakeup.set()

    def serialize_attachment(self, value: Any) -> None:
        """Keep a small JSON-compatible value with this connection (survives the object's eviction)."""
        blob = _encoder.encode(value)
        if len(blob) > MAX_ATTACHMENT_BYTES:
            raise ValueError(f"WebSocket attachments are limited to {MAX_ATTACHMENT_BYTES} bytes, got {len(blob)}")
        self._attachment = blob

    def deserialize_attachment(self) -> Any:
        """The value last given to `serialize_attachment` (a fresh copy), or None."""
        return None if self._attachment is None else _decoder.decode(self._attachment)

    def start_writer(self) -> None:
        """Start sending queued messages (once the socket is accepted)."""
        if self._writer is None:
            self._writer = asyncio.get_running_loop().create_task(self._write())

    def stop_writer(self) -> None:
        """Stop sending: the connection is gone."""
        if self._writer is not None:
            self._writer.cancel()

    async def _write(self) -> None:
        socket = self.socket
        while True:
            while self._outbox:
                action, payload = self._outbox.popleft()
                try:
                    if action == "close":
                        await socket.close(*payload)
                        return
                    if isinstance(payload, str):
                        await socket.send_text(payload)
                    else:
                        await socket.send_bytes(payload)
                except (RuntimeError, OSError, WebSocketDisconnect):
                    self.closed = True
                    return
            self._wakeup.clear()
            await self._wakeup.wait()

    def __repr__(self) -> str:
        return f"HibernatableWebSocket(tags={list(self.tags)}, closed={self.closed})"


class WebSocketRegistry:
    """Every object's open WebSockets and auto-responses, kept outside the objects themselves."""

    def __init__(self) -> None:
        self._sockets: dict[ObjectKey, list[HibernatableWebSocket]] = {}
        self._auto: dict[ObjectKey, tuple[str, str]] = {}

    def accept(
        self, key: ObjectKey, socket: WebSocket, tags: list[str], object_name: str | None = None
    ) -> HibernatableWebSocket:
        """Register a WebSocket for the object `key`; the HTTP layer then serves it."""
        for tag in tags:
            if not isinstance(tag, str):
                raise TypeError(f"WebSocket tags are strings, not {type(tag).__name__}")
        connection = HibernatableWebSocket(socket, key, tags, object_name)
        self._sockets.setdefault(key, []).append(connection)
        return connection

    def accepted(self, key: ObjectKey, socket: WebSocket) -> HibernatableWebSocket | None:
        """The connection registered for this socket, if the object accepted it."""
        for connection in self._sockets.get(key, ()):
            if connection.socket is socket:
                return connection
        return None

    def sockets(self, key: ObjectKey, tag: str | None = None) -> list[HibernatableWebSocket]:
        """Open connections of `key`, optionally only those tagged `tag`."""
        return [c for c in self._sockets.get(key, ()) if not c.closed and (tag is None or tag in c.tags)]

    def set_auto_response(self, key: ObjectKey, request: str | None, response: str | None) -> None:
        """Answer `request` with `response` on `key`'s sockets without delivering an event."""
        if request is None:
            self._auto.pop(key, None)
        else:
            if response is None:
                raise ValueError("an auto-response needs both a request and a response")
            self._auto[key] = (request, response)

    def auto_response(self, key: ObjectKey) -> tuple[str, str] | None:
        """The auto-response pair of `key`, if any."""
        return self._auto.get(key)

    async def serve(self, connection: HibernatableWebSocket, deliver: Deliver) -> None:
        """Accept and pump one connection until it closes; `deliver(hook, *args)` runs object events."""
        socket = connection.socket
        await socket.accept()
        connection.start_writer()
        key = connection.key
        code, reason = 1006, ""
        try:
            while True:
                message = await socket.receive()
                if message["type"] == "websocket.disconnect":
                    code, reason = message.get("code", 1005), message.get("reason") or ""
                    break
                data = message.get("text")
                if data is None:
                    data = message.get("bytes", b"")
                auto = self._auto.get(key)
                if auto is not None and data == auto[0]:
                    connection.send(auto[1])
                    continue
                try:
                    await deliver("websocket_message", connection, data)
                except Exception as exc:
                    log.exception("websocket_message of %s raised", key[0])
                    with contextlib.suppress(Exception):
                        await deliver("websocket_error", connection, exc)
        except WebSocketDisconnect as exc:
            code, reason = exc.code, exc.reason or ""
        finally:
            connection.closed = True
            remaining = [c for c in self._sockets.get(key, ()) if c is not connection]
            if remaining:
                self._sockets[key] = remaining
            else:
                self._sockets.pop(key, None)
            connection.stop_writer()
        with contextlib.suppress(Exception):
            await deliver("websocket_close", connection, code, reason)
