"""`rpc_app(main)`: an ASGI app answering Cap'n Web over HTTP batch (POST) and WebSocket."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from .http_batch import handle_http_batch
from .target import RpcTarget
from .websocket import serve_websocket
from .wire import Limits

__all__ = ["RpcApp", "rpc_app"]


class RpcApp:
    """ASGI app serving one main object at whatever path it is mounted on."""

    def __init__(
        self,
        main: RpcTarget | Callable[[], Any],
        *,
        limits: Limits | None = None,
        expose_stacks: bool = False,
    ):
        if not isinstance(main, RpcTarget) and not callable(main):
            raise TypeError(f"rpc_app() needs an RpcTarget or a factory returning one, got {type(main).__name__}")
        self._main = main
        self.limits = limits or Limits()
        self.expose_stacks = expose_stacks

    @property
    def owns_main(self) -> bool:
        """Whether each session gets its own main object (then disposed when the session ends)."""
        return not isinstance(self._main, RpcTarget)

    def main_object(self) -> Any:
        """The main object of a new session (a shared instance, or a fresh one from the factory)."""
        return self._main if isinstance(self._main, RpcTarget) else self._main()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await serve_websocket(
                WebSocket(scope, receive, send),
                self.main_object(),
                limits=self.limits,
                expose_stacks=self.expose_stacks,
                owns_main=self.owns_main,
            )
        elif scope["type"] == "http":
            request = Request(scope, receive)
            main = self.main_object() if request.method == "POST" else None
            response = await handle_http_batch(
                request, main, limits=self.limits, expose_stacks=self.expose_stacks, owns_main=self.owns_main
            )
            await response(scope, receive, send)


def rpc_app(
    main: RpcTarget | Callable[[], Any], *, limits: Limits | None = None, expose_stacks: bool = False
) -> RpcApp:
    """An ASGI app serving `main` over Cap'n Web (HTTP batch POST and WebSocket) at its own path.

    `main` is an `RpcTarget` shared by all sessions, or a zero-argument factory called once per
    session (per HTTP batch, per WebSocket). Serve it directly with uvicorn, or in a Starlette app
    through `rpc_route("/rpc", Api())`, which answers `/rpc` and `/rpc/` over both transports.
    """
    return RpcApp(main, limits=limits, expose_stacks=expose_stacks)
