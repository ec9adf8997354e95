"""The inspector's HTTP mount: claims `/_dotdo/…`, checks access, then serves its routes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import HTTPConnection
from starlette.websockets import WebSocket

from ..http.errors import HTTPError
from .access import check_access
from .routes import inspector_router

if TYPE_CHECKING:
    from starlette.types import Receive, Scope, Send

    from ..http.app import API

PREFIX = "/_dotdo"


class InspectorMount:
    """An `API` mount (`dotdo.http.mounts.Mount`) serving the inspector of `inspector` under `/_dotdo/`."""

    def __init__(self, inspector: Any) -> None:
        self.inspector = inspector
        self.router = inspector_router()

    async def __call__(self, api: API, scope: Scope, receive: Receive, send: Send) -> bool:
        """Serve a request under `/_dotdo/`; False for any other path."""
        path: str = scope["path"]
        if path != PREFIX and not path.startswith(PREFIX + "/"):
            return False
        if scope["type"] != "http":
            await WebSocket(scope, receive, send).close(code=1008, reason="the inspector has no WebSocket routes")
            return True
        inspector = self.inspector
        try:
            await check_access(HTTPConnection(scope, receive), api, inspector.token, inspector.public)
        except HTTPError as refusal:
            await refusal.response()(scope, receive, send)
            return True
        await self.router({**scope, "dotdo.api": api, "dotdo.inspector": inspector}, receive, send)
        return True
