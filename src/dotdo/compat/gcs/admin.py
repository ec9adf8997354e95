"""Operator calls on a running Cloud Storage layer: reshard a bucket, and watch the reshard (with a tenant's key).

    dotdo.compat.gcs.reshard("photos", 8)                     # waits until the objects have moved
    dotdo.compat.gcs.reshard_status("photos")                 # {"shards": 8, "running": False, ...}

They are dotdo's own `/storage/v1/b/{bucket}/reshard` (POST `?shards=N`, GET); Cloud Storage has none.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx

from ..credentials import client_key
from ..sharding import ReshardError, follow_reshard


def _call(
    method: str, endpoint_url: str, bucket: str, query: str, data_dir: str, key_id: str | None, secret: str | None
) -> dict[str, Any]:
    access_key_id, secret_key = client_key(data_dir, key_id, secret)
    url = f"{endpoint_url.rstrip('/')}/storage/v1/b/{quote(bucket, safe='')}/reshard{query}"
    response = httpx.request(method, url, headers={"Authorization": f"Bearer {access_key_id}:{secret_key}"}, timeout=60)
    if response.status_code >= 300:
        try:
            error = response.json()["error"]
            message = f"{error['errors'][0]['reason']}: {error['message']}"
        except (ValueError, KeyError, IndexError, TypeError):
            message = f"HTTP {response.status_code}: {response.text[:200]}"
        raise ReshardError(message)
    return response.json()


def reshard_status(
    bucket: str,
    *,
    endpoint_url: str = "http://127.0.0.1:9000",
    data_dir: str = ".dotdo",
    access_key_id: str | None = None,
    secret: str | None = None,
) -> dict[str, Any]:
    """The bucket's shard count, and while a reshard runs: its source and target counts and objects moved."""
    return _call("GET", endpoint_url, bucket, "", data_dir, access_key_id, secret)


def reshard(
    bucket: str,
    shards: int,
    *,
    endpoint_url: str = "http://127.0.0.1:9000",
    data_dir: str = ".dotdo",
    access_key_id: str | None = None,
    secret: str | None = None,
    wait: bool = True,
    on_progress: Callable[[dict[str, Any]], None] | None = None,
    poll: float = 0.2,
) -> dict[str, Any]:
    """Move a bucket's objects to `shards` shard objects (1: back into one) while the server keeps serving it.

    With `wait`, returns once the move is done (`on_progress(status)` is told along the way);
    `ReshardError` says why the server refused (bad count, unknown bucket, a reshard already running).
    """
    started = _call("POST", endpoint_url, bucket, f"?shards={shards}", data_dir, access_key_id, secret)
    return follow_reshard(
        started,
        lambda: reshard_status(
            bucket, endpoint_url=endpoint_url, data_dir=data_dir, access_key_id=access_key_id, secret=secret
        ),
        wait=wait,
        on_progress=on_progress,
        poll=poll,
    )
