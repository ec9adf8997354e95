"""`connect(url)`: the Python client of a Cap'n Web endpoint, one recorder and two transports.

`http(s)://` URLs use HTTP batch (calls recorded in the same event-loop tick travel in one POST),
`ws(s)://` URLs a WebSocket session that lasts until closed and lets the server call back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import httpx

from .http_batch import HttpBatchConnection
from .stub import Path, RpcPromise, RpcStub
from .websocket import WebSocketConnection
from .wire import Limits

__all__ = ["Connection", "MainHook", "connect", "open_connection"]


class Connection(Protocol):
    """A transport for client sessions."""

    url: str

    def session(self) -> Any:
        """The session new calls are recorded in."""
        ...

    async def aclose(self) -> None:
        """Close the transport; pending calls fail."""
        ...


class MainHook:
    """The hook of the main stub: always the peer's main object of the current session."""

    __slots__ = ("connection",)

    def __init__(self, connection: Connection):
        self.connection = connection

    def __repr__(self) -> str:
        return f"main of {self.connection.url}"

    def call(self, path: Path, args: tuple[Any, ...]) -> RpcPromise:
        """Call the function at `path`; see `StubHook.call`."""
        return self.connection.session().main_hook().call(path, args)

    async def get(self, path: Path) -> Any:
        """The value at `path`; see `StubHook.get`."""
        return await self.connection.session().main_hook().get(path)

    def map(self, path: Path, mapper: Callable[[Any], Any]) -> RpcPromise:
        """Map on the peer; see `StubHook.map`."""
        return self.connection.session().main_hook().map(path, mapper)

    def encode(self, path: Path, *, as_promise: bool, encoder: Any) -> Any:
        """The expression passing this reference; see `StubHook.encode`."""
        return self.connection.session().main_hook().encode(path, as_promise=as_promise, encoder=encoder)

    def dispose(self) -> None:
        """Release the reference; see `StubHook.dispose`."""
        raise TypeError(
            "Close a connection with `async with dotdo.connect(url) as api:` or `await dotdo.rpc.aclose(api)`"
        )

    async def aclose(self) -> None:
        """Close the connection."""
        await self.connection.aclose()


def connect(
    url: str,
    *,
    headers: dict[str, str] | None = None,
    limits: Limits | None = None,
    http_client: httpx.AsyncClient | None = None,
) -> RpcStub:
    """The main stub of the Cap'n Web endpoint at `url` (`http(s)://host/rpc` or `ws(s)://host/rpc`).

    Use it inside `async with` (closes the connection at the end) or close it with
    `await dotdo.rpc.aclose(api)`. `http_client` lets tests use `httpx.ASGITransport`.
    """
    return RpcStub(MainHook(open_connection(url, headers=headers, limits=limits, http_client=http_client)))


def open_connection(
    url: str,
    *,
    headers: dict[str, str] | None = None,
    limits: Limits | None = None,
    http_client: httpx.AsyncClient | None = None,
    auto_flush: bool = True,
) -> Connection:
    """The transport for `url`: HTTP batch for http(s)://, a WebSocket for ws(s)://."""
    limits = limits or Limits()
    scheme = url.split(":", 1)[0].lower()
    connection: Connection
    if scheme in ("http", "https"):
        connection = HttpBatchConnection(
            url, limits=limits, headers=headers, http_client=http_client, auto_flush=auto_flush
        )
    elif scheme in ("ws", "wss"):
        if http_client is not None:
            raise TypeError("http_client applies to http(s):// URLs only")
        connection = WebSocketConnection(url, limits=limits, headers=headers)
    else:
        raise ValueError(f"Unsupported URL scheme {scheme!r} in {url!r}; use http(s):// or ws(s)://")
    return connection
