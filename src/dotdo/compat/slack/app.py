"""The Slack layer's ASGI app: Slack's OpenAPI document served by the engine, with Slack's conventions.

Slack's Web API is RPC over HTTP: `POST /api/chat.postMessage`. Every method takes its arguments in
the query string, a form body or a JSON body, by GET or POST, and the token in `Authorization:
Bearer xoxb-…` or as a `token` argument; unknown arguments are ignored. `SlackApp` folds each request
into the one form the document states for the method before the engine validates it. Errors are
HTTP 200 with `{"ok": false, "error": "channel_not_found"}`; a missing token is `not_authed`, a bad
one `invalid_auth`, arguments of the wrong type `invalid_arguments`.

Three requests are answered beside the document, which predates them: `apps.manifest.create` (an
app with a request URL for the Events API, and its signing secret), `apps.manifest.delete`, and
SCIM's `POST /scim/v1/Users` (a new member of the workspace).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

from starlette.responses import JSONResponse

from ..openapi import ApiError, OpenAPIApp, OpenAPIDocument, Operation, ServiceConventions, bearer_tokens
from ..openapi.layer_files import document_beside
from ..request_body import read_body
from .account import SlackWorkspace

if TYPE_CHECKING:
    from starlette.types import Message, Receive, Scope, Send

    from ..layer import CompatContext

TOKEN_PREFIXES = ("xoxb-",)
"""Bot tokens: every call acts as the workspace app's bot user."""
API_PREFIX = "/api/"
SCIM_USERS = "/scim/v1/Users"
MAX_BODY = 1024 * 1024
GENERIC_ERRORS = {400: "invalid_arguments", 404: "unknown_method", 405: "unknown_method", 413: "request_too_large"}


@cache
def document() -> OpenAPIDocument:
    """Slack's OpenAPI document for the Web API, corrected by `openapi-patches.json` and trimmed."""
    return document_beside(__file__)


def error_reply(error: ApiError) -> tuple[int, dict[str, Any]]:
    """Slack's error shape: HTTP 200 (500 for a fault of ours) and `{"ok": false, "error": …}`."""
    if error.kind not in ("invalid_request_error", "api_error"):
        return 200, {"ok": False, "error": error.kind}
    if error.status >= 500:
        return 500, {"ok": False, "error": "internal_error"}
    code = GENERIC_ERRORS.get(error.status, "invalid_arguments")
    body: dict[str, Any] = {"ok": False, "error": code}
    if code == "invalid_arguments":
        param = error.details.get("param")
        where = f" [json-pointer:/{param}]" if param else ""
        body["response_metadata"] = {"messages": [f"[ERROR] {error.message}{where}"]}
    return 200 if error.status < 413 else error.status, body


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value)


def _boolean(value: str) -> str:
    return {"1": "true", "0": "false", "True": "true", "False": "false"}.get(value, value)


