"""HTTP mounts come from the registry: a mount given to `API(extensions=...)` or declared on the
served class answers its requests before the object's `fetch`, passes the others on, and is vetted
by `auth` like any route. Served by a real uvicorn on 127.0.0.1."""

from __future__ import annotations

import httpx
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from dotdo import API, DO
from dotdo.runtime.extensions import Extensions
from tests.conftest import serving


class HealthMount:
    """Answers `/_health` with the app's class, without waking any object."""

    async def __call__(self, api: API, scope: Scope, receive: Receive, send: Send) -> bool:
        if scope["type"] != "http" or scope["path"] != "/_health":
            return False
        await api.authorize(scope, receive, None)
        await JSONResponse({"class": api.cls.__name__, "ok": True})(scope, receive, send)
        return True


class PingMount:
    """Answers `<object>/ping` by calling the object through the door."""

    async def __call__(self, api: API, scope: Scope, receive: Receive, send: Send) -> bool:
        match = api.routing.match(scope)
        if scope["type"] != "http" or match.path != "/ping":
            return False
        await api.authorize(scope, receive, match.name)
        visits = await api.runtime.call(api.cls, match.name, "visit")
        await JSONResponse({"pong": match.name, "visits": visits})(scope, receive, send)
        return True


class Shop(DO):
    extensions = Extensions(mounts={"ping": PingMount()})

    def visit(self) -> int:
        visits = (self.storage.get("visits") or 0) + 1
        self.storage.put("visits", visits)
        return visits

    async def fetch(self, request):
        return {"fetched": request.url.path, "shop": self.name}


async def test_mounts_from_the_registry_answer_before_fetch(tmp_path) -> None:
    app = API(Shop, ns="/:shop", data_dir=tmp_path, extensions=Extensions(mounts={"health": HealthMount()}))
    assert list(app.extensions.mounts) == ["rpc", "repo.git", "ping", "health"]
    async with serving(app) as address, httpx.AsyncClient(base_url=f"http://{address}") as http:
        health = await http.get("/_health")
        first = await http.get("/acme/ping")
        second = await http.get("/acme/ping")
        other = await http.get("/acme/orders")
    assert health.json() == {"class": "Shop", "ok": True}
    assert first.json() == {"pong": "acme", "visits": 1}
    assert second.json() == {"pong": "acme", "visits": 2}
    assert other.json() == {"fetched": "/orders", "shop": "acme"}


async def test_a_mount_is_vetted_by_the_apps_auth(tmp_path) -> None:
    def auth(connection, name) -> bool:
        return connection.headers.get("authorization") == "Bearer ok"

    app = API(Shop, ns="/:shop", data_dir=tmp_path, auth=auth)
    async with serving(app) as address, httpx.AsyncClient(base_url=f"http://{address}") as http:
        refused = await http.get("/acme/ping")
        allowed = await http.get("/acme/ping", headers={"authorization": "Bearer ok"})
    assert refused.status_code == 401
    assert refused.json()["error"] == "unauthorized"
    assert allowed.json() == {"pong": "acme", "visits": 1}
