"""Operator calls on a running SaaS layer: read a tenant's account layout, or spread it over N shard objects.

Both go to the layer's account path (Stripe: `/v1/_dotdo/account`), authenticated as the service
authenticates its clients, so a tenant's key reaches its own account only:

account_admin.reshard_account("http://127.0.0.1:9000/v1/_dotdo/account", {"Authorization": "Bearer sk_test_…"}, 8)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from ..sharding import ReshardError

POLL_SECONDS = 0.2


def account_layout(url: str, headers: Mapping[str, str]) -> dict[str, Any]:
    """{"shards", "target", "running", "moved", "counts"} of the account `headers` authenticate."""
    return _answer(httpx.get(url, headers=dict(headers), timeout=60))


def reshard_account(
    url: str,
    headers: Mapping[str, str],
    shards: int,
    *,
    wait: bool = True,
    on_progress: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Start moving the account to `shards` shard objects; with `wait`, return once every resource moved."""
    status = _answer(httpx.post(url, data={"shards": str(shards)}, headers=dict(headers), timeout=60))
    while wait and status["running"]:
        if on_progress is not None:
            on_progress(status)
        time.sleep(POLL_SECONDS)
        status = account_layout(url, headers)
    return status


def _answer(response: httpx.Response) -> dict[str, Any]:
    if response.status_code >= 300:
        raise ReshardError(f"HTTP {response.status_code}: {response.text[:300]}")
    found: dict[str, Any] = response.json()
    return found
