"""Stubs: handles on objects that call them as events, by name or id, with copied arguments."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from .ids import ObjectId, id_from_name, new_unique_id

if TYPE_CHECKING:
    from .durable_object import DurableObject
    from .host import ObjectHost


class Stub:
    """A handle on one object: `await stub.method(*args)` calls it, `await stub.fetch(url)` sends it a request.

    Subclasses say how a call and a request reach the object (`_method_caller`, `_deliver`): in this process
    (`ObjectStub`) or on the host that owns it in a cluster.
    """

    __slots__ = ("_cls", "id")
    _kind = "stub"

    def __init__(self, cls: type[DurableObject], oid: ObjectId) -> None:
        self._cls = cls
        self.id = oid

    @property
    def name(self) -> str | None:
        """The name the object was addressed by, or None."""
        return self.id.name

    def __getattr__(self, method: str) -> Any:
        if method.startswith("_"):
            raise AttributeError(method)
        call = self._method_caller(method)
        call.__name__ = method
        call.__qualname__ = f"{self._cls.__name__}.{method}"
        return call

    def _method_caller(self, method: str) -> Callable[..., Awaitable[Any]]:
        raise NotImplementedError(f"{type(self).__name__} does not say how a call reaches its object")

    async def _deliver(self, request: Request) -> Response:
        raise NotImplementedError(f"{type(self).__name__} does not say how a request reaches its object")

    async def fetch(
        self,
        request: Request | str,
        *,
        method: str = "GET",
        headers: Mapping[str, str] | None = None,
        body: bytes | str = b"",
    ) -> Response:
        """Deliver an HTTP request (a Starlette `Request`, or a URL to build one) to the object's `fetch`."""
        if isinstance(request, str):
            request = build_request(request, method=method, headers=headers, body=body)
        return await self._deliver(request)

    def __deepcopy__(self, memo: dict[int, Any]) -> Stub:
        return self

    def __repr__(self) -> str:
        label = self.id.name if self.id.name is not None else self.id.hex[:12]
        return f"<{self._cls.__name__} {self._kind} {label!r}>"


class ObjectStub(Stub):
    """A stub for an object of this process: calls and requests are events of the object, here."""

    __slots__ = ("_host",)

    def __init__(self, host: ObjectHost, cls: type[DurableObject], oid: ObjectId) -> None:
        super().__init__(cls, oid)
        self._host = host

    def _method_caller(self, method: str) -> Callable[..., Awaitable[Any]]:
        host, cls, oid = self._host, self._cls, self.id

        async def call(*args: Any, **kwargs: Any) -> Any:
            return await host.call(cls, oid, method, args, kwargs)

        return call

    async def _deliver(self, request: Request) -> Response:
        return await self._host.fetch(self._cls, self.id, request)


def build_request(
    url: str, *, method: str = "GET", headers: Mapping[str, str] | None = None, body: bytes | str = b""
) -> Request:
    """A Starlette `Request` for an in-process call (no network)."""
    parts = urlsplit(url if "://" in url else f"http://localhost{url if url.startswith('/') else '/' + url}")
    payload = body.encode() if isinstance(body, str) else body
    raw_headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    if not any(k == b"host" for k, _ in raw_headers):
        raw_headers.append((b"host", (parts.netloc or "localhost").encode("latin-1")))
    if payload:
        raw_headers.append((b"content-length", str(len(payload)).encode()))
    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": method.upper(),
        "scheme": parts.scheme or "http",
        "path": parts.path or "/",
        "raw_path": (parts.path or "/").encode(),
        "query_string": parts.query.encode(),
        "root_path": "",
        "headers": raw_headers,
        "server": (parts.hostname or "localhost", parts.port or 80),
        "client": ("127.0.0.1", 0),
    }
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": payload, "more_body": False}

    return Request(scope, receive)


class Namespace:
    """`env.Counter`: get stubs and ids of one class (like a Durable Object namespace binding)."""

    def __init__(self, host: ObjectHost, cls: type[DurableObject]) -> None:
        self._host = host
        self.cls = cls

    def id_from_name(self, name: str) -> ObjectId:
        """The id of the object called `name`."""
        return id_from_name(self.cls, name)

    def new_unique_id(self) -> ObjectId:
        """A fresh random id."""
        return new_unique_id(self.cls)

    def get(self, name_or_id: str | ObjectId) -> ObjectStub:
        """A stub for an object by name or id."""
        oid = name_or_id if isinstance(name_or_id, ObjectId) else self.id_from_name(name_or_id)
        return ObjectStub(self._host, self.cls, oid)
