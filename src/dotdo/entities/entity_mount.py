"""Entity REST as an HTTP mount: declared by `Entity`, so an app serving an Entity class answers its
REST routes (and OpenAPI) over HTTP."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from starlette.types import Receive, Scope, Send

    from ..http.app import API
    from .entity import Entity


class EntityRestMount:
    """Serves every HTTP request of an app whose class is an `Entity` (see `entity_rest`)."""

    def __init__(self) -> None:
        self._apps: weakref.WeakKeyDictionary[API, Any] = weakref.WeakKeyDictionary()

    async def __call__(self, api: API, scope: Scope, receive: Receive, send: Send) -> bool:
        """Serve an HTTP request with the app's Entity routes; False for WebSockets (they go to `fetch`)."""
        if scope["type"] != "http":
            return False
        app = self._apps.get(api)
        if app is None:
            # Imported on first use: the routes and their OpenAPI page are needed only once served.
            from .entity_rest import EntityApp

            cls = cast("type[Entity]", api.cls)
            app = self._apps[api] = EntityApp(
                cls, api.runtime, max_body_size=api.max_body_size, authorize=api.authorize_request
            )
        await app(scope, receive, send)
        return True
