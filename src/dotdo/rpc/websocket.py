"""The WebSocket transport: one TEXT frame per message, both peers may call each other.

`serve_websocket` runs a server session on a Starlette WebSocket; `WebSocketConnection` is the
client side (the `websockets` package), connected lazily on first use.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from .errors import LimitExceededError, ProtocolError, SessionAbortedError
from .session import Session
from .wire import Limits

__all__ = ["WebSocketConnection", "serve_websocket"]

_CLOSE = None
_POLICY_VIOLATION = 1008
# How long closing a socket whose peer does not read may take before the connection is dropped.
_CLOSE_TIMEOUT = 5.0


async def serve_websocket(
    websocket: WebSocket, main: Any, *, limits: Limits, expose_stacks: bool = False, owns_main: bool = False
) -> None:
    """Run one RPC session on an accepted-on-entry Starlette WebSocket until either side ends it."""
    await websocket.accept()
    outbox = _Outbox(limits.max_send_queue)
    session = Session(
        main,
        send=outbox.put,
        limits=limits,
        expose_stacks=expose_stacks,
        on_abort=lambda _reason: outbox.finish(),
        owns_main=owns_main,
    )
    outbox.on_overflow = lambda error: session.abort(error, send=False)
    writer = asyncio.create_task(_write(websocket, outbox))
    reader = asyncio.create_task(_read(websocket, session))
    try:
        await asyncio.wait([reader, writer], return_when=asyncio.FIRST_COMPLETED)
    finally:
        session.abort(SessionAbortedError("The WebSocket closed"), send=False)
        outbox.finish()
        reader.cancel()
        if outbox.overflowed is not None:
            # The peer is not reading: what is queued will never be taken, so drop it and close.
            writer.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await writer
        if outbox.overflowed is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(
                    websocket.close(code=_POLICY_VIOLATION, reason=str(outbox.overflowed)[:120]), _CLOSE_TIMEOUT
                )
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await reader


async def _read(websocket: WebSocket, session: Session) -> None:
    with contextlib.suppress(WebSocketDisconnect):
        while session.abort_reason is None:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            if text is None:
                session.abort(ProtocolError("Binary WebSocket frames are not part of Cap'n Web; send TEXT frames"))
                return
            session.receive(text)


class _Outbox:
    """The messages waiting for the writer, bounded in bytes: past the bound it stops taking
    messages and reports the overflow (the session is then aborted and the socket closed)."""

    def __init__(self, max_bytes: int):
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._max_bytes = max_bytes
        self._queued_bytes = 0
        self._finished = False
        self.overflowed: LimitExceededError | None = None
        self.on_overflow: Callable[[LimitExceededError], None] | None = None

    def put(self, text: str) -> None:
        if self._finished:
            return
        self._queued_bytes += len(text)
        if self._queued_bytes > self._max_bytes:
            self.overflowed = LimitExceededError(
                f"The peer is not reading: more than {self._max_bytes} bytes wait to be sent (max_send_queue)"
            )
            self.finish()
            if self.on_overflow is not None:
                self.on_overflow(self.overflowed)
            return
        self._queue.put_nowait(text)

    def finish(self) -> None:
        if not self._finished:
            self._finished = True
            self._queue.put_nowait(_CLOSE)

    async def get(self) -> str | None:
        text = await self._queue.get()
        if text is not None:
            self._queued_bytes -= len(text)
        return text


async def _write(websocket: WebSocket, outbox: _Outbox) -> None:
    with contextlib.suppress(Exception):
        while (text := await outbox.get()) is not None:
            await websocket.send_text(text)
        if outbox.overflowed is None:
            await websocket.close(code=1000)


class WebSocketConnection:
    """Client side: one long-lived session over a WebSocket."""

    def __init__(self, url: str, *, limits: Limits, headers: dict[str, str] | None = None):
        self.url = url
        self._limits = limits
        self._headers = headers or {}
        self._session: Session | None = None
        self._outgoing: asyncio.Queue[str | None] = asyncio.Queue()
        self._runner: asyncio.Task[None] | None = None
        self._closed = False

    def session(self) -> Session:
        """The session, connecting on first use."""
        if self._closed:
            raise SessionAbortedError("This connection was closed; call dotdo.connect() again")
        if self._session is None:
            self._session = Session(
                None,
                send=self._outgoing.put_nowait,
                limits=self._limits,
                on_abort=lambda _reason: self._outgoing.put_nowait(_CLOSE),
            )
            self._runner = asyncio.get_running_loop().create_task(self._run(self._session))
        return self._session

    async def open(self) -> None:
        """Connect now (otherwise the first call connects)."""
        self.session()

    async def _run(self, session: Session) -> None:
        try:
            import websockets
        except ImportError as error:  # an optional dependency of the client only
            session.abort(RuntimeError("ws:// URLs need the 'websockets' package: pip install websockets"), send=False)
            raise error from None
        try:
            async with websockets.connect(
                self.url,
                additional_headers=self._headers,
                max_size=self._limits.max_message_size * 4,
            ) as socket:
                writer = asyncio.create_task(self._write(socket))
                try:
                    async for message in socket:
                        if isinstance(message, bytes):
                            session.abort(ProtocolError("Binary WebSocket frames are not part of Cap'n Web"))
                            break
                        session.receive(message)
                        if session.abort_reason is not None:
                            break
                finally:
                    self._outgoing.put_nowait(_CLOSE)
                    await writer
        except Exception as error:
            session.abort(SessionAbortedError(f"WebSocket connection to {self.url} failed: {error}"), send=False)
        finally:
            session.abort(SessionAbortedError("The WebSocket closed"), send=False)

    async def _write(self, socket: Any) -> None:
        with contextlib.suppress(Exception):
            while (text := await self._outgoing.get()) is not _CLOSE:
                await socket.send(text)
            await socket.close()

    async def aclose(self) -> None:
        """Close the WebSocket and fail whatever is still pending."""
        self._closed = True
        if self._session is not None:
            self._outgoing.put_nowait(_CLOSE)
        if self._runner is not None:
            with contextlib.suppress(Exception):
                await self._runner
