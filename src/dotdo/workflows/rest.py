"""A small REST surface for one workflow, with its OpenAPI document: `workflow_app(Onboarding, rt)`.

```python
app = Starlette(routes=[Mount("/workflows/onboarding", workflow_app(Onboarding, rt))])
```

| method and path | does |
|---|---|
| `GET /` | list instances (`?status=waiting&limit=100&after=<id>`) |
| `POST /` | create one: `{"id": ..., "params": ...}` (both optional) -> 201 |
| `GET /{id}` | its status |
| `POST /{id}/events/{type}` | send an event; the JSON body is its payload -> 202 |
| `POST /{id}/pause`, `/resume`, `/terminate`, `/restart` | lifecycle; answers the status |
| `GET /openapi.json` | the OpenAPI 3.1 document of these routes |

Errors are `{"error": ..., "message": ...}`: 400 bad input, 403 refused by `auth`, 404 no such
instance, 409 an existing id or a call the instance's status does not allow, 413 a body over
`max_body_size`.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .errors import InstanceExistsError, InstanceNotFoundError, InvalidInstanceStateError
from .store import STATUSES

if TYPE_CHECKING:
    from ..runtime.runtime import Runtime
    from .workflow import Workflow

RestAuth = Callable[[Request, str | None], bool | Awaitable[bool]]
"""`auth(request, instance_id)`: whether the request may reach that instance (None: the collection)."""

LIFECYCLE = ("pause", "resume", "terminate", "restart")
DEFAULT_MAX_BODY_SIZE = 1024 * 1024


class RefusedError(Exception):
    """A request turned into a JSON error answer."""

    def __init__(self, status_code: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.error = error


def workflow_app(
    workflow: type[Workflow],
    runtime: Runtime,
    *,
    auth: RestAuth | None = None,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
) -> Starlette:
    """A Starlette app serving `workflow`'s instances (see the module docstring)."""
    name = workflow.__name__

    async def vet(request: Request, instance_id: str | None) -> None:
        if auth is None:
            return
        allowed = auth(request, instance_id)
        if inspect.isawaitable(allowed):
            allowed = await allowed
        if not allowed:
            raise RefusedError(403, "forbidden", "This request may not reach this workflow instance")

    async def body(request: Request) -> Any:
        raw = b""
        async for chunk in request.stream():
            raw += chunk
            if len(raw) > max_body_size:
                raise RefusedError(413, "body_too_large", f"The body is larger than {max_body_size} bytes")
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise RefusedError(400, "invalid_json", f"The body is not JSON: {exc}") from None

    def answering(handler: Callable[[Request], Awaitable[JSONResponse]]) -> Callable[[Request], Awaitable[Any]]:
        async def endpoint(request: Request) -> JSONResponse:
            try:
                return await handler(request)
            except RefusedError as exc:
                return _error(exc.status_code, exc.error, str(exc))
            except InstanceNotFoundError as exc:
                return _error(404, "not_found", str(exc))
            except (InstanceExistsError, InvalidInstanceStateError) as exc:
                return _error(409, "conflict", str(exc))
            except (ValueError, TypeError, LookupError) as exc:
                return _error(400, "bad_request", str(exc))

        return endpoint

    async def list_instances(request: Request) -> JSONResponse:
        await vet(request, None)
        query = request.query_params
        try:
            limit = int(query.get("limit", "100"))
        except ValueError:
            raise RefusedError(400, "bad_request", "limit must be a number") from None
        found = await workflow.instances(runtime, status=query.get("status"), limit=limit, after=query.get("after"))
        return JSONResponse({"instances": found})

    async def create(request: Request) -> JSONResponse:
        await vet(request, None)
        payload = await body(request) or {}
        if not isinstance(payload, dict) or set(payload) - {"id", "params"}:
            raise RefusedError(400, "bad_request", 'The body is {"id": ..., "params": ...} (both optional)')
        if payload.get("id") is not None:
            await vet(request, payload["id"])
        inst = await workflow.create(runtime, id=payload.get("id"), params=payload.get("params"))
        return JSONResponse({"id": inst.id}, status_code=201)

    async def status(request: Request) -> JSONResponse:
        instance_id = request.path_params["id"]
        await vet(request, instance_id)
        return JSONResponse(await runtime.get(workflow, instance_id).status())

    async def send_event(request: Request) -> JSONResponse:
        instance_id = request.path_params["id"]
        await vet(request, instance_id)
        await runtime.get(workflow, instance_id).send_event(request.path_params["type"], await body(request))
        return JSONResponse({"accepted": True}, status_code=202)

    async def lifecycle(request: Request) -> JSONResponse:
        instance_id, action = request.path_params["id"], request.path_params["action"]
        if action not in LIFECYCLE:
            raise RefusedError(404, "not_found", f"No action {action!r}; actions: {', '.join(LIFECYCLE)}")
        await vet(request, instance_id)
        stub = runtime.get(workflow, instance_id)
        await getattr(stub, action)()
        return JSONResponse(await stub.status())

    async def openapi(request: Request) -> JSONResponse:
        return JSONResponse(openapi_document(name))

    return Starlette(
        routes=[
            Route("/openapi.json", answering(openapi), methods=["GET"]),
            Route("/", answering(list_instances), methods=["GET"]),
            Route("/", answering(create), methods=["POST"]),
            Route("/{id}", answering(status), methods=["GET"]),
            Route("/{id}/events/{type}", answering(send_event), methods=["POST"]),
            Route("/{id}/{action}", answering(lifecycle), methods=["POST"]),
        ]
    )


