"""Serving a repository over git's smart HTTP protocol, so any git client can clone, fetch and push.

`git_http_app(git)` is an ASGI app answering `GET /info/refs?service=...`, `POST /git-upload-pack`
and `POST /git-receive-pack` relative to where it is mounted (an object's `<base>/repo.git`).
dulwich's protocol handlers do the work synchronously on the event loop's thread, like every other
storage call: the request body is read first, the response is produced whole, and a push is applied
inside one savepoint, so a failed push leaves nothing behind.
"""

from __future__ import annotations

import gzip
import inspect
import zlib
from collections.abc import Awaitable, Callable
from io import BytesIO
from typing import TYPE_CHECKING, Any

from dulwich.errors import HookError
from dulwich.graph import can_fast_forward
from dulwich.protocol import ReceivableProtocol
from dulwich.server import Backend, ReceivePackHandler, UploadPackHandler
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

if TYPE_CHECKING:
    from .repository import Git
    from .stored_repo import StoredRepo

AuthHook = Callable[[Request, str], bool | Awaitable[bool]]
SERVICES = {"git-upload-pack": UploadPackHandler, "git-receive-pack": ReceivePackHandler}
DEFAULT_MAX_BODY = 256 * 1024 * 1024
ZERO_SHA = b"0" * 40


class _OneRepository(Backend):
    """A dulwich backend that serves a single repository whatever the path."""

    def __init__(self, repo: StoredRepo) -> None:
        self.repo = repo

    def open_repository(self, path: str) -> Any:
        return self.repo


class _DenyNonFastForward:
    """An update hook refusing ref updates that would drop commits (receive.denyNonFastForwards)."""

    def __init__(self, repo: StoredRepo) -> None:
        self.repo = repo

    def execute(self, ref: bytes, old: bytes, new: bytes) -> tuple[bytes, bytes]:
        rewinds = old != ZERO_SHA and new != ZERO_SHA and ref.startswith(b"refs/heads/")
        if rewinds and not can_fast_forward(self.repo, old, new):
            raise HookError("non-fast-forward updates are refused by this repository")
        return b"", b""


class GitHttpService:
    """Answers smart-HTTP requests for one repository; `respond(request, path)` builds the whole response.

    `path` is relative to the repository URL: `/info/refs`, `/git-upload-pack` or `/git-receive-pack`.
    Building the response before sending it lets a host release it only after the push is durable.
    """

    def __init__(
        self,
        git: Git,
        auth: AuthHook | None = None,
        *,
        allow_push: bool = True,
        deny_non_fast_forward: bool = False,
        max_body: int = DEFAULT_MAX_BODY,
    ) -> None:
        self.git = git
        self.auth = auth
        self.allow_push = allow_push
        self.max_body = max_body
        self.backend = _OneRepository(git.repo)
        if deny_non_fast_forward:
            git.repo.hooks["update"] = _DenyNonFastForward(git.repo)

    async def respond(self, request: Request, path: str) -> Response:
        """The response to a smart-HTTP request at `path` under the repository URL."""
        if path == "/info/refs" and request.method in ("GET", "HEAD"):
            return await self._info_refs(request)
        if path in ("/git-upload-pack", "/git-receive-pack") and request.method == "POST":
            return await self._rpc(request, path[1:])
        return PlainTextResponse(
            "Not a git smart-HTTP endpoint: use GET /info/refs?service=..., POST /git-upload-pack "
            "or POST /git-receive-pack\n",
            status_code=404,
        )

    async def _refusal(self, request: Request, service: str) -> Response | None:
        if service == "git-receive-pack" and not self.allow_push:
            return PlainTextResponse("Pushing to this repository is disabled\n", status_code=403)
        if self.auth is not None:
            verdict = self.auth(request, service)
            if inspect.isawaitable(verdict):
                verdict = await verdict
            if not verdict:
                return PlainTextResponse(
                    "Authentication required\n", status_code=401, headers={"WWW-Authenticate": 'Basic realm="git"'}
                )
        if not self.git.repo.initialized:
            return PlainTextResponse("No repository here yet\n", status_code=404)
        return None

    async def _info_refs(self, request: Request) -> Response:
        service = request.query_params.get("service", "")
        if service not in SERVICES:
            return PlainTextResponse(
                "Only smart HTTP is served: use a git client that sends ?service=git-upload-pack\n",
                status_code=403,
            )
        refused = await self._refusal(request, service)
        if refused is not None:
            return refused
        out = BytesIO()
        proto = ReceivableProtocol(BytesIO().read, out.write)
        handler = SERVICES[service](self.backend, ["/"], proto, stateless_rpc=True, advertise_refs=True)
        handler.proto.write_pkt_line(f"# service={service}\n".encode())
        handler.proto.write_pkt_line(None)
        handler.handle()
        return Response(out.getvalue(), media_type=f"application/x-{service}-advertisement", headers=_NO_CACHE)

    async def _rpc(self, request: Request, service: str) -> Response:
        if request.headers.get("content-type") != f"application/x-{service}-request":
            return PlainTextResponse("Invalid Content-Type\n", status_code=415)
        refused = await self._refusal(request, service)
        if refused is not None:
            return refused
        body = await _read_body(request, self.max_body)
        if isinstance(body, Response):
            return body
        out = BytesIO()
        proto = ReceivableProtocol(BytesIO(body).read, out.write)
        handler = SERVICES[service](self.backend, ["/"], proto, stateless_rpc=True)
        if service == "git-receive-pack":
            repo = self.git.repo
            before = _branch_and_tag_refs(repo)
            self.git.storage.transaction_sync(handler.handle)
            after = _branch_and_tag_refs(repo)
            self.git.pushed(
                [
                    {"ref": ref.decode(), "old": _text(before.get(ref)), "new": _text(after.get(ref))}
                    for ref in sorted(set(before) | set(after))
                    if before.get(ref) != after.get(ref)
                ]
            )
        else:
            handler.handle()
        return Response(out.getvalue(), media_type=f"application/x-{service}-result", headers=_NO_CACHE)


