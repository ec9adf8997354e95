"""The SendGrid layer's ASGI app: SendGrid's OpenAPI document served by the engine, with SendGrid's conventions.

The `sendgrid` SDK sends `Authorization: Bearer SG.…` and JSON bodies under `/v3`, and reads errors
as `{"errors": [{"message", "field", "help"}]}`.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from ..openapi import ApiError, OpenAPIApp, OpenAPIDocument, ServiceConventions, bearer_tokens
from ..openapi.layer_files import document_beside
from .account import SendGridAccount

if TYPE_CHECKING:
    from ..layer import CompatContext

TOKEN_PREFIX = "SG."


ACCOUNT_PATH = "/v3/_dotdo/account"
"""Where a tenant reads and changes its account's layout (`account_admin`)."""


@cache
def document() -> OpenAPIDocument:
    """SendGrid's OpenAPI document, trimmed to the operations this layer serves."""
    return document_beside(__file__)


def error_reply(error: ApiError) -> tuple[int, dict[str, Any]]:
    """SendGrid's error shape."""
    return error.status, {"errors": [{"message": error.message, "field": error.details.get("param"), "help": None}]}


def build(context: CompatContext) -> OpenAPIApp:
    """The SendGrid API on the runtime's objects, one `SendGridAccount` per tenant."""

    def refuse(reason: str, missing: bool) -> ApiError:
        return ApiError(401, "The provided authorization grant is invalid, expired, or revoked")

    authenticate = bearer_tokens.bearer_authenticator(context.credentials, (TOKEN_PREFIX,), "sendgrid", refuse)

    conventions = ServiceConventions(account=SendGridAccount, authenticate=authenticate, error_reply=error_reply)
    return OpenAPIApp(document(), conventions, context.runtime, context.options.get("account_shards"))
