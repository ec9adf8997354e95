"""Streams over Cap'n Web: Python's async iterables and writable sinks as the peer's
`ReadableStream`/`WritableStream`, and `Blob`.

- Sending an async iterable (an `async def` generator, a received `ReadableStream`, ...) opens a
  pipe on the peer (`["pipe"]`), refers to its readable end (`["readable", id]`) and pumps each
  chunk into it as `["stream", ["pipeline", id, ["write"], [chunk]]]`, then `close`.
- A received `["readable", id]` is a `ReadableStream`: `async for chunk in stream`.
- Sending a `WritableStream` (subclass it) exports it (`["writable", id]`); the peer's writes,
  `close()` and `abort()` arrive in order. A received `["writable", id]` is a `RemoteWritableStream`.
- `Blob(data, type)` travels as `["blob", type, ["readable", id]]`; a received blob is collected
  before the value is delivered.

Writes are paced by a window of bytes in flight (each acknowledged by the peer), so a fast writer
cannot flood a slow reader; a reader that falls behind holds back the peer's writes in turn.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import weakref
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator
from typing import TYPE_CHECKING, Any

from .errors import LimitExceededError, RpcError
from .target import RpcTarget
from .values import UNDEFINED

if TYPE_CHECKING:
    from .session import ImportHook

__all__ = [
    "Blob",
    "ReadableStream",
    "RemoteWritableStream",
    "StreamError",
    "WritableExport",
    "WritableStream",
    "is_readable_source",
    "open_pipe",
    "pump",
]

WINDOW_BYTES = 256 * 1024
"""Bytes of stream messages sent but not yet acknowledged before `write()` waits."""
PIPE_CAPACITY = 16
"""Chunks a received stream buffers before the peer's writes wait for the reader."""


class StreamError(RpcError):
    """A stream ended abnormally: aborted by the writer, cancelled by the reader, or its session ended."""


@dataclasses.dataclass(frozen=True, slots=True)
class Blob:
    """Bytes with a MIME type: JavaScript's `Blob`, sent and received whole."""

    data: bytes
    type: str = ""

    @property
    def size(self) -> int:
        """Length in bytes."""
        return len(self.data)

    def text(self) -> str:
        """The data decoded as UTF-8."""
        return self.data.decode("utf-8")


class WritableStream:
    """A sink the peer can write to: subclass it and define `write` (and `close`/`abort` if needed).

    Pass an instance as an argument or return it; the peer gets a `WritableStream` whose writes
    arrive here one at a time, in order. If the peer goes away without `close()`, `abort()` is
    called with a `StreamError` saying so.
    """

    async def write(self, chunk: Any) -> None:
        """Consume one chunk (any RPC value; bytes for byte streams)."""
        raise NotImplementedError(f"{type(self).__name__} must define `async def write(self, chunk)`")

    async def close(self) -> None:
        """All chunks have been written."""

    async def abort(self, reason: Any) -> None:
        """The writer gave up (`reason` is usually an exception); nothing more will arrive."""


def is_readable_source(value: Any) -> bool:
    """Whether `value` is sent as a `ReadableStream`: an async iterable that is not an RPC object."""
    return hasattr(type(value), "__aiter__") and not isinstance(value, RpcTarget)


# ---------------------------------------------------------------------- receiving a stream


class _Pipe:
    """The buffer between the writable end the peer writes to and our `ReadableStream`."""

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._chunks: deque[Any] = deque()
        self._ended = False
        self._error: BaseException | None = None
        self._cancelled: BaseException | None = None
        self._readable: asyncio.Future[None] | None = None
        self._space: asyncio.Future[None] | None = None

    @staticmethod
    def _wake(future: asyncio.Future[None] | None) -> None:
        if future is not None and not future.done():
            future.set_result(None)

    async def put(self, chunk: Any) -> None:
        while len(self._chunks) >= PIPE_CAPACITY and self._cancelled is None and not self._ended:
            if self._space is None or self._space.done():
                self._space = self._loop.create_future()
            await self._space
        if self._cancelled is not None:
            raise self._cancelled
        if self._ended:
            raise StreamError("Write after the stream was closed")
        self._chunks.append(chunk)
        self._wake(self._readable)

    def end(self, error: BaseException | None = None) -> None:
        if not self._ended:
            self._ended = True
            self._error = error
            self._wake(self._readable)
            self._wake(self._space)

    def cancel(self, reason: BaseException) -> None:
        if self._cancelled is None:
            self._cancelled = reason
            self._chunks.clear()
            self._wake(self._space)
            self._wake(self._readable)

    def cancel_soon(self, reason: BaseException) -> None:
        # Called by the garbage collector, possibly in another thread (the blocking client).
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.cancel, reason)

    async def get(self) -> Any:
        while not self._chunks:
            if self._cancelled is not None:
                raise self._cancelled
            if self._ended:
                if self._error is not None:
                    raise self._error
                raise StopAsyncIteration
            if self._readable is None or self._readable.done():
                self._readable = self._loop.create_future()
            await self._readable
        chunk = self._chunks.popleft()
        self._wake(self._space)
        return chunk


