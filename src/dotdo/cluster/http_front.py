"""HTTP on a cluster host: answer what this host owns, forward the rest to its owner, report health.

Every host of `dotdo serve` listens on the same public port (`SO_REUSEPORT`: the kernel spreads the
connections over the hosts); each request is routed by the app's own routing mode to its object, and
by the cluster's placement to the host that owns it. A request for another host's object is sent
whole over the persistent host-to-host connection and its answer relayed back; a WebSocket for one
is relayed message by message over the same connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from typing import TYPE_CHECKING, Any

from starlette.types import Message, Receive, Scope, Send

from ..http.errors import HTTPError
from ..runtime.errors import DotdoError
from ..runtime.ids import id_from_name, namespace_of
from .cluster_metrics import METRICS_PATH, merge_host_metrics
from .cluster_timeline import TIMELINE_STREAM_PATH, follow_cluster
from .placement import PlacementError
from .websocket_relay import close_with_restart, portable_scope, relay_websocket
from .wire import HostUnavailableError

if TYPE_CHECKING:
    from .host import ClusterHost

HEALTH_PATH = "/_dotdo/health"
READY_PATH = "/_dotdo/ready"
STATUS_PATH = "/_dotdo/status"
RETRY_AFTER = ((b"retry-after", b"1"),)
"""Sent with every 503: the cluster moves an object within about a second."""
_SCOPE_KEYS = (
    "type",
    "asgi",
    "http_version",
    "method",
    "scheme",
    "path",
    "raw_path",
    "query_string",
    "root_path",
    "headers",
    "server",
    "client",
)

Answer = tuple[int, list[tuple[bytes, bytes]], bytes]
LIST_PATHS = frozenset({"/_dotdo/", "/_dotdo/api/objects"})
"""The inspector's lists of objects, told the names of objects live on other hosts (see `names_elsewhere`)."""
NAMES_ELSEWHERE = "dotdo.names_elsewhere"
OWNER_CACHE_SIZE = 16384
"""Paths whose owning host a host remembers (for the current view); the cache starts over when full."""


async def run_asgi(app: Any, scope: Scope, body: bytes) -> Answer:
    """Run one HTTP request through an ASGI app in this process and collect its whole answer."""
    status = 500
    headers: list[tuple[bytes, bytes]] = []
    chunks: list[bytes] = []
    done = asyncio.Event()
    delivered = False

    async def receive() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status = message["status"]
            headers = [(bytes(k), bytes(v)) for k, v in message.get("headers", [])]
        elif message["type"] == "http.response.body":
            chunks.append(bytes(message.get("body", b"")))
            if not message.get("more_body", False):
                done.set()

    try:
        await app(dict(scope), receive, send)
    finally:
        done.set()
    return status, headers, b"".join(chunks)


def _json(status: int, payload: dict[str, Any], extra: tuple[tuple[bytes, bytes], ...] = ()) -> Answer:
    body = json.dumps(payload).encode()
    return status, [(b"content-type", b"application/json"), *extra], body


async def _reply(send: Send, answer: Answer) -> None:
    status, headers, body = answer
    has_length = any(k.lower() == b"content-length" for k, _ in headers)
    if not has_length:
        headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ConnectionError("the client went away")
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


