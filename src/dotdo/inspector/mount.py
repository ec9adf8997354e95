"""The inspector's HTTP mount: claims `/_dotdo/…`, checks access, then serves its routes."""

from __future__ import annotations

import re
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
OBJECT_PAGE = re.compile(r"/_dotdo/(?:api/)?objects/([^/]+)/([0-9a-f]{64})(?:/(.*))?")
"""An inspector path about one object: its class, its id and what of it."""


class InspectorMount:
    """An `API` mount (`dotdo.http.mounts.Mount`) serving the inspector of `inspector` under `/_dotdo/`."""

    prefix = PREFIX

    def __init__(self, inspector: Any) -> None:
        self.inspector = inspector
        self.router = inspector_router()

    def claims(self, path: str) -> bool:
        """Whether `path` is the inspector's (`/_dotdo` or below it)."""
        return path == PREFIX or path.startswith(PREFIX + "/")

    def object_for(self, scope: Scope) -> tuple[str, str] | None:
        """The (class, hex id) an inspector page or API path is about, read where the object lives.

        None for lists, metrics and live streams (answered by the host asked; a live stream follows
        that host's timeline).
        """
        found = OBJECT_PAGE.fullmatch(scope["path"])
        if found is None or (found.group(3) or "").endswith("stream"):
            return None
        return found.group(1), found.group(2)

    async def __call__(self, api: API, scope: Scope, receive: Receive, send: Send) -> bool:
        """Serve a request under `/_dotdo/`; False for any other path."""
        if not self.claims(scope["path"]):
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
