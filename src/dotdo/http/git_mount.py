"""Each object's gitx repository, served over git smart HTTP at `<object base path>/repo.git`.

One of the built-in mounts (`mounts.BUILTIN_MOUNTS`), so `API(Repo, ns="/:name")` answers `git clone http://host/acme/repo.git`
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

from .body_limit import limited_receive

if TYPE_CHECKING:
    from starlette.responses import Response
    from starlette.types import Receive, Scope, Send

    from ..runtime.durable_object import DurableObject
    from .app import API

MOUNT = "/repo.git"


class GitMount:
    """Serves `<object>/repo.git` over git smart HTTP once the object has a repository."""

    async def __call__(self, api: API, scope: Scope, receive: Receive, send: Send) -> bool:
        """Answer a smart-HTTP request for an object's repository; False to fall through to `fetch`."""
        if scope["type"] != "http" or MOUNT not in scope["path"]:
            return False
        match = api.routing.match(scope)
        if match.path != MOUNT and not match.path.startswith(MOUNT + "/"):
            return False
        # git sends credentials only after a Basic challenge.
        await api.authorize(scope, receive, match.name, challenge=True)
        return await serve_repository(api, api.cls, match.name, match.path[len(MOUNT) :] or "/", scope, receive, send)


async def serve_repository(
    api: API, cls: type[DurableObject], name: str, sub_path: str, scope: Scope, receive: Receive, send: Send
) -> bool:
    """Answer a smart-HTTP request for object `name`'s repository; False to fall through to `fetch`."""

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
