"""SendGrid mail that the official `sendgrid` SDK cannot tell apart from the real API; nothing is delivered.

dotdo compat serve sendgrid --port 9000
sg = dotdo.compat.sendgrid.client("http://127.0.0.1:9000")      # sendgrid.SendGridAPIClient, pointed at it

Mail is stored in the tenant's account object (things of type `mail`, so the inspector shows them)
and found again through the Email Activity API (`GET /v3/messages`); none reaches an inbox.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..layer import Service
from ..openapi import ResourceShard, bearer_tokens
from ..openapi.layer_files import served_operations
from .account import SendGridAccount
from .app import TOKEN_PREFIX, build

if TYPE_CHECKING:
    from starlette.types import Scope

OPERATIONS = served_operations(__file__)


def claims(scope: Scope) -> bool:
    """SendGrid requests: paths under `/v3/` carrying an `SG.` key."""
    if not scope.get("path", "").startswith("/v3/"):
        return False
    return any(name == b"authorization" and b"Bearer SG." in value for name, value in scope["headers"])


def api_key(data_dir: str = ".dotdo", tenant: str | None = None) -> str:
    """An `SG.…` key for the data folder's default tenant (or a new key for `tenant`)."""
    return bearer_tokens.key_for(data_dir, "sendgrid", TOKEN_PREFIX, tenant)


def client(endpoint_url: str = "http://127.0.0.1:9000", *, data_dir: str = ".dotdo", key: str | None = None) -> Any:
    """A `sendgrid.SendGridAPIClient` pointed at dotdo (the data folder's default key unless one is given)."""
    import sendgrid

    return sendgrid.SendGridAPIClient(api_key=key if key is not None else api_key(data_dir), host=endpoint_url)


service = Service(
    name="sendgrid",
    title="SendGrid (Mail Send, Email Activity)",
    operations=OPERATIONS,
    build=build,
    objects=(SendGridAccount, ResourceShard),
    claims=claims,
    client=client,
    notes={"POST_mail-send": "stored as delivered; nothing is sent to the outside"},
)
"""The SendGrid layer as the registry lists it."""

__all__ = ["OPERATIONS", "SendGridAccount", "api_key", "client", "service"]
