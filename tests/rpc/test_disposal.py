"""`RpcTarget._rpc_dispose()`: called when the peer releases the last stub of an export, or when
the session ends, like JavaScript's `Symbol.dispose` on an `RpcTarget`."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
from session_pair import Pair, settle

from dotdo import rpc

disposed: list[str] = []


class Resource(rpc.RpcTarget):
    def __init__(self, name: str):
        self.name = name

    def ping(self) -> str:
        return f"pong {self.name}"

    def _rpc_dispose(self) -> None:
        disposed.append(self.name)


class AsyncResource(Resource):
    async def _rpc_dispose(self) -> None:
        await asyncio.sleep(0)
        disposed.append(f"async {self.name}")


class FailingResource(Resource):
    def _rpc_dispose(self) -> None:
        raise RuntimeError("cleanup failed")


class Api(rpc.RpcTarget):
    def __init__(self, name: str = "main") -> None:
        self.name = name
        self.kept = Resource("kept")

    def open(self, name: str) -> Resource:
        return Resource(name)

    def open_async(self, name: str) -> AsyncResource:
        return AsyncResource(name)

    def open_failing(self) -> FailingResource:
        return FailingResource("failing")

    def pair(self) -> list[Resource]:
        return [self.kept, self.kept]

    def itself(self) -> Api:
        return self

    def _rpc_dispose(self) -> None:
        disposed.append(self.name)


def setup_function() -> None:
    disposed.clear()


async def test_released_stub_disposes_its_target() -> None:
    pair = Pair(Api())
    resource = await pair.api.open("a")
    assert await resource.ping() == "pong a"
    await settle()
    assert disposed == []
    rpc.dispose(resource)
    await settle()
    assert disposed == ["a"]


async def test_target_exported_twice_in_one_result_is_disposed_once_when_released() -> None:
    pair = Pair(Api())
    first, second = await pair.api.pair()
    assert await second.ping() == "pong kept"
    rpc.dispose(first)
    await settle()
    assert disposed == ["kept"]
    assert [-1, 2] in [message[1:] for message in pair.sent("release")]


async def test_result_used_only_for_pipelining_is_disposed_when_released() -> None:
    pair = Pair(Api())
    assert await pair.api.open("p").ping() == "pong p"
    await settle()
    assert disposed == ["p"]


async def test_async_hook_is_awaited() -> None:
    pair = Pair(Api())
    rpc.dispose(await pair.api.open_async("x"))
    await settle()
    assert disposed == ["async x"]


async def test_failing_hook_is_logged_and_the_session_goes_on(caplog) -> None:
    pair = Pair(Api())
    with caplog.at_level(logging.ERROR, logger="dotdo.rpc"):
        rpc.dispose(await pair.api.open_failing())
        await settle()
    assert "cleanup failed" in caplog.text
    assert await pair.api.open("still").ping() == "pong still"


async def test_session_end_disposes_what_the_peer_still_holds() -> None:
    pair = Pair(Api())
    held = await pair.api.open("held")
    assert await held.ping() == "pong held"
    pair.server.abort(rpc.SessionAbortedError("The WebSocket closed"), send=False)
    assert disposed == ["held"]


async def test_shared_main_is_never_disposed_but_a_per_session_main_is() -> None:
    shared = Pair(Api("shared"))
    assert await shared.api.itself().open("y").ping() == "pong y"
    await settle()
    shared.server.abort(rpc.SessionAbortedError("over"), send=False)
    assert disposed == ["y"]
    own = Pair(Api("own"), owns_main=True)
    assert await own.api.open("x").ping() == "pong x"
    await settle()
    own.server.abort(rpc.SessionAbortedError("over"), send=False)
    assert disposed == ["y", "x", "own"]


async def test_http_batch_disposes_at_the_end_of_the_batch() -> None:
    app = rpc.rpc_app(Api)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
    async with rpc.connect("http://test/rpc", http_client=client) as api:
        resource: Any = await api.open("batch")
        assert resource is not None
    await client.aclose()
    assert sorted(disposed) == ["batch", "main"]


async def test_peer_cannot_call_the_hook() -> None:
    pair = Pair(Api())
    resource = await pair.api.open("r")
    try:
        await resource._rpc_dispose()
    except AttributeError:
        pass
    wire = await pair.api.open("s")
    assert await wire.ping() == "pong s"
    assert "r" not in disposed
