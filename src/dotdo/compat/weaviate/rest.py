"""Weaviate's REST API as an ASGI app: meta and readiness, the schema (classes), objects, batch writes.

The client's queries, batch inserts and counts travel over gRPC (`grpc_service`); this is the rest of
what it calls. Errors have Weaviate's body, `{"error": [{"message": ...}]}`, with its status codes
(422 for what is invalid, 404 for what is missing, 401 without a key).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from starlette.responses import JSONResponse, Response

from ..request_body import read_body
from ..routing import RouteTable
from .errors import WeaviateError, unsupported
from .grpc_service import MAX_MESSAGE
from .store import NewObject, WeaviateStore, canonical_uuid

if TYPE_CHECKING:
    from starlette.types import Receive, Scope, Send

log = logging.getLogger("dotdo.compat.weaviate")

VERSION = "1.32.0"
"""The Weaviate version whose API this layer follows (the client picks its protocol by it)."""
MAX_BODY = 64 * 1024 * 1024
_OPEN_PATHS = ("/v1/meta", "/v1/.well-known/ready", "/v1/.well-known/live", "/v1/.well-known/openid-configuration")


@dataclass
class Call:
    """One request: its tenant, path and query parameters, JSON body."""

    tenant: str
    params: dict[str, str]
    query: dict[str, str]
    body: Any


Handler = Callable[[Call], Awaitable[tuple[int, Any]]]


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _vector_of(body: dict[str, Any]) -> tuple[list[float] | None, str | None]:
    """The one vector of a REST object (`vector`, or the single entry of `vectors`) and its name if given."""
    vector, name = body.get("vector"), None
    named = body.get("vectors")
    if named:
        if not isinstance(named, dict) or len(named) != 1:
            raise WeaviateError(422, "this server serves one vector per object: give one entry in `vectors`")
        [(name, vector)] = named.items()
    if vector is None or vector == []:
        return None, name
    if not isinstance(vector, list) or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in vector):
        raise WeaviateError(422, "a vector must be an array of numbers")
    return vector, name


def _new_object(body: Any, class_name: str | None = None, object_id: str | None = None) -> NewObject:
    if not isinstance(body, dict):
        raise WeaviateError(422, "an object must be a JSON object")
    if body.get("tenant"):
        raise unsupported("multi-tenancy within a class (tenant=)")
    name = class_name or body.get("class")
    if not isinstance(name, str) or not name:
        raise WeaviateError(422, "an object needs its class in `class`")
    properties = body.get("properties") or {}
    vector, vector_name = _vector_of(body)
    return NewObject(name, object_id or body.get("id"), properties, vector, vector_name)


class WeaviateRest:
    """Weaviate's REST routes on a `WeaviateStore`."""

    def __init__(self, store: WeaviateStore) -> None:
        self.store = store
        self.routes: RouteTable[Handler] = RouteTable(
            [
                ("GET", "/v1/meta", self.meta),
                ("GET", "/v1/.well-known/ready", self.ready),
                ("GET", "/v1/.well-known/live", self.ready),
                ("GET", "/v1/.well-known/openid-configuration", self.no_openid),
                ("GET", "/v1/schema", self.list_classes),
                ("POST", "/v1/schema", self.create_class),
                ("GET", "/v1/schema/{name}", self.get_class),
                ("DELETE", "/v1/schema/{name}", self.delete_class),
                ("POST", "/v1/schema/{name}/properties", self.add_property),
                ("GET", "/v1/objects", self.list_objects),
                ("POST", "/v1/objects", self.create_object),
                ("GET", "/v1/objects/{name}/{id}", self.get_object),
                ("HEAD", "/v1/objects/{name}/{id}", self.object_exists),
                ("PUT", "/v1/objects/{name}/{id}", self.replace_object),
                ("PATCH", "/v1/objects/{name}/{id}", self.update_object),
                ("DELETE", "/v1/objects/{name}/{id}", self.delete_object),
                ("POST", "/v1/batch/objects", self.batch_objects),
            ]
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        try:
            status, payload = await self._respond(scope, receive)
        except WeaviateError as exc:
            status, payload = exc.status, exc.body()
        except Exception:
            log.exception("Weaviate request failed")
            status, payload = 500, WeaviateError(500, "internal error; see the server's log").body()
        if payload is None or scope["method"] == "HEAD":
            response = Response(status_code=status)
        else:
            response = JSONResponse(payload, status_code=status)
        await response(scope, receive, send)

    async def _respond(self, scope: Scope, receive: Receive) -> tuple[int, Any]:
        path: str = scope["path"]
        method: str = scope["method"]
        resolved = self.routes.resolve(method, path)
        if resolved.handler is None:
            if resolved.allowed:
                raise WeaviateError(405, f"method {method} is not allowed on {path}; use {', '.join(resolved.allowed)}")
            if path.startswith("/v1/"):
                raise unsupported(f"{method} {path}")
            raise WeaviateError(404, f"no route for {path}; Weaviate's API is under /v1/")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        tenant = "" if path.rstrip("/") in _OPEN_PATHS else self.store.authenticate(headers.get("authorization"))
        raw = await read_body(receive, MAX_BODY, lambda: WeaviateError(413, "the request body is too large"))
        try:
            body = json.loads(raw, parse_constant=_refuse_constant) if raw.strip() else None
        except ValueError as exc:
            raise WeaviateError(400, f"the request body is not valid JSON: {exc}") from None
        query = dict(parse_qsl(scope.get("query_string", b"").decode()))
        return await resolved.handler(Call(tenant, resolved.params, query, body))

    # -- service ------------------------------------------------------------------------------------

    async def meta(self, call: Call) -> tuple[int, Any]:
        return 200, {
            "hostname": "http://[::]:8080",
            "modules": {},
            "version": VERSION,
            "grpcMaxMessageSize": MAX_MESSAGE,
        }

    async def ready(self, call: Call) -> tuple[int, Any]:
        return 200, None

    async def no_openid(self, call: Call) -> tuple[int, Any]:
        return 404, None

    # -- schema -------------------------------------------------------------------------------------

    async def list_classes(self, call: Call) -> tuple[int, Any]:
        return 200, {"classes": await self.store.classes(call.tenant)}

    async def create_class(self, call: Call) -> tuple[int, Any]:
        return 200, await self.store.create_class(call.tenant, call.body)

    async def get_class(self, call: Call) -> tuple[int, Any]:
        return 200, await self.store.definition(call.tenant, call.params["name"])

    async def delete_class(self, call: Call) -> tuple[int, Any]:
        await self.store.delete_class(call.tenant, call.params["name"])
        return 200, None

    async def add_property(self, call: Call) -> tuple[int, Any]:
        return 200, await self.store.add_property(call.tenant, call.params["name"], call.body)

    # -- objects ------------------------------------------------------------------------------------

    async def _put_one(self, call: Call, new: NewObject, *, replace: bool = True) -> None:
        [error] = await self.store.put(call.tenant, [new], replace=replace)
        if error is not None:
            raise WeaviateError(404 if "not found in schema" in error else 422, error)

    async def create_object(self, call: Call) -> tuple[int, Any]:
        new = _new_object(call.body)
        if new.id is not None and await self.store.get(call.tenant, new.class_name, canonical_uuid(new.id)):
            raise WeaviateError(422, f"id '{canonical_uuid(new.id)}' already exists")
        if new.id is None:
            new.id = str(uuid.uuid4())
        await self._put_one(call, new)
        return 200, await self.store.get(call.tenant, new.class_name, new.id, with_vector=True)

    async def get_object(self, call: Call) -> tuple[int, Any]:
        with_vector = "vector" in call.query.get("include", "").split(",")
        found = await self.store.get(call.tenant, call.params["name"], call.params["id"], with_vector)
        return (200, found) if found is not None else (404, None)

    async def object_exists(self, call: Call) -> tuple[int, Any]:
        found = await self.store.get(call.tenant, call.params["name"], call.params["id"])
        return (204 if found is not None else 404), None

    async def replace_object(self, call: Call) -> tuple[int, Any]:
        object_id = canonical_uuid(call.params["id"])
        await self._put_one(call, _new_object(call.body, call.params["name"], object_id))
        return 200, await self.store.get(call.tenant, call.params["name"], object_id, with_vector=True)

    async def update_object(self, call: Call) -> tuple[int, Any]:
        object_id = canonical_uuid(call.params["id"])
        if await self.store.get(call.tenant, call.params["name"], object_id) is None:
            return 404, None
        await self._put_one(call, _new_object(call.body, call.params["name"], object_id), replace=False)
        return 204, None

    async def delete_object(self, call: Call) -> tuple[int, Any]:
        deleted = await self.store.delete(call.tenant, call.params["name"], call.params["id"])
        return (204 if deleted else 404), None

    async def list_objects(self, call: Call) -> tuple[int, Any]:
        class_name = call.query.get("class")
        if not class_name:
            raise unsupported("listing objects without `class=`")
        try:
            limit = int(call.query.get("limit", "25"))
            offset = int(call.query.get("offset", "0"))
        except ValueError:
            raise WeaviateError(422, "limit and offset must be integers") from None
        if limit < 0 or offset < 0:
            raise WeaviateError(422, "limit and offset must not be negative")
        with_vector = "vector" in call.query.get("include", "").split(",")
        _, found = await self.store.search(
            call.tenant, class_name, limit=limit, offset=offset, with_vector=with_vector, after=call.query.get("after")
        )
        return 200, {"objects": found, "totalResults": len(found)}

    async def batch_objects(self, call: Call) -> tuple[int, Any]:
        objects = call.body.get("objects") if isinstance(call.body, dict) else None
        if not isinstance(objects, list):
            raise WeaviateError(422, "a batch needs `objects`, an array")
        results: list[dict[str, Any]] = []
        news: list[tuple[int, NewObject]] = []
        errors: dict[int, str] = {}
        for index, body in enumerate(objects):
            try:
                new = _new_object(body)
                new.id = canonical_uuid(new.id) if new.id is not None else str(uuid.uuid4())
                news.append((index, new))
            except WeaviateError as exc:
                errors[index] = exc.message
        outcomes = await self.store.put(call.tenant, [new for _, new in news])
        ids: dict[int, str | None] = {index: new.id for index, new in news}
        for (index, _), error in zip(news, outcomes, strict=True):
            if error is not None:
                errors[index] = error
        for index, body in enumerate(objects):
            result: dict[str, Any] = {"status": "SUCCESS"}
            if index in errors:
                result = {"status": "FAILED", "errors": {"error": [{"message": errors[index]}]}}
            echo = dict(body) if isinstance(body, dict) else {}
            if ids.get(index):
                echo["id"] = ids[index]
            results.append({**echo, "result": result})
        return 200, results
