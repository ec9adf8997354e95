"""REST routes of an Entity class: `/customers` (list, create) and `/customers/{id}` (read, replace,
update, delete), plus `/openapi.json` and `/docs`.

Every change runs as an event of the entity's own object (`runtime.run_in`); listing reads the
class's name index. Errors are JSON: 400 bad input, 404 unknown entity, 409 duplicate id, 413 body
over the limit, 422 validation (pydantic's error list in `detail`).

`authorize(request, name)` (the app's `auth=` hook) vets each request: with the entity's id for
the routes of one entity (create included), with None for the collection, `/openapi.json` and
`/docs`; it raises `HTTPError(401)` to refuse.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import TypeAdapter, ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from ..graph.errors import InvalidCursorError, InvalidFilterError
from ..graph.filters import OPERATORS
from ..graph.names import new_id
from ..http.body_limit import DEFAULT_MAX_BODY_SIZE, check_declared_length, limited_receive
from ..http.errors import HTTPError, json_error
from ..http.lifespan import serve_lifespan
from ..http.routing import check_object_name
from ..runtime.runtime import Runtime
from .entity import Entity, EntityExistsError, EntityNotFoundError
from .entity_openapi import docs_page, openapi_document

MAX_PAGE = 1000
_PAGING = frozenset({"limit", "cursor", "order_by", "where"})

Handler = Callable[[Request], Awaitable[Response]]
Authorize = Callable[[Request, str | None], Awaitable[None]]


def _bad_request(message: str) -> HTTPError:
    return HTTPError(400, "bad_request", message)


def _entity_id(cls: type[Entity], raw: Any) -> str:
    if not isinstance(raw, str):
        raise _bad_request(f"The {cls.__name__} id must be a string, not {type(raw).__name__}")
    check_object_name(raw)
    try:
        return cls.check_entity_id(raw)
    except (TypeError, ValueError) as exc:
        raise _bad_request(str(exc)) from None


async def _json_object(request: Request) -> dict[str, Any]:
    body = await request.body()
    try:
        value = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _bad_request(f"The body is not valid JSON ({exc}); send a JSON object of fields") from None
    if not isinstance(value, dict):
        raise _bad_request(f"The body must be a JSON object of fields, not {type(value).__name__}")
    return value


def _coerce(cls: type[Entity], field: str, raw: str) -> Any:
    """A query-string value as the field's type (`?age=30` -> 30); text for nested or unknown types."""
    info = cls.model().model_fields.get(field)
    if info is None or info.annotation is None:
        return raw
    try:
        return TypeAdapter(info.annotation).validate_strings(raw)
    except ValidationError as exc:
        problem = exc.errors()[0]["msg"] if exc.errors() else "invalid value"
        raise _bad_request(f"?{field}={raw!r}: {problem}") from None
    except Exception:
        return raw


def _filters(cls: type[Entity], request: Request) -> dict[str, Any] | None:
    where: dict[str, Any] = {}
    raw_where = request.query_params.get("where")
    if raw_where:
        try:
            parsed = json.loads(raw_where)
        except json.JSONDecodeError as exc:
            raise _bad_request(f"?where= is not valid JSON ({exc})") from None
        if not isinstance(parsed, dict):
            raise _bad_request('?where= must be a JSON object like {"age": {"gte": 18}}')
        where.update(parsed)
    for key, raw in request.query_params.multi_items():
        if key in _PAGING:
            continue
        field, _, op = key.partition("__")
        op = op or "eq"
        if op not in OPERATORS:
            raise _bad_request(f"?{key}=: unknown operator {op!r}; operators: {', '.join(OPERATORS)}")
        if op == "in":
            value: Any = [_coerce(cls, field, part) for part in raw.split(",")]
        elif op in ("contains", "prefix"):
            value = raw
        else:
            value = _coerce(cls, field, raw)
        condition = where.setdefault(field, {})
        if not isinstance(condition, dict):
            where[field] = condition = {"eq": condition}
        condition[op] = value
    return where or None


def _limit(request: Request) -> int:
    raw = request.query_params.get("limit", "50")
    try:
        limit = int(raw)
    except ValueError:
        raise _bad_request(f"?limit={raw!r} is not a number") from None
    if not 1 <= limit <= MAX_PAGE:
        raise _bad_request(f"?limit= must be between 1 and {MAX_PAGE}")
    return limit


def _errors_as_json(handler: Handler) -> Handler:
    async def guarded(request: Request) -> Response:
        try:
            return await handler(request)
        except ValidationError as exc:
            detail = json.loads(exc.json(include_url=False))
            count = exc.error_count()
            return JSONResponse(
                {
                    "error": "validation_error",
                    "message": f"{count} field{'s' if count != 1 else ''} did not validate; see detail",
                    "detail": detail,
                },
                status_code=422,
            )
        except EntityExistsError as exc:
            return json_error(409, "conflict", str(exc))
        except EntityNotFoundError as exc:
            return json_error(404, "not_found", str(exc))
        except (InvalidFilterError, InvalidCursorError) as exc:
            return json_error(400, "bad_request", str(exc))
        except HTTPError as exc:
            return exc.response()

    return guarded


