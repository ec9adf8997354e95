"""Serving a repository over git's smart HTTP protocol, so any git client can clone, fetch and push.

`git_http_app(git)` is an ASGI app answering `GET /info/refs?service=...`, `POST /git-upload-pack`
and `POST /git-receive-pack` relative to where it is mounted (an object's `<base>/repo.git`).
The request body is read first (a gzip body is inflated as it streams in, the size limit applied
to what it inflates to), into memory or, past 16 MiB, a temporary file. Producing a pack and
receiving one are CPU work: they run on a worker thread, holding the storage's thread lock, while
`exclusive` keeps the object's other events waiting (the object's input gate when served by
`API`); other objects go on. A push is applied inside one savepoint (see `receive_pack.py`), its
ref changes announced on the event loop once it is committed.
"""

from __future__ import annotations

import inspect
import zlib
from collections.abc import Awaitable, Callable
from io import BytesIO
from tempfile import SpooledTemporaryFile
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from dulwich.errors import GitProtocolError, HangupException, HookError
from dulwich.graph import can_fast_forward
from dulwich.protocol import ReceivableProtocol
from dulwich.server import Backend, UploadPackHandler
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from .limits import GitLimits
from .off_loop import Exclusive, run_off_loop
from .receive_pack import StoredReceivePackHandler, pushed_updates

if TYPE_CHECKING:
    from .repository import Git
    from .stored_repo import StoredRepo

AuthHook = Callable[[Request, str], bool | Awaitable[bool]]
SERVICES = ("git-upload-pack", "git-receive-pack")
DEFAULT_MAX_BODY = 256 * 1024 * 1024
ZERO_SHA = b"0" * 40
_SPOOL_BYTES = 16 * 1024 * 1024


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
        limits: GitLimits | None = None,
        exclusive: Exclusive | None = None,
    ) -> None:
        self.git = git
        self.auth = auth
        self.allow_push = allow_push
        self.max_body = max_body
        self.limits = limits or git.limits
        self.exclusive = exclusive or git.exclusive
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
        handler = self._handler(service, proto, advertise_refs=True)
        handler.proto.write_pkt_line(f"# service={service}\n".encode())
        handler.proto.write_pkt_line(None)

        async def advertise() -> None:
            handler.handle()

        # Short work: on the loop, but not in the middle of another request's push.
        await self.exclusive(advertise)
        return Response(out.getvalue(), media_type=f"application/x-{service}-advertisement", headers=_NO_CACHE)

    def _handler(self, service: str, proto: ReceivableProtocol, *, advertise_refs: bool = False) -> Any:
        if service == "git-receive-pack":
            return StoredReceivePackHandler(
                self.backend, ["/"], proto, stateless_rpc=True, advertise_refs=advertise_refs, limits=self.limits
            )
        return UploadPackHandler(self.backend, ["/"], proto, stateless_rpc=True, advertise_refs=advertise_refs)

    async def _rpc(self, request: Request, service: str) -> Response:
        if request.headers.get("content-type") != f"application/x-{service}-request":
            return PlainTextResponse("Invalid Content-Type\n", status_code=415)
        refused = await self._refusal(request, service)
        if refused is not None:
            return refused
        body = await _read_body(request, self.max_body)
        if isinstance(body, Response):
            return body
        with body:
            out = BytesIO()
            proto = ReceivableProtocol(body.read, out.write)
            handler = self._handler(service, proto)
            try:
                await run_off_loop(self.git.storage, handler.handle, self.exclusive)
            except (GitProtocolError, HangupException, AssertionError) as exc:
                # dulwich's pkt-line reader asserts on some malformed lengths (`0004`): a bad request too.
                reason = str(exc) or "malformed pkt-line"
                return PlainTextResponse(f"Bad {service} request: {reason}\n", status_code=400)
        if service == "git-receive-pack":
            self.git.repo.refs.announce(handler.changes)
            self.git.pushed(pushed_updates(handler.changes))
        return Response(out.getvalue(), media_type=f"application/x-{service}-result", headers=_NO_CACHE)


def git_http_app(
    git: Git,
    auth: AuthHook | None = None,
    *,
    allow_push: bool = True,
    deny_non_fast_forward: bool = False,
    max_body: int = DEFAULT_MAX_BODY,
    limits: GitLimits | None = None,
) -> Starlette:
    """An ASGI app serving `git`'s repository over smart HTTP.

    `auth(request, service)` (sync or async) decides each request; `service` is `git-upload-pack`
    (clone, fetch) or `git-receive-pack` (push). Refused requests get 401 with a Basic challenge so
    git asks for credentials. Without `auth`, everyone may read and (if `allow_push`) push.
    `max_body` bounds a request body (after gzip), `limits` the packs pushed (default: `git.limits`).
    """
    service = GitHttpService(
        git,
        auth,
        allow_push=allow_push,
        deny_non_fast_forward=deny_non_fast_forward,
        max_body=max_body,
        limits=limits,
    )

    async def endpoint(request: Request) -> Response:
        return await service.respond(request, "/" + request.path_params["path"])

    return Starlette(routes=[Route("/{path:path}", endpoint, methods=["GET", "HEAD", "POST"])])


_NO_CACHE = {
    "Cache-Control": "no-cache, max-age=0, must-revalidate",
    "Expires": "Fri, 01 Jan 1980 00:00:00 GMT",
}


async def _read_body(request: Request, limit: int) -> BinaryIO | Response:
    """The request body in a spooled file at offset 0, gzip inflated as it arrives, at most `limit` bytes.

    The limit applies to the inflated bytes: a small gzip body that would inflate past it is refused
    (413) as soon as it does, never inflated whole."""
    gzipped = request.headers.get("content-encoding", "").lower() in ("gzip", "x-gzip")
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS) if gzipped else None
    spool = cast("BinaryIO", SpooledTemporaryFile(max_size=_SPOOL_BYTES, prefix="gitx-body-"))  # noqa: SIM115
    size = 0
    try:
        async for chunk in request.stream():
            pending = chunk
            while pending:
                if inflater is None:
                    data, pending = pending, b""
                else:
                    if inflater.eof:
                        # Another gzip member follows (gzip allows several, one after another).
                        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
                    try:
                        data = inflater.decompress(pending, limit - size + 1)
                    except zlib.error:
                        spool.close()
                        return PlainTextResponse("Request body is not valid gzip\n", status_code=400)
                    pending = inflater.unconsumed_tail or (inflater.unused_data if inflater.eof else b"")
                size += len(data)
                if size > limit:
                    spool.close()
                    what = "inflates to more than" if gzipped else "is larger than"
                    return PlainTextResponse(f"Request body {what} {limit} bytes\n", status_code=413)
                spool.write(data)
        if inflater is not None and not inflater.eof:
            spool.close()
            return PlainTextResponse("Request body is not valid gzip (truncated)\n", status_code=400)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool
