"""Stripe that the official `stripe` SDK cannot tell apart from test mode: state kept per tenant.

dotdo compat serve stripe --port 9000
client = dotdo.compat.stripe.client("http://127.0.0.1:9000")      # stripe.StripeClient, pointed at it

Served from Stripe's own OpenAPI document (trimmed to `operations.txt`): requests are validated as
Stripe validates them, answers match Stripe's schemas, and unlike Stripe's stateless mock server,
what you create can be read back, listed, updated and paid.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..layer import Service
from ..openapi import ResourceShard, bearer_tokens
from ..openapi.layer_files import served_operations
from .account import StripeAccount
from .app import TOKEN_PREFIXES, build

if TYPE_CHECKING:
    from starlette.types import Scope

OPERATIONS = served_operations(__file__)


def claims(scope: Scope) -> bool:
    """Stripe requests: paths under `/v1/` carrying a Stripe test key."""
    if not scope.get("path", "").startswith("/v1/"):
        return False
    for name, value in scope["headers"]:
        if name == b"authorization" and any(prefix.encode() in value for prefix in TOKEN_PREFIXES):
            return True
    return False


def api_key(data_dir: str = ".dotdo", tenant: str | None = None) -> str:
    """A `sk_test_…` key for the data folder's default tenant (or a new key for `tenant`)."""
    return bearer_tokens.key_for(data_dir, "stripe", TOKEN_PREFIXES[0], tenant)


def client(
    endpoint_url: str = "http://127.0.0.1:9000", *, data_dir: str = ".dotdo", api_key: str | None = None, **options: Any
) -> Any:
    """A `stripe.StripeClient` pointed at dotdo (the data folder's default key unless one is given)."""
    import stripe

    key = api_key if api_key is not None else globals()["api_key"](data_dir)
    return stripe.StripeClient(
        key, base_addresses={"api": endpoint_url}, max_network_retries=options.pop("max_network_retries", 0), **options
    )


service = Service(
    name="stripe",
    title="Stripe",
    operations=OPERATIONS,
    build=build,
    objects=(StripeAccount, ResourceShard),
    claims=claims,
    client=client,
    notes={
        "PostPaymentMethods": (
            "card payment methods only; raw card numbers are accepted (test data), as with raw card data APIs enabled"
        ),
        "PostPaymentIntentsIntentConfirm": (
            "3-D Secure cards stop at requires_action; a second confirm completes the authentication"
        ),
    },
)
"""The Stripe layer as the registry lists it."""

__all__ = ["OPERATIONS", "StripeAccount", "api_key", "client", "service"]