def git_http_app(
    git: Git,
    auth: AuthHook | None = None,
    *,
    allow_push: bool = True,
    deny_non_fast_forward: bool = False,
    max_body: int = DEFAULT_MAX_BODY,
) -> Starlette:
    """An ASGI app serving `git`'s repository over smart HTTP.

    `auth(request, service)` (sync or async) decides each request; `service` is `git-upload-pack`
    (clone, fetch) or `git-receive-pack` (push). Refused requests get 401 with a Basic challenge so
    git asks for credentials. Without `auth`, everyone may read and (if `allow_push`) push.
    """
    service = GitHttpService(
        git, auth, allow_push=allow_push, deny_non_fast_forward=deny_non_fast_forward, max_body=max_body
    )

    async def endpoint(request: Request) -> Response:
        return await service.respond(request, "/" + request.path_params["path"])

    return Starlette(routes=[Route("/{path:path}", endpoint, methods=["GET", "HEAD", "POST"])])


_NO_CACHE = {
    "Cache-Control": "no-cache, max-age=0, must-revalidate",
    "Expires": "Fri, 01 Jan 1980 00:00:00 GMT",
}


async def _read_body(request: Request, limit: int) -> bytes | Response:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return PlainTextResponse(f"Request body larger than {limit} bytes\n", status_code=413)
        chunks.append(chunk)
    body = b"".join(chunks)
    if request.headers.get("content-encoding", "").lower() in ("gzip", "x-gzip"):
        try:
            body = gzip.decompress(body)
        except (OSError, EOFError, zlib.error):
            return PlainTextResponse("Request body is not valid gzip\n", status_code=400)
        if len(body) > limit:
            return PlainTextResponse(f"Request body larger than {limit} bytes\n", status_code=413)
    return body


def _branch_and_tag_refs(repo: StoredRepo) -> dict[bytes, bytes]:
    refs: dict[bytes, bytes] = {}
    for name in repo.refs.allkeys():
        if name.startswith((b"refs/heads/", b"refs/tags/")):
            value = repo.refs.read_loose_ref(name)
            if value is not None:
                refs[name] = value
    return refs


def _text(sha: bytes | None) -> str | None:
    return None if sha is None else sha.decode()
