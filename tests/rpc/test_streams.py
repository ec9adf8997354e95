"""Streams: async iterables sent as `ReadableStream` (pipe + readable), `WritableStream` sinks,
`Blob`, streamed request/response bodies, flow control and abnormal endings."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from session_pair import Pair, settle

from dotdo import rpc


class Collect(rpc.WritableStream):
    """A sink recording what it is told."""

    def __init__(self) -> None:
        self.chunks: list[Any] = []
        self.closed = False
        self.aborted: Any = None
        self.done = asyncio.Event()

    async def write(self, chunk: Any) -> None:
        await asyncio.sleep(0)
        self.chunks.append(chunk)

    async def close(self) -> None:
        self.closed = True
        self.done.set()

    async def abort(self, reason: Any) -> None:
        self.aborted = reason
        self.done.set()


async def numbers(count: int, produced: list[int] | None = None) -> AsyncIterator[bytes]:
    for n in range(count):
        if produced is not None:
            produced.append(n)
        yield f"{n};".encode()


class Files(rpc.RpcTarget):
    def __init__(self) -> None:
        self.produced: list[int] = []
        self.finished = asyncio.Event()
        self.received: list[Any] = []

    async def upload(self, data: rpc.ReadableStream) -> str:
        return (await data.read_all()).decode()

    async def first_chunk(self, data: rpc.ReadableStream) -> Any:
        async for chunk in data:
            return chunk
        return None

    def download(self, count: int) -> AsyncIterator[bytes]:
        return numbers(count)

    def endless(self) -> AsyncIterator[bytes]:
        async def forever() -> AsyncIterator[bytes]:
            try:
                n = 0
                while True:
                    self.produced.append(n)
                    yield b"x" * 1024
                    n += 1
            finally:
                self.finished.set()

        return forever()

    async def fill(self, sink: rpc.WritableStream, count: int) -> int:
        for n in range(count):
            await sink.write(n)
        await sink.close()
        return count

    async def abandon(self, sink: rpc.WritableStream) -> None:
        await sink.write("only one")
        await sink.abort(ValueError("changed my mind"))

    def blob(self, text: str) -> rpc.Blob:
        return rpc.Blob(text.encode(), "text/plain")

    def describe(self, blob: rpc.Blob) -> dict:
        return {"type": blob.type, "size": blob.size, "text": blob.text()}

    def keep(self, value: Any) -> str:
        self.received.append(value)
        return type(value).__name__

    async def failing(self) -> AsyncIterator[bytes]:
        async def source() -> AsyncIterator[bytes]:
            yield b"ok"
            raise RuntimeError("disk on fire")

        return source()


@pytest.fixture
async def pair() -> Pair:
    return Pair(Files())


def kinds(pair: Pair, direction: str) -> list[Any]:
    return [m[0] if m[0] != "stream" else ("stream", m[1][2][0]) for d, m in pair.wire if d == direction]


async def test_async_generator_argument_is_piped_to_a_readable_stream(pair: Pair) -> None:
    assert await pair.api.upload(numbers(3)) == "0;1;2;"
    sent = [m for d, m in pair.wire if d == ">"]
    assert sent[0] == ["pipe"]
    assert sent[1] == ["push", ["pipeline", 0, ["upload"], [["readable", 1]]]]
    writes = [m for m in sent if m[0] == "stream"]
    assert [w[1][2] for w in writes] == [["write"]] * 3 + [["close"]]
    assert writes[0][1] == ["pipeline", 1, ["write"], [["bytes", "MDs="]]]
    assert ["release", 1, 1] in sent


async def test_returned_async_generator_arrives_as_a_readable_stream(pair: Pair) -> None:
    stream = await pair.api.download(4)
    assert isinstance(stream, rpc.ReadableStream)
    assert [chunk async for chunk in stream] == [b"0;", b"1;", b"2;", b"3;"]


async def test_writable_stream_argument_receives_writes_in_order_then_close(pair: Pair) -> None:
    sink = Collect()
    assert await pair.api.fill(sink, 50) == 50
    await sink.done.wait()
    assert sink.chunks == list(range(50))
    assert sink.closed and sink.aborted is None
    assert ["push", ["pipeline", 0, ["fill"], [["writable", -1], 50]]] in [m for d, m in pair.wire if d == ">"]


async def test_writer_abort_reaches_the_sink(pair: Pair) -> None:
    sink = Collect()
    await pair.api.abandon(sink)
    await sink.done.wait()
    assert sink.chunks == ["only one"]
    assert isinstance(sink.aborted, rpc.RpcError) and "changed my mind" in str(sink.aborted)


async def test_writable_released_without_close_is_aborted(pair: Pair) -> None:
    sink = Collect()
    assert await pair.api.keep(sink) == "RemoteWritableStream"
    pair.server.export_value(0).received.clear()
    await settle()
    pair.client.receive(json.dumps(["release", -1, 1]))
    await settle()
    assert isinstance(sink.aborted, rpc.StreamError)
    assert "without calling close()" in str(sink.aborted)


async def test_release_right_after_close_is_not_an_abort(pair: Pair) -> None:
    sink = Collect()
    await pair.api.fill(sink, 2)
    await settle()
    assert sink.closed and sink.aborted is None


async def test_blob_both_ways(pair: Pair) -> None:
    blob = await pair.api.blob("héllo")
    assert blob == rpc.Blob("héllo".encode(), "text/plain")
    assert await pair.api.describe(rpc.Blob(b"\x00\x01", "application/octet-stream")) == {
        "type": "application/octet-stream",
        "size": 2,
        "text": "\x00\x01",
    }
    sent = [m for d, m in pair.wire if d == ">"]
    describe = next(i for i, m in enumerate(sent) if m[0] == "push" and m[1][2] == ["describe"])
    assert sent[describe - 1] == ["pipe"]
    assert sent[describe][1][3][0][:2] == ["blob", "application/octet-stream"]


async def test_reader_that_stops_early_stops_the_producer(pair: Pair) -> None:
    files = pair.server.export_value(0)
    assert await pair.api.first_chunk(files.endless()) == b"x" * 1024
    await asyncio.wait_for(files.finished.wait(), 5)


async def test_flow_control_bounds_what_a_fast_producer_gets_ahead(pair: Pair) -> None:
    files = pair.server.export_value(0)
    stream = await pair.api.endless()
    assert await anext(stream) == b"x" * 1024
    for _ in range(200):
        await asyncio.sleep(0)
    # At most the reader's buffer plus a window of unacknowledged bytes, not everything.
    assert 16 < len(files.produced) < 400
    stream.cancel()
    await asyncio.wait_for(files.finished.wait(), 5)


async def test_producer_error_reaches_the_reader(pair: Pair) -> None:
    stream = await pair.api.failing()
    assert await anext(stream) == b"ok"
    with pytest.raises(rpc.RpcError, match="disk on fire"):
        await anext(stream)


async def test_streams_cannot_be_sent_from_a_mapper(pair: Pair) -> None:
    with pytest.raises(TypeError, match="cannot send"):
        pair.api.download(1).map(lambda x: pair.api.keep(numbers(1)))


async def test_session_end_fails_the_reader(pair: Pair) -> None:
    stream = await pair.api.endless()
    await anext(stream)
    pair.client.abort(rpc.SessionAbortedError("gone"))
    with pytest.raises(rpc.StreamError, match="without calling close"):
        async for _ in stream:
            pass


# ---------------------------------------------------------------- HTTP batch


@pytest.fixture
async def http_api() -> AsyncIterator[Any]:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=rpc.rpc_app(Files)))
    async with rpc.connect("http://test/rpc", http_client=client) as api:
        yield api
    await client.aclose()


async def test_http_batch_upload_travels_in_the_same_request(http_api) -> None:
    assert await http_api.upload(numbers(5)) == "0;1;2;3;4;"


async def test_http_batch_download_and_blob(http_api) -> None:
    stream = await http_api.download(3)
    assert await stream.read_all() == b"0;1;2;"
    assert (await http_api.blob("b")).data == b"b"


# ---------------------------------------------------------------- wire level


async def test_streamed_response_body_is_collected_before_delivery(batch) -> None:
    replies = await batch(
        ["pipe"],
        ["stream", ["pipeline", 1, ["write"], [["bytes", "aGk="]]]],
        ["stream", ["pipeline", 1, ["write"], [["bytes", "IQ=="]]]],
        ["stream", ["pipeline", 1, ["close"], []]],
        ["push", ["pipeline", 0, ["echo"], [["response", ["readable", 1], {"status": 201}]]]],
        ["pull", 5],
    )
    assert [
        "resolve",
        5,
        ["response", ["bytes", "aGkh"], {"status": 201, "headers": [["content-length", "3"]]}],
    ] in replies
    assert [["resolve", n, ["undefined"]] for n in (2, 3, 4)] == [r for r in replies if r[1] in (2, 3, 4)]


async def test_streamed_request_body_is_collected(batch) -> None:
    replies = await batch(
        ["pipe"],
        ["stream", ["pipeline", 1, ["write"], ["abc"]]],
        ["stream", ["pipeline", 1, ["close"], []]],
        [
            "push",
            ["pipeline", 0, ["echo"], [["request", "https://x.test/a", {"method": "PUT", "body": ["readable", 1]}]]],
        ],
        ["pull", 4],
    )
    request = next(r for r in replies if r[1] == 4)
    assert request[2][0:2] == ["request", "https://x.test/a"]
    assert request[2][2]["method"] == "PUT" and request[2][2]["body"] == ["bytes", "YWJj"]


async def test_oversized_blob_rejects_naming_the_limit(batch) -> None:
    replies = await batch(
        ["pipe"],
        ["stream", ["pipeline", 1, ["write"], [["bytes", "AAAAAAAA"]]]],
        ["stream", ["pipeline", 1, ["close"], []]],
        ["push", ["pipeline", 0, ["echo"], [["blob", "", ["readable", 1]]]]],
        ["pull", 4],
        limits=rpc.Limits(max_blob_size=4),
    )
    rejected = [r for r in replies if r[:2] == ["reject", 4]]
    assert rejected and "max_blob_size" in rejected[0][2][2]


async def test_large_blob_travels_in_blocks(pair: Pair) -> None:
    data = b"0123456789abcdef" * 16000
    assert (await pair.api.describe(rpc.Blob(data)))["size"] == len(data)
    writes = [m for d, m in pair.wire if d == ">" and m[0] == "stream" and m[1][2] == ["write"]]
    assert len(writes) == 4


async def test_empty_blob(pair: Pair) -> None:
    assert await pair.api.describe(rpc.Blob(b"", "text/plain")) == {"type": "text/plain", "size": 0, "text": ""}


async def test_http_batch_refuses_an_endless_stream_instead_of_buffering_it() -> None:
    app = rpc.rpc_app(Files, limits=rpc.Limits(max_message_size=64 * 1024))
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
    async with rpc.connect("http://test/rpc", http_client=client) as api:
        stream = await api.endless()
        with pytest.raises(rpc.RpcError, match="too much for one HTTP batch"):
            await stream.read_all()
    await client.aclose()