class _PipeWriter(WritableStream):
    def __init__(self, pipe: _Pipe):
        self._pipe = pipe

    async def write(self, chunk: Any) -> None:
        await self._pipe.put(chunk)

    async def close(self) -> None:
        self._pipe.end()

    async def abort(self, reason: Any) -> None:
        error = reason if isinstance(reason, BaseException) else StreamError(f"The stream was aborted: {reason!r:.200}")
        self._pipe.end(error)


class ReadableStream(AsyncIterator[Any]):
    """A stream of chunks from the peer: `async for chunk in stream`, or `await stream.read_all()`.

    Dropping it unread (or `cancel()`) tells the writer to stop. Pass it on to send it further.
    """

    def __init__(self, pipe: _Pipe):
        self._pipe = pipe
        weakref.finalize(self, pipe.cancel_soon, StreamError("The ReadableStream was dropped without being read"))

    def __aiter__(self) -> ReadableStream:
        return self

    async def __anext__(self) -> Any:
        return await self._pipe.get()

    async def read_all(self, *, limit: int | None = None) -> bytes:
        """Every remaining chunk joined as bytes (text chunks are UTF-8 encoded).

        `limit` bounds the total size; a longer stream is cancelled and raises `LimitExceededError`.
        """
        parts: list[bytes] = []
        size = 0
        async for chunk in self:
            if isinstance(chunk, str):
                chunk = chunk.encode("utf-8")
            if not isinstance(chunk, bytes | bytearray | memoryview):
                raise StreamError(f"Expected byte chunks, got {type(chunk).__name__}")
            size += len(chunk)
            if limit is not None and size > limit:
                self.cancel()
                raise LimitExceededError(f"Stream exceeds {limit} bytes")
            parts.append(bytes(chunk))
        return b"".join(parts)

    def cancel(self, reason: BaseException | None = None) -> None:
        """Stop reading: buffered chunks are dropped and the writer's next write fails."""
        self._pipe.cancel(reason or StreamError("The reader cancelled the stream"))


class WritableExport(RpcTarget):
    """What the export table holds for a `WritableStream`: the three calls the protocol allows,
    delivered in order, and an abort if the peer releases it without `close()`."""

    def __init__(self, sink: WritableStream):
        self._sink = sink
        self._tail: asyncio.Future[None] | None = None
        self._closed = False
        self._error: BaseException | None = None

    async def _in_turn(self) -> asyncio.Future[None]:
        previous = self._tail
        done = asyncio.get_running_loop().create_future()
        self._tail = done
        if previous is not None:
            await asyncio.shield(previous)
        return done

    async def write(self, chunk: Any) -> Any:
        """Deliver one chunk after the ones before it (resolves to `undefined`, like JavaScript)."""
        if self._closed:
            raise StreamError("Write after close() or abort()")
        done = await self._in_turn()
        try:
            if self._error is not None:
                raise self._error
            await self._sink.write(chunk)
        except Exception as error:
            self._error = self._error or error
            raise
        finally:
            done.set_result(None)
        return UNDEFINED

    async def close(self) -> Any:
        """Close after every write; fails with the first write's error if one failed."""
        if self._closed:
            raise StreamError("close() after close() or abort()")
        self._closed = True
        done = await self._in_turn()
        try:
            if self._error is not None:
                raise self._error
            await self._sink.close()
        finally:
            done.set_result(None)
        return UNDEFINED

    async def abort(self, reason: Any = None) -> Any:
        """Abort now; writes still queued are dropped."""
        self._closed = True
        self._error = self._error or StreamError("The stream was aborted")
        await self._sink.abort(reason)
        return UNDEFINED

    def _rpc_dispose(self) -> None:
        # The release is handled before the calls delivered with it have started: let them
        # register first, so a release right after close() is not taken for an abandonment.
        asyncio.get_running_loop().call_soon(self._abandon)

    def _abandon(self) -> None:
        self.end_unclosed(StreamError("WritableStream RPC stub was disposed without calling close()"))

    def end_unclosed(self, error: BaseException) -> None:
        """Abort the sink with `error` unless the writer closed or aborted it."""
        if not self._closed:
            self._closed = True
            self._error = self._error or error
            task = asyncio.ensure_future(self._sink.abort(error))
            task.add_done_callback(lambda t: t.cancelled() or t.exception())


