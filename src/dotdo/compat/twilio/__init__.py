"""Twilio Messages and Calls that the official `twilio` SDK cannot tell apart from the real API; nothing is sent.

dotdo compat serve twilio --port 9000
client = dotdo.compat.twilio.client("http://127.0.0.1:9000")      # twilio.rest.Client, pointed at it
client.messages.create(to="+15558675310", from_="+15017122661", body="Hi")

Messages and calls are stored in the tenant's account object (things of type `message` and `call`,
so the inspector shows them) and listed and fetched back through the SDK; none reaches a phone.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..layer import Service
from ..openapi import ResourceShard
from ..openapi.layer_files import served_operations
from .account import TwilioAccount
from .app import account_sid, build

if TYPE_CHECKING:
    from starlette.types import Scope

OPERATIONS = served_operations(__file__)


def claims(scope: Scope) -> bool:
    """Twilio requests: paths under `/2010-04-01/Accounts/`."""
    return scope.get("path", "").startswith("/2010-04-01/Accounts/")


def client(
    endpoint_url: str = "http://127.0.0.1:9000",
    *,
    data_dir: str = ".dotdo",
    access_key_id: str | None = None,
    secret: str | None = None,
    tenant: str = "default",
) -> Any:
    """A `twilio.rest.Client` pointed at dotdo (the data folder's default key unless one is given)."""
    from twilio.rest import Client

    if access_key_id is None or secret is None:
        from ..credentials import Credentials

        key = Credentials(Path(data_dir) / "compat").default_key()
        access_key_id, secret, tenant = key.access_key_id, key.secret, key.tenant
    twilio = Client(access_key_id, secret, account_sid(tenant))
    twilio.api.base_url = endpoint_url
    return twilio


service = Service(
    name="twilio",
    title="Twilio (Messages, Calls)",
    operations=OPERATIONS,
    build=build,
    objects=(TwilioAccount, ResourceShard),
    claims=claims,
    client=client,
    notes={
        "CreateMessage": "recorded as delivered; nothing is sent",
        "CreateCall": "recorded as completed; no call is placed",
    },
)
"""The Twilio layer as the registry lists it."""

__all__ = ["OPERATIONS", "TwilioAccount", "account_sid", "client", "service"]