def _error(status_code: int, error: str, message: str) -> JSONResponse:
    return JSONResponse({"error": error, "message": message}, status_code=status_code)


def openapi_document(name: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document of a workflow's REST surface."""
    error = {"$ref": "#/components/schemas/Error"}
    status_ref = {"$ref": "#/components/schemas/InstanceStatus"}

    def answer(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
        if schema is None:
            return {"description": description}
        return {"description": description, "content": {"application/json": {"schema": schema}}}

    instance_id = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    event_type = {"name": "type", "in": "path", "required": True, "schema": {"type": "string"}}
    errors = {
        "400": answer("Bad input", error),
        "403": answer("Refused", error),
        "404": answer("No such instance", error),
        "409": answer("Not allowed in the instance's status", error),
    }
    paths: dict[str, Any] = {
        "/": {
            "get": {
                "summary": f"List {name} instances",
                "parameters": [
                    {"name": "status", "in": "query", "schema": {"type": "string", "enum": list(STATUSES)}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
                    {"name": "after", "in": "query", "schema": {"type": "string"}},
                ],
                "responses": {"200": answer("Instances in creation order", {"type": "object"}), **errors},
            },
            "post": {
                "summary": f"Create a {name} instance",
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {"type": "object", "properties": {"id": {"type": "string"}, "params": {}}}
                        }
                    }
                },
                "responses": {"201": answer("Created", {"type": "object"}), **errors},
            },
        },
        "/{id}": {
            "get": {
                "summary": "Status of an instance",
                "parameters": [instance_id],
                "responses": {"200": answer("Its status", status_ref), **errors},
            }
        },
        "/{id}/events/{type}": {
            "post": {
                "summary": "Send an event to an instance",
                "parameters": [instance_id, event_type],
                "requestBody": {"content": {"application/json": {"schema": {}}}},
                "responses": {"202": answer("Kept for the wait_for_event of its type"), **errors},
            }
        },
    }
    for action in LIFECYCLE:
        paths[f"/{{id}}/{action}"] = {
            "post": {
                "summary": f"{action.capitalize()} an instance",
                "parameters": [instance_id],
                "responses": {"200": answer("Its status afterwards", status_ref), **errors},
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {"title": f"{name} workflow", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error", "message"],
                    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
                },
                "InstanceStatus": {
                    "type": "object",
                    "required": ["status", "output", "error", "steps"],
                    "properties": {
                        "id": {"type": "string"},
                        "status": {"type": "string", "enum": list(STATUSES)},
                        "output": {},
                        "error": {"type": ["object", "null"]},
                        "steps": {"type": "array", "items": {"type": "object"}},
                    },
                },
            }
        },
    }
