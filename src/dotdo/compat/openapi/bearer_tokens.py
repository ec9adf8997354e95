"""API tokens of the SaaS layers (`sk_test_…`, `ghp_…`, `xoxb-…`), minted from the compat access keys.

A token is the service's prefix, the access key id, a dot and the key's secret, so a revoked key stops
every token made from it, and one key table serves every layer.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from pathlib import Path

from ..credentials import AccessKey, Credentials, CredentialsError


class InvalidToken(PermissionError):
    """A missing, malformed, unknown or revoked token, or one not allowed for this service."""


def mint(key: AccessKey, prefix: str) -> str:
    """The token of `key` for a service whose tokens start with `prefix`."""
    if key.secret is None:
        raise CredentialsError(f"key {key.access_key_id} was listed without its secret; look it up first")
    return f"{prefix}{key.access_key_id}.{key.secret}"


def authenticate_token(credentials: Credentials, token: str, prefixes: tuple[str, ...], service: str) -> AccessKey:
    """The key behind `token`, if the token is well-formed, current and allowed to call `service`."""
    prefix = next((p for p in prefixes if token.startswith(p)), None)
    if prefix is None:
        raise InvalidToken("the token does not have this service's format")
    key_id, _, secret = token[len(prefix) :].partition(".")
    key = credentials.lookup(key_id) if key_id and secret else None
    if key is None or key.secret is None or not hmac.compare_digest(key.secret.encode(), secret.encode()):
        raise InvalidToken("the token is not valid: it was never issued, or its key was revoked")
    if not key.allows(service):
        raise InvalidToken(f"the token's key may not call {service}")
    return key


def key_for(data_dir: str, service: str, prefix: str, tenant: str | None = None) -> str:
    """A token for the data folder's default tenant, or a new key's token for `tenant` (allowed `service` only)."""
    credentials = Credentials(Path(data_dir) / "compat")
    key = credentials.default_key() if tenant is None else credentials.create(tenant, (service,))
    return mint(key, prefix)


def bearer_authenticator(
    credentials: Credentials, prefixes: tuple[str, ...], service: str, refuse: Callable[[str, bool], Exception]
) -> Callable[[dict[str, str]], str]:
    """Headers → tenant for `Authorization: Bearer <token>`; `refuse(reason, missing)` makes the service's error."""

    def authenticate(headers: dict[str, str]) -> str:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise refuse("no API key in the Authorization header (Bearer)", True)
        try:
            return authenticate_token(credentials, token.strip(), prefixes, service).tenant
        except InvalidToken as exc:
            raise refuse(str(exc), False) from None

    return authenticate
