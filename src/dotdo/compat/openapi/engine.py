"""`OpenAPIApp`: an ASGI server for a SaaS API, driven by the service's published OpenAPI document.

For each request: find the operation by method and path, authenticate the tenant, read the body
(bracketed form or JSON) and the query, convert text to the types the document names, validate
everything against the document, and hand the call to the tenant's `ApiAccount`, where the
service's handler runs. Anything refused on the way is answered in the service's own error shape.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from starlette.responses import JSONResponse, Response

from ..request_body import read_body
from ..sharding import check_shard_count
from .account import ApiAccount, ApiCall, ApiError
from .document import OpenAPIDocument, Operation
from .form_encoding import FormError, coerce, decode_form
from .validation import InvalidRequest, check

if TYPE_CHECKING:
    from starlette.types import Receive, Scope, Send

    from ...runtime.runtime import Runtime

log = logging.getLogger("dotdo.compat.openapi")

MAX_BODY = 1024 * 1024
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclass(frozen=True)
class ServiceConventions:
    """What differs between services around the engine: how tenants authenticate, how errors look."""

    account: type[ApiAccount]
    authenticate: Callable[[dict[str, str]], str]
    """Headers (lower-case names) → the tenant; raises `ApiError` (401) when they do not authenticate."""
    error_reply: Callable[[ApiError], tuple[int, Any]]
    """The HTTP status and JSON body of an error, in the service's shape."""
    authorize: Callable[[str, dict[str, str]], None] | None = None
    """Given the tenant and the path's parameters, raise `ApiError` if the path is not the tenant's to use."""
    body_encoding: str = JSON
    idempotency_header: str | None = None
    max_body: int = MAX_BODY
    account_path: str | None = None
    """Where the tenant reads its account's layout (GET) and reshards it (POST `shards=N`), under a prefix the
    service claims on a shared port; None: not served."""