class SlackApp:
    """Fold each Web API request into the document's form, then let the engine answer it."""

    def __init__(self, engine: OpenAPIApp, context: CompatContext) -> None:
        self.engine = engine
        self.context = context
        self.by_path = {operation.path: operation for operation in engine.operations}
        self.authenticate = engine.conventions.authenticate
        self.extras: dict[str, Callable[[dict[str, str], dict[str, Any]], Awaitable[JSONResponse]]] = {
            f"{API_PREFIX}apps.manifest.create": self._create_app,
            f"{API_PREFIX}apps.manifest.delete": self._delete_app,
            SCIM_USERS: self._provision_user,
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        root = scope.get("root_path", "")
        path = scope["path"][len(root) :] if scope["path"].startswith(root) else scope["path"]
        operation = self.by_path.get("/" + path.removeprefix(API_PREFIX)) if path.startswith(API_PREFIX) else None
        try:
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
            extra = self.extras.get(path)
            if operation is None and extra is None:
                await self.engine(scope, receive, send)
                return
            raw = await read_body(
                receive, MAX_BODY, lambda: ApiError(413, f"The request body is over {MAX_BODY} bytes.")
            )
            arguments = self._arguments(scope, headers, raw)
            token = arguments.pop("token", None)
            if token and not headers.get("authorization"):
                headers["authorization"] = f"Bearer {token}"
            if extra is not None:
                response = await extra(headers, arguments)
                await response(scope, receive, send)
                return
            assert operation is not None
            folded, body = self._fold(scope, headers, operation, arguments)
        except ApiError as error:
            status, answer = error_reply(error)
            await JSONResponse(answer, status_code=status)(scope, receive, send)
            return
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.engine(folded, replay, send)

    @staticmethod
    def _arguments(scope: Scope, headers: dict[str, str], raw: bytes) -> dict[str, Any]:
        arguments: dict[str, Any] = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        media = headers.get("content-type", "").split(";")[0].strip().lower()
        if not raw.strip():
            return arguments
        if media == "application/json":
            try:
                parsed = json.loads(raw)
            except ValueError:
                raise ApiError(400, "The JSON body could not be parsed.", kind="invalid_json") from None
            if not isinstance(parsed, dict):
                raise ApiError(400, "The JSON body must be an object.", kind="json_not_object")
            arguments.update({key: value for key, value in parsed.items() if value is not None})
            return arguments
        try:
            arguments.update(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            raise ApiError(400, "The form body is not UTF-8.", kind="invalid_charset") from None
        return arguments

    def _fold(
        self, scope: Scope, headers: dict[str, str], operation: Operation, arguments: dict[str, Any]
    ) -> tuple[Scope, bytes]:
        """The request as the document states `operation`: its method, its declared arguments, in its place."""
        declared = self._declared(operation)
        kept = {}
        for name, value in arguments.items():
            if name in declared:
                text = _text(value)
                kept[name] = _boolean(text) if declared[name] == "boolean" else text
        bearer = headers.get("authorization", "")
        if declared.get("token") is not None and bearer.lower().startswith("bearer "):
            kept["token"] = bearer[7:].strip()
        replaced = {"authorization", "content-type", "content-length"}
        raw_headers = [(k, v) for k, v in scope["headers"] if k.decode("latin-1").lower() not in replaced]
        if bearer:
            raw_headers.append((b"authorization", bearer.encode("latin-1")))
        folded = dict(scope)
        folded["method"] = operation.method
        if operation.method == "GET":
            folded["query_string"] = urlencode(kept).encode()
            body = b""
        else:
            folded["query_string"] = b""
            body = urlencode(kept).encode()
            raw_headers.append((b"content-type", b"application/x-www-form-urlencoded"))
        raw_headers.append((b"content-length", str(len(body)).encode()))
        folded["headers"] = raw_headers
        return folded, body

    def _declared(self, operation: Operation) -> dict[str, str]:
        """The argument names `operation` declares, with their types."""
        declared = {p.name: str(p.schema.get("type", "string")) for p in operation.parameters if p.location == "query"}
        for pointer in operation.body_pointers.values():
            schema = self.engine.document.resolve(self.engine.document.at(pointer))
            for name, field in schema.get("properties", {}).items():
                declared[name] = str(self.engine.document.resolve(field).get("type", "string"))
        return declared

    async def _create_app(self, headers: dict[str, str], arguments: dict[str, Any]) -> JSONResponse:
        tenant = self.authenticate(headers)
        manifest = arguments.get("manifest")
        if isinstance(manifest, str):
            try:
                manifest = json.loads(manifest)
            except ValueError:
                manifest = None
        if not isinstance(manifest, dict):
            return JSONResponse(
                {
                    "ok": False,
                    "error": "invalid_manifest",
                    "errors": [{"message": "the manifest must be a JSON object", "pointer": "/"}],
                }
            )
        return JSONResponse(await self.engine.runtime.get(SlackWorkspace, tenant).create_app(manifest))

    async def _delete_app(self, headers: dict[str, str], arguments: dict[str, Any]) -> JSONResponse:
        tenant = self.authenticate(headers)
        return JSONResponse(await self.engine.runtime.get(SlackWorkspace, tenant).delete_app(arguments.get("app_id")))

    async def _provision_user(self, headers: dict[str, str], arguments: dict[str, Any]) -> JSONResponse:
        try:
            tenant = self.authenticate(headers)
            user = await self.engine.runtime.get(SlackWorkspace, tenant).provision_user(arguments)
        except ApiError as error:
            status = 401 if error.kind in ("not_authed", "invalid_auth") else error.status
            return JSONResponse({"Errors": {"description": error.message, "code": status}}, status_code=status)
        return JSONResponse(user, status_code=201)


def build(context: CompatContext) -> SlackApp:
    """The Slack Web API on the runtime's objects, one `SlackWorkspace` per tenant."""

    def refuse(reason: str, missing: bool) -> ApiError:
        return ApiError(200, reason, kind="not_authed" if missing else "invalid_auth")

    conventions = ServiceConventions(
        account=SlackWorkspace,
        authenticate=bearer_tokens.bearer_authenticator(context.credentials, TOKEN_PREFIXES, "slack", refuse),
        error_reply=error_reply,
    )
    return SlackApp(
        OpenAPIApp(document(), conventions, context.runtime, context.options.get("account_shards")), context
    )
