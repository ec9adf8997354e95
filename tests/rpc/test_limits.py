"""Limits that keep one peer from starving the server, over real HTTP (uvicorn on 127.0.0.1):
the batch body size, calls per batch, running calls per session, and the send queue of a
WebSocket peer that never reads. Each refusal names its limit, and other clients keep answering."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import struct

import httpx
from interop_api import Api

from dotdo import rpc
from dotdo.rpc import Limits, rpc_app
from tests.conftest import serving


def calls(count: int, method: str = "add", args: list | None = None) -> str:
    """A batch body of `count` pulled calls of `method` on the main object."""
    lines = []
    for number in range(1, count + 1):
        lines.append(json.dumps(["push", ["pipeline", 0, [method], args if args is not None else [number, 1]]]))
        lines.append(json.dumps(["pull", number]))
    return "\n".join(lines)


async def others_answer(address: str, count: int = 5) -> list[str]:
    """Other clients' calls, each bounded by a timeout: the server is still serving them."""
    async with rpc.connect(f"http://{address}/rpc") as api:
        return [await asyncio.wait_for(api.hello(f"other {n}"), timeout=15) for n in range(count)]


async def test_a_batch_over_max_batch_calls_is_413_naming_the_limit() -> None:
    app = rpc_app(Api, limits=Limits(max_batch_calls=100))
    async with serving(app) as address, httpx.AsyncClient(base_url=f"http://{address}") as client:
        refused = await client.post("/rpc", content=calls(101))
        allowed = await client.post("/rpc", content=calls(100))
    assert refused.status_code == 413
    assert "max_batch_calls" in refused.text and "100" in refused.text
    assert allowed.status_code == 200
    assert len(allowed.text.splitlines()) == 100


async def test_300000_calls_in_one_batch_are_refused_while_other_clients_keep_answering() -> None:
    body = calls(300_000)
    async with serving(rpc_app(Api)) as address, httpx.AsyncClient(base_url=f"http://{address}", timeout=120) as client:
        flood = asyncio.create_task(client.post("/rpc", content=body))
        answers = await others_answer(address)
        refused = await flood
    assert refused.status_code == 413
    assert "max_batch_calls" in refused.text
    assert answers == [f"Hello, other {n}!" for n in range(5)]


async def test_a_body_over_max_body_size_is_413_whether_declared_or_streamed() -> None:
    async def chunks():
        for _ in range(4):
            yield b" " * 1000

    app = rpc_app(Api, limits=Limits(max_body_size=2000))
    async with serving(app) as address, httpx.AsyncClient(base_url=f"http://{address}") as client:
        declared = await client.post("/rpc", content=b" " * 3000)
        streamed = await client.post("/rpc", content=chunks())
        small = await client.post("/rpc", content=calls(3))
    assert declared.status_code == streamed.status_code == 413
    assert "max_body_size" in declared.text and "2000" in declared.text
    assert small.status_code == 200


class Waiter(rpc.RpcTarget):
    """Calls that stay running until released."""

    def __init__(self) -> None:
        self.release = asyncio.Event()

    async def wait(self) -> str:
        await self.release.wait()
        return "done"

    def hello(self) -> str:
        return "hello"


async def test_more_running_calls_than_max_pending_calls_aborts_that_session_only() -> None:
    waiter = Waiter()
    async with serving(rpc_app(waiter, limits=Limits(max_pending_calls=5))) as address:
        async with rpc.connect(f"ws://{address}/rpc") as api:
            results = await asyncio.wait_for(
                asyncio.gather(*(api.wait() for _ in range(6)), return_exceptions=True), timeout=30
            )
        assert all(isinstance(result, rpc.SessionAbortedError) for result in results), results
        assert "max_pending_calls" in str(results[-1])
        async with rpc.connect(f"ws://{address}/rpc") as api:
            running = [asyncio.ensure_future(api.wait()) for _ in range(4)]
            assert await asyncio.wait_for(api.hello(), timeout=15) == "hello"  # the 5th running call: allowed
            waiter.release.set()
            assert await asyncio.wait_for(asyncio.gather(*running), timeout=15) == ["done"] * 4


class Text(rpc.RpcTarget):
    """Small requests, large replies."""

    def text(self, size: int) -> str:
        return "x" * size

    def hello(self, name: str) -> str:
        return f"Hello, {name}!"


