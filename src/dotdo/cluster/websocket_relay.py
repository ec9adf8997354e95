"""WebSockets whose object lives on another host: ASGI messages relayed over a wire stream, both ways.

The host (or driver) that accepted the connection keeps the client's socket and relays every ASGI
message to the owning host, which runs the app (or the object) with the other end of the stream as
its `receive` and `send`. When the owner dies or drains, the client's WebSocket is closed with 1012
(service restart), so clients reconnect and reach the object's new owner.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from .wire import HostUnavailableError, WireClient, WireStream

SERVICE_RESTART = 1012
"""The close code a client sees when its object's host died or left: reconnect."""
RESTART_REASON = "the object's host restarted"
GOING_AWAY = 1001
_WEBSOCKET_SCOPE_KEYS = (
    "type",
    "asgi",
    "http_version",
    "scheme",
    "path",
    "raw_path",
    "query_string",
    "root_path",
    "headers",
    "server",
    "client",
    "subprotocols",
    "dotdo.prefix",
)


def portable_scope(scope: Scope) -> dict[str, Any]:
    """The parts of a WebSocket scope another process needs (no app state, no server objects)."""
    return {key: scope[key] for key in _WEBSOCKET_SCOPE_KEYS if key in scope}


async def close_with_restart(send: Send, *, accepted: bool = False, reason: str = RESTART_REASON) -> None:
    """Close a client's WebSocket with 1012 (accepting it first if needed: a close before the
    handshake would reach the client as an HTTP 403, not as a code it can act on)."""
    with contextlib.suppress(Exception):
        if not accepted:
            await send({"type": "websocket.accept"})
        await send({"type": "websocket.close", "code": SERVICE_RESTART, "reason": reason})


async def relay_websocket(client: WireClient, kind: str, payload: Any, receive: Receive, send: Send) -> None:
    """Serve a client's WebSocket from another host: open a `kind` stream there and relay until either side ends.

    A stream that breaks (the owner died) or ends without a close (the owner drained) closes the
    client's WebSocket with 1012; a stream that cannot be opened refuses the handshake the same way.
    """
    accepted = False

    async def to_client(message: Message) -> None:
        nonlocal accepted
        if message["type"] == "websocket.accept":
            accepted = True
        await send(message)

    async def restart() -> None:
        await close_with_restart(send, accepted=accepted)

    try:
        stream = await client.open_stream(kind, payload)
    except HostUnavailableError:
        await restart()
        return
    try:
        downstream = asyncio.get_running_loop().create_task(_owner_to_client(stream, to_client))
        upstream = asyncio.get_running_loop().create_task(_client_to_owner(receive, stream))
        done, _pending = await asyncio.wait({downstream, upstream}, return_when=asyncio.FIRST_COMPLETED)
        if downstream in done:
            upstream.cancel()
            owner_closed = downstream.exception() is None and downstream.result()
        else:
            # The client left (the owner learns it from the disconnect message), or the stream broke.
            downstream.cancel()
            owner_closed = not isinstance(upstream.exception(), HostUnavailableError)
        if not owner_closed:
            await restart()
    finally:
        stream.close()


async def _owner_to_client(stream: WireStream, send: Send) -> bool:
    """Pass the owner's messages on; True once it closed the WebSocket, False if it ended without a close."""
    while True:
        message = await stream.receive()
        if message is None:
            return False
        try:
            await send(message)
        except Exception:
            return True
        if message["type"] == "websocket.close":
            return True


async def _client_to_owner(receive: Receive, stream: WireStream) -> None:
    while True:
        message = await receive()
        stream.send(message)
        if message["type"] == "websocket.disconnect":
            return


async def serve_relayed(stream: WireStream, run: Callable[[Receive, Send], Awaitable[None]]) -> None:
    """The owner's end: `run(receive, send)` serves the WebSocket with the stream as its transport.

    The relay's end going away (its host died) reads as a client disconnect with 1006.
    """
    closed = False

    async def receive() -> Message:
        try:
            message = await stream.receive()
        except HostUnavailableError:
            return {"type": "websocket.disconnect", "code": 1006}
        if message is None:
            return {"type": "websocket.disconnect", "code": GOING_AWAY}
        return message

    async def send(message: Message) -> None:
        nonlocal closed
        if closed:
            raise RuntimeError("the WebSocket is closed")
        if message["type"] == "websocket.close":
            closed = True
        try:
            stream.send(message)
        except HostUnavailableError:
            raise OSError("the relaying host is gone") from None

    await run(receive, send)
