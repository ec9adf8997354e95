"""`dotdo dev --token T`: every request and WebSocket must carry `Authorization: Bearer T`.

A browser cannot send a bearer token, so HTTP Basic with T as the password is accepted too, and
the inspector's pages (`/_dotdo/…`) ask for it with a Basic challenge (the browser's login box).
"""

from __future__ import annotations

import base64
import binascii
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
        self._token = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        given = next((v for k, v in scope.get("headers", ()) if k == b"authorization"), b"")
        if hmac.compare_digest(given, self._expected) or self._basic_password_matches(given):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await WebSocket(scope, receive, send).close(code=1008, reason="missing or wrong bearer token")
            return
        response = json_error(401, "unauthorized", "Send 'Authorization: Bearer <token>' (the --token of dotdo dev)")
        page = scope["path"] == "/_dotdo" or scope["path"].startswith("/_dotdo/")
        response.headers["WWW-Authenticate"] = 'Basic realm="dotdo inspector"' if page else "Bearer"
        await response(scope, receive, send)

    def _basic_password_matches(self, header: bytes) -> bool:
        scheme, _, encoded = header.partition(b" ")
        if scheme.lower() != b"basic":
            return False
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True)
        except binascii.Error:
            return False
        return hmac.compare_digest(decoded.partition(b":")[2], self._token)
