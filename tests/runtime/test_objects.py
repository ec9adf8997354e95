"""The door (`dotdo.runtime.Objects`): the in-process runtime satisfies it, and an app written only
against it serves HTTP and WebSockets over a real server (uvicorn on 127.0.0.1)."""

from __future__ import annotations

import json

import httpx
import pytest
import websockets
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from dotdo import DO, Runtime
from dotdo.runtime import Objects
from dotdo.runtime.durable_object import current_object
from tests.conftest import serving


class Counter(DO):
    def add(self, amount: int, *, times: int = 1) -> int:
        total = (self.storage.get("total") or 0) + amount * times
        self.storage.put("total", total)
        return total

    async def fetch(self, request):
        if isinstance(request, WebSocket):
            self.accept_websocket(request)
            return None
        return {"name": self.name, "total": self.storage.get("total") or 0, "path": request.url.path}

    async def websocket_message(self, ws, message) -> None:
        ws.send(f"{self.name} got {message}, total {self.add(1)}")


class Refuses(DO):
    async def fetch(self, request):
        return Response("no sockets here")


def door_app(objects: Objects):
    """An ASGI app that knows objects only through the door: `/<name>/...` goes to Counter `<name>`."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        name = scope["path"].split("/")[1]
        cls = Refuses if name == "refuses" else Counter
        if scope["type"] == "websocket":
            await objects.accept_websocket(cls, name, WebSocket(scope, receive, send))
        elif scope["type"] == "http":
            response = await objects.fetch(cls, name, Request(scope, receive))
            await response(scope, receive, send)

    return app


async def test_the_in_process_runtime_is_the_door(runtime: Runtime) -> None:
    objects: Objects = runtime  # checked by pyright: Runtime satisfies the Protocol
    assert isinstance(runtime, Objects)

    assert await objects.call(Counter, "a", "add", 2, times=3) == 6
    assert await objects.get(Counter, "a").add(1) == 7
    oid = runtime.id_from_name(Counter, "a")
    assert await objects.call("Counter", oid, "add", 1) == 8
    assert await objects.get("Counter", oid).add(0) == 8
    assert await objects.run_in(Counter, "a", lambda obj: (obj.name, obj.storage.get("total"))) == ("a", 8)

    async def later(obj: Counter) -> str:
        return f"async in {obj.name}"

    assert await objects.run_in(Counter, oid, later) == "async in a"

    async def note(obj_name: str, word: str) -> str:
        current = current_object.get()
        assert current is not None and current.name == obj_name
        current.storage.put("note", word)
        return word

    task = objects.spawn(Counter, "a", note, "a", "spawned")
    assert await task == "spawned"
    assert await objects.run_in(Counter, "a", lambda obj: obj.storage.get("note")) == "spawned"

    # The storage of an object in memory, read without an event; an object not in memory is not activated.
    live = objects.live_storage(Counter, "a")
    assert live is not None and live.get("total") == 8
    assert objects.live_storage("Counter", "idle") is None
    assert objects.live_storage(Counter, "idle") is None

    response = await objects.fetch(Counter, "a", _request("/a/look"))
    assert response.status_code == 200
    assert json.loads(bytes(response.body)) == {"name": "a", "total": 8, "path": "/a/look"}
    stub_response = await objects.get(Counter, "b").fetch("http://do/b/stub")
    assert json.loads(bytes(stub_response.body))["name"] == "b"


async def test_an_app_written_against_the_door_serves_http_and_websockets(runtime: Runtime) -> None:
    await runtime.call(Counter, "lobby", "add", 10)
    async with serving(door_app(runtime), lifespan="off") as address:
        async with httpx.AsyncClient(base_url=f"http://{address}") as client:
            answer = await client.get("/lobby/status")
        assert answer.json() == {"name": "lobby", "total": 10, "path": "/lobby/status"}

        async with websockets.connect(f"ws://{address}/lobby/ws") as ws:
            await ws.send("hi")
            assert await ws.recv() == "lobby got hi, total 11"

        # An object that does not accept the socket: the handshake is refused before it opens.
        with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
            async with websockets.connect(f"ws://{address}/refuses/ws"):
                pass
        assert refused.value.response.status_code == 403
    assert await runtime.call(Counter, "lobby", "add", 0) == 11


def _request(path: str) -> Request:
    scope = {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(), "query_string": b""}
    scope |= {"headers": [], "scheme": "http", "server": ("do", 80), "root_path": ""}

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    return Request(scope, receive)
