"""The Stripe layer's ASGI app: Stripe's OpenAPI document served by the engine, with Stripe's conventions.

Stripe's SDKs authenticate with `Authorization: Bearer sk_test_…` (or the key as the Basic user),
send form-encoded bodies with bracketed keys, and read errors as `{"error": {"type", "message",
"code", "param", …}}`. `Idempotency-Key` makes a POST safe to retry.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from ..openapi import ApiError, OpenAPIApp, ServiceConventions, bearer_tokens
from .account import StripeAccount
from .resources import document, public

if TYPE_CHECKING:
    from ..layer import CompatContext

TOKEN_PREFIXES = ("sk_test_", "rk_test_")
"""Secret and restricted test-mode keys; a layer never holds live keys."""


ACCOUNT_PATH = "/v1/_dotdo/account"
"""Where a tenant reads and changes its account's layout (`account_admin`)."""


def error_reply(error: ApiError) -> tuple[int, dict[str, Any]]:
    """Stripe's error shape, with the error's own status."""
    body: dict[str, Any] = {"type": error.kind, "message": error.message}
    body.update(public({key: value for key, value in error.details.items() if value is not None}))
    if error.status == 404 and "code" not in body:
        body["code"] = "resource_missing"
    body.setdefault("doc_url", f"https://stripe.com/docs/error-codes/{body.get('code', error.kind).replace('_', '-')}")
    return error.status, {"error": body}


def build(context: CompatContext) -> OpenAPIApp:
    """The Stripe API on the runtime's objects, one `StripeAccount` per tenant."""

    def authenticate(headers: dict[str, str]) -> str:
        scheme, _, value = headers.get("authorization", "").partition(" ")
        token = value.strip()
        if scheme.lower() == "basic":
            try:
                token = base64.b64decode(token).decode().split(":", 1)[0]
            except (ValueError, UnicodeDecodeError):
                token = ""
        if not token:
            raise ApiError(
                401,
                "You did not provide an API key. You need to provide your API key in the Authorization header, "
                "using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
            )
        try:
            key = bearer_tokens.authenticate_token(context.credentials, token, TOKEN_PREFIXES, "stripe")
        except bearer_tokens.InvalidToken as exc:
            raise ApiError(401, f"Invalid API Key provided: {token[:12]}…; {exc}") from None
        return key.tenant

    conventions = ServiceConventions(
        account_path=ACCOUNT_PATH,
        account=StripeAccount,
        authenticate=authenticate,
        error_reply=error_reply,
        body_encoding="application/x-www-form-urlencoded",
        idempotency_header="idempotency-key",
    )
    return OpenAPIApp(document(), conventions, context.runtime, context.options.get("account_shards"))
