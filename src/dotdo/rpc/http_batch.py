"""The HTTP batch transport: one POST carries a whole session, newline-separated messages.

Server side: every message of the body is handled in order, then the reply is sent once every
pulled result has settled. Client side: calls recorded while the event loop is busy with the
current tick go out together as one POST, so `asyncio.gather(api.a(), api.b())` is one request.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from .errors import BatchClosedError, SessionAbortedError
from .session import Session
from .wire import Limits

__all__ = ["HttpBatchConnection", "handle_http_batch"]

# Lines of a batch handled before giving other requests a turn of the event loop.
_LINES_PER_TURN = 256
# Extra event-loop turns a batch waits for calls still being recorded (awaits inside gather()).
_MIN_DEFER_TURNS = 2
_MAX_DEFER_TURNS = 16


async def handle_http_batch(
    request: Request, main: Any, *, limits: Limits, expose_stacks: bool = False, owns_main: bool = False
) -> Response:
    """Answer one HTTP batch (POST) with the newline-separated replies."""
    if request.method != "POST":
        return PlainTextResponse(
            "This endpoint only accepts POST requests (or a WebSocket upgrade).",
            status_code=405,
            headers={"Allow": "POST"},
        )
    body_limit = limits.batch_body_limit
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > body_limit:
        return _too_large(limits)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > body_limit:
            return _too_large(limits)
        chunks.append(chunk)
    try:
        text = b"".join(chunks).decode("utf-8")
    except UnicodeDecodeError:
        return PlainTextResponse("The batch body must be UTF-8 text.", status_code=400)
    replies: list[str] = []
    session = Session(
        main,
        send=replies.append,
        limits=limits,
        expose_stacks=expose_stacks,
        can_call_peer=False,
        owns_main=owns_main,
        batch=True,
    )
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            session.receive(line)
        if session.abort_reason is not None:
            break
        if number % _LINES_PER_TURN == 0:
            await asyncio.sleep(0)  # a large batch must not hold the event loop from other requests
    if session.calls_received > limits.max_batch_calls:
        session.abort(SessionAbortedError("The HTTP batch was refused"), send=False)
        return PlainTextResponse(str(session.abort_reason), status_code=413)
    await session.drain()
    session.close(BatchClosedError("The HTTP batch is over"))
    session.abort(SessionAbortedError("The HTTP batch is over"), send=False)
    return PlainTextResponse("\n".join(replies))


def _too_large(limits: Limits) -> Response:
    named = "max_body_size" if limits.max_body_size is not None else "4 x max_message_size"
    return PlainTextResponse(
        f"Batch body exceeds {limits.batch_body_limit} bytes ({named}); send fewer calls per batch.",
        status_code=413,
    )


class HttpBatchConnection:
    """Client side: a new HTTP session per batch of calls."""

    def __init__(
        self,
        url: str,
        *,
        limits: Limits,
        headers: dict[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
        auto_flush: bool = True,
    ):
        self.url = url
        self._auto_flush = auto_flush
        self._limits = limits
        self._headers = {"content-type": "text/plain", **(headers or {})}
        self._client = http_client
        self._owns_client = http_client is None
        self._session: Session | None = None
        self._outbox: list[str] = []
        self._turns = 0
        self._seen = 0
        self._posts: set[asyncio.Task[None]] = set()
        self._closed = False

    def session(self) -> Session:
        """The session of the batch being recorded (a new one after each POST)."""
        if self._closed:
            raise SessionAbortedError("This connection was closed; call dotdo.connect() again")
        if self._session is None:
            self._outbox = []
            self._session = Session(None, send=self._outbox.append, limits=self._limits, batch=True)
            self._turns = 0
            self._seen = 0
            if self._auto_flush:
                asyncio.get_running_loop().call_soon(self._tick)
        return self._session

    def _tick(self) -> None:
        grew = len(self._outbox) != self._seen
        self._seen = len(self._outbox)
        self._turns += 1
        if self._turns < _MIN_DEFER_TURNS or (grew and self._turns < _MAX_DEFER_TURNS):
            asyncio.get_running_loop().call_soon(self._tick)
            return
        self.flush()

    def flush(self) -> None:
        """Send the calls recorded so far as one request (done automatically unless `auto_flush=False`)."""
        session, lines = self._session, self._outbox
        self._session = None
        if session is None:
            return
        task = asyncio.get_running_loop().create_task(self._post(session, lines))
        self._posts.add(task)
        task.add_done_callback(self._posts.discard)

    async def _post(self, session: Session, lines: list[str]) -> None:
        try:
            # Streams passed as arguments travel in the same request: let them pump to the end.
            await session.pumps_done()
            if lines:
                if self._client is None:
                    self._client = httpx.AsyncClient(timeout=None)
                response = await self._client.post(self.url, content="\n".join(lines), headers=self._headers)
                if response.status_code != 200:
                    raise SessionAbortedError(f"RPC request failed: HTTP {response.status_code} {response.text[:200]}")
                for line in response.text.split("\n"):
                    if line:
                        session.receive(line)
                await session.settle()
        except Exception as error:
            session.abort(error, send=False)
        finally:
            session.close(
                BatchClosedError(
                    "This HTTP batch was already sent: await results in the same batch they were called in "
                    "(stubs returned over HTTP live for one batch; use a ws:// URL to keep them)"
                )
            )

    async def aclose(self) -> None:
        """Wait for batches in flight, then close the HTTP client."""
        self._closed = True
        if self._posts:
            await asyncio.wait(list(self._posts))
        if self._client is not None and self._owns_client:
            await self._client.aclose()