def open_pipe() -> tuple[WritableExport, ReadableStream]:
    """A new pipe: the writable end to export, the readable end to deliver."""
    pipe = _Pipe()
    return WritableExport(_PipeWriter(pipe)), ReadableStream(pipe)


# ---------------------------------------------------------------------- sending into the peer's stream


class RemoteWritableStream(WritableStream):
    """The peer's `WritableStream`: `await stream.write(chunk)`, then `await stream.close()`.

    `write()` returns once the chunk is sent and the window of unacknowledged bytes has room; an
    error of an earlier write is raised by the next `write()` or `close()`. In an HTTP batch
    (`paced=False`) nothing is acknowledged before the batch is sent, so writes never wait and
    the stream is limited to `unpaced_limit` bytes.
    """

    def __init__(self, hook: ImportHook, *, paced: bool = True, unpaced_limit: int = 128 * 1024 * 1024):
        self._hook = hook
        self._paced = paced
        self._unpaced_limit = unpaced_limit
        self._in_flight: deque[tuple[asyncio.Future[Any], int]] = deque()
        self._bytes = 0
        self._error: BaseException | None = None
        self._closed = False

    def _send(self, method: str, args: list[Any]) -> asyncio.Future[Any]:
        if self._closed:
            raise StreamError(f"{method}() after close() or abort()")
        future, size = self._hook.session.send_stream(self._hook.entry.import_id, method, args)
        self._in_flight.append((future, size))
        self._bytes += size
        future.add_done_callback(self._acknowledged)
        return future

    def _acknowledged(self, future: asyncio.Future[Any]) -> None:
        if not future.cancelled() and future.exception() is not None and self._error is None:
            self._error = future.exception()
        while self._in_flight and self._in_flight[0][0].done():
            self._bytes -= self._in_flight.popleft()[1]

    async def write(self, chunk: Any) -> None:
        """Send one chunk; waits while too many bytes are unacknowledged."""
        if self._error is not None:
            raise self._error
        if not self._paced and self._bytes > self._unpaced_limit:
            # Nothing is acknowledged before an HTTP batch is sent: everything would be buffered.
            self._error = StreamError(
                f"Stream exceeds {self._unpaced_limit} bytes, too much for one HTTP batch; use a WebSocket"
            )
            raise self._error
        self._send("write", [chunk])
        while self._paced and self._bytes > WINDOW_BYTES and self._in_flight and self._error is None:
            await asyncio.wait([self._in_flight[0][0]])
        if self._error is not None:
            raise self._error

    async def close(self) -> None:
        """Close the stream once every write has landed (raises the first failed write's error)."""
        try:
            if self._error is not None:
                raise self._error
            future = self._send("close", [])
            self._closed = True
            if self._paced:
                await future
                if self._error is not None:
                    raise self._error
        finally:
            self._closed = True
            self._hook.session.release_import(self._hook.entry)

    async def abort(self, reason: Any = None) -> None:
        """Abort the stream; the reader sees `reason`."""
        try:
            if not self._closed:
                self._send("abort", [reason if reason is None or _sendable(reason) else str(reason)])
        finally:
            self._closed = True
            self._hook.session.release_import(self._hook.entry)


def _sendable(reason: Any) -> bool:
    return isinstance(reason, BaseException | str | int | float | bool)


async def pump(source: AsyncIterable[Any], sink: RemoteWritableStream) -> None:
    """Copy every chunk of `source` into `sink`, then close it (abort it if `source` fails).

    Nobody awaits a pump: when the reader cancels or the session ends it just stops producing.
    """
    iterator = aiter(source)
    try:
        async for chunk in iterator:
            await sink.write(chunk)
    except Exception as error:
        with contextlib.suppress(Exception):
            await sink.abort(error)
    else:
        with contextlib.suppress(Exception):
            await sink.close()
    finally:
        closer = getattr(iterator, "aclose", None)
        if closer is not None:
            with contextlib.suppress(Exception):
                await closer()