def entity_routes(cls: type[Entity], runtime: Runtime, *, authorize: Authorize | None = None) -> list[Route]:
    """The REST routes of `cls` (an `Entity` subclass), served through `runtime`, each request
    vetted by `authorize` (see the module's docstring)."""
    if not (isinstance(cls, type) and issubclass(cls, Entity)):
        raise TypeError(f"entity_routes takes an Entity subclass, not {cls!r}")
    collection = cls.collection_name()
    document = openapi_document(cls)

    async def vet(request: Request, name: str | None) -> None:
        if authorize is not None:
            await authorize(request, name)

    async def list_entities(request: Request) -> Response:
        await vet(request, None)
        where = _filters(cls, request)
        order = request.query_params.get("order_by")
        order_by = [term.strip() for term in order.split(",") if term.strip()] if order else None
        try:
            items, cursor = await cls.list_page(
                runtime,
                where=where,
                order_by=order_by,
                limit=_limit(request),
                cursor=request.query_params.get("cursor"),
            )
        except (TypeError, ValueError) as exc:
            if isinstance(exc, ValidationError):
                raise
            raise _bad_request(str(exc)) from None
        return JSONResponse({"items": items, "cursor": cursor})

    async def create_entity(request: Request) -> Response:
        fields = await _json_object(request)
        entity_id = _entity_id(cls, fields.pop("id")) if "id" in fields else new_id()
        await vet(request, entity_id)
        created = await runtime.run_in(cls, entity_id, lambda obj: obj.create(**fields))
        location = f"{request.scope.get('root_path', '')}/{collection}/{entity_id}"
        return JSONResponse(created, status_code=201, headers={"Location": location})

    async def _path_id(request: Request) -> str:
        entity_id = _entity_id(cls, request.path_params["entity_id"])
        await vet(request, entity_id)
        return entity_id

    async def get_entity(request: Request) -> Response:
        entity_id = await _path_id(request)
        found = await runtime.run_in(cls, entity_id, lambda obj: obj.get())
        if found is None:
            raise HTTPError(404, "not_found", f"No {cls.__name__} {entity_id!r}")
        return JSONResponse(found)

    async def change_entity(request: Request) -> Response:
        entity_id = await _path_id(request)
        fields = await _json_object(request)
        if "id" in fields and fields.pop("id") != entity_id:
            raise _bad_request("The id in the body differs from the id in the path; ids cannot change")
        if request.method == "PUT":
            changed = await runtime.run_in(cls, entity_id, lambda obj: obj.replace(**fields))
        else:
            changed = await runtime.run_in(cls, entity_id, lambda obj: obj.update(**fields))
        return JSONResponse(changed)

    async def delete_entity(request: Request) -> Response:
        entity_id = await _path_id(request)
        if not await runtime.run_in(cls, entity_id, lambda obj: obj.delete()):
            raise HTTPError(404, "not_found", f"No {cls.__name__} {entity_id!r}")
        return Response(status_code=204)

    async def openapi(request: Request) -> Response:
        await vet(request, None)
        return JSONResponse(document)

    async def docs(request: Request) -> Response:
        await vet(request, None)
        return HTMLResponse(docs_page(document))

    return [
        Route(f"/{collection}", _errors_as_json(list_entities), methods=["GET"]),
        Route(f"/{collection}", _errors_as_json(create_entity), methods=["POST"]),
        Route(f"/{collection}/{{entity_id}}", _errors_as_json(get_entity), methods=["GET"]),
        Route(f"/{collection}/{{entity_id}}", _errors_as_json(change_entity), methods=["PUT", "PATCH"]),
        Route(f"/{collection}/{{entity_id}}", _errors_as_json(delete_entity), methods=["DELETE"]),
        Route("/openapi.json", _errors_as_json(openapi), methods=["GET"]),
        Route("/docs", _errors_as_json(docs), methods=["GET"]),
    ]


class EntityApp:
    """An ASGI app serving `entity_routes(cls, runtime, authorize=...)`, with the body limit (413)
    applied."""

    def __init__(
        self,
        cls: type[Entity],
        runtime: Runtime,
        *,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        authorize: Authorize | None = None,
    ) -> None:
        self.cls = cls
        self.runtime = runtime
        self.max_body_size = max_body_size
        self.app = Starlette(routes=entity_routes(cls, runtime, authorize=authorize))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await serve_lifespan(self.runtime, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not self.runtime.started:
            await self.runtime.start()
        try:
            check_declared_length(scope, self.max_body_size)
        except HTTPError as exc:
            await exc.response()(scope, receive, send)
            return
        await self.app(scope, limited_receive(receive, self.max_body_size), send)
