"""Each object's gitx repository, served over git smart HTTP at `<object base path>/repo.git`.

Registered in `object_mounts`, so `API(Repo, ns="/:name")` answers `git clone http://host/acme/repo.git`
before the object's own `fetch` — but only once that object has a repository (otherwise the request
falls through to `fetch`). `API(auth=...)` has already vetted the request; the response is built
inside one event of the object and sent after the commit that holds a push. The request body is
bounded by `API(max_body_size=...)` (after gzip), pushed packs by `API(git_limits=...)` (or the
object's `ctx.git_limits`); pack work runs on a worker thread while the object's input gate holds
its other events, so other objects keep answering.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from .app import object_mounts
from .body_limit import limited_receive

if TYPE_CHECKING:
    from starlette.responses import Response
    from starlette.types import Receive, Scope, Send

    from ..runtime.durable_object import DurableObject
    from .app import API

MOUNT = "/repo.git"


async def serve_repository(
    api: API, cls: type[DurableObject], name: str, scope: Scope, receive: Receive, send: Send
) -> bool:
    """Answer a smart-HTTP request for object `name`'s repository; False to fall through to `fetch`."""
    if scope["type"] != "http":
        return False
    match = api.routing.match(scope)
    sub_path = match.path[len(MOUNT) :] or "/"

    async def respond(obj: Any) -> Response | None:
        from ..primitives.gitx.smart_http import GitHttpService

        ctx = getattr(obj, "ctx", None)
        if ctx is None:
            return None
        git = ctx.git
        if not git.repo.initialized:
            return None
        request = Request(scope, limited_receive(receive, api.max_body_size))
        service = GitHttpService(
            git,
            max_body=api.max_body_size,
            limits=api.git_limits,
            exclusive=obj.block_concurrency_while,
        )
        return await service.respond(request, sub_path)

    response = await api.runtime.run_in(cls, name, respond)
    if response is None:
        return False
    await response(scope, receive, send)
    return True


object_mounts[MOUNT] = serve_repository
