"""`rpc_route(path, main)`: a Starlette route answering Cap'n Web at `path` and `path/`, over HTTP
batch and WebSocket alike.

`Mount("/rpc", rpc_app(...))` answers only below `/rpc/`: Starlette redirects an HTTP request for
`/rpc` to `/rpc/`, but it cannot redirect a WebSocket, so `newWebSocketRpcSession("ws://host/rpc")`
of the official client is refused (403). This route matches both spellings for both transports.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.datastructures import URLPath
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Receive, Scope, Send

from .server import RpcApp
from .target import RpcTarget
from .wire import Limits

__all__ = ["RpcRoute", "rpc_route"]


class RpcRoute(BaseRoute):
    """A route serving one `RpcApp` at exactly `path` and `path + "/"` (HTTP and WebSocket)."""

    def __init__(self, path: str, app: RpcApp, *, name: str | None = "rpc"):
        if not path.startswith("/") or path == "/":
            raise ValueError(f"rpc_route needs a path like '/rpc', not {path!r}")
        self.path = path.rstrip("/")
        self.app = app
        self.name = name

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] not in ("http", "websocket"):
            return Match.NONE, {}
        path: str = scope["path"]
        root_path: str = scope.get("root_path", "")
        if root_path and path.startswith(root_path):
            path = path[len(root_path) :]
        if path in (self.path, self.path + "/"):
            return Match.FULL, {}
        return Match.NONE, {}

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        if name != self.name or path_params:
            raise NoMatchFound(name, path_params)
        return URLPath(self.path)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)

    def __repr__(self) -> str:
        return f"RpcRoute(path={self.path!r}, name={self.name!r})"


def rpc_route(
    path: str,
    main: RpcTarget | Callable[[], Any],
    *,
    limits: Limits | None = None,
    expose_stacks: bool = False,
    name: str | None = "rpc",
) -> RpcRoute:
    """A Starlette route serving `main` over Cap'n Web at `path` and `path/`, HTTP batch and
    WebSocket: `Starlette(routes=[rpc_route("/rpc", Api), ...])`. `main` is as for `rpc_app()`."""
    return RpcRoute(path, RpcApp(main, limits=limits, expose_stacks=expose_stacks), name=name)
