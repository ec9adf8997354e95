"""`API()`: the ASGI app that routes requests and WebSockets to Durable Objects."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import logging
import os
from collections.abc import Awaitable, Callable, Iterable
from time import perf_counter
from typing import TYPE_CHECKING, Any

from starlette.requests import HTTPConnection, Request
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket

from ..primitives.attachments import CTX_ATTACHMENTS
from ..rpc.wire import Limits
from ..runtime.durable_object import DurableObject
from ..runtime.extensions import Extensions
from ..runtime.ids import ObjectId, id_from_name
from ..runtime.log_store import store_options_from_environment
from ..runtime.runtime import Runtime
from .body_limit import DEFAULT_MAX_BODY_SIZE, check_declared_length, limited_receive
from .errors import HTTPError, json_error
from .lifespan import serve_lifespan
from .mounts import BUILTIN_MOUNTS, Mount, dispatch_plan, locating
from .observation import REQUEST_ID_HEADER, Observer, request_context
from .routing import Match, RoutingMode, routing_for

if TYPE_CHECKING:
    from ..primitives.gitx.limits import GitLimits

log = logging.getLogger("dotdo.http")

AuthHook = Callable[..., bool | Awaitable[bool]]
"""`auth(request, name)` or `auth(request, name, cls)`: whether this request may reach the object
`name` of class `cls` (`name` is None for the app's own doors: `/rpc` itself, an Entity collection)."""
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

ROUTE_CACHE_SIZE = 4096
"""Paths whose object (name and id) an app remembers; the cache starts over when full."""


class API:
    """An ASGI app serving Durable Objects of `cls` (and `objects`), routed by `ns`.

    `ns=None` routes by hostname (`acme.localhost` -> "acme"), `"/:org"` by the first path segment,
    `"/:org/:project"` by two (name "org:project"), any other string to one fixed object.

    `auth` vets every object a request reaches, over HTTP, WebSocket, Entity routes and each object
    an RPC session at `/rpc` opens. `rpc_classes` names the classes served at `/rpc` (default:
    every registered class; `()` serves none). `rpc_limits` bounds RPC sessions; the app's
    `max_body_size` also bounds an RPC batch. `compat` serves compat layers (`["s3"]`) under
    `/_compat/<name>` on this app's runtime.
    """

    def __init__(
        self,
        cls: type[DurableObject],
        ns: str | None = None,
        objects: Iterable[type[DurableObject]] = (),
        data_dir: str | os.PathLike[str] | None = None,
        durability: str | None = None,
        auth: AuthHook | None = None,
        *,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        runtime: Runtime | None = None,
        rpc_classes: Iterable[type[DurableObject]] | None = None,
        rpc_limits: Limits | None = None,
        git_limits: GitLimits | None = None,
        extensions: Extensions | None = None,
        compat: Iterable[str] = (),
    ) -> None:
        if not (isinstance(cls, type) and issubclass(cls, DurableObject)):
            raise TypeError(f"API() takes a Durable Object class (a dotdo.DO subclass), not {cls!r}")
        self.cls = cls
        self.routing: RoutingMode = routing_for(ns)
        self._routes: dict[str, tuple[Match, ObjectId]] = {}
        self.auth = auth
        self.max_body_size = max_body_size
        self.git_limits = git_limits
        """Limits on packs pushed to objects' repositories (`dotdo.primitives.gitx.GitLimits`)."""
        # Apps naming one data folder share its runtime: two runtimes cannot own one folder.
        self.runtime = runtime or Runtime.shared(
            data_dir or os.environ.get("DOTDO_DATA_DIR") or ".dotdo",
            durability=durability or os.environ.get("DOTDO_DURABILITY"),
            replicate_to=os.environ.get("DOTDO_REPLICATE_TO") or None,
            replicate_options=store_options_from_environment(),
        )
        self.runtime.add_defaults(CTX_ATTACHMENTS)
        self.runtime.register(cls)
        for extra in objects:
            self.runtime.register(extra)
        self.rpc_classes: tuple[type[DurableObject], ...] | None = None
        if rpc_classes is not None:
            self.rpc_classes = tuple(rpc_classes)
            for served in self.rpc_classes:
                if not (isinstance(served, type) and issubclass(served, DurableObject)):
                    raise TypeError(f"rpc_classes takes Durable Object classes, not {served!r}")
                self.runtime.register(served)
        self.rpc_limits = dataclasses.replace(rpc_limits or Limits(), max_body_size=max_body_size)
        self._auth_takes_class = auth is not None and _positional_arity(auth) >= 3
        self.extensions = BUILTIN_MOUNTS.merged(self.runtime.extensions_for(cls)).merged(extensions)
        if compat:
            self.extensions = self.extensions.merged(Extensions(mounts={"compat": _compat_mount(compat)}))
        """The registry this app serves with: built-in mounts, then the class's and the runtime's, then `extensions`."""
        self.mounts: tuple[Mount, ...] = tuple(self.extensions.mounts.values())
        """Asked in order to serve each request before the object's `fetch`."""
        self._locating = locating(self.mounts)
        self._plan = dispatch_plan(self.mounts)
        self.observer: Observer | None = None
        """Told of each request and WebSocket as the app serves it (the inspector's `RequestObserver`)."""

    def extend(self, extensions: Extensions) -> None:
        """Serve with `extensions` added (they win over what the app had); their mounts are asked last."""
        self.extensions = self.extensions.merged(extensions)
        self.mounts = tuple(self.extensions.mounts.values())
        self._locating = locating(self.mounts)
        self._plan = dispatch_plan(self.mounts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await serve_lifespan(self.runtime, receive, send)
            return
        observer = self.observer
        note = header = context = None
        started = 0.0
        if observer is not None:
            # Noted here, where the app already is, rather than in a layer around it: observing
            # costs the app a few attribute reads, not a frame, a closure and a copied message.
            note = observer.begin(scope)
            if note is not None:
                header = (REQUEST_ID_HEADER, note[0].encode("latin-1"))
                context = request_context.set(note)
                if kind == "websocket":
                    receive = observer.websocket_opened(note, scope, receive)
                started = perf_counter()
        status = 0  # the answer's status once it started (1 for a WebSocket's first message)

        async def send_tracked(message: Message) -> None:
            nonlocal status
            if not status:
                status = message.get("status") or 1
                if header is not None and message["type"] == "http.response.start":
                    message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        try:
            if not self.runtime.started:
                await self.runtime.start()
            await self._dispatch(scope, receive, send_tracked)
        except HTTPError as exc:
            if status:
                raise
            await self._refuse(exc, scope, receive, send_tracked)
        except Exception:
            # An object that cannot start (disk full, a destroyed file, a read-only folder) or any
            # other failure before an answer: the client still gets the JSON error shape.
            if status:
                raise
            log.exception("%s %s failed before an answer", scope.get("method", "WebSocket"), scope["path"])
            await self._refuse(
                HTTPError(
                    500,
                    "internal_error",
                    "The server could not serve this request (the object may have failed to start); "
                    "the server log has the traceback",
                ),
                scope,
                receive,
                send_tracked,
            )
        finally:
            if context is not None:
                request_context.reset(context)
            if observer is not None and note is not None:
                if kind == "http":
                    observer.answered(note, scope, status or 500, perf_counter() - started)
                else:
                    observer.websocket_closed(note, receive)

    def object_for(self, scope: Scope) -> tuple[str, str] | None:
        """The (class, hex id) of the object a request is about; None when any process may answer it.

        What a cluster host asks to send a request to the host that owns its object. A mount that
        locates its own paths (`LocatingMount`: `/rpc`, the inspector's pages) answers for them;
        any other path is routed as the app routes it (None when no object answers it).
        """
        path: str = scope["path"]
        for mount in self._locating:
            if mount.claims(path):
                return mount.object_for(scope)
        try:
            _match, oid = self._route(scope)
        except HTTPError:
            return None
        return oid.namespace, oid.hex

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        for prefix, mount in self._plan:
            if path.startswith(prefix) and await mount(self, scope, receive, send):
                return
        match, oid = self._route(scope)
        await self.authorize(scope, receive, match.name)
        if scope["type"] == "websocket":
            await self._serve_websocket(match, oid, scope, receive, send)
        else:
            await self._serve_http(match, oid, scope, receive, send)

    def _route(self, scope: Scope) -> tuple[Match, ObjectId]:
        """The object a request is for; remembered per path when the routing looks at nothing else."""
        if not self.routing.by_path_alone:
            match = self.routing.match(scope)
            return match, id_from_name(self.cls, match.name)
        path: str = scope["path"]
        route = self._routes.get(path)
        if route is None:
            match = self.routing.match(scope)
            route = (match, id_from_name(self.cls, match.name))
            if len(self._routes) >= ROUTE_CACHE_SIZE:
                self._routes.clear()
            self._routes[path] = route
        return route

    async def verdict(self, connection: HTTPConnection, name: str | None, cls: type[DurableObject] | None) -> bool:
        """Whether the app's `auth` hook lets `connection` reach object `name` of `cls` (True without a hook)."""
        if self.auth is None:
            return True
        verdict = self.auth(connection, name, cls) if self._auth_takes_class else self.auth(connection, name)
        if inspect.isawaitable(verdict):
            verdict = await verdict
        return bool(verdict)

    async def authorize_request(self, request: Request, name: str | None) -> None:
        """Raise `HTTPError(401)` unless `auth` lets `request` reach object `name` (None: no one object)."""
        if not await self.verdict(request, name, self.cls if name is not None else None):
            raise HTTPError(401, "unauthorized", "This request is not authorized for that object")

    async def authorize(self, scope: Scope, receive: Receive, name: str | None, *, challenge: bool = False) -> None:
        """Raise `HTTPError(401)` unless `auth` lets the request reach object `name`; `challenge` asks for Basic."""
        if self.auth is None:
            return
        if not await self.verdict(HTTPConnection(scope, receive), name, self.cls if name is not None else None):
            headers = {"WWW-Authenticate": 'Basic realm="dotdo"'} if challenge else None
            raise HTTPError(401, "unauthorized", "This request is not authorized for that object", headers)

    def _forwarded_scope(self, match: Match, scope: Scope) -> Scope:
        if match.path == scope["path"]:
            return scope
        forwarded = dict(scope)
        forwarded["path"] = match.path
        forwarded["raw_path"] = match.path.encode("utf-8", "surrogateescape")
        forwarded["dotdo.prefix"] = match.prefix
        return forwarded

    async def _serve_http(self, match: Match, oid: ObjectId, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.max_body_size
        check_declared_length(scope, limit)
        request = Request(self._forwarded_scope(match, scope), limited_receive(receive, limit))
        try:
            response = await self.runtime.fetch(self.cls, oid, request)
        except HTTPError:
            raise
        except Exception:
            log.exception(
                "%s failed to start or its fetch raised for %s %s",
                self.cls.__name__,
                scope.get("method"),
                scope["path"],
            )
            response = json_error(
                500,
                "internal_error",
                f"The object failed to start, or {self.cls.__name__}.fetch raised an unhandled exception; "
                "the server log has the traceback",
            )
        await response(scope, receive, send)

    async def _serve_websocket(self, match: Match, oid: ObjectId, scope: Scope, receive: Receive, send: Send) -> None:
        socket = WebSocket(self._forwarded_scope(match, scope), receive, send)
        await self.runtime.accept_websocket(self.cls, oid, socket)

    async def _refuse(self, error: HTTPError, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            # 1011: the server failed; 1008: the request was refused (policy).
            code = 1011 if error.status_code >= 500 else 1008
            await WebSocket(scope, receive, send).close(code=code, reason=error.message[:120])
            return
        await error.response()(scope, receive, send)


def _positional_arity(hook: Callable[..., Any]) -> int:
    try:
        parameters = inspect.signature(hook).parameters.values()
    except (TypeError, ValueError):
        return 2
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    if any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in parameters):
        return 3
    return sum(1 for p in parameters if p.kind in kinds)


def _compat_mount(layers: Iterable[str]) -> Mount:
    # The compat layers sit above http: loaded by name, and only by an app that asks for them.
    compat = importlib.import_module("dotdo.compat")
    return compat.mounted(*layers)
