"""The door (`dotdo.runtime.Objects`): the in-process runtime satisfies it, and an app written only
against it serves HTTP and WebSockets over a real server (uvicorn on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from dotdo import DO, Runtime
from dotdo.http.git_mount import MOUNT, serve_repository
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


class Repo(DO):
    async def fetch(self, request):
        git = self.ctx.git
        await git.init()
        await self.ctx.fs.write("/README.md", f"# {self.name}\n".encode())
        await git.add("README.md")
        return {"sha": await git.commit("Initial commit", author="Ada <ada@example.com>")}


class DoorOnly:
    """Exactly the door's methods, delegated: whatever is served through it uses nothing else."""

    def __init__(self, objects: Objects) -> None:
        self._objects = objects

    def get(self, cls, name_or_id):
        return self._objects.get(cls, name_or_id)

    async def fetch(self, cls, name_or_id, request):
        return await self._objects.fetch(cls, name_or_id, request)

    async def call(self, cls, name_or_id, method, /, *args: Any, **kwargs: Any) -> Any:
        return await self._objects.call(cls, name_or_id, method, *args, **kwargs)

    async def run_in(self, cls, name_or_id, fn):
        return await self._objects.run_in(cls, name_or_id, fn)

    async def accept_websocket(self, cls, name_or_id, socket) -> None:
        await self._objects.accept_websocket(cls, name_or_id, socket)

    def spawn(self, cls, name_or_id, fn, /, *args: Any):
        return self._objects.spawn(cls, name_or_id, fn, *args)

    def live_storage(self, cls, name_or_id):
        return self._objects.live_storage(cls, name_or_id)


def door_app(objects: Objects):
    """An ASGI app that knows objects only through the door: `/<name>/...` goes to Counter `<name>`,
    `/<name>/repo.git/...` to Repo `<name>`'s repository (git smart HTTP), `/<name>/init` creates it."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        name = scope["path"].split("/")[1]
        cls = Refuses if name == "refuses" else Counter
        rest = scope["path"][len(name) + 1 :]
        if rest.startswith(MOUNT):
            served = await serve_repository(objects, Repo, name, rest[len(MOUNT) :] or "/", scope, receive, send, 2**20)
            assert served, "the repository exists"
        elif rest == "/init":
            response = await objects.fetch(Repo, name, Request(scope, receive))
            await response(scope, receive, send)
        elif scope["type"] == "websocket":
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
    door = DoorOnly(runtime)
    assert isinstance(door, Objects)
    async with serving(door_app(door), lifespan="off") as address:
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


async def test_a_git_mount_written_against_the_door_serves_the_real_git(runtime: Runtime, tmp_path: Path) -> None:
    async with serving(door_app(DoorOnly(runtime)), lifespan="off") as address:
        async with httpx.AsyncClient(base_url=f"http://{address}") as client:
            made = await client.post("/acme/init")
        sha = made.json()["sha"]
        clone = tmp_path / "clone"
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1"}
        proc = await asyncio.create_subprocess_exec(
            "git", "clone", f"http://{address}/acme/repo.git", str(clone), env=env, stderr=asyncio.subprocess.PIPE
        )
        _, err = await proc.communicate()
        assert proc.returncode == 0, err.decode()
    assert (clone / "README.md").read_text() == "# acme\n"
    head = await asyncio.create_subprocess_exec(
        "git", "rev-parse", "HEAD", cwd=clone, env=env, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await head.communicate()
    assert out.decode().strip() == sha


def _request(path: str) -> Request:
    scope = {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(), "query_string": b""}
    scope |= {"headers": [], "scheme": "http", "server": ("do", 80), "root_path": ""}

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    return Request(scope, receive)
