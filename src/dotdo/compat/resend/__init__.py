"""Resend that the official `resend` SDK cannot tell apart from the real API: emails kept, never sent out.

dotdo compat serve resend --port 9000
dotdo.compat.resend.configure("http://127.0.0.1:9000")   # sets resend.api_url and resend.api_key

Sent emails are stored in the tenant's account object (`ctx.things` of type `email`, so the inspector
shows them) and can be fetched and listed back through the SDK; nothing is delivered to anyone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..layer import Service
from ..openapi import ResourceShard, bearer_tokens
from ..openapi.layer_files import served_operations
from .account import ResendAccount
from .app import TOKEN_PREFIX, build

if TYPE_CHECKING:
    from starlette.types import Scope

OPERATIONS = served_operations(__file__)


def claims(scope: Scope) -> bool:
    """Resend requests: paths under `/emails` carrying a `re_` key."""
    if not scope.get("path", "").startswith("/emails"):
        return False
    return any(name == b"authorization" and b"Bearer re_" in value for name, value in scope["headers"])


def api_key(data_dir: str = ".dotdo", tenant: str | None = None) -> str:
    """A `re_…` key for the data folder's default tenant (or a new key for `tenant`)."""
    return bearer_tokens.key_for(data_dir, "resend", TOKEN_PREFIX, tenant)


def configure(endpoint_url: str = "http://127.0.0.1:9000", *, data_dir: str = ".dotdo", key: str | None = None) -> Any:
    """Point the `resend` module (the SDK is module-global) at dotdo; returns the module."""
    import resend

    resend.api_url = endpoint_url
    resend.api_key = key if key is not None else api_key(data_dir)
    return resend


service = Service(
    name="resend",
    title="Resend",
    operations=OPERATIONS,
    build=build,
    objects=(ResendAccount, ResourceShard),
    claims=claims,
    client=configure,
    notes={"emails/send": "stored as delivered; nothing is sent to the outside"},
)
"""The Resend layer as the registry lists it."""

__all__ = ["OPERATIONS", "ResendAccount", "api_key", "configure", "service"]
