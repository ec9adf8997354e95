"""`dotdo dev --token T`: every request and WebSocket must carry `Authorization: Bearer T`."""

from __future__ import annotations

import hmac

from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket

from .errors import json_error


class BearerTokenMiddleware:
    """Refuses requests without the right bearer token (401 JSON; WebSockets close with 1008)."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        if not token:
            raise ValueError("the bearer token must not be empty")
        self.app = app
        self._expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        given = next((v for k, v in scope.get("headers", ()) if k == b"authorization"), b"")
        if hmac.compare_digest(given, self._expected):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await WebSocket(scope, receive, send).close(code=1008, reason="missing or wrong bearer token")
            return
        response = json_error(401, "unauthorized", "Send 'Authorization: Bearer <token>' (the --token of dotdo dev)")
        response.headers["WWW-Authenticate"] = "Bearer"
        await response(scope, receive, send)