class HostRouter:
    """The ASGI app a host serves: health and readiness, then its own objects or a forward to their owner."""

    def __init__(self, host: ClusterHost, app: Any) -> None:
        self.host = host
        self.app = app
        routing = getattr(app, "routing", None)
        cls = getattr(app, "cls", None)
        self._routing = routing if routing is not None and hasattr(routing, "match") else None
        self._namespace = namespace_of(cls) if cls is not None else None
        self._by_path = bool(getattr(self._routing, "by_path_alone", False))
        self._object_for = getattr(app, "object_for", None)
        """The app's own answer, if it has one, to "which object is this request about?" (an `API`
        gives it for its requests and for its mounts' paths, the inspector's pages about one object too)."""
        self._owners: dict[str, str] = {}
        self._owners_view: object = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        path = scope["path"]
        if kind == "http" and path == HEALTH_PATH:
            await _reply(send, _json(200, {"status": "ok", "host": self.host.host_id, "pid": os.getpid()}))
            return
        if kind == "http" and path == READY_PATH:
            await _reply(send, self.readiness())
            return
        if kind == "http" and path == STATUS_PATH:
            await _reply(send, _json(200, await self.cluster_status()))
            return
        if kind == "http" and path == METRICS_PATH and self._object_for is not None:
            await _reply(send, await self.cluster_metrics(scope))
            return
        if kind == "http" and path == TIMELINE_STREAM_PATH and self._object_for is not None:
            await self.cluster_timeline(scope, receive, send)
            return
        if not self.host.member():
            try:
                await self.host.ensure_member()
            except HostUnavailableError as exc:
                # A paused host that resumed, or one the directory removed: its objects may be elsewhere.
                if kind == "http":
                    await _reply(send, _json(503, {"error": "host_unavailable", "message": str(exc)}, RETRY_AFTER))
                else:
                    await send({"type": "websocket.close", "code": 1013, "reason": "host not in the cluster"})
                return
        try:
            owner = self.owner(scope)
        except PlacementError as exc:
            # No live host may run this object (its placement hint matches none).
            if kind == "http":
                await _reply(send, _json(503, {"error": "no_matching_host", "message": str(exc)}, RETRY_AFTER))
            else:
                await send({"type": "websocket.close", "code": 1013, "reason": "no host matches its placement"})
            return
        if owner is None:
            if kind == "http" and path in LIST_PATHS:
                scope = {**scope, NAMES_ELSEWHERE: self.names_elsewhere}
            await self.app(scope, receive, send)
            return
        if kind == "websocket":
            await self.relay(owner, scope, receive, send)
            return
        await self.forward(owner, scope, receive, send)

    def readiness(self) -> Answer:
        """200 when this host is registered, vouched for by a recent health check, not draining and can
        write its data folder; 503 otherwise."""
        host = self.host
        problems = []
        if host.info is None or host.info.host_id not in host.view.hosts:
            problems.append("not registered in the cluster's directory")
        if host.draining:
            problems.append("draining")
        elif not host.member():
            problems.append("no recent health check vouches for it (paused, or removed from the cluster)")
        runtime = host.runtime
        if runtime is None or not runtime.started or runtime.closed:
            problems.append("runtime not running")
        elif not os.access(runtime.data_folder.root / "objects", os.W_OK):
            problems.append("data folder not writable")
        if problems:
            return _json(503, {"ready": False, "host": host.host_id, "problems": problems}, RETRY_AFTER)
        return _json(200, {"ready": True, "host": host.host_id, "hosts": len(host.view.hosts)})

    async def cluster_status(self) -> dict[str, Any]:
        """This host's view of the cluster and every live host's own status (asked over the wire)."""
        host = self.host

        async def ask(host_id: str) -> dict[str, Any]:
            if host_id == host.host_id:
                return host.status()
            try:
                return await asyncio.wait_for(host.peer(host_id).request("status", None), 5.0)
            except (HostUnavailableError, TimeoutError) as exc:
                return {"host": host_id, "error": str(exc) or "no answer within 5 s"}

        hosts = await asyncio.gather(*(ask(host_id) for host_id in sorted(host.view.hosts)))
        return {"view_version": host.view.version, "answered_by": host.host_id, "hosts": hosts}

    async def cluster_metrics(self, scope: Scope) -> Answer:
        """Every live host's metrics, labelled by host (the scrape is refused as this host refuses it)."""
        host = self.host
        local = await run_asgi(self.app, scope, b"")
        if local[0] != 200:
            return local
        plain = {key: scope[key] for key in _SCOPE_KEYS if key in scope}

        async def ask(host_id: str) -> tuple[str, str | None]:
            if host_id == host.host_id:
                return host_id, local[2].decode()
            try:
                status, _headers, body = await asyncio.wait_for(host.peer(host_id).request("http", (plain, b"")), 5.0)
            except (HostUnavailableError, DotdoError, TimeoutError):
                return host_id, None
            return host_id, body.decode() if status == 200 else None

        answers = await asyncio.gather(*(ask(host_id) for host_id in sorted(host.view.hosts)))
        content_type = next((v for k, v in local[1] if k.lower() == b"content-type"), b"text/plain")
        return 200, [(b"content-type", content_type)], merge_host_metrics(answers)

    async def cluster_timeline(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Follow every live host's timeline at once, each entry labelled with its host (`dotdo tail`)."""
        host = self.host
        peers = {}
        for host_id in sorted(host.view.hosts):
            if host_id != host.host_id:
                with contextlib.suppress(HostUnavailableError):
                    peers[host_id] = host.peer(host_id)
        plain = {key: scope[key] for key in _SCOPE_KEYS if key in scope}
        await follow_cluster(host.host_id, self.app, peers, scope, receive, send, peer_scope=plain)

    async def names_elsewhere(self) -> dict[tuple[str, str], str]:
        """The names of the objects live on the other hosts, by (class, id) (a peer that does not answer
        within 5 s adds none: its objects are listed by id)."""
        host = self.host

        async def ask(host_id: str) -> list[tuple[str, str, str]]:
            try:
                return await asyncio.wait_for(host.peer(host_id).request("live_names", None), 5.0)
            except (HostUnavailableError, DotdoError, TimeoutError):
                return []

        others = [host_id for host_id in sorted(host.view.hosts) if host_id != host.host_id]
        answers = await asyncio.gather(*(ask(host_id) for host_id in others))
        return {(namespace, hex_id): name for answer in answers for namespace, hex_id, name in answer}

    def owner(self, scope: Scope) -> str | None:
        """The host to forward this request to, or None to answer it here."""
        if self._object_for is None and (self._routing is None or self._namespace is None):
            return None
        path: str = scope["path"]
        view = self.host.view
        if self._by_path:
            # Remembered per path for the current view: most requests skip routing and hashing.
            if self._owners_view is not view:
                self._owners, self._owners_view = {}, view
            owner = self._owners.get(path)
            if owner is None:
                owner = self._owners[path] = self._owner_by_routing(scope, path)
                if len(self._owners) > OWNER_CACHE_SIZE:
                    self._owners = {}
        else:
            owner = self._owner_by_routing(scope, path)
        return None if owner == self.host.host_id else owner

    def _owner_by_routing(self, scope: Scope, path: str) -> str:
        """The owning host of the request's object (this host for /rpc, or a path no object answers)."""
        if self._object_for is not None:
            found = self._object_for(scope)
            return self.host.host_id if found is None else self.host.owner_in_view(*found)
        routing, namespace = self._routing, self._namespace
        if routing is None or namespace is None or path.startswith("/rpc"):
            return self.host.host_id
        try:
            match = routing.match(scope)
        except HTTPError:
            return self.host.host_id
        oid = id_from_name(namespace, match.name)
        return self.host.owner_in_view(oid.namespace, oid.hex)

    async def answer_forwarded(self, scope: Scope, body: bytes) -> Answer:
        """Answer a request another host forwarded here (503 if this host does not own its object either)."""
        if self.owner(scope) is not None:
            await self.host.next_view()
            owner = self.owner(scope)
            if owner is not None:
                return _json(
                    503,
                    {"error": "moving", "message": f"the object is moving between hosts (now {owner}); retry"},
                    RETRY_AFTER,
                )
        return await run_asgi(self.app, scope, body)

    async def answer_forwarded_websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve a WebSocket another host relays here (closed with 1012 if this host does not own its object)."""
        if self.owner(scope) is not None:
            await self.host.next_view()
            if self.owner(scope) is not None:
                await close_with_restart(send, reason="the object is moving")
                return
        await self.app(scope, receive, send)

    async def relay(self, owner: str, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve a WebSocket whose object `owner` runs: every message is relayed over the host-to-host connection."""
        try:
            peer = self.host.peer(owner)
        except HostUnavailableError:
            await close_with_restart(send, reason="the object's host left")
            return
        await relay_websocket(peer, "http_websocket", portable_scope(scope), receive, send)

    async def forward(self, owner: str, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the whole request to `owner` and relay its answer; 503 with Retry-After if it cannot answer."""
        try:
            body = await _read_body(receive)
        except ConnectionError:
            return
        plain = {key: scope[key] for key in _SCOPE_KEYS if key in scope}
        try:
            answer = await self.host.peer(owner).request("http", (plain, body))
        except (HostUnavailableError, DotdoError) as exc:
            answer = _json(
                503,
                {"error": "host_unavailable", "message": str(exc)},
                RETRY_AFTER,
            )
        await _reply(send, answer)
