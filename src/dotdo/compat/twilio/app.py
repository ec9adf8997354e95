"""The Twilio layer's ASGI app: Twilio's OpenAPI document served by the engine, with Twilio's conventions.

The `twilio` SDK authenticates with HTTP Basic (here: an access key id and its secret), names the
account in every path (`/2010-04-01/Accounts/AC…/Messages.json`), sends form bodies with capitalised
names, and reads errors as `{"code", "message", "more_info", "status"}`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import cache
from typing import TYPE_CHECKING, Any

from ..credentials import CredentialsError
from ..openapi import ApiError, OpenAPIApp, OpenAPIDocument, ServiceConventions
from ..openapi.layer_files import document_beside
from .account import TwilioAccount

if TYPE_CHECKING:
    from ..layer import CompatContext


ACCOUNT_PATH = "/2010-04-01/Accounts/_dotdo/account"
"""Where a tenant reads and changes its account's layout (`account_admin`)."""


@cache
def document() -> OpenAPIDocument:
    """Twilio's OpenAPI document for api.twilio.com, trimmed to the operations this layer serves."""
    return document_beside(__file__)


def account_sid(tenant: str) -> str:
    """The Account SID of a tenant (`AC` and 32 hex digits, the same every time)."""
    return "AC" + hashlib.sha256(f"dotdo-twilio:{tenant}".encode()).hexdigest()[:32]


def error_reply(error: ApiError) -> tuple[int, dict[str, Any]]:
    """Twilio's error shape: its numeric code, message, documentation link and status."""
    code = error.details.get("code") or {401: 20003, 403: 20003, 404: 20404, 405: 20004, 413: 21617}.get(
        error.status, 20001
    )
    return error.status, {
        "code": code,
        "message": error.message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": error.status,
    }


def build(context: CompatContext) -> OpenAPIApp:
    """The Twilio API on the runtime's objects, one `TwilioAccount` per tenant."""

    def authenticate(headers: dict[str, str]) -> str:
        scheme, _, encoded = headers.get("authorization", "").partition(" ")
        try:
            user, _, password = base64.b64decode(encoded.strip()).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            user = password = ""
        if scheme.lower() != "basic" or not user:
            raise ApiError(401, "Authentication Error - No credentials provided", code=20003)
        try:
            key = context.credentials.lookup(user)
        except CredentialsError:
            key = None
        if key is None or key.secret is None or not hmac.compare_digest(key.secret.encode(), password.encode()):
            raise ApiError(401, "Authentication Error - invalid username", code=20003)
        if not key.allows("twilio"):
            raise ApiError(403, "This key may not call twilio", code=20003)
        return key.tenant

    def authorize(tenant: str, path: dict[str, str]) -> None:
        if path.get("AccountSid") not in (None, account_sid(tenant)):
            raise ApiError(403, "The AccountSid in the path is not the account of these credentials.", code=20003)

    conventions = ServiceConventions(
        account_path=ACCOUNT_PATH,
        account=TwilioAccount,
        authenticate=authenticate,
        error_reply=error_reply,
        authorize=authorize,
        body_encoding="application/x-www-form-urlencoded",
    )
    return OpenAPIApp(document(), conventions, context.runtime, context.options.get("account_shards"))
