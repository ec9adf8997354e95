"""Host-to-host calls over one persistent, multiplexed TCP connection per peer (no Ray on the path).

A frame is a 4-byte big-endian length, an 8-byte request number and a pickled body. Requests are
`(kind, payload)`; answers are `(True, value)` or `(False, exception)`. Many requests share one
connection and are answered in any order. A stream (a relayed WebSocket) is opened like a request and
then carries `(STREAM, message)` frames under its number both ways until either side sends the
message None; a broken connection breaks every stream on it. The connection only ever joins
processes of one cluster, which trust each other as Ray's own workers do (Ray pickles too).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import pickle
import struct
from collections.abc import Awaitable, Callable
from typing import Any

from ..runtime.errors import DotdoError

log = logging.getLogger("dotdo.cluster")

_HEADER = struct.Struct(">IQ")
MAX_FRAME = 256 * 1024 * 1024

Handler = Callable[[str, Any], Awaitable[Any]]
StreamHandler = Callable[[str, Any, "WireStream"], Awaitable[None]]

OPEN_STREAM = "\0open"
"""The request kind that opens a stream; its payload is `(stream kind, payload)`."""
STREAM = "\0stream"
"""The tag of a frame that carries one message of an open stream."""
_BROKEN = object()


class HostUnavailableError(DotdoError):
    """The host owning an object could not be reached, or its connection broke before it answered.

    A call that was in flight may or may not have run (it was not acknowledged): retry it only if it
    is safe to run twice, once the cluster has moved the object (a new host answers within seconds).
    """


class _FrameReader:
    """Reads frames off a connection: one read takes in every frame that arrived together."""

    __slots__ = ("_buffer", "_reader")

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self._reader = reader
        self._buffer = bytearray()

    async def read(self) -> tuple[int, Any]:
        """The next frame's (number, body); `IncompleteReadError` when the connection ends."""
        buffer = self._buffer
        while True:
            if len(buffer) >= _HEADER.size:
                length, number = _HEADER.unpack_from(buffer)
                if length > MAX_FRAME:
                    raise ConnectionError(f"a frame of {length} bytes is over the {MAX_FRAME} byte limit")
                end = _HEADER.size + length
                if len(buffer) >= end:
                    body = pickle.loads(memoryview(buffer)[_HEADER.size : end])
                    del buffer[:end]
                    return number, body
            chunk = await self._reader.read(1 << 18)
            if not chunk:
                raise asyncio.IncompleteReadError(bytes(buffer), None)
            buffer += chunk


class _FrameWriter:
    """Writes frames to a connection, coalescing the ones written in the same turn of the event loop."""

    __slots__ = ("_loop", "_pending", "writer")

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        self._pending: list[bytes] = []
        self._loop = asyncio.get_running_loop()

    def write(self, data: bytes) -> None:
        """Queue `data`; it leaves with every other frame of this turn, in order."""
        if not self._pending:
            self._loop.call_soon(self._flush)
        self._pending.append(data)

    def _flush(self) -> None:
        pending, self._pending = self._pending, []
        if pending and not self.writer.is_closing():
            self.writer.write(b"".join(pending))

    def is_closing(self) -> bool:
        """Whether the connection is closing or closed."""
        return self.writer.is_closing()

    def close(self) -> None:
        """Send what is queued, then close the connection."""
        self._flush()
        self.writer.close()


def _frame(number: int, body: Any) -> bytes:
    data = pickle.dumps(body, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(data), number) + data


