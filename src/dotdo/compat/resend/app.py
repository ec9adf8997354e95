"""The Resend layer's ASGI app: Resend's OpenAPI document served by the engine, with Resend's conventions.

The `resend` SDK sends `Authorization: Bearer re_…` and JSON bodies, and reads errors as
`{"statusCode", "name", "message"}`; a request its schema refuses is a 422 `validation_error`.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from ..openapi import ApiError, OpenAPIApp, OpenAPIDocument, ServiceConventions, bearer_tokens
from ..openapi.layer_files import document_beside
from .account import ResendAccount

if TYPE_CHECKING:
    from ..layer import CompatContext

TOKEN_PREFIX = "re_"
GENERIC_KINDS = ("invalid_request_error", "api_error")
NAMES = {
    401: "missing_api_key",
    403: "invalid_api_key",
    404: "not_found",
    405: "method_not_allowed",
    422: "validation_error",
}


ACCOUNT_PATH = "/emails/_dotdo/account"
"""Where a tenant reads and changes its account's layout (`account_admin`)."""


@cache
def document() -> OpenAPIDocument:
    """Resend's OpenAPI document, trimmed to the operations this layer serves."""
    return document_beside(__file__)


def error_reply(error: ApiError) -> tuple[int, dict[str, Any]]:
    """Resend's error shape."""
    status = 422 if error.status in (400, 413) else error.status
    name = NAMES.get(status, "application_error") if error.kind in GENERIC_KINDS else error.kind
    return status, {"statusCode": status, "name": name, "message": error.message}


def build(context: CompatContext) -> OpenAPIApp:
    """The Resend API on the runtime's objects, one `ResendAccount` per tenant."""

    def refuse(reason: str, missing: bool) -> ApiError:
        return (
            ApiError(401, "Missing API key in the authorization header.")
            if missing
            else ApiError(403, f"API key is invalid: {reason}")
        )

    authenticate = bearer_tokens.bearer_authenticator(context.credentials, (TOKEN_PREFIX,), "resend", refuse)

    conventions = ServiceConventions(
        account_path=ACCOUNT_PATH,
        account=ResendAccount,
        authenticate=authenticate,
        error_reply=error_reply,
        idempotency_header="idempotency-key",
    )
    return OpenAPIApp(document(), conventions, context.runtime, context.options.get("account_shards"))
