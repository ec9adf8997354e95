"""WebSocket transport against a real uvicorn server: TEXT frames only, aborts on bad input,
bidirectional calls, and the Python client's session lifetime."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets

from dotdo import rpc


def ws_url(http_url: str) -> str:
    return http_url.replace("http://", "ws://")


async def test_binary_frame_aborts_the_session(py_server: str) -> None:
    async with websockets.connect(ws_url(py_server)) as socket:
        await socket.send(b"\x00\x01")
        abort = json.loads(await socket.recv())
        assert abort[0] == "abort" and "TEXT" in abort[1][2]
        with pytest.raises(websockets.ConnectionClosed):
            await socket.recv()


async def test_protocol_error_aborts_but_method_error_does_not(py_server: str) -> None:
    async with websockets.connect(ws_url(py_server)) as socket:
        await socket.send(json.dumps(["push", ["pipeline", 0, ["fail"], []]]))
        await socket.send(json.dumps(["pull", 1]))
        assert json.loads(await socket.recv()) == ["reject", 1, ["error", "Error", "intentional failure"]]
        await socket.send(json.dumps(["push", ["pipeline", 0, ["add"], [1, 2]]]))
        await socket.send(json.dumps(["pull", 2]))
        assert json.loads(await socket.recv()) == ["resolve", 2, 3]
        await socket.send(json.dumps(["release", 42, 1]))
        abort = json.loads(await socket.recv())
        assert abort[0] == "abort" and "No such export ID: 42" in abort[1][2]


async def test_server_calls_back_and_releases_the_callback(py_server: str) -> None:
    async with websockets.connect(ws_url(py_server)) as socket:
        await socket.send(json.dumps(["push", ["pipeline", 0, ["callback"], [["export", -1], 21]]]))
        await socket.send(json.dumps(["pull", 1]))
        assert json.loads(await socket.recv()) == ["push", ["pipeline", -1, [], [21]]]
        assert json.loads(await socket.recv()) == ["pull", 1]
        await socket.send(json.dumps(["resolve", 1, 42]))
        replies = [json.loads(await socket.recv()) for _ in range(3)]
        assert ["resolve", 1, 42] in replies
        assert ["release", 1, 1] in replies
        assert ["release", -1, 1] in replies


async def test_python_client_keeps_stubs_across_round_trips(py_server: str) -> None:
    async with rpc.connect(ws_url(py_server)) as api:
        counter = await api.makeCounter(1)
        for expected in range(2, 6):
            assert await counter.increment() == expected
        assert await api.callback(counter.increment, 10) == 15


async def test_closed_connection_fails_clearly(py_server: str) -> None:
    api = rpc.connect(ws_url(py_server))
    assert await api.hello("x") == "Hello, x!"
    await rpc.aclose(api)
    with pytest.raises(rpc.SessionAbortedError, match="closed"):
        await api.hello("again")


async def test_unreachable_server_fails_pending_calls() -> None:
    async with rpc.connect("ws://127.0.0.1:9/rpc") as api:
        with pytest.raises(rpc.SessionAbortedError, match="failed"):
            await asyncio.wait_for(api.hello("nobody"), timeout=30)