class WireStream:
    """One ordered, two-way message stream over a wire connection (a WebSocket relayed between hosts)."""

    def __init__(self, number: int, writer: _FrameWriter, name: str, forget: Callable[[int], object]) -> None:
        self.number = number
        self.name = name
        self._writer = writer
        self._forget = forget
        self._inbox: asyncio.Queue[Any] = asyncio.Queue()
        self.closed = False

    def send(self, message: Any) -> None:
        """Send one message to the other end (in order); `HostUnavailableError` once the stream is over."""
        if self.closed or self._writer.is_closing():
            raise HostUnavailableError(f"The stream to {self.name} is closed")
        self._writer.write(_frame(self.number, (STREAM, message)))

    async def receive(self) -> Any:
        """The next message from the other end; None once it ended the stream.

        `HostUnavailableError` if the connection broke (the other host died or left).
        """
        message = await self._inbox.get()
        if message is _BROKEN:
            self._inbox.put_nowait(_BROKEN)
            raise HostUnavailableError(f"The connection to {self.name} broke (the host died or left)")
        if message is None:
            self._inbox.put_nowait(None)
        return message

    def deliver(self, message: Any) -> None:
        """Queue a message that arrived from the other end (None: it ended the stream)."""
        if message is None:
            self._forget(self.number)
        self._inbox.put_nowait(message)

    def break_off(self) -> None:
        """The connection is gone: `receive` raises from now on."""
        self.closed = True
        self._inbox.put_nowait(_BROKEN)

    def close(self) -> None:
        """End the stream from this side (the other end receives None); idempotent."""
        if self.closed:
            return
        self.closed = True
        self._forget(self.number)
        if not self._writer.is_closing():
            self._writer.write(_frame(self.number, (STREAM, None)))


class WireServer:
    """Answers requests from peers with `handler(kind, payload)`, each request in its own task, and serves
    the streams they open with `stream_handler(kind, payload, stream)`."""

    def __init__(self, handler: Handler, stream_handler: StreamHandler | None = None) -> None:
        self.handler = handler
        self.stream_handler = stream_handler
        self.address: tuple[str, int] | None = None
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: dict[_FrameWriter, asyncio.Task[Any] | None] = {}
        self._streams: set[WireStream] = set()
        self._stream_tasks: set[asyncio.Task[None]] = set()

    async def start(self, host: str, port: int = 0) -> tuple[str, int]:
        """Listen on `host:port` (0: any free port) and return the address bound."""
        self._server = await asyncio.start_server(self._serve, host, port)
        bound = self._server.sockets[0].getsockname()
        self.address = (bound[0], bound[1])
        return self.address

    @property
    def connections(self) -> int:
        """How many peers are connected now."""
        return len(self._writers)

    @property
    def open_streams(self) -> int:
        """How many streams peers have open here now."""
        return len(self._streams)

    async def _serve(self, reader: asyncio.StreamReader, stream_writer: asyncio.StreamWriter) -> None:
        writer = _FrameWriter(stream_writer)
        frames = _FrameReader(reader)
        self._writers[writer] = asyncio.current_task()
        streams: dict[int, WireStream] = {}
        loop = asyncio.get_running_loop()
        try:
            while True:
                number, (kind, payload) = await frames.read()
                if kind == STREAM:
                    stream = streams.get(number)
                    if stream is not None:
                        stream.deliver(payload)
                    continue
                if kind == OPEN_STREAM:
                    stream = WireStream(number, writer, "the peer", lambda n: streams.pop(n, None))
                    streams[number] = stream
                    serving = loop.create_task(self._stream(stream, *payload))
                    self._stream_tasks.add(serving)
                    serving.add_done_callback(self._stream_tasks.discard)
                    continue
                task = loop.create_task(self._answer(writer, number, kind, payload))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self._writers.pop(writer, None)
            writer.close()
            for stream in list(streams.values()):
                stream.break_off()

    async def _stream(self, stream: WireStream, kind: str, payload: Any) -> None:
        self._streams.add(stream)
        try:
            if self.stream_handler is None:
                raise ValueError("this wire server serves no streams")
            await self.stream_handler(kind, payload, stream)
        except HostUnavailableError:
            pass  # The peer went away: its end of the stream is gone, nothing is left to answer.
        except Exception:
            log.exception("the %s stream %d failed", kind, stream.number)
        finally:
            self._streams.discard(stream)
            stream.close()

    def end_streams(self) -> None:
        """End every open stream from this side (a draining host): each handler sees its stream end."""
        for stream in list(self._streams):
            stream.deliver(None)
            stream.close()

    async def _answer(self, writer: _FrameWriter, number: int, kind: str, payload: Any) -> None:
        try:
            answer: tuple[bool, Any] = (True, await self.handler(kind, payload))
        except Exception as exc:
            answer = (False, exc)
        try:
            data = _frame(number, answer)
        except Exception as exc:
            data = _frame(number, (False, HostUnavailableError(f"the answer could not be pickled: {exc!r}")))
        if not writer.is_closing():
            writer.write(data)

    async def drain(self) -> None:
        """Stop accepting connections and wait for the requests being answered."""
        if self._server is not None:
            self._server.close()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def close(self) -> None:
        """Drain, then close every peer connection."""
        await self.drain()
        connections = [task for task in self._writers.values() if task is not None]
        for writer in list(self._writers):
            writer.close()
        # Each connection's loop ends once its socket is closed: wait, so none outlives the server.
        await asyncio.gather(*connections, return_exceptions=True)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await self._server.wait_closed()


