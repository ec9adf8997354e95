"""The WebSocket transport: one TEXT frame per message, both peers may call each other.

`serve_websocket` runs a server session on a Starlette WebSocket; `WebSocketConnection` is the
client side (the `websockets` package), connected lazily on first use.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from .errors import ProtocolError, SessionAbortedError
from .session import Session
from .wire import Limits

__all__ = ["WebSocketConnection", "serve_websocket"]

_CLOSE = None


async def serve_websocket(
    websocket: WebSocket, main: Any, *, limits: Limits, expose_stacks: bool = False, owns_main: bool = False
) -> None:
    """Run one RPC session on an accepted-on-entry Starlette WebSocket until either side ends it."""
    await websocket.accept()
    outgoing: asyncio.Queue[str | None] = asyncio.Queue()
    session = Session(
        main,
        send=outgoing.put_nowait,
        limits=limits,
        expose_stacks=expose_stacks,
        on_abort=lambda _reason: outgoing.put_nowait(_CLOSE),
        owns_main=owns_main,
    )
    writer = asyncio.create_task(_write(websocket, outgoing))
    try:
        while session.abort_reason is None:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            text = message.get("text")
            if text is None:
                session.abort(ProtocolError("Binary WebSocket frames are not part of Cap'n Web; send TEXT frames"))
                break
            session.receive(text)
    except WebSocketDisconnect:
        pass
    finally:
        session.abort(SessionAbortedError("The WebSocket closed"), send=False)
        outgoing.put_nowait(_CLOSE)
        await writer


async def _write(websocket: WebSocket, outgoing: asyncio.Queue[str | None]) -> None:
    with contextlib.suppress(Exception):
        while (text := await outgoing.get()) is not _CLOSE:
            await websocket.send_text(text)
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