class OpenAPIApp:
    """Serve the operations of `document` that `conventions.account` has handlers for.

    `account_shards` (the server's `account_shards` setting) maps a tenant to the number of shard objects
    its account's resources are spread over; a tenant not named keeps the layout its account has.
    """

    def __init__(
        self,
        document: OpenAPIDocument,
        conventions: ServiceConventions,
        runtime: Runtime,
        account_shards: Mapping[str, int] | None = None,
    ) -> None:
        self.document = document
        self.conventions = conventions
        self.runtime = runtime
        self.account_shards = dict(account_shards or {})
        if self.account_shards and not conventions.account.shardable:
            raise ValueError(
                f"account_shards: {conventions.account.service_name} accounts keep their resources in one object "
                "and cannot be sharded"
            )
        for tenant, count in self.account_shards.items():
            check_shard_count(f"account_shards[{tenant!r}]", count)
        served = set(conventions.account.handlers)
        self.operations = [op for op in document.operations if op.operation_id in served]
        # Literal paths before templates (`/v1/customers/search` before `/v1/customers/{customer}`).
        self.operations.sort(key=lambda op: (op.path.count("{"), -len(op.path)))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        try:
            response = await self._answer(scope, receive)
        except ApiError as error:
            status, body = self.conventions.error_reply(error)
            response = JSONResponse(body, status_code=status)
        except Exception:
            log.exception("%s %s failed", scope["method"], scope["path"])
            status, body = self.conventions.error_reply(
                ApiError(500, "An unexpected error occurred on the server.", kind="api_error")
            )
            response = JSONResponse(body, status_code=status)
        await response(scope, receive, send)

    async def _answer(self, scope: Scope, receive: Receive) -> Response:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        root = scope.get("root_path", "")
        path = scope["path"][len(root) :] if scope["path"].startswith(root) else scope["path"]
        if path == self.conventions.account_path:
            return await self._account_layout(scope, receive, headers)
        base = self.document.base_path
        if base and not (path == base or path.startswith(base + "/")):
            raise ApiError(404, f"Unrecognized request URL ({scope['method']}: {path}): routes start with {base}/.")
        operation, path_params = self._route(scope["method"], path[len(base) :] or "/")
        tenant = self.conventions.authenticate(headers)
        if self.conventions.authorize is not None:
            self.conventions.authorize(tenant, path_params)
        limit = self.conventions.max_body
        raw = await read_body(receive, limit, lambda: ApiError(413, f"The request body is larger than {limit} bytes."))
        body, items = self._body(operation, headers.get("content-type", ""), raw)
        call = ApiCall(
            operation_id=operation.operation_id,
            path=path_params,
            query=self._query(operation, scope.get("query_string", b"").decode("latin-1")),
            body=body,
            items=items,
            base_url=f"{scope.get('scheme', 'http')}://{headers.get('host', '127.0.0.1')}{scope.get('root_path', '')}",
            headers={k: v for k, v in headers.items() if k.startswith(("stripe-", "x-", "accept"))},
        )
        key = headers.get(self.conventions.idempotency_header) if self.conventions.idempotency_header else None
        if key is not None and not 0 < len(key) <= 255:
            raise ApiError(400, "Idempotency keys must be between 1 and 255 characters long.")
        account = self.runtime.get(self.conventions.account, tenant)
        result = await account.handle(asdict(call), key, self.account_shards.get(tenant))
        if result["body"] is None:
            return Response(status_code=result["status"], headers=result["headers"])
        return JSONResponse(result["body"], status_code=result["status"], headers=result["headers"])

    async def _account_layout(self, scope: Scope, receive: Receive, headers: dict[str, str]) -> Response:
        """`GET` the account path: the tenant's layout; `POST` with `shards=N`: move it to N shards, online."""
        tenant = self.conventions.authenticate(headers)
        account = self.runtime.get(self.conventions.account, tenant)
        if scope["method"] == "POST":
            raw = await read_body(receive, 1024, lambda: ApiError(413, "The request body is larger than 1024 bytes."))
            params = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1") + "&" + raw.decode("latin-1")))
            if not self.conventions.account.shardable:
                raise ApiError(400, f"{self.conventions.account.service_name} accounts cannot be sharded.")
            try:
                shards = check_shard_count("shards", int(params.get("shards", "")))
            except ValueError as exc:
                raise ApiError(400, f"shards must be a shard count: {exc}", param="shards") from None
            layout = await account.layout()
            if layout["running"] and layout["target"] != shards:
                raise ApiError(
                    409, f"The account is moving to {layout['target']} shards; reshard again once it is done."
                )
            await account.reshard(shards)
        elif scope["method"] != "GET":
            raise ApiError(405, f"{self.conventions.account_path} answers GET (the layout) and POST (shards=N).")
        return JSONResponse(await account.layout())

    def _route(self, method: str, path: str) -> tuple[Operation, dict[str, str]]:
        allowed = False
        for operation in self.operations:
            match = operation.pattern.fullmatch(path)
            if match is None:
                continue
            if operation.method == method:
                return operation, operation.path_parameters(match)
            allowed = True
        if allowed:
            raise ApiError(405, f"Unrecognized request URL ({method}: {path}): this method is not allowed here.")
        raise ApiError(
            404,
            f"Unrecognized request URL ({method}: {path}). Please see the API reference, or the compat layer's "
            "table of served operations.",
        )

    def _query(self, operation: Operation, query_string: str) -> dict[str, Any]:
        try:
            values = decode_form(parse_qsl(query_string, keep_blank_values=True))
        except FormError as exc:
            raise ApiError(400, str(exc), param=exc.param) from None
        declared = {p.name: p for p in operation.parameters if p.location == "query"}
        result = {}
        for name, value in values.items():
            parameter = declared.get(name)
            if parameter is None:
                raise ApiError(400, f"Received unknown parameter: {name}", param=name)
            converted = coerce(value, parameter.schema, self.document.resolve)
            try:
                check(self.document, parameter.schema_pointer, converted)
            except InvalidRequest as exc:
                raise ApiError(400, exc.message, param=exc.param or name) from None
            result[name] = converted
        for parameter in declared.values():
            if parameter.required and parameter.name not in result:
                raise ApiError(400, f"Missing required param: {parameter.name}.", param=parameter.name)
        return result

    def _body(self, operation: Operation, content_type: str, raw: bytes) -> tuple[dict[str, Any], list[Any] | None]:
        """The body's parameters, or (for a JSON array the operation's schema takes) no parameters and the array."""
        media = content_type.split(";")[0].strip().lower()
        if not raw.strip():
            value: Any = {}
        elif media == JSON or (not media and self.conventions.body_encoding == JSON):
            try:
                value = json.loads(raw)
            except ValueError:
                raise ApiError(400, "Invalid JSON received: the request body could not be parsed.") from None
        else:
            try:
                value = decode_form(parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False))
            except (FormError, UnicodeDecodeError) as exc:
                raise ApiError(400, f"Invalid request body: {exc}", param=getattr(exc, "param", None)) from None
        pointer = operation.body_pointers.get(media) or next(iter(operation.body_pointers.values()), None)
        if isinstance(value, list) and pointer is not None:
            try:
                check(self.document, pointer, value)
            except InvalidRequest as exc:
                raise ApiError(400, exc.message, param=exc.param) from None
            return {}, value
        if not isinstance(value, dict):
            raise ApiError(400, "The request body must be an object of parameters.")
        if pointer is None:
            return value, None
        schema = self.document.at(pointer)
        converted = coerce(value, schema, self.document.resolve)
        try:
            check(self.document, pointer, converted)
        except InvalidRequest as exc:
            raise ApiError(400, exc.message, param=exc.param) from None
        return converted, None
