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

    from ..primitives.gitx.limits import GitLimits
    from ..runtime.durable_object import DurableObject
    from ..runtime.objects import Objects
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
        sub_path = match.path[len(MOUNT) :] or "/"
        return await serve_repository(
            api.runtime, api.cls, match.name, sub_path, scope, receive, send, api.max_body_size, api.git_limits
        )


async def serve_repository(
    objects: Objects,
    cls: type[DurableObject],
    name: str,
    sub_path: str,
    scope: Scope,
    receive: Receive,
    send: Send,
    max_body_size: int,
    git_limits: GitLimits | None = None,
) -> bool:
    """Answer a smart-HTTP request for object `name`'s repository, reached through the door `objects`;
    False (having sent nothing) to fall through to the object's `fetch`.

    `max_body_size` bounds the request body (after gzip), `git_limits` the packs pushed (default:
    the object's `ctx.git_limits`, else gitx's defaults).
    """

    async def respond(obj: Any) -> Response | None:
        from ..primitives.gitx.smart_http import GitHttpService

        ctx = getattr(obj, "ctx", None)
        if ctx is None:
            return None
        git = ctx.git
        if not git.repo.initialized:
            return None
        request = Request(scope, limited_receive(receive, max_body_size))
        service = GitHttpService(
            git,
            max_body=max_body_size,
            limits=git_limits,
            exclusive=obj.block_concurrency_while,
        )
        return await service.respond(request, sub_path)

    response = await objects.run_in(cls, name, respond)
    if response is None:
        return False
    await response(scope, receive, send)
    return True