async def test_results_the_peer_never_releases_count_against_max_pending_calls() -> None:
    import websockets

    async with serving(rpc_app(Api, limits=Limits(max_pending_calls=5))) as address:
        async with websockets.connect(f"ws://{address}/rpc") as socket:
            for number in range(1, 6):
                await socket.send(json.dumps(["push", ["pipeline", 0, ["add"], [number, 1]]]))
                await socket.send(json.dumps(["pull", number]))
                assert json.loads(await asyncio.wait_for(socket.recv(), timeout=15)) == ["resolve", number, number + 1]
            # Five results received, none released: a sixth call is one too many.
            await socket.send(json.dumps(["push", ["pipeline", 0, ["add"], [6, 1]]]))
            aborted = json.loads(await asyncio.wait_for(socket.recv(), timeout=15))
        assert aborted[0] == "abort" and "max_pending_calls" in json.dumps(aborted)
        async with websockets.connect(f"ws://{address}/rpc") as socket:
            for number in range(1, 11):  # released results free their place
                await socket.send(json.dumps(["push", ["pipeline", 0, ["add"], [number, 1]]]))
                await socket.send(json.dumps(["pull", number]))
                assert json.loads(await asyncio.wait_for(socket.recv(), timeout=15)) == ["resolve", number, number + 1]
                await socket.send(json.dumps(["release", number, 1]))


def _masked_text_frame(text: str) -> bytes:
    payload = text.encode()
    mask = os.urandom(4)
    masked = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", 0x81, 0x80 | length)
    elif length < 65536:
        header = struct.pack("!BBH", 0x81, 0x80 | 126, length)
    else:
        header = struct.pack("!BBQ", 0x81, 0x80 | 127, length)
    return header + mask + masked


def _frames(data: bytes) -> list[tuple[int, bytes]]:
    """(opcode, payload) of the complete server frames in `data`."""
    frames, offset = [], 0
    while offset + 2 <= len(data):
        opcode, length = data[offset] & 0x0F, data[offset + 1] & 0x7F
        offset += 2
        if length == 126:
            (length,) = struct.unpack_from("!H", data, offset)
            offset += 2
        elif length == 127:
            (length,) = struct.unpack_from("!Q", data, offset)
            offset += 8
        if offset + length > len(data):
            break
        frames.append((opcode, data[offset : offset + length]))
        offset += length
    return frames


async def test_a_websocket_peer_that_never_reads_is_closed_with_1008_and_others_keep_answering() -> None:
    reply_size, replies = 100_000, 400  # 40 MB of replies asked for; the send queue holds 1 MiB
    async with serving(rpc_app(Text, limits=Limits(max_send_queue=1024 * 1024))) as address:
        host, port = address.split(":")
        reader, writer = await asyncio.open_connection(host, int(port), limit=64 * 1024)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            f"GET /rpc HTTP/1.1\r\nHost: {address}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        handshake = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=15)
        assert handshake.startswith(b"HTTP/1.1 101")
        for number in range(1, replies + 1):
            writer.write(_masked_text_frame(json.dumps(["push", ["pipeline", 0, ["text"], [reply_size]]])))
            writer.write(_masked_text_frame(json.dumps(["pull", number])))
        await asyncio.wait_for(writer.drain(), timeout=15)
        # The peer reads nothing while the server has 40 MB to send it; others are still served.
        assert await others_answer(address) == [f"Hello, other {n}!" for n in range(5)]
        received = await asyncio.wait_for(reader.read(), timeout=60)  # now read: the server closed
        writer.close()
    frames = _frames(received)
    closes = [payload for opcode, payload in frames if opcode == 0x8]
    assert closes, "the server ended the connection without a close frame"
    code = struct.unpack("!H", closes[0][:2])[0]
    assert code == 1008
    assert b"max_send_queue" in closes[0]
    sent = sum(len(payload) for opcode, payload in frames if opcode == 0x1)
    assert sent < reply_size * replies / 2  # most of the replies were dropped, not buffered


def test_the_batch_body_limit_is_max_body_size_else_four_messages() -> None:
    assert Limits(max_message_size=10).batch_body_limit == 40
    assert Limits(max_message_size=10, max_body_size=5).batch_body_limit == 5
