"""`/rpc`: the app's Cap'n Web endpoint (HTTP batch and WebSocket), reaching every served class."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import HTTPConnection

from ..rpc.gateway import runtime_main
from ..rpc.server import RpcApp
from .body_limit import check_declared_length, limited_receive

if TYPE_CHECKING:
    from starlette.types import Receive, Scope, Send

    from ..runtime.durable_object import DurableObject
    from .app import API

PATH = "/rpc"


class RpcMount:
    """Serves `/rpc`: `auth` vets the session, then each object it opens; `rpc_limits` bound it."""

    prefix = PATH

    def claims(self, path: str) -> bool:
        """Whether `path` is `/rpc` or below it."""
        return path == PATH or path.startswith(PATH + "/")

    def object_for(self, scope: Scope) -> None:
        """None: an RPC session reaches any object, from whichever host it reached."""
        return None

    async def __call__(self, api: API, scope: Scope, receive: Receive, send: Send) -> bool:
        """Serve a request for `/rpc` (or below it); False for any other path."""
        if not self.claims(scope["path"]):
            return False
        await api.authorize(scope, receive, None)
        if scope["type"] == "http":
            check_declared_length(scope, api.max_body_size)
            receive = limited_receive(receive, api.max_body_size)
        connection = HTTPConnection(scope, receive)

        async def authorize(cls: type[DurableObject], name: str) -> None:
            if not await api.verdict(connection, name, cls):
                raise PermissionError(f"This request is not authorized for {cls.__name__} {name!r}")

        main = runtime_main(api.runtime, classes=api.rpc_classes, authorize=authorize if api.auth else None)
        await RpcApp(main, limits=api.rpc_limits)(scope, receive, send)
        return True