class WireClient:
    """One persistent connection to a peer's `WireServer`, shared by every request to it."""

    def __init__(self, address: tuple[str, int], name: str) -> None:
        self.address = address
        self.name = name
        self._numbers = itertools.count(1)
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._streams: dict[int, WireStream] = {}
        self._writer: _FrameWriter | None = None
        self._reader_task: asyncio.Task[None] | None = None
        self._connecting: asyncio.Lock | None = None
        self.closed = False

    async def _connection(self) -> _FrameWriter:
        if self._writer is not None and not self._writer.is_closing():
            return self._writer
        if self._connecting is None:
            self._connecting = asyncio.Lock()
        async with self._connecting:
            if self._writer is not None and not self._writer.is_closing():
                return self._writer
            if self.closed:
                raise HostUnavailableError(f"{self.name} is gone from the cluster")
            try:
                reader, writer = await asyncio.open_connection(*self.address)
            except OSError as exc:
                raise HostUnavailableError(
                    f"Cannot reach {self.name} at {self.address[0]}:{self.address[1]}: {exc.strerror or exc}"
                ) from None
            self._writer = _FrameWriter(writer)
            self._reader_task = asyncio.get_running_loop().create_task(self._read(_FrameReader(reader)))
            return self._writer

    async def _read(self, frames: _FrameReader) -> None:
        try:
            while True:
                number, (ok, value) = await frames.read()
                if ok == STREAM:
                    stream = self._streams.get(number)
                    if stream is not None:
                        stream.deliver(value)
                    continue
                future = self._pending.pop(number, None)
                if future is None or future.done():
                    continue
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            pass
        finally:
            self._fail_pending()

    def _fail_pending(self) -> None:
        pending, self._pending = self._pending, {}
        streams, self._streams = self._streams, {}
        for stream in streams.values():
            stream.break_off()
        for future in pending.values():
            if not future.done():
                future.set_exception(
                    HostUnavailableError(f"The connection to {self.name} broke before it answered (the host died?)")
                )
        if self._writer is not None:
            self._writer.close()

    async def request(self, kind: str, payload: Any) -> Any:
        """Send one request and wait for its answer; `HostUnavailableError` if the peer is unreachable."""
        if self.closed:
            raise HostUnavailableError(f"{self.name} is gone from the cluster")
        writer = await self._connection()
        number = next(self._numbers)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[number] = future
        writer.write(_frame(number, (kind, payload)))
        return await future

    async def open_stream(self, kind: str, payload: Any) -> WireStream:
        """Open a stream served by the peer's `stream_handler(kind, payload, stream)`."""
        if self.closed:
            raise HostUnavailableError(f"{self.name} is gone from the cluster")
        writer = await self._connection()
        number = next(self._numbers)
        stream = WireStream(number, writer, self.name, lambda n: self._streams.pop(n, None))
        self._streams[number] = stream
        writer.write(_frame(number, (OPEN_STREAM, (kind, payload))))
        return stream

    async def close_when_idle(self) -> None:
        """Take no more requests; close once the ones in flight are answered (or the connection breaks)."""
        self.closed = True
        if self._pending:
            await asyncio.gather(*self._pending.values(), return_exceptions=True)
        await self.close()

    async def close(self) -> None:
        """Close the connection; requests still waiting fail with `HostUnavailableError`."""
        self.closed = True
        if self._writer is not None:
            self._writer.close()
        if self._reader_task is not None:
            self._reader_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader_task
        self._fail_pending()
