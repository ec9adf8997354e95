"""WebSockets relayed between hosts over the wire, without Ray: a real client, a real uvicorn, real sockets."""

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
import websockets
from starlette.websockets import WebSocket, WebSocketDisconnect

from dotdo.cluster.websocket_relay import portable_scope, relay_websocket, serve_relayed
from dotdo.cluster.wire import WireClient, WireServer, WireStream
from tests.conftest import serving


class Owner:
    """The owning host's end: an echo app served over relayed streams; it records how each ended."""

    def __init__(self) -> None:
        self.disconnects: list[int] = []
        self.scopes: list[dict[str, Any]] = []

    async def app(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        self.scopes.append(scope)
        socket = WebSocket(scope, receive, send)
        await socket.accept()
        try:
            while True:
                text = await socket.receive_text()
                if text == "bye":
                    await socket.close(code=4000, reason="bye to you")
                    return
                await socket.send_text(f"echo {text}")
        except WebSocketDisconnect as exc:
            self.disconnects.append(exc.code)

    async def serve(self, kind: str, payload: dict[str, Any], stream: WireStream) -> None:
        await serve_relayed(stream, lambda receive, send: self.app(payload, receive, send))


@asynccontextmanager
async def relayed(owner: Owner) -> AsyncIterator[tuple[str, WireServer]]:
    """A wire server for the owner, and a uvicorn that relays every WebSocket to it; yields (ws URL, server)."""
    server = WireServer(lambda kind, payload: asyncio.sleep(0), owner.serve)
    client = WireClient(await server.start("127.0.0.1"), "host-1")

    async def relay(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        await relay_websocket(client, "echo", portable_scope(scope), receive, send)

    try:
        async with serving(relay, lifespan="off") as address:
            yield f"ws://{address}", server
    finally:
        await client.close()
        await server.close()


async def test_messages_cross_both_ways_and_the_owners_close_reaches_the_client() -> None:
    owner = Owner()
    async with relayed(owner) as (url, _server), websockets.connect(f"{url}/room/1?x=2") as ws:
        await ws.send("hello")
        assert await ws.recv() == "echo hello"
        await ws.send("bye")
        with pytest.raises(websockets.ConnectionClosed):
            await ws.recv()
        assert ws.close_code == 4000 and ws.close_reason == "bye to you"
    assert owner.scopes[0]["path"] == "/room/1" and owner.scopes[0]["query_string"] == b"x=2"


async def test_a_client_that_leaves_is_a_disconnect_on_the_owner() -> None:
    owner = Owner()
    async with relayed(owner) as (url, _server):
        async with websockets.connect(url) as ws:
            await ws.send("hi")
            await ws.recv()
        async with asyncio.timeout(5):
            while not owner.disconnects:
                await asyncio.sleep(0.01)
    assert owner.disconnects == [1000]


@pytest.mark.parametrize("how", ["dies", "drains"])
async def test_the_client_gets_1012_when_the_owning_host_dies_or_drains(how: str) -> None:
    owner = Owner()
    async with relayed(owner) as (url, server), websockets.connect(url) as ws:
        await ws.send("hi")
        assert await ws.recv() == "echo hi"
        if how == "dies":
            await server.close()
        else:
            server.end_streams()
        with pytest.raises(websockets.ConnectionClosedError):
            await ws.recv()
        assert ws.close_code == 1012


async def test_a_websocket_to_an_unreachable_host_is_closed_with_1012() -> None:
    owner = Owner()
    async with relayed(owner) as (url, server):
        await server.close()
        async with websockets.connect(url) as ws:
            with pytest.raises(websockets.ConnectionClosedError):
                await ws.recv()
            assert ws.close_code == 1012
